package certlogic_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dcc/certlogic"
)

// certlogic-js, the reference implementation, pinned to this version: the
// differential test and the side-by-side benchmark run it through Node.
const certlogicJSVersion = "1.2.2"

const installHint = `install it with: npm install --prefix "${XDG_CACHE_HOME:-$HOME/.cache}/dcc-npm" certlogic-js@` +
	certlogicJSVersion + ` (or set DCC_CERTLOGIC_JS_DIR to the directory holding node_modules/certlogic-js; .ci/run does both)`

// certlogicJSDir finds the directory holding node_modules/certlogic-js:
// $DCC_CERTLOGIC_JS_DIR, else the cache directory .ci/run installs into.
// explicit tells whether the environment named it, in which case its
// absence is an error rather than a reason to skip.
func certlogicJSDir() (dir string, explicit bool) {
	if d := os.Getenv("DCC_CERTLOGIC_JS_DIR"); d != "" {
		return d, true
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", false
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "dcc-npm"), false
}

// jsEngine is a running Node process serving testdata/eval.js.
type jsEngine struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

type jsResponse struct {
	OK      bool            `json:"ok"`
	Error   string          `json:"error"`
	Result  json.RawMessage `json:"result"`
	Quirks  []string        `json:"quirks"`
	Issues  json.RawMessage `json:"issues"`
	Version string          `json:"version"`
	NS      float64         `json:"ns"`
}

// startJS starts certlogic-js under Node, or skips the test (fails it when
// DCC_CERTLOGIC_JS_DIR names a directory without the package: CI asked for
// the differential test and must get it).
func startJS(t testing.TB) *jsEngine {
	t.Helper()
	dir, explicit := certlogicJSDir()
	missing := func(format string, a ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, a...)
		if explicit {
			t.Fatalf("%s; %s", msg, installHint)
		}
		t.Skipf("%s; %s", msg, installHint)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed, so certlogic-js cannot run")
	}
	pkgJSON := filepath.Join(dir, "node_modules", "certlogic-js", "package.json")
	if _, err := os.Stat(pkgJSON); err != nil {
		missing("certlogic-js not found: %v", err)
	}
	cmd := exec.Command(node, "testdata/eval.js")
	cmd.Env = append(os.Environ(), "DCC_CERTLOGIC_JS_DIR="+dir)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	js := &jsEngine{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	t.Cleanup(js.close)
	v, err := js.call(map[string]any{"op": "version"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != certlogicJSVersion {
		t.Fatalf("certlogic-js %s found in %s, want %s; %s", v.Version, dir, certlogicJSVersion, installHint)
	}
	return js
}

func (js *jsEngine) close() {
	js.in.Close()
	js.cmd.Wait()
}

// call sends one request. Values in it are encoded with
// certlogic.MarshalJSON, so Node reads exactly what the Go side reads back
// with certlogic.ParseJSON.
func (js *jsEngine) call(req map[string]any) (*jsResponse, error) {
	line, err := certlogic.MarshalJSON(req)
	if err != nil {
		return nil, err
	}
	if _, err := js.in.Write(append(line, '\n')); err != nil {
		return nil, err
	}
	resp, err := js.out.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("reading from node: %w", err)
	}
	var r jsResponse
	if err := json.Unmarshal(resp, &r); err != nil {
		return nil, fmt.Errorf("node said %q: %w", resp, err)
	}
	return &r, nil
}
