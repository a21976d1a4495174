package cli

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"dcc/valueset"
)

func (e *env) valuesetsList(args []string) int { return e.valuesets("list", args) }

func (e *env) valuesetsShow(args []string) int { return e.valuesets("show", args) }

func (e *env) valuesets(sub string, args []string) int {
	fs := e.flags("valuesets " + sub)
	dir := fs.String("valuesets", "", "`DIR` of value-set JSON files (default: the embedded 2.12.0 snapshot)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	switch sub {
	case "list":
		if len(rest) > 0 {
			return e.usageError("valuesets list", "unexpected argument %q", rest[0])
		}
	case "show":
		if len(rest) != 1 {
			return e.usageError("valuesets show", "want exactly one NAME (see 'dcc valuesets list')")
		}
	}
	vs, err := loadValueSets(*dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc valuesets: %v\n", err)
		return exitUsage
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if sub == "list" {
		fmt.Fprintln(tw, "NAME\tID\tDATE\tVALUES\tSHA-256\tREFRESHED")
		for _, name := range valuesetNames() {
			s, ok := vs.Set(name)
			if !ok {
				continue
			}
			refreshed := "never (embedded snapshot)"
			if at, ok := vs.Refreshed(name); ok && !at.IsZero() {
				refreshed = at.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.Name, s.ID, s.Date, len(s.Values), s.Hash[:16], refreshed)
		}
		tw.Flush()
		if stale := vs.Stale(time.Now()); len(stale) > 0 {
			fmt.Fprintf(e.stderr, "dcc valuesets: warning: %d value sets not refreshed from the gateway in the last 24 hours (Annex V t/ma asks for daily updates): %s\n", len(stale), strings.Join(stale, ", "))
		}
		return exitOK
	}
	s, ok := vs.Set(rest[0])
	if !ok {
		fmt.Fprintf(e.stderr, "dcc valuesets show: unknown value set %q; known: %s\n", rest[0], strings.Join(valuesetNames(), ", "))
		return exitInvalid
	}
	codes := make([]string, 0, len(s.Values))
	for c := range s.Values {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	fmt.Fprintf(tw, "# %s (%s), %s, %d values\n", s.Name, s.ID, s.Date, len(codes))
	for _, c := range codes {
		v := s.Values[c]
		state := ""
		if !v.Active {
			state = "\tinactive"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", c, v.Display, state)
	}
	return exitOK
}

func valuesetNames() []string { return valueset.Names() }
