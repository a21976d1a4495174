package cli

import (
	"fmt"
	"time"

	"dcc/rules"
)

// rulesTest runs the tests of business rules laid out as RULE-ID/rule.json
// and RULE-ID/tests/*.json at any depth, and checks the rules: one line per
// failure, one per rule problem, then "N passed, M failed" last; exit 0
// only when no test failed and no rule has a problem. The gateway's checks
// of an upload (the time, the versions published before) apply only with
// --upload-at, and --published for the versions.
func (e *env) rulesTest(args []string) int {
	const cmd = "rules test"
	fs := e.flags(cmd)
	uploadAt := fs.String("upload-at", "", "also check an upload at this `TIME` (RFC 3339, or now)")
	published := fs.String("published", "", "with --upload-at: the rules on the gateway already (a file or directory `PATH`), for the version checks")
	dirs, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(dirs) == 0 {
		return e.usageError(cmd, "want one or more DIR holding RULE-ID/rule.json and RULE-ID/tests/*.json")
	}
	var opt rules.TestOptions
	switch {
	case *uploadAt != "":
		at := time.Now()
		if *uploadAt != "now" {
			if at, err = time.Parse(time.RFC3339, *uploadAt); err != nil {
				return e.usageError(cmd, "--upload-at %q: want RFC 3339, e.g. 2021-06-01T12:00:00Z, or now", *uploadAt)
			}
		}
		opt.Upload = &rules.Upload{At: at}
		if *published != "" {
			if opt.Upload.Published, err = rules.Load(*published); err != nil {
				fmt.Fprintf(e.stderr, "dcc %s: --published: %v\n", cmd, err)
				return exitUsage
			}
		}
	case *published != "":
		return e.usageError(cmd, "--published needs --upload-at")
	}
	rep, err := opt.Run(dirs...)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc %s: %v\n", cmd, err)
		return exitUsage
	}
	for _, f := range rep.Failures {
		fmt.Fprintln(e.stdout, f)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stdout, p)
	}
	if n := len(rep.Problems); n > 0 {
		fmt.Fprintf(e.stdout, "%d rule problems (not test failures)\n", n)
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", rep.Passed, rep.Failed)
	if rep.Failed > 0 || len(rep.Problems) > 0 {
		return exitInvalid
	}
	return exitOK
}
