package cli

import (
	"fmt"

	"dcc/uvci"
)

func (e *env) uvciNew(args []string) int {
	fs := e.flags("uvci new")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country code `CC`, e.g. ES")
	issuer := fs.String("issuer", "", "issuer `PREFIX`, e.g. MSND")
	n := fs.Int("n", 1, "how many identifiers: `N` from 1 to 1000000")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	switch {
	case len(rest) > 0:
		return e.usageError("uvci new", "unexpected argument %q", rest[0])
	case *country == "" || *issuer == "":
		return e.usageError("uvci new", "--country and --issuer are required")
	case *n < 1 || *n > 1_000_000:
		return e.usageError("uvci new", "-n must be between 1 and 1000000")
	}
	g, err := uvci.NewGenerator(*country, *issuer, nil)
	if err != nil {
		return e.usageError("uvci new", "%v", err)
	}
	for range *n {
		id, err := g.New()
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc uvci new: %v\n", err)
			return exitUsage
		}
		fmt.Fprintln(e.stdout, id)
	}
	return exitOK
}

func (e *env) uvciCheck(args []string) int {
	fs := e.flags("uvci check")
	lenient := fs.Bool("lenient", false, "tolerate lower case, with a warning")
	ids, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(ids) == 0 {
		return e.usageError("uvci check", "no UVCI given")
	}
	mode := uvci.Strict
	if *lenient {
		mode = uvci.Lenient
	}
	code := exitOK
	for _, id := range ids {
		u, warnings, err := uvci.Parse(id, mode)
		if err != nil {
			fmt.Fprintf(e.stdout, "%s: invalid: %v\n", id, err)
			code = exitInvalid
			continue
		}
		for _, w := range warnings {
			fmt.Fprintf(e.stdout, "%s: warning: %s\n", id, w)
		}
		check := "no check character"
		if u.Check != 0 {
			check = fmt.Sprintf("check character %c correct", u.Check)
		}
		fmt.Fprintf(e.stdout, "%s: valid (country %s, %s)\n", id, u.Country, check)
	}
	return code
}
