package trustlist_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/pki"
	"dcc/trustlist"
)

// writeCerts writes the certificates as one PEM file each into a new
// directory and returns it.
func writeCerts(t *testing.T, certs ...*x509.Certificate) string {
	t.Helper()
	dir := t.TempDir()
	for i, c := range certs {
		if err := pki.WritePEM(filepath.Join(dir, string(rune('a'+i))+".pem"), c); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A self-signed CA certificate in a trust file, as other implementations
// sign DCCs with (openssl req -x509 makes CA:TRUE), is a CSCA and is also
// tried as the signer under its own kid; as a CSCA it is its own anchor for
// its country, within its validity, and for no other country. It is not
// listed as a DSC, and Merge keeps its roles.
func TestTrustFileCAIsTriedAsSigner(t *testing.T) {
	nl := newCountry(t, "NL", 0)
	dir := writeCerts(t, nl.csca)
	for _, path := range []string{dir, filepath.Join(dir, "a.pem")} {
		loaded, err := trustlist.Read(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		merged := trustlist.New()
		merged.Merge(loaded)
		for name, l := range map[string]*trustlist.List{"loaded": loaded, "merged": merged} {
			if got := l.DSCs(pki.KID(nl.csca)); len(got) != 1 || !got[0].Equal(nl.csca) {
				t.Errorf("%s %s: the CA certificate is not tried as the signer: %d", path, name, len(got))
			}
			if len(l.CSCAs()) != 1 || !l.IsCSCA(nl.csca) {
				t.Errorf("%s %s: not a CSCA", path, name)
			}
			if d, c := l.Len(); d != 0 || c != 1 || len(l.AllDSCs()) != 0 {
				t.Errorf("%s %s: %d DSCs, %d CSCAs, %d listed", path, name, d, c, len(l.AllDSCs()))
			}
			if err := l.CheckChain(nl.csca, "NL", now); err != nil {
				t.Errorf("%s %s: its own anchor: %v", path, name, err)
			}
			if err := l.CheckChain(nl.csca, "NL", nl.csca.NotAfter.Add(time.Second)); err == nil || !strings.Contains(err.Error(), "expired") {
				t.Errorf("%s %s: after its validity: %v", path, name, err)
			}
			if err := l.CheckChain(nl.csca, "DE", now); !errors.Is(err, pki.ErrNoCSCA) {
				t.Errorf("%s %s: another country's chain: %v", path, name, err)
			}
		}
	}
}

// A DSC in a trust file beside its CSCA is chain-checked as before: it
// chains to its CSCA, one of another CSCA of the country does not, and
// neither is a CSCA itself.
func TestTrustFileDSCIsChainChecked(t *testing.T) {
	es, other := newCountry(t, "ES", 1), newCountry(t, "ES", 1)
	l, err := trustlist.Load(writeCerts(t, es.csca, es.dscs[0], other.dscs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if d, c := l.Len(); d != 2 || c != 1 {
		t.Errorf("%d DSCs, %d CSCAs", d, c)
	}
	if err := l.CheckChain(es.dscs[0], "ES", now); err != nil {
		t.Errorf("DSC beside its CSCA: %v", err)
	}
	if err := l.CheckChain(other.dscs[0], "ES", now); !errors.Is(err, pki.ErrNoCSCA) {
		t.Errorf("DSC of a CSCA not in the file: %v", err)
	}
	if l.IsCSCA(es.dscs[0]) || l.IsCSCA(other.dscs[0]) {
		t.Error("a DSC counted as a CSCA")
	}
	// The CSCA is tried as a signer too, but the DSCs are what is listed.
	if len(l.DSCs(pki.KID(es.csca))) != 1 || len(l.AllDSCs()) != 2 {
		t.Errorf("CSCA as signer: %d, listed DSCs: %d", len(l.DSCs(pki.KID(es.csca))), len(l.AllDSCs()))
	}
}

// The gateway's typed list keeps its types: a CA certificate listed as a
// CSCA is never tried as a signer; one listed as a DSC is one; one listed
// as both is both, and its own anchor.
func TestGatewayListKeepsItsTypes(t *testing.T) {
	nl := newCountry(t, "NL", 0)
	for _, tt := range []struct {
		types      []string
		signer, ca bool
	}{
		{[]string{trustlist.TypeCSCA}, false, true},
		{[]string{trustlist.TypeDSC}, true, false},
		{[]string{trustlist.TypeCSCA, trustlist.TypeDSC}, true, true},
		{[]string{trustlist.TypeDSC, trustlist.TypeCSCA}, true, true},
	} {
		var es []trustlist.Entry
		for _, typ := range tt.types {
			es = append(es, trustlist.EntryFor(nl.csca, typ, now))
		}
		data, err := json.Marshal(es)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "gateway.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := trustlist.Read(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(l.DSCs(pki.KID(nl.csca))) == 1; got != tt.signer {
			t.Errorf("%v: tried as signer: %v", tt.types, got)
		}
		if got := l.IsCSCA(nl.csca); got != tt.ca {
			t.Errorf("%v: a CSCA: %v", tt.types, got)
		}
		if err := l.CheckChain(nl.csca, "NL", now); (err == nil) != tt.ca {
			t.Errorf("%v: chain: %v", tt.types, err)
		}
	}
}
