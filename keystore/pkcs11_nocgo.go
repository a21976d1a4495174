//go:build !cgo

package keystore

import "errors"

// PKCS#11 modules are C libraries: without cgo the scheme parses but no key opens.
var errNoCgo = errors.New("keystore: pkcs11: keys need a build with cgo (CGO_ENABLED=1)")

func openPKCS11(*URI) (Signer, error)          { return nil, errNoCgo }
func generatePKCS11(*URI, Alg) (Signer, error) { return nil, errNoCgo }
