package cli

import (
	"fmt"

	"dcc/rules"
)

func (e *env) rules(args []string) int {
	if len(args) == 0 {
		return e.usageError("rules", "want 'rules test'")
	}
	switch args[0] {
	case "test":
		return e.rulesTest(args[1:])
	}
	return e.usageError("rules", "unknown subcommand %q: want 'test'", args[0])
}

// rulesTest runs the tests of business rules laid out as RULE-ID/rule.json
// and RULE-ID/tests/*.json at any depth: one line per failure, then
// "N passed, M failed"; exit 0 only when none failed.
func (e *env) rulesTest(args []string) int {
	const cmd = "rules test"
	fs := e.flags(cmd)
	dirs, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(dirs) == 0 {
		return e.usageError(cmd, "want one or more DIR holding RULE-ID/rule.json and RULE-ID/tests/*.json")
	}
	rep, err := rules.RunTests(dirs...)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc %s: %v\n", cmd, err)
		return exitUsage
	}
	for _, f := range rep.Failures {
		fmt.Fprintln(e.stdout, f)
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", rep.Passed, rep.Failed)
	if rep.Failed > 0 {
		return exitInvalid
	}
	return exitOK
}
