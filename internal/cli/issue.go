package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"dcc"
	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
)

// batchLine is one line of a batch file.
type batchLine struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// batchResult is one line of the results.
type batchResult struct {
	Line   int            `json:"line"`
	UVCI   string         `json:"uvci,omitempty"`
	HC1    string         `json:"hc1,omitempty"`
	Errors []batchProblem `json:"errors,omitempty"`
}

type batchProblem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// batchChunk is how many lines are signed in parallel and stored in one
// transaction.
const batchChunk = 512

// issue signs a batch of requests as one authority of a deployment: mass
// issuance and re-issuance (e.g. re-encoding booster doses).
func (e *env) issue(args []string) int {
	fs := e.flags("issue")
	data := fs.String("data", "", "data directory of a `dcc serve` demo deployment")
	cfgPath := fs.String("config", "", "configuration file of a deployment")
	authority := fs.String("authority", "", "id of the issuing authority to sign as")
	batch := fs.String("batch", "", "JSONL file: one {\"type\": \"vaccination\"|\"test\"|\"recovery\", \"payload\": {…}} per line (- for stdin)")
	out := fs.String("out", "", "JSONL results file (default standard output)")
	rest, err := parse(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(rest) > 0 || *authority == "" || *batch == "" || (*data == "") == (*cfgPath == "") {
		return e.usageError("issue", "want (--data DIR | --config FILE) --authority ID --batch FILE.jsonl [--out RESULTS.jsonl]")
	}
	path := *cfgPath
	if path == "" {
		if !demo.Exists(*data) {
			return e.usageError("issue", "%s holds no deployment: run 'dcc serve --data %s' once to create the demo", *data, *data)
		}
		path = filepath.Join(*data, demo.ConfigFile)
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
		return exitUsage
	}
	if cfg.Role == config.RoleRegistry {
		return e.usageError("issue", "%s is the national registry's configuration; it issues nothing", path)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
		return exitUsage
	}
	defer a.Close()
	au, ok := a.Deployment.Authority(*authority)
	if !ok {
		return e.usageError("issue", "no authority %q in %s", *authority, path)
	}
	// Whoever can run this can read the authority's keys: they act as it.
	p := deployment.Principal{Role: deployment.RoleAuthority, ID: au.ID, Authority: au.ID, Name: au.Name}

	in, closeIn, err := e.openIn(*batch)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
		return exitUsage
	}
	defer closeIn()
	w := e.stdout
	var outFile *os.File
	if *out != "" {
		outFile, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
			return exitUsage
		}
		w = outFile
	}
	bw := bufio.NewWriter(w)
	bar := e.progress(*batch)
	issued, failed, err := issueLines(ctx, a.Issuance, p, in, bw, bar)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if outFile != nil {
		if cerr := outFile.Close(); err == nil {
			err = cerr
		}
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(e.stderr)
	}
	fmt.Fprintf(e.stderr, "dcc issue: %d issued, %d failed (as %s)\n", issued, failed, au.Name)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
		return exitUsage
	}
	if failed > 0 {
		return exitInvalid
	}
	return exitOK
}

func (e *env) openIn(name string) (io.Reader, func(), error) {
	if name == "-" {
		return e.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// progress returns a progress bar on a terminal, nil elsewhere.
func (e *env) progress(batch string) *progressbar.ProgressBar {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	total := int64(-1)
	if batch != "-" {
		if n, err := countLines(batch); err == nil {
			total = n
		}
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("issuing"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("certificates"),
		progressbar.OptionThrottle(100_000_000))
}

func countLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 64<<10)
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// issueLines reads the batch in chunks, issues each chunk and writes one
// result per line, in order. A bad line is reported and never stops the
// others.
func issueLines(ctx context.Context, svc *issuance.Service, p deployment.Principal, in io.Reader, w io.Writer, bar *progressbar.ProgressBar) (issued, failed int, err error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), dcc.MaxInput+1024)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line := 0
	var reqs []issuance.Request
	var results []batchResult // one per line; lines without errors await reqs' results in order
	flush := func() error {
		res := svc.IssueBatch(ctx, p, reqs, 0)
		ri := 0
		for i := range results {
			if results[i].Errors == nil && ri < len(res) && results[i].UVCI == "" {
				r := res[ri]
				ri++
				if r.Err != nil {
					results[i].Errors = problemsOf(r.Err)
				} else {
					results[i].UVCI, results[i].HC1 = r.Issued.UVCI, r.Issued.HC1
				}
			}
			if results[i].Errors != nil {
				failed++
			} else {
				issued++
			}
			if err := enc.Encode(results[i]); err != nil {
				return err
			}
		}
		if bar != nil {
			_ = bar.Add(len(results))
		}
		reqs, results = reqs[:0], results[:0]
		return nil
	}
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		res := batchResult{Line: line}
		req, perr := parseLine(raw)
		if perr != nil {
			res.Errors = perr
		} else {
			reqs = append(reqs, req)
		}
		results = append(results, res)
		if len(results) >= batchChunk {
			if err := flush(); err != nil {
				return issued, failed, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line %d: longer than 1 MiB", line+1)
		}
		_ = flush()
		return issued, failed, err
	}
	return issued, failed, flush()
}

func parseLine(raw []byte) (issuance.Request, []batchProblem) {
	tree, err := dcc.DecodeJSON(raw)
	if err != nil {
		return issuance.Request{}, []batchProblem{{Field: "", Reason: "not JSON: " + err.Error()}}
	}
	m, ok := tree.(map[string]any)
	if !ok {
		return issuance.Request{}, []batchProblem{{Field: "", Reason: `want an object {"type": …, "payload": {…}}`}}
	}
	var probs []batchProblem
	for k := range m {
		if k != "type" && k != "payload" {
			probs = append(probs, batchProblem{Field: k, Reason: "unknown field; a line has only type and payload"})
		}
	}
	var l batchLine
	_ = json.Unmarshal(raw, &l)
	t, ok := deployment.ParseType(l.Type)
	if !ok || len(l.Type) == 1 {
		probs = append(probs, batchProblem{Field: "type", Reason: "want vaccination, test or recovery"})
	}
	if len(l.Payload) == 0 {
		probs = append(probs, batchProblem{Field: "payload", Reason: "required: the request body, as for the API"})
	}
	if len(probs) > 0 {
		return issuance.Request{}, probs
	}
	return issuance.Request{Type: t, Body: l.Payload}, nil
}

// problemsOf lists the field errors of a refusal.
func problemsOf(err error) []batchProblem {
	var ve *dcc.ValidationError
	if errors.As(err, &ve) {
		var out []batchProblem
		for _, p := range ve.Problems {
			if p.Severity == dcc.Error {
				field := "payload"
				if p.Path != "" {
					field += "." + p.Path
				}
				out = append(out, batchProblem{Field: field, Reason: p.Reason})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	var fe *deployment.ForbiddenError
	if errors.As(err, &fe) {
		return []batchProblem{{Field: "type", Reason: fe.Reason}}
	}
	return []batchProblem{{Field: "", Reason: err.Error()}}
}
