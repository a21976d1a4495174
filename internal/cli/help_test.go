package cli

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// allCommands lists every command of the table, the root first.
func allCommands(c *command) []*command {
	out := []*command{c}
	for _, s := range c.subs {
		out = append(out, allCommands(s)...)
	}
	return out
}

func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

var (
	// A flag line of the help: "  --name ARG" or "  --name"; ARG is an
	// upper-case placeholder, never a word of the description nor the
	// flag package's type name ("string", "value").
	flagLine = regexp.MustCompile(`^  (--?[a-z][a-z0-9-]*)(?: [A-Z][A-Z0-9_:]*)?$`)
	// A flag named in a synopsis or an example.
	flagUse = regexp.MustCompile(`(?:^|[\s\[(|])(--?[a-z][a-z0-9-]*)`)
)

// section returns the lines of the help between "Title:" and the next
// blank line.
func section(help, title string) []string {
	_, rest, ok := strings.Cut(help, "\n"+title+":\n")
	if !ok {
		return nil
	}
	block, _, _ := strings.Cut(rest, "\n\n")
	return strings.Split(strings.TrimRight(block, "\n"), "\n")
}

// TestHelp walks the command table: every command answers --help and -h
// on standard output with exit 0, with its usage, a description, its
// flags (each with a proper argument name) and examples that use only
// flags it has.
func TestHelp(t *testing.T) {
	root := commands()
	for _, c := range allCommands(root) {
		words := strings.Fields(c.name)
		t.Run(c.title(), func(t *testing.T) {
			if c.name != "" && c.summary == "" {
				t.Error("no summary")
			}
			if len(c.usage) == 0 || strings.TrimSpace(c.about) == "" || len(c.examples) == 0 {
				t.Fatalf("usage %q, about %q, examples %q: every command needs all three", c.usage, c.about, c.examples)
			}
			if (c.run == nil) == (len(c.subs) == 0) {
				t.Fatal("a command either runs or has subcommands")
			}
			var first string
			for _, h := range []string{"--help", "-h", "-help"} {
				code, out, errs := runMain(append(slices.Clone(words), h)...)
				if code != exitOK || errs != "" {
					t.Fatalf("%s %s: exit %d, stderr %q", c.title(), h, code, errs)
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Errorf("%s %s differs from --help", c.title(), h)
				}
			}
			help := first
			if !strings.HasPrefix(help, "Usage:\n  "+c.title()+"\n") && !strings.HasPrefix(help, "Usage:\n  "+c.title()+" ") {
				t.Errorf("help does not start with the usage of %s:\n%s", c.title(), help)
			}
			about, _, _ := strings.Cut(strings.SplitN(help, "\n\n", 2)[1], "\n\n")
			if len(strings.Fields(about)) < 8 {
				t.Errorf("description %q: want a paragraph", about)
			}
			examples := section(help, "Examples")
			if len(examples) == 0 || !strings.HasPrefix(examples[0], "  dcc ") {
				t.Errorf("no examples in:\n%s", help)
			}
			flags := map[string]bool{}
			for _, l := range section(help, "Flags") {
				if strings.HasPrefix(l, "        ") {
					continue // a description
				}
				if l == "  -h, --help" {
					flags["-h"], flags["--help"] = true, true
					continue
				}
				m := flagLine.FindStringSubmatch(l)
				if m == nil {
					t.Errorf("garbled flag line %q", l)
					continue
				}
				flags[m[1]] = true
			}
			if !flags["--help"] {
				t.Error("no -h, --help in the flags")
			}
			// What the synopses and examples use must exist.
			for _, text := range append(slices.Clone(c.usage), c.examples...) {
				text, _, _ = strings.Cut(text, " #")
				for _, m := range flagUse.FindAllStringSubmatch(text, -1) {
					if c.run != nil && !flags[m[1]] {
						t.Errorf("%q uses %s, which %s has not", text, m[1], c.title())
					}
				}
			}
			for _, x := range c.examples {
				if c.run != nil && x != c.name && !strings.HasPrefix(x, c.name+" ") && c.name != "" {
					t.Errorf("example %q is not of %s", x, c.title())
				}
				if c.run == nil && c.name != "" && !slices.ContainsFunc(c.subs, func(s *command) bool { return x == s.name || strings.HasPrefix(x, s.name+" ") }) {
					t.Errorf("example %q is of no subcommand of %s", x, c.title())
				}
			}
			// "dcc help WORDS" is the same help.
			code, out, _ := runMain(append([]string{"help"}, words...)...)
			if code != exitOK || out != help {
				t.Errorf("dcc help %s: exit %d, output differs from --help:\n%s", c.name, code, out)
			}
		})
	}
}

// TestUnknownWords: an unknown subcommand or flag exits 2 with an error on
// standard error that names it, and the hint to the command's help.
func TestUnknownWords(t *testing.T) {
	for _, c := range allCommands(commands()) {
		words := strings.Fields(c.name)
		bad := "--frobnicate"
		if c.run == nil {
			bad = "frobnicate"
		}
		code, out, errs := runMain(append(slices.Clone(words), bad)...)
		if code != exitUsage || out != "" {
			t.Errorf("%s %s: exit %d, stdout %q; want 2 and nothing", c.title(), bad, code, out)
		}
		if !strings.Contains(errs, strings.TrimLeft(bad, "-")) || !strings.Contains(errs, "Run '"+c.title()+" --help'") {
			t.Errorf("%s %s: stderr %q names not the word or lacks the hint", c.title(), bad, errs)
		}
	}
	// No subcommand: the choices, and the hint.
	code, _, errs := runMain("pki")
	if code != exitUsage || !strings.Contains(errs, "csca or dsc") || !strings.Contains(errs, "dcc pki --help") {
		t.Errorf("dcc pki: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runMain("help", "pki", "frob")
	if code != exitUsage || !strings.Contains(errs, `"pki frob"`) {
		t.Errorf("dcc help pki frob: exit %d, stderr %q", code, errs)
	}
}

// TestHelpScriptCoversTable: the scenario testdata/script/help.txtar runs
// --help and -h on every command of the table, so that it cannot fall
// behind the table.
func TestHelpScriptCoversTable(t *testing.T) {
	script, err := os.ReadFile("testdata/script/help.txtar")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(script), "\n")
	for _, c := range allCommands(commands()) {
		for _, h := range []string{"--help", "-h"} {
			want := strings.Join(append(append([]string{"exec", "dcc"}, strings.Fields(c.name)...), h), " ")
			if !slices.Contains(lines, want) {
				t.Errorf("help.txtar lacks the line %q", want)
			}
		}
	}
}
