package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/gwtest"
	"dcc/pki"
	"dcc/trustlist"
)

func load(t *testing.T, dir, file string) *config.Config {
	t.Helper()
	c, err := config.Load(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpenRoles(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file             string
		issues, delivers bool
	}{
		{demo.ConfigFile, true, false},
		{demo.RegistryConfigFile, false, false},
		{demo.AuthorityConfigFile("MS"), true, true},
	} {
		a, err := app.Open(context.Background(), load(t, dir, tt.file), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if (a.Issuance != nil) != tt.issues || (a.Signer != nil) != tt.issues || a.Records == nil {
			t.Errorf("%s: issuance %v, signer %v", tt.file, a.Issuance != nil, a.Signer != nil)
		}
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	}
}

// Start-up refuses a DSC of another country's CSCA, a key that is not the
// DSC's, and an authority configured for a type its DSCs may not sign.
func TestStartupChecks(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if _, err := demo.Create(other, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"DSC of another CSCA", func(c *config.Config) {
			c.CSCAFiles = []string{filepath.Join(other, "pki/csca/cert.pem")}
			c.TrustList = config.TrustList{}
		}, "authorities[0].dscs[0].certFile: not a valid DSC of a CSCA of ES"},
		{"trust-list signer of another CSCA", func(c *config.Config) {
			c.TrustList.SignerKey = "file:" + filepath.Join(other, "pki/trustlist/key.pem")
			c.TrustList.SignerCertFile = filepath.Join(other, "pki/trustlist/cert.pem")
		}, "trustList.signerCertFile: does not chain to a CSCA"},
		{"key of another DSC", func(c *config.Config) {
			c.Authorities[0].DSCs[0].Key = "file:pki/dsc-MD/key.pem"
		}, "not the certificate's key"},
		{"type the DSC may not sign", func(c *config.Config) {
			c.Authorities[2].Types = []string{"v", "t", "r"}
			c.Labs = nil
		}, `"MS" issues test certificates but none of its DSCs`},
		{"missing key", func(c *config.Config) {
			c.Authorities[1].DSCs[0].Key = "file:pki/none.pem"
		}, "authorities[1].dscs[0].key"},
		{"payload keys readable by others", func(c *config.Config) {
			os.Chmod(filepath.Join(dir, "payload-keys", "demo-1.key"), 0o644)
		}, "store.payloadKeyDir"},
		{"DSC key readable by others", func(c *config.Config) {
			os.Chmod(filepath.Join(dir, "pki/dsc-MD/key.pem"), 0o644)
		}, "chmod 600"},
		{"trust-list signing key readable by others", func(c *config.Config) {
			os.Chmod(filepath.Join(dir, strings.TrimPrefix(c.TrustList.SignerKey, "file:")), 0o640)
		}, "chmod 600"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer os.Chmod(filepath.Join(dir, "payload-keys", "demo-1.key"), 0o600)
			defer os.Chmod(filepath.Join(dir, "pki/dsc-MD/key.pem"), 0o600)
			c := load(t, dir, demo.ConfigFile)
			tt.edit(c)
			a, err := app.Open(context.Background(), c, nil)
			if err == nil {
				a.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// A gateway trust list imported into the national one is checked against
// the gateway's trust anchor when one is configured.
func TestGatewayImportChecksAnchors(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	for _, d := range []string{dir, other} {
		if _, err := demo.Create(d, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The other deployment's DSCs, as the gateway would list them.
	dscs, err := pki.ReadCertificates(filepath.Join(other, "pki/dsc-AN/cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]*gwtest.Anchor{}
	for _, name := range []string{"ta", "impostor"} {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		a, err := gwtest.NewAnchor(key, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := a.WriteFiles(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		anchors[name] = a
	}
	list, err := anchors["ta"].List(dscs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "gateway.json"), list, 0o600)

	for _, tt := range []struct {
		name, anchor, want string
	}{
		{"signed by the anchor", "ta/cert.pem", ""},
		{"no anchor configured", "", ""},
		{"signed by another than the anchor", "impostor/cert.pem", "trustList.importFiles[0]: trust list entry 0"},
		{"anchor file missing", "none/cert.pem", "trustList.gatewayAnchorFiles[0]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := load(t, dir, demo.ConfigFile)
			c.TrustList.ImportFiles = []string{"gateway.json"}
			if tt.anchor != "" {
				c.TrustList.GatewayAnchorFiles = []string{tt.anchor}
			}
			a, err := app.Open(context.Background(), c, nil)
			if tt.want != "" {
				if err == nil {
					a.Close()
					t.Fatal("started")
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			signed, err := a.TrustList.Signed()
			if err != nil {
				t.Fatal(err)
			}
			cscas, err := pki.ReadCertificates(filepath.Join(dir, "pki/csca/cert.pem"))
			if err != nil {
				t.Fatal(err)
			}
			_, l, err := trustlist.Verify(signed.Body, cscas, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got := l.DSCs(pki.KID(dscs[0])); len(got) != 1 || !got[0].Equal(dscs[0]) {
				t.Errorf("the published list lacks the imported DSC")
			}
		})
	}
}
