package cli

import (
	"errors"
	"fmt"
	"time"

	"dcc"
	"dcc/valueset"
)

// loadValueSets returns the embedded value sets, or those of dir (sets
// missing from dir fall back to the embedded snapshot).
func loadValueSets(dir string) (*valueset.Store, error) {
	if dir == "" {
		return valueset.Embedded()
	}
	return valueset.LoadDir(dir, time.Now())
}

func (e *env) validate(args []string) int {
	fs := e.flags("validate")
	lenient := fs.Bool("lenient", false, "verification mode: value-set misses and older encodings are warnings")
	vsDir := fs.String("valuesets", "", "`DIR` of value-set JSON files (default: the embedded 2.12.0 snapshot)")
	example := fs.Bool("example", false, "validate the bundled example payload")
	files, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if *example {
		if len(files) > 0 {
			return e.usageError("validate", "--example takes no FILE")
		}
	} else if len(files) == 0 {
		return e.usageError("validate", "no FILE given (use - for standard input, or --example)")
	}
	vs, err := loadValueSets(*vsDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc validate: value sets: %v\n", err)
		return exitUsage
	}
	v, err := dcc.NewValidator(vs)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc validate: %v\n", err)
		return exitUsage
	}
	mode := dcc.Strict
	if *lenient {
		mode = dcc.Lenient
	}

	code := exitOK
	worse := func(c int) {
		if c > code {
			code = c
		}
	}
	check := func(name string, data []byte) {
		rep, err := v.ValidateJSON(data, mode)
		var se *dcc.SyntaxError
		switch {
		case errors.As(err, &se):
			fmt.Fprintf(e.stdout, "%s:%d:%d: invalid JSON: %s\n", name, se.Line, se.Column, se.Msg)
			worse(exitInvalid)
			return
		case err != nil:
			fmt.Fprintf(e.stdout, "%s: %v\n", name, err)
			worse(exitInvalid)
			return
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(e.stdout, "%s: %s\n", name, p)
		}
		if rep.Valid() {
			fmt.Fprintf(e.stdout, "%s: valid %s payload (%s, schema %s, %s)\n", name, typeName(rep.Type), mode, rep.Schema, plural(len(rep.Warnings()), "warning"))
		} else {
			fmt.Fprintf(e.stdout, "%s: invalid (%s, schema %s, %s)\n", name, mode, rep.Schema, plural(len(rep.Errors()), "error"))
			worse(exitInvalid)
		}
	}
	if *example {
		check("example.json", exampleJSON)
		return code
	}
	for _, f := range files {
		data, err := e.readInput(f)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				fmt.Fprintf(e.stdout, "%s: %v\n", displayName(f), err)
				worse(exitInvalid)
				continue
			}
			fmt.Fprintf(e.stderr, "dcc validate: %v\n", err)
			worse(exitUsage)
			continue
		}
		check(displayName(f), data)
	}
	return code
}
