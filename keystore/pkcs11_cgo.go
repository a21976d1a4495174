//go:build cgo

package keystore

import (
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"
)

// hsmKey is a key in a token; Close ends the session.
type hsmKey struct {
	crypto11.Signer
	ctx *crypto11.Context
}

func (k *hsmKey) Close() error { return k.ctx.Close() }

// Sign passes the options through: crypto11 maps rsa.PSSOptions to
// CKM_RSA_PKCS_PSS inside the token, with the salt length asked for.
// PSSSaltLengthAuto (the largest salt) is refused by crypto11; say what
// to use instead.
func (k *hsmKey) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if o, ok := opts.(*rsa.PSSOptions); ok && o.SaltLength == rsa.PSSSaltLengthAuto {
		return nil, errors.New("keystore: pkcs11: RSA-PSS with PSSSaltLengthAuto is not supported in a token: use rsa.PSSSaltLengthEqualsHash (as COSE PS256 requires)")
	}
	return k.Signer.Sign(r, digest, opts)
}

// configure opens a session on the token with the URI's label and logs in.
func configure(u *URI) (*crypto11.Context, error) {
	pin, err := readSecret(u.PINFile, "PIN")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(u.ModulePath); err != nil {
		return nil, fmt.Errorf("keystore: pkcs11: module-path: %w (install the token's PKCS#11 library, e.g. softhsm2)", err)
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: u.ModulePath, TokenLabel: u.Token, Pin: string(pin)})
	if err == nil {
		return ctx, nil
	}
	var p11 pkcs11.Error
	switch {
	case errors.As(err, &p11) && (p11 == pkcs11.CKR_PIN_INCORRECT || p11 == pkcs11.CKR_PIN_INVALID || p11 == pkcs11.CKR_PIN_LEN_RANGE):
		return nil, fmt.Errorf("%w of token %q (read from %s): check the file; repeated wrong PINs lock the token: %w", ErrWrongPIN, u.Token, u.PINFile, err)
	case errors.As(err, &p11) && p11 == pkcs11.CKR_PIN_LOCKED:
		return nil, fmt.Errorf("%w: the PIN of token %q is locked: the security officer must reset it: %w", ErrWrongPIN, u.Token, err)
	case err.Error() == "could not find PKCS#11 token": // crypto11 does not export this error
		return nil, fmt.Errorf("%w: no token labelled %q in %s (list them with softhsm2-util --show-slots or pkcs11-tool --module %s --list-tokens)", ErrNotFound, u.Token, u.ModulePath, u.ModulePath)
	}
	return nil, fmt.Errorf("keystore: pkcs11: token %q via %s: %w", u.Token, u.ModulePath, err)
}

func label(u *URI) []byte {
	if u.Object == "" {
		return nil
	}
	return []byte(u.Object)
}

func id(u *URI) []byte {
	if len(u.ID) == 0 {
		return nil
	}
	return u.ID
}

func openPKCS11(u *URI) (Signer, error) {
	ctx, err := configure(u)
	if err != nil {
		return nil, err
	}
	found, err := ctx.FindKeyPairs(id(u), label(u))
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("keystore: pkcs11: finding object %q in token %q: %w", u.Object, u.Token, err)
	}
	switch len(found) {
	case 0:
		ctx.Close()
		return nil, fmt.Errorf("%w: no key pair %s in token %q (list objects with pkcs11-tool --module %s --list-objects --login)", ErrNotFound, describe(u), u.Token, u.ModulePath)
	case 1:
		return &hsmKey{Signer: found[0], ctx: ctx}, nil
	}
	ctx.Close()
	return nil, fmt.Errorf("keystore: pkcs11: %d key pairs match %s in token %q: add id= to choose one", len(found), describe(u), u.Token)
}

func describe(u *URI) string {
	s := ""
	if u.Object != "" {
		s = fmt.Sprintf("object=%q", u.Object)
	}
	if len(u.ID) > 0 {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("id=%x", u.ID)
	}
	return s
}

func generatePKCS11(u *URI, alg Alg) (Signer, error) {
	ctx, err := configure(u)
	if err != nil {
		return nil, err
	}
	// crypto11 would add a second key of the same label: refuse, as for files.
	if existing, err := ctx.FindKeyPairs(id(u), label(u)); err != nil || len(existing) > 0 {
		ctx.Close()
		if err != nil {
			return nil, fmt.Errorf("keystore: pkcs11: %w", err)
		}
		return nil, fmt.Errorf("%w: %s in token %q", ErrExists, describe(u), u.Token)
	}
	keyID := id(u)
	if keyID == nil {
		keyID = make([]byte, 8)
		if _, err := io.ReadFull(rand.Reader, keyID); err != nil {
			ctx.Close()
			return nil, err
		}
	}
	// crypto11 creates the private key with CKA_TOKEN, CKA_PRIVATE,
	// CKA_SENSITIVE true and CKA_EXTRACTABLE false (tested).
	var s crypto11.Signer
	if alg == ES256 {
		s, err = ctx.GenerateECDSAKeyPairWithLabel(keyID, label(u), elliptic.P256())
	} else {
		s, err = ctx.GenerateRSAKeyPairWithLabel(keyID, label(u), rsaBits)
	}
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("keystore: pkcs11: generating %v in token %q: %w", alg, u.Token, err)
	}
	return &hsmKey{Signer: s, ctx: ctx}, nil
}
