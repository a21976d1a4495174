package cli

import (
	_ "embed"
	"errors"
	"flag"
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

const usage = `dcc: the EU Digital COVID Certificate system

Usage:
  dcc serve [--data DIR] [--addr HOST:PORT] [--role all|authority|registry] [--authority ID]
                                                       the issuing system, registry, API and web UI;
                                                       on first run creates a demo country in ./dcc-data
  dcc serve --config FILE                              a configured deployment (docs/operations.md)
  dcc issue (--data DIR | --config FILE) --authority ID --batch FILE.jsonl|- [--out RESULTS.jsonl [--resume]]
            [--run-id NAME]                            bulk issuance, one request per line; run it again
                                                       after an interruption: each line is issued once
                                                       (--resume appends the missing results to --out;
                                                       standard input needs --run-id)
  dcc validate [--lenient] [--valuesets DIR] FILE...   check payloads (JSON; - for stdin)
  dcc validate --example                               check the bundled example payload
  dcc example                                          print the bundled example payload
  dcc translit NAME...                                 ICAO 9303 form of each name
  dcc uvci new --country CC --issuer PREFIX [-n N]     new certificate identifiers
  dcc uvci check [--lenient] UVCI...                   check identifiers
  dcc doses FILE                                       dn/sd of each dose of a history
  dcc valuesets list [--valuesets DIR]                 the value sets in use
  dcc valuesets show [--valuesets DIR] NAME            the codes of one value set
  dcc pki csca --country CC --out DIR [--key URI] [--alg ES256|PS256]
                                                       a country signing CA
  dcc pki dsc --csca DIR --out DIR [--types v,t,r] [--key URI] [--alg ES256|PS256]
                                                       a document signer certificate
  dcc sign --key URI --cert DSC.pem [--iss CC] [--validity 365d] [--qr FILE.png|FILE.svg] PAYLOAD.json
                                                       validate strictly, sign, print the HC1: string
  dcc decode [--json] HC1-STRING|IMAGE-FILE            show a certificate (unverified)
  dcc verify (--trust PATH | --trustlist SRC --trustlist-anchor CSCA.pem) [--revocations SRC]
             [--rules SRC --country CC [--region R]] [--at RFC3339] [--lang es|en] [--json]
             HC1-STRING|IMAGE-FILE                     VALID, INVALID or NOT ACCEPTED, every check explained
                                                       (SRC: a file or an https:// URL, cached by ETag)
  dcc conformance DIR...                               run member-state test vectors
  dcc certlogic eval EXPRESSION.json DATA.json         evaluate a CertLogic expression, print the result as JSON (- for stdin)
  dcc certlogic test DIR|FILE...                       run CertLogic test suites (official format)
  dcc certlogic validate-test DIR|FILE...              run CertLogic validation test suites
  dcc rules test [--upload-at RFC3339|now [--published SRC]] DIR...
                                                       run business-rule tests (RULE-ID/rule.json, RULE-ID/tests/*.json)
                                                       and check each rule as the gateway and the community tooling do
  dcc gateway serve [--data DIR] [--addr HOST:PORT]     a server compatible with the EU DCC Gateway; on first run
                                                       creates a demo gateway with two countries in ./dcc-gateway-data
  dcc gateway serve --config FILE                      a configured gateway (addr, tls, trustAnchor, database, trustedProxy)
  dcc gateway onboard --country CC --auth CERT.pem --upload CERT.pem --csca CERT.pem
                      [--roles ROLE,...] --ta-key URI --ta-cert CERT.pem --db DSN
                                                       onboard a country, each certificate signed with the trust anchor

Key URIs: file:PATH[?passphrase-file=F] or
  pkcs11:token=LABEL;object=LABEL?module-path=LIB&pin-source=file:PINFILE

Exit status: 0 ok, 1 invalid input, 2 usage or I/O error.
`

// env is what a subcommand may touch: no globals, so tests run in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmds := map[string]func([]string) int{
		"validate":    e.validate,
		"example":     e.example,
		"translit":    e.translit,
		"uvci":        e.uvci,
		"doses":       e.doses,
		"valuesets":   e.valuesets,
		"pki":         e.pki,
		"sign":        e.sign,
		"decode":      e.decode,
		"verify":      e.verify,
		"conformance": e.conformance,
		"serve":       e.serve,
		"issue":       e.issue,
		"certlogic":   e.certlogic,
		"rules":       e.rules,
		"gateway":     e.gateway,
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dcc: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(args[1:])
}

// parse parses flags wherever they stand among the arguments ("dcc validate
// a.json --lenient" works as well as the other order); "--" ends flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
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

func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("dcc "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func (e *env) usageError(cmd, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "dcc %s: %s\nRun 'dcc help' for usage.\n", cmd, fmt.Sprintf(format, a...))
	return exitUsage
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
	if len(args) > 0 {
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
