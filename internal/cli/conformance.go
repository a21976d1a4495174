package cli

import (
	"fmt"

	"dcc/internal/conformance"
)

// conformance runs member-state test vectors: one line per failed check,
// the warnings (known issues that name no vector, excused vectors that
// pass), a table of passed/failed/excused by country, then
// "N passed, M failed[, K excused]".
func (e *env) conformance(args []string) int {
	fs := e.flags("conformance")
	verbose := fs.Bool("v", false, "also print the excused vectors and their reasons")
	dirs, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
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
	for _, w := range res.Warnings {
		fmt.Fprintln(e.stdout, "warning:", w)
	}
	if *verbose {
		for _, n := range res.Notes {
			fmt.Fprintln(e.stdout, n)
		}
	}
	// By country, so that a reader sees where failures and excuses cluster.
	width := len("country")
	for _, c := range res.Countries() {
		width = max(width, len(c))
	}
	fmt.Fprintf(e.stdout, "%-*s  passed  failed  excused\n", width, "country")
	for _, c := range res.Countries() {
		n := res.ByCountry[c]
		fmt.Fprintf(e.stdout, "%-*s  %6d  %6d  %7d\n", width, c, n.Passed, n.Failed, n.Excused)
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
