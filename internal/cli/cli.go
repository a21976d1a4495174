package cli

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"dcc"
)

// Exit codes.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

//go:embed example.json
var exampleJSON []byte

// env is what a subcommand may touch: no globals, so tests run in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	root           *command // the command table, for the help
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, root: commands()}
	return e.dispatch(e.root, args)
}

// readInput reads a file or, for "-", standard input, refusing anything
// over dcc.MaxInput before it is held in memory.
func (e *env) readInput(name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, dcc.MaxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > dcc.MaxInput {
		return nil, errTooLarge
	}
	return data, nil
}

var errTooLarge = errors.New("input is larger than 1 MiB: not a DCC payload")

func (e *env) example(args []string) int {
	fs := e.flags("example")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 {
		return e.usageError("example", "takes no arguments")
	}
	e.stdout.Write(exampleJSON)
	return exitOK
}

func displayName(name string) string {
	if name == "-" {
		return "(stdin)"
	}
	return name
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func typeName(t dcc.Type) string {
	switch t {
	case dcc.Vaccination:
		return "vaccination"
	case dcc.Test:
		return "test"
	case dcc.Recovery:
		return "recovery"
	}
	return "unknown type"
}
