package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

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
	Line int    `json:"line"`
	UVCI string `json:"uvci,omitempty"`
	HC1  string `json:"hc1,omitempty"`
	// Replayed marks a line an earlier run of the batch issued: its
	// certificate as stored then.
	Replayed bool           `json:"replayed,omitempty"`
	Errors   []batchProblem `json:"errors,omitempty"`
}

type batchProblem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// batchChunk is how many lines are signed in parallel and stored in one
// transaction.
const batchChunk = 512

// runIDPattern is what --run-id takes: it goes into each line's
// idempotency key (at most 200 bytes with the line number).
var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// issue signs a batch of requests as one authority of a deployment: mass
// issuance and re-issuance (e.g. re-encoding booster doses).
//
// A run has an identity, the SHA-256 of the batch file or --run-id, and
// each line is issued under the idempotency key "batch:RUN:LINE": running
// the same batch again after an interruption issues only what is missing
// and reports the rest as stored.
func (e *env) issue(args []string) int {
	fs := e.flags("issue")
	data := fs.String("data", "", "the `DIR` of a demo deployment, as dcc serve creates it (e.g. dcc-data)")
	cfgPath := fs.String("config", "", "configuration `FILE` of a deployment")
	authority := fs.String("authority", "", "`ID` of the issuing authority to sign as")
	batch := fs.String("batch", "", "JSONL `FILE`: one {\"type\": \"vaccination\"|\"test\"|\"recovery\", \"payload\": {…}} per line (- for stdin)")
	out := fs.String("out", "", "JSONL results `FILE` (default standard output); never overwritten")
	resume := fs.Bool("resume", false, "append to a non-empty --out the results it lacks (running an interrupted batch again)")
	runID := fs.String("run-id", "", "`NAME` of the run (letters, digits, . _ -) under which each line is issued once; default the SHA-256 of the batch file; required with --batch -")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 || *authority == "" || *batch == "" || (*data == "") == (*cfgPath == "") {
		return e.usageError("issue", "want (--data DIR | --config FILE) --authority ID --batch FILE.jsonl [--out RESULTS.jsonl [--resume]] [--run-id NAME]")
	}
	if *runID != "" && !runIDPattern.MatchString(*runID) {
		return e.usageError("issue", "--run-id %q: want 1 to 100 letters, digits, '.', '_' or '-'", *runID)
	}
	if *batch == "-" && *runID == "" {
		return e.usageError("issue", "--batch - needs --run-id NAME: standard input has no identity by which running it again "+
			"finds what an interrupted run issued; pass the same NAME when you run it again")
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
	run := &batchRun{svc: a.Issuance, p: p, id: *runID, w: e.stdout}
	if run.id == "" {
		if run.id, err = fileHash(in); err != nil {
			fmt.Fprintf(e.stderr, "dcc issue: %s: %v\n", *batch, err)
			return exitUsage
		}
		// Read again, hashed again: a file that changes while it is issued
		// is not the batch its keys name.
		run.changed = sha256.New()
		in = io.TeeReader(in, run.changed)
	}
	var res *resultsFile
	if *out != "" {
		if res, err = openResults(*out, *resume); err != nil {
			fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
			return exitUsage
		}
		defer res.f.Close()
		run.w, run.sync, run.done = res.f, res.f.Sync, res.done
		run.check, run.checkUVCI, run.outName = res.lastIssued, res.lastUVCI, *out
		run.failedBefore = res.failed
		if res.torn > 0 {
			fmt.Fprintf(e.stderr, "dcc issue: %s ended in a torn line (%d bytes, an interrupted write): cut\n", *out, res.torn)
		}
	}
	run.bar = e.progress(*batch)
	err = run.lines(ctx, in)
	if res != nil {
		if cerr := res.f.Close(); err == nil {
			err = cerr
		}
	}
	if run.bar != nil {
		_ = run.bar.Finish()
		fmt.Fprintln(e.stderr)
	}
	fmt.Fprintf(e.stderr, "dcc issue: %d issued, %d failed (as %s, run %s)\n", run.issued, run.failed, au.Name, run.id)
	if run.replayed > 0 {
		fmt.Fprintf(e.stderr, "dcc issue: %d lines issued by an earlier run of the batch, reported again (\"replayed\": true)\n", run.replayed)
	}
	if run.skipped > 0 {
		fmt.Fprintf(e.stderr, "dcc issue: %d lines had their results in %s already (%d failed)\n", run.skipped, *out, run.failedBefore)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc issue: %v\n", err)
		return exitUsage
	}
	if run.failed > 0 || run.failedBefore > 0 {
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

// fileHash is the hex SHA-256 of a file, which is then rewound.
func fileHash(r io.Reader) (string, error) {
	f, ok := r.(io.ReadSeeker)
	if !ok {
		return "", errors.New("the batch cannot be read twice")
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
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

// resultsFile is an --out file opened to append to.
type resultsFile struct {
	f *os.File
	// done is the last line with a result in the file; lastIssued the last
	// line with a certificate, lastUVCI its UVCI.
	done, lastIssued int
	lastUVCI         string
	failed           int   // results with errors
	torn             int64 // bytes of a torn last line, cut
}

// openResults opens path to append results. A file with results is
// refused unless resume; then a torn last line (an interrupted write) is
// cut, and what the file holds is read.
func openResults(path string, resume bool) (*resultsFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	res := &resultsFile{f: f}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() == 0 {
		return res, nil
	}
	if !resume {
		f.Close()
		return nil, fmt.Errorf("%s holds results already: pass --resume to append the results it lacks "+
			"(running the same batch again), or choose another --out", path)
	}
	end, err := res.read(path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if res.torn = st.Size() - end; res.torn > 0 {
		if err := f.Truncate(end); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return res, nil
}

// read reads the complete lines of the results file and returns where the
// last one ends.
func (res *resultsFile) read(path string) (int64, error) {
	if _, err := res.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	r := bufio.NewReaderSize(res.f, 64<<10)
	var end int64
	for n := 1; ; n++ {
		raw, err := r.ReadBytes('\n')
		if err == io.EOF {
			return end, nil // a torn line, or none
		}
		if err != nil {
			return 0, err
		}
		end += int64(len(raw))
		var got batchResult
		if json.Unmarshal(raw, &got) != nil || got.Line <= res.done || (got.UVCI == "") == (got.Errors == nil) {
			return 0, fmt.Errorf("%s: line %d is not a result of dcc issue in line order; choose another --out", path, n)
		}
		res.done = got.Line
		if got.Errors != nil {
			res.failed++
		}
		if got.UVCI != "" {
			res.lastIssued, res.lastUVCI = got.Line, got.UVCI
		}
	}
}

// batchRun is one run of a batch.
type batchRun struct {
	svc *issuance.Service
	p   deployment.Principal
	id  string // the run's identity in the idempotency keys
	// changed hashes the batch file as it is read, to compare with id.
	changed hash.Hash
	w       io.Writer
	sync    func() error // makes what was written durable; nil for none
	bar     *progressbar.ProgressBar
	// done is the last line with a result in the output already; check the
	// line of it whose certificate must be checkUVCI (0 for none).
	done, check int
	checkUVCI   string
	outName     string

	issued, replayed, failed, skipped int
	failedBefore                      int // of the lines skipped
}

func (r *batchRun) key(line int) string { return "batch:" + r.id + ":" + strconv.Itoa(line) }

// lines reads the batch in chunks, issues each chunk and writes one result
// per line, in order, after the chunk is stored; a chunk is read and signed
// while the one before it is stored and written. A bad line is reported and
// never stops the others. Lines with their results in the output already
// are passed over.
func (r *batchRun) lines(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), dcc.MaxInput+1024)
	line := 0
	// The results of the chunks handed to issuance and not yet stored, in
	// order: one per line; lines without errors await their requests'
	// results.
	var queued [][]batchResult
	next := func() ([]issuance.Request, error) {
		var reqs []issuance.Request
		var results []batchResult
		for len(results) < batchChunk && sc.Scan() {
			line++
			raw := bytes.TrimSpace(sc.Bytes())
			if line <= r.done {
				if line == r.check {
					if err := r.checkOutput(ctx, line, raw); err != nil {
						return nil, err
					}
				}
				if len(raw) > 0 {
					r.skipped++
					if r.bar != nil {
						_ = r.bar.Add(1)
					}
				}
				continue
			}
			if len(raw) == 0 {
				continue
			}
			req, perr := parseLine(raw)
			req.IdempotencyKey = r.key(line)
			res := batchResult{Line: line}
			if perr != nil {
				res.Errors = perr
			} else {
				reqs = append(reqs, req)
			}
			results = append(results, res)
		}
		if len(results) > 0 {
			// A read error comes with the next call, after these lines.
			queued = append(queued, results)
			return reqs, nil
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("line %d: longer than 1 MiB", line+1)
			}
			return nil, err
		}
		if line < r.done {
			return nil, fmt.Errorf("%s holds results up to line %d but the batch has %d lines: it is another batch's; choose another --out",
				r.outName, r.done, line)
		}
		return nil, io.EOF
	}
	stored := func(res []issuance.BatchResult) error {
		results := queued[0]
		queued = queued[1:]
		return r.write(results, res)
	}
	if err := r.svc.IssueChunks(ctx, r.p, 0, next, stored); err != nil {
		return err
	}
	if r.changed != nil && hex.EncodeToString(r.changed.Sum(nil)) != r.id {
		return errors.New("the batch file changed while it was issued; run it again to complete it (a changed file is another batch)")
	}
	return nil
}

// checkOutput makes sure that the output's results are this run's: its
// last certificate is what this run issued for the line.
func (r *batchRun) checkOutput(ctx context.Context, line int, raw []byte) error {
	got := "nothing"
	if req, perr := parseLine(raw); perr == nil {
		req.IdempotencyKey = r.key(line)
		res, err := r.svc.Replayed(ctx, r.p, []issuance.Request{req})
		if err != nil {
			return err
		}
		if res[0].Issued != nil {
			if res[0].Issued.UVCI == r.checkUVCI {
				return nil
			}
			got = res[0].Issued.UVCI
		}
	}
	return fmt.Errorf("%s holds results of another batch: its line %d is %s, but this run (%s) issued %s for it; "+
		"choose another --out, or pass the batch and --run-id of that run", r.outName, line, r.checkUVCI, r.id, got)
}

// write writes the results of a stored chunk: res has the outcome of each
// line of results without errors, in order. The lines go in one write, made
// durable before the next chunk is stored, so that an interrupted run
// leaves a prefix of the results, each of a stored certificate.
func (r *batchRun) write(results []batchResult, res []issuance.BatchResult) error {
	ri := 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range results {
		if results[i].Errors == nil && ri < len(res) {
			got := res[ri]
			ri++
			var ce *issuance.ConflictError
			switch {
			case errors.As(got.Err, &ce):
				results[i].Errors = []batchProblem{{Field: "", Reason: "run " + r.id + " issued this line before with other content; " +
					"a changed line is a new request: issue it in another batch"}}
			case got.Err != nil:
				results[i].Errors = problemsOf(got.Err)
			default:
				results[i].UVCI, results[i].HC1, results[i].Replayed = got.Issued.UVCI, got.Issued.HC1, got.Issued.Replayed
			}
		}
		switch {
		case results[i].Errors != nil:
			r.failed++
		case results[i].Replayed:
			r.replayed++
		default:
			r.issued++
		}
		if err := enc.Encode(results[i]); err != nil {
			return err
		}
	}
	if _, err := r.w.Write(buf.Bytes()); err != nil {
		return err
	}
	if r.sync != nil {
		if err := r.sync(); err != nil {
			return err
		}
	}
	if r.bar != nil {
		_ = r.bar.Add(len(results))
	}
	return nil
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
