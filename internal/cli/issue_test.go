package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/cli"
	"dcc/internal/demo"
)

// result is one line of `dcc issue`'s results.
type result struct {
	Line     int
	UVCI     string
	HC1      string
	Replayed bool
	Errors   []struct{ Field, Reason string }
}

func readResults(t *testing.T, data []byte) []result {
	t.Helper()
	var out []result
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		if l[len(l)-1] != '\n' {
			t.Fatalf("torn result line %q", l)
		}
		var r result
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatalf("result line %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}

// batchLines is n test requests, each for another person unless same.
func batchLines(n int, same bool) []byte {
	var buf bytes.Buffer
	sc := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	for i := range n {
		name := "Persona" + letters(i)
		if same {
			name = "Persona"
		}
		fmt.Fprintf(&buf, `{"type": "test", "payload": {"nam": {"fn": %q, "gn": "Ana"}, "dob": "1970-01-01", `+
			`"t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000", "tc": "Centro de Salud"}]}}`+"\n", name, sc)
	}
	return buf.Bytes()
}

// letters writes i in the letters A to Z (names have no digits).
func letters(i int) string {
	s := ""
	for {
		s = string(rune('A'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

type issueEnv struct {
	t   *testing.T
	dir string
	cfg string
}

func newIssueEnv(t *testing.T) *issueEnv {
	dir := t.TempDir()
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	return &issueEnv{t: t, dir: dir, cfg: filepath.Join(dir, demo.AuthorityConfigFile("AN"))}
}

// run runs dcc issue as authority AN in process.
func (e *issueEnv) run(stdin []byte, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	args = append([]string{"issue", "--config", e.cfg, "--authority", "AN"}, args...)
	code = cli.Main(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func (e *issueEnv) file(name string, data []byte) string {
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// stored counts the certificates in AN's store.
func (e *issueEnv) stored() int {
	e.t.Helper()
	return countStored(e.t, e.cfg)
}

func countStored(t *testing.T, cfgPath string) int {
	t.Helper()
	return len(storeRecords(t, cfgPath))
}

// Running a batch again completes it: lines stored before are reported with
// their certificates, never issued twice; --out is never overwritten, and a
// torn last line is cut before the missing results are appended.
func TestIssueRunAgain(t *testing.T) {
	e := newIssueEnv(t)
	lines := batchLines(6, false)
	// Two identical lines are two certificates; a bad line is one result.
	lines = append(lines, bytes.SplitAfter(lines, []byte("\n"))[0]...)
	lines = append(lines, "\n{\"type\": \"test\", \"payload\": {\"nam\": {}}}\n"...)
	batch := e.file("batch.jsonl", lines)
	out := filepath.Join(e.dir, "results.jsonl")

	code, _, stderr := e.run(nil, "--batch", batch, "--out", out)
	if code != 1 || !strings.Contains(stderr, "7 issued, 1 failed") {
		t.Fatalf("first run: %d %s", code, stderr)
	}
	first, _ := os.ReadFile(out)
	firstRes := readResults(t, first)
	if len(firstRes) != 8 || firstRes[6].UVCI == firstRes[0].UVCI || firstRes[7].Line != 9 || firstRes[7].Errors == nil {
		t.Fatalf("first results: %+v", firstRes)
	}

	// The same command again: the results file is not touched.
	code, _, stderr = e.run(nil, "--batch", batch, "--out", out)
	if code != 2 || !strings.Contains(stderr, "holds results already: pass --resume") {
		t.Errorf("second run without --resume: %d %s", code, stderr)
	}
	if now, _ := os.ReadFile(out); !bytes.Equal(now, first) {
		t.Error("results file changed by a refused run")
	}

	// A run interrupted after storing line 5, in the middle of writing the
	// results of lines 3 to 5.
	cut := bytes.Index(first, []byte(`{"line":4`)) + 20
	if err := os.WriteFile(out, first[:cut], 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = e.run(nil, "--batch", batch, "--out", out, "--resume")
	if code != 1 || !strings.Contains(stderr, "0 issued, 1 failed") || !strings.Contains(stderr, "4 lines issued by an earlier run") ||
		!strings.Contains(stderr, "ended in a torn line (20 bytes") ||
		!strings.Contains(stderr, "3 lines had their results in "+out+" already (0 failed)") {
		t.Errorf("--resume: %d %s", code, stderr)
	}
	again, _ := os.ReadFile(out)
	res := readResults(t, again)
	if len(res) != 8 {
		t.Fatalf("%d results for 8 lines: %s", len(res), again)
	}
	for i, r := range res {
		f := firstRes[i]
		if r.Line != f.Line || r.UVCI != f.UVCI || r.HC1 != f.HC1 || (r.Errors == nil) != (f.Errors == nil) {
			t.Errorf("result %d after --resume: %+v, first run %+v", i, r, f)
		}
		if r.Replayed != (i >= 3 && i < 7) {
			t.Errorf("result %d: replayed %v", i, r.Replayed)
		}
	}
	if n := e.stored(); n != 7 {
		t.Errorf("%d certificates stored for 7 good lines", n)
	}
	// Complete: another --resume has nothing to do and still says a line failed.
	code, _, stderr = e.run(nil, "--batch", batch, "--out", out, "--resume")
	if now, _ := os.ReadFile(out); code != 1 || !bytes.Equal(now, again) || !strings.Contains(stderr, "8 lines had their results") {
		t.Errorf("--resume of a complete run: %d %s", code, stderr)
	}
	// To standard output, every result again.
	code, stdout, _ := e.run(nil, "--batch", batch)
	if res := readResults(t, []byte(stdout)); code != 1 || len(res) != 8 || res[6].UVCI != firstRes[6].UVCI || !res[6].Replayed {
		t.Errorf("again to standard output: %d %s", code, stdout)
	}
	if n := e.stored(); n != 7 {
		t.Errorf("%d certificates stored for 7 good lines", n)
	}

	// Another batch's results file is refused, nothing is issued.
	other := e.file("other.jsonl", batchLines(12, true))
	code, _, stderr = e.run(nil, "--batch", other, "--out", out, "--resume")
	if code != 2 || !strings.Contains(stderr, "holds results of another batch") {
		t.Errorf("another batch's results: %d %s", code, stderr)
	}
	short := e.file("short.jsonl", bytes.SplitAfter(lines, []byte("\n"))[0])
	code, _, stderr = e.run(nil, "--batch", short, "--out", out, "--resume")
	if code != 2 || !strings.Contains(stderr, "holds results") {
		t.Errorf("shorter batch: %d %s", code, stderr)
	}
	notResults := e.file("notes.txt", []byte("line one\nline two\n"))
	code, _, stderr = e.run(nil, "--batch", other, "--out", notResults, "--resume")
	if code != 2 || !strings.Contains(stderr, "not a result of dcc issue") {
		t.Errorf("a file of something else as --out: %d %s", code, stderr)
	}
	if n := e.stored(); n != 7 {
		t.Errorf("refused runs stored certificates: %d", n)
	}
}

// Standard input has no identity: a run needs a name to be run again.
func TestIssueStdinRunID(t *testing.T) {
	e := newIssueEnv(t)
	lines := batchLines(3, true)
	code, _, stderr := e.run(lines, "--batch", "-")
	if code != 2 || !strings.Contains(stderr, "--batch - needs --run-id") {
		t.Errorf("stdin without --run-id: %d %s", code, stderr)
	}
	code, _, stderr = e.run(lines, "--batch", "-", "--run-id", "bad id")
	if code != 2 || !strings.Contains(stderr, `--run-id "bad id"`) {
		t.Errorf("bad --run-id: %d %s", code, stderr)
	}
	code, stdout, stderr := e.run(lines, "--batch", "-", "--run-id", "2025-05-01.tests")
	if code != 0 || !strings.Contains(stderr, "3 issued, 0 failed") {
		t.Fatalf("stdin with --run-id: %d %s", code, stderr)
	}
	first := readResults(t, []byte(stdout))
	code, stdout, stderr = e.run(lines, "--batch", "-", "--run-id", "2025-05-01.tests")
	again := readResults(t, []byte(stdout))
	if code != 0 || !strings.Contains(stderr, "0 issued, 0 failed") || len(again) != 3 || again[2].UVCI != first[2].UVCI || !again[2].Replayed {
		t.Errorf("stdin again: %d %s\n%s", code, stderr, stdout)
	}
	// The same name for a file: the same run.
	batch := e.file("batch.jsonl", lines)
	code, _, stderr = e.run(nil, "--batch", batch, "--run-id", "2025-05-01.tests")
	if code != 0 || !strings.Contains(stderr, "0 issued, 0 failed") {
		t.Errorf("file under the run's name: %d %s", code, stderr)
	}
	// A line of the run changed: refused; a new line: issued.
	changed := append(bytes.Replace(lines, []byte("Persona"), []byte("Persono"), 1), batchLines(1, false)...)
	code, stdout, stderr = e.run(changed, "--batch", "-", "--run-id", "2025-05-01.tests")
	res := readResults(t, []byte(stdout))
	if code != 1 || !strings.Contains(stderr, "1 issued, 1 failed") || len(res) != 4 ||
		!strings.Contains(fmt.Sprint(res[0].Errors), "issued this line before with other content") {
		t.Errorf("changed line: %d %s\n%s", code, stderr, stdout)
	}
	if n := e.stored(); n != 4 {
		t.Errorf("%d stored, want 4", n)
	}
}
