package softhsmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Module is SoftHSM2's PKCS#11 library on Debian.
const Module = "/usr/lib/softhsm/libsofthsm2.so"

// Token is an initialised token.
type Token struct {
	Label   string
	PINFile string
}

// URI is the key URI of object in the token.
func (k Token) URI(object string) string {
	return "pkcs11:token=" + k.Label + ";object=" + object + "?module-path=" + Module + "&pin-source=file:" + k.PINFile
}

// New initialises a token labelled label (user PIN 1234) in a directory of
// its own, and points SOFTHSM2_CONF at it for the test (and the processes
// it starts with its environment).
func New(t testing.TB, label string) Token {
	t.Helper()
	if _, err := os.Stat(Module); err != nil {
		t.Skipf("SoftHSM2 not installed (%s missing): apt-get install softhsm2 to run the HSM tests", Module)
	}
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		t.Skip("softhsm2-util not found: apt-get install softhsm2 to run the HSM tests")
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command(util, "--init-token", "--free", "--label", label, "--pin", "1234", "--so-pin", "5678").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v: %s", err, out)
	}
	pin := filepath.Join(dir, "pin")
	if err := os.WriteFile(pin, []byte("1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return Token{Label: label, PINFile: pin}
}
