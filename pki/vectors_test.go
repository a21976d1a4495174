package pki_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"dcc/pki"
)

const vectors = "../../shared/testdata/dgc-testdata"

// coseKID returns the kid (label 4) of a COSE_Sign1 message, from the
// protected header or else the unprotected one, looking through tags.
func coseKID(msg []byte) ([]byte, bool) {
	var v any
	if err := cbor.Unmarshal(msg, &v); err != nil {
		return nil, false
	}
	for {
		tag, ok := v.(cbor.Tag)
		if !ok {
			break
		}
		v = tag.Content
	}
	arr, ok := v.([]any)
	if !ok || len(arr) != 4 {
		return nil, false
	}
	if prot, ok := arr[0].([]byte); ok && len(prot) > 0 {
		var h map[int]any
		if cbor.Unmarshal(prot, &h) == nil {
			if kid, ok := h[4].([]byte); ok {
				return kid, true
			}
		}
	}
	if unprot, ok := arr[1].(map[any]any); ok {
		if kid, ok := unprot[uint64(4)].([]byte); ok {
			return kid, true
		}
	}
	return nil, false
}

// The kid in the COSE header of every member-state vector that must verify
// is pki.KID of the vector's DSC.
func TestKIDOfVectors(t *testing.T) {
	if _, err := os.Stat(vectors); err != nil {
		t.Skipf("member-state test vectors not found (%v): they live in shared/testdata beside the repository", err)
	}
	checked := 0
	err := filepath.WalkDir(vectors, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") || !strings.Contains(path, "2DCode") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v struct {
			COSE            string
			TESTCTX         struct{ CERTIFICATE string }
			EXPECTEDRESULTS struct{ EXPECTEDVERIFY *bool }
		}
		if json.Unmarshal(data, &v) != nil || v.COSE == "" || v.TESTCTX.CERTIFICATE == "" ||
			v.EXPECTEDRESULTS.EXPECTEDVERIFY == nil || !*v.EXPECTEDRESULTS.EXPECTEDVERIFY {
			return nil
		}
		der, err := base64.StdEncoding.DecodeString(v.TESTCTX.CERTIFICATE)
		if err != nil {
			t.Errorf("%s: certificate: %v", path, err)
			return nil
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Errorf("%s: certificate: %v", path, err)
			return nil
		}
		msg, err := hex.DecodeString(v.COSE)
		if err != nil {
			t.Errorf("%s: COSE hex: %v", path, err)
			return nil
		}
		kid, ok := coseKID(msg)
		if !ok {
			return nil // no kid: verifiers try every DSC
		}
		if got := pki.KID(cert); !bytes.Equal(got, kid) {
			t.Errorf("%s: KID %x, COSE header kid %x", path, got, kid)
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Errorf("only %d vectors with a kid checked", checked)
	}
	t.Logf("%d vectors: KID equals the COSE kid", checked)
}
