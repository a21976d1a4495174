package cli

import (
	"errors"
	"fmt"

	"dcc/certlogic"
)

func (e *env) certlogicEvalTest(args []string) int {
	return e.certlogicTest("certlogic test", args, certlogic.RunSuites)
}

func (e *env) certlogicValidateTest(args []string) int {
	return e.certlogicTest("certlogic validate-test", args, certlogic.RunValidationSuites)
}

// certlogicEval evaluates an expression on a data context and prints the
// result as JSON: exit 0 with a result, 1 when the input is not JSON, the
// expression is invalid (every problem is listed) or evaluation fails.
func (e *env) certlogicEval(args []string) int {
	const cmd = "certlogic eval"
	fs := e.flags(cmd)
	files, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(files) != 2 {
		return e.usageError(cmd, "want EXPRESSION.json DATA.json (- for standard input)")
	}
	if files[0] == "-" && files[1] == "-" {
		return e.usageError(cmd, "only one of EXPRESSION and DATA can be standard input")
	}
	var trees [2]any
	for i, f := range files {
		data, err := e.readInput(f)
		if errors.Is(err, errTooLarge) {
			fmt.Fprintf(e.stderr, "dcc %s: %s: input is larger than 1 MiB\n", cmd, displayName(f))
			return exitInvalid
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc %s: %v\n", cmd, err)
			return exitUsage
		}
		if trees[i], err = certlogic.ParseJSON(data); err != nil {
			fmt.Fprintf(e.stderr, "dcc %s: %s: %v\n", cmd, displayName(f), err)
			return exitInvalid
		}
	}
	expr, err := certlogic.Compile(trees[0])
	var invalid *certlogic.InvalidError
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Fprintf(e.stderr, "%s: %s\n", displayName(files[0]), certlogicProblem(p.Path, p.Message))
		}
		fmt.Fprintf(e.stderr, "dcc %s: %s: invalid expression (%s)\n", cmd, displayName(files[0]), plural(len(invalid.Problems), "problem"))
		return exitInvalid
	}
	result, err := expr.Eval(trees[1])
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc %s: %v\n", cmd, err)
		return exitInvalid
	}
	out, err := certlogic.MarshalJSON(result)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc %s: %v\n", cmd, err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "%s\n", out)
	return exitOK
}

func certlogicProblem(path, msg string) string {
	if path == "" {
		return msg
	}
	return path + ": " + msg
}

// certlogicTest runs test suites: one line per failed assertion, then
// "N passed, M failed[, K skipped]". A file that is not a suite of the kind
// is a usage error (exit 2), so a wrong directory is not taken for a pass.
func (e *env) certlogicTest(cmd string, args []string, run func(...string) (*certlogic.Report, error)) int {
	fs := e.flags(cmd)
	paths, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(paths) == 0 {
		return e.usageError(cmd, "want one or more DIR or FILE (e.g. ../shared/testdata/certlogic/testSuite)")
	}
	rep, err := run(paths...)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc %s: %v\n", cmd, err)
		return exitUsage
	}
	for _, f := range rep.Failures {
		fmt.Fprintln(e.stdout, f)
	}
	summary := fmt.Sprintf("%d passed, %d failed", rep.Passed, rep.Failed)
	if rep.Skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", rep.Skipped)
	}
	fmt.Fprintln(e.stdout, summary)
	if rep.Failed > 0 {
		return exitInvalid
	}
	return exitOK
}
