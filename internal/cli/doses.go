package cli

import (
	"errors"
	"fmt"

	"dcc/doses"
)

func (e *env) doses(args []string) int {
	fs := e.flags("doses")
	files, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(files) != 1 {
		return e.usageError("doses", "want exactly one FILE (a vaccination history; - for stdin)")
	}
	data, err := e.readInput(files[0])
	if err != nil {
		if errors.Is(err, errTooLarge) {
			fmt.Fprintf(e.stderr, "dcc doses: %s: %v\n", displayName(files[0]), err)
			return exitInvalid
		}
		fmt.Fprintf(e.stderr, "dcc doses: %v\n", err)
		return exitUsage
	}
	h, err := doses.DecodeHistory(data)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc doses: %s: %v\n", displayName(files[0]), err)
		return exitInvalid
	}
	numbered, err := doses.Number(h, doses.DefaultPolicy())
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc doses: %s: %v\n", displayName(files[0]), err)
		return exitInvalid
	}
	for _, d := range numbered {
		fmt.Fprintf(e.stdout, "%s %s %d/%d\n", d.Date, d.Product, d.DN, d.SD)
	}
	return exitOK
}
