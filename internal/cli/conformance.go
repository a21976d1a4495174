package cli

import (
	"fmt"

	"dcc/internal/conformance"
)

// conformance runs member-state test vectors: one line per failed check,
// then "N passed, M failed[, K excused]".
func (e *env) conformance(args []string) int {
	fs := e.flags("conformance")
	verbose := fs.Bool("v", false, "also print the excused vectors and their reasons")
	dirs, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(dirs) == 0 {
		return e.usageError("conformance", "want one or more DIR (e.g. ../shared/testdata/dgc-testdata)")
	}
	r, err := conformance.NewRunner()
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc conformance: %v\n", err)
		return exitUsage
	}
	res, err := r.Run(dirs...)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc conformance: %v\n", err)
		return exitUsage
	}
	for _, f := range res.Failures {
		fmt.Fprintln(e.stdout, f)
	}
	if *verbose {
		for _, n := range res.Notes {
			fmt.Fprintln(e.stdout, n)
		}
	}
	summary := fmt.Sprintf("%d passed, %d failed", res.Passed, res.Failed)
	if res.Excused > 0 {
		summary += fmt.Sprintf(", %d excused", res.Excused)
	}
	fmt.Fprintln(e.stdout, summary)
	if res.Failed > 0 {
		return exitInvalid
	}
	return exitOK
}
