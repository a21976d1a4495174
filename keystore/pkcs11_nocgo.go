//go:build !cgo

package keystore

import "errors"

var errNoCgo = errors.New("keystore: pkcs11: keys in a token need a build with cgo (CGO_ENABLED=1)")

func openPKCS11(*URI) (Signer, error)          { return nil, errNoCgo }
func generatePKCS11(*URI, Alg) (Signer, error) { return nil, errNoCgo }
