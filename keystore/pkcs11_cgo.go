//go:build cgo

package keystore

import (
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io"

	"github.com/ThalesGroup/crypto11"
)

// hsmKey is a key in a token; Close ends the session.
type hsmKey struct {
	crypto11.Signer
	ctx *crypto11.Context
}

func (k *hsmKey) Close() error { return k.ctx.Close() }

// Sign passes the options through: crypto11 maps rsa.PSSOptions to
// CKM_RSA_PKCS_PSS inside the token.
func (k *hsmKey) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.Signer.Sign(r, digest, opts)
}

func configure(u *URI) (*crypto11.Context, error) {
	pin, err := readSecret(u.PINFile, "PIN")
	if err != nil {
		return nil, err
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: u.ModulePath, TokenLabel: u.Token, Pin: string(pin)})
	if err != nil {
		return nil, fmt.Errorf("keystore: pkcs11: token %q via %s: %w", u.Token, u.ModulePath, err)
	}
	return ctx, nil
}

func label(u *URI) []byte {
	if u.Object == "" {
		return nil
	}
	return []byte(u.Object)
}

func openPKCS11(u *URI) (Signer, error) {
	ctx, err := configure(u)
	if err != nil {
		return nil, err
	}
	found, err := ctx.FindKeyPairs(u.ID, label(u))
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("keystore: pkcs11: %w", err)
	}
	switch len(found) {
	case 0:
		ctx.Close()
		return nil, fmt.Errorf("%w: object %q in token %q", ErrNotFound, u.Object, u.Token)
	case 1:
		return &hsmKey{Signer: found[0], ctx: ctx}, nil
	}
	ctx.Close()
	return nil, fmt.Errorf("keystore: pkcs11: %d key pairs match object %q in token %q: add id= to choose one", len(found), u.Object, u.Token)
}

func generatePKCS11(u *URI, alg Alg) (Signer, error) {
	ctx, err := configure(u)
	if err != nil {
		return nil, err
	}
	if existing, err := ctx.FindKeyPairs(u.ID, label(u)); err != nil || len(existing) > 0 {
		ctx.Close()
		if err != nil {
			return nil, fmt.Errorf("keystore: pkcs11: %w", err)
		}
		return nil, fmt.Errorf("%w: object %q in token %q", ErrExists, u.Object, u.Token)
	}
	id := u.ID
	if id == nil {
		id = make([]byte, 8)
		if _, err := io.ReadFull(rand.Reader, id); err != nil {
			ctx.Close()
			return nil, err
		}
	}
	var s crypto11.Signer
	if alg == ES256 {
		s, err = ctx.GenerateECDSAKeyPairWithLabel(id, label(u), elliptic.P256())
	} else {
		s, err = ctx.GenerateRSAKeyPairWithLabel(id, label(u), rsaBits)
	}
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("keystore: pkcs11: generating %v in token %q: %w", alg, u.Token, err)
	}
	return &hsmKey{Signer: s, ctx: ctx}, nil
}
