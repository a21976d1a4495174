package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one word of the command line: a leaf runs, a group dispatches
// to its subcommands. Every command carries its help, so that "--help"
// answers everywhere and a command cannot be added without it.
type command struct {
	name     string   // the words after "dcc": "pki csca"
	summary  string   // one line, in the parent's list
	usage    []string // synopses, without the leading "dcc "; a line starting with a space continues the one before
	about    string   // one paragraph: what it does, what it prints, its exit codes
	examples []string // command lines, without the leading "dcc "; "  # ..." comments allowed
	notes    string   // optional text after the flags
	run      func(e *env, args []string) int
	subs     []*command
}

// lookup finds the command of a full name ("pki csca") under c.
func (c *command) lookup(name string) *command {
	if c.name == name {
		return c
	}
	for _, s := range c.subs {
		if found := s.lookup(name); found != nil {
			return found
		}
	}
	return nil
}

// word is the last word of the command's name.
func (c *command) word() string {
	i := strings.LastIndexByte(c.name, ' ')
	return c.name[i+1:]
}

// title is how messages name the command: "dcc", "dcc pki csca".
func (c *command) title() string {
	if c.name == "" {
		return "dcc"
	}
	return "dcc " + c.name
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// dispatch runs a leaf, or picks the subcommand a group's first argument
// names.
func (e *env) dispatch(c *command, args []string) int {
	if c.run != nil {
		return c.run(e, args)
	}
	switch {
	case len(args) == 0:
		if c.name == "" {
			e.writeHelp(e.stderr, c, nil)
			return exitUsage
		}
		return e.usageError(c.name, "want a subcommand: %s", subWords(c))
	case isHelp(args[0]):
		e.writeHelp(e.stdout, c, nil)
		return exitOK
	}
	for _, s := range c.subs {
		if s.word() == args[0] {
			return e.dispatch(s, args[1:])
		}
	}
	if c.name == "" {
		fmt.Fprintf(e.stderr, "dcc: unknown command %q\nRun 'dcc --help' for the commands.\n", args[0])
		return exitUsage
	}
	return e.usageError(c.name, "unknown subcommand %q: want %s", args[0], subWords(c))
}

func subWords(c *command) string {
	words := make([]string, len(c.subs))
	for i, s := range c.subs {
		words[i] = s.word()
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// help runs "dcc help [COMMAND...]".
func (e *env) help(args []string) int {
	fs := e.flags("help")
	words, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	c := e.root
	for _, w := range words {
		var next *command
		for _, s := range c.subs {
			if s.word() == w {
				next = s
			}
		}
		if next == nil {
			return e.usageError("help", "no command %q", strings.TrimSpace(c.name+" "+w))
		}
		c = next
	}
	if c.run == nil || c == e.root {
		e.writeHelp(e.stdout, c, nil)
		return exitOK
	}
	// A leaf's flags are defined where it runs: ask it for its help.
	return e.dispatch(c, []string{"--help"})
}

// errHelp is what parse returns when the help was asked for (and printed).
var errHelp = errors.New("help printed")

// parseExit is the exit code of a parse error: 0 after the help, 2 else.
func parseExit(err error) int {
	if errors.Is(err, errHelp) {
		return exitOK
	}
	return exitUsage
}

// flags returns the flag set of a command; its errors are printed by
// parse, with the command's name and a hint.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses flags wherever they stand among the arguments ("dcc validate
// a.json --lenient" works as well as the other order); "--" ends flags.
// -h and --help print the command's help to standard output and return
// errHelp; a bad flag is reported on standard error.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c := e.root.lookup(fs.Name())
				if c == nil {
					fmt.Fprintf(e.stderr, "dcc %s: no help for this command\n", fs.Name())
					return nil, err
				}
				e.writeHelp(e.stdout, c, fs)
				return nil, errHelp
			}
			e.usageError(fs.Name(), "%v", err)
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func (e *env) usageError(cmd, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "dcc %s: %s\nRun 'dcc %s --help' for usage.\n", cmd, fmt.Sprintf(format, a...), cmd)
	return exitUsage
}

// writeHelp prints the help of c: usage, description, flags (those of fs,
// for a leaf), subcommands, examples.
func (e *env) writeHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage:")
	for _, u := range c.usage {
		if strings.HasPrefix(u, " ") { // a synopsis continued
			fmt.Fprintf(w, "      %s\n", u)
			continue
		}
		fmt.Fprintf(w, "  dcc %s\n", u)
	}
	fmt.Fprintln(w)
	wrap(w, c.about, "", 80)
	if len(c.subs) > 0 {
		fmt.Fprintln(w, "\nCommands:")
		width := 0
		for _, s := range leaves(c) {
			width = max(width, len(s.name)-len(c.name))
		}
		for _, s := range leaves(c) {
			fmt.Fprintf(w, "  %-*s  %s\n", width, strings.TrimSpace(strings.TrimPrefix(s.name, c.name)), s.summary)
		}
	}
	fmt.Fprintln(w, "\nFlags:")
	if fs != nil {
		fs.VisitAll(func(f *flag.Flag) { writeFlag(w, f) })
	}
	fmt.Fprintln(w, "  -h, --help\n        print this help")
	if c.notes != "" {
		fmt.Fprintf(w, "\n%s", c.notes)
	}
	fmt.Fprintln(w, "\nExamples:")
	for _, x := range c.examples {
		fmt.Fprintf(w, "  dcc %s\n", x)
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's usage, flags and examples.\n", c.title())
	}
}

// leaves lists the commands that run under c, depth first.
func leaves(c *command) []*command {
	var out []*command
	for _, s := range c.subs {
		if s.run != nil {
			out = append(out, s)
		}
		out = append(out, leaves(s)...)
	}
	return out
}

// writeFlag prints "--name ARG" and its description. The argument's name
// is the back-quoted word of the usage text (flag.UnquoteUsage).
func writeFlag(w io.Writer, f *flag.Flag) {
	arg, usage := flag.UnquoteUsage(f)
	dash := "--"
	if len(f.Name) == 1 {
		dash = "-"
	}
	line := "  " + dash + f.Name
	if arg != "" {
		line += " " + arg
	}
	fmt.Fprintln(w, line)
	if !isZeroDefault(f) {
		usage += fmt.Sprintf(" (default %s)", f.DefValue)
	}
	wrap(w, usage, "        ", 80)
}

func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0":
		return true
	}
	return false
}

// wrap prints text's words in lines of at most width columns.
func wrap(w io.Writer, text, indent string, width int) {
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	if len(line) > len(indent) {
		fmt.Fprintln(w, line)
	}
}
