//go:build !cgo

package keystore_test

import (
	"strings"
	"testing"

	"dcc/keystore"
)

func TestPKCS11NeedsCgo(t *testing.T) {
	_, err := keystore.Open("pkcs11:token=T;object=k?module-path=/x.so&pin-source=file:/p")
	if err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=1") {
		t.Errorf("without cgo: %v", err)
	}
}
