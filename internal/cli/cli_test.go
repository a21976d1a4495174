package cli_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"dcc/internal/cli"
	"dcc/internal/gwtest"
	"dcc/keystore"
	"dcc/pki"
)

func TestMain(m *testing.M) {
	// Process tests run this binary as the dcc command.
	if os.Getenv("DCC_TEST_AS_DCC") == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"dcc": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line scenarios in testdata/script. $SPECS is
// the official specification folder, for scenarios that read its files.
func TestScripts(t *testing.T) {
	specs, _ := filepath.Abs("../../../shared/specs")
	testdata, _ := filepath.Abs("../../../shared/testdata")
	pathcheckJS, _ := filepath.Abs("testdata/pathcheck")
	pathcheckNodeModules, _ := pathcheckDir()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("SPECS", specs)
			e.Setenv("TESTDATA", testdata)
			e.Setenv("SOFTHSM2_CONF", filepath.Join(e.WorkDir, "softhsm2.conf"))
			e.Setenv("PATHCHECK_JS", pathcheckJS)
			e.Setenv("DCC_PATHCHECK_DIR", pathcheckNodeModules)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"dcc-exit":     dccExit,
			"gateway-list": gatewayList,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "specs":
				_, err := os.Stat(specs)
				return err == nil, nil
			case "testdata":
				_, err := os.Stat(testdata)
				return err == nil, nil
			case "cgo":
				return cgoEnabled, nil
			case "pathcheck":
				return pathcheckReady()
			case "softhsm":
				_, err := os.Stat("/usr/lib/softhsm/libsofthsm2.so")
				return err == nil, nil
			}
			return false, nil
		},
	})
}

// dccExit runs "dcc-exit CODE ARGS...": dcc with ARGS, which must exit
// with CODE (exec only tells zero from non-zero).
func dccExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: dcc-exit CODE ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("dcc-exit: %v", err)
	}
	got := 0
	if err := ts.Exec("dcc", args[1:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("dcc-exit: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("dcc %s: exit status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// gatewayList runs "gateway-list OUT.json ANCHOR-DIR CERT.pem...": it
// writes the certificates as an EU DCC Gateway trust list whose entries are
// signed by the trust anchor in ANCHOR-DIR (key.pem, cert.pem), made there
// first if absent.
func gatewayList(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: gateway-list OUT.json ANCHOR-DIR CERT.pem...")
	}
	dir := ts.MkAbs(args[1])
	if _, err := os.Stat(filepath.Join(dir, "cert.pem")); err != nil {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		a, err := gwtest.NewAnchor(key, time.Now())
		ts.Check(err)
		ts.Check(a.WriteFiles(dir))
	}
	anchors, err := pki.ReadCertificates(filepath.Join(dir, "cert.pem"))
	ts.Check(err)
	key, err := keystore.Open("file:" + filepath.Join(dir, "key.pem"))
	ts.Check(err)
	var certs []*x509.Certificate
	for _, f := range args[2:] {
		cs, err := pki.ReadCertificates(ts.MkAbs(f))
		ts.Check(err)
		certs = append(certs, cs...)
	}
	out, err := (&gwtest.Anchor{Cert: anchors[0], Key: key}).List(certs, time.Now())
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), out, 0o644))
}
