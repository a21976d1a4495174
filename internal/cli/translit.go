package cli

import (
	"fmt"

	"dcc/translit"
)

func (e *env) translit(args []string) int {
	fs := e.flags("translit")
	names, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(names) == 0 {
		return e.usageError("translit", "no NAME given")
	}
	code := exitOK
	for _, n := range names {
		out, truncated, err := translit.ICAO(n)
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc translit: %q: %v\n", n, err)
			code = exitInvalid
			continue
		}
		if truncated {
			fmt.Fprintf(e.stderr, "dcc translit: %q: warning: truncated to %d characters\n", n, translit.MaxLen)
		}
		fmt.Fprintln(e.stdout, out)
	}
	return code
}
