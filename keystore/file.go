package keystore

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
)

// fileKey is a key held in memory, read from a PEM file.
type fileKey struct{ crypto.Signer }

func (fileKey) Close() error { return nil }

func openFile(u *URI) (Signer, error) {
	data, err := readLimited(u.Path, maxKeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, u.Path)
	}
	var ue *UnprotectedError
	if errors.As(err, &ue) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("keystore: %s is not a PEM file", u.Path)
	}
	if b2, _ := pem.Decode(rest); b2 != nil {
		return nil, fmt.Errorf("keystore: %s holds more than one PEM block: keep one private key per file", u.Path)
	}
	der := block.Bytes
	switch block.Type {
	case "PRIVATE KEY":
		if u.PassphraseFile != "" {
			return nil, fmt.Errorf("keystore: %s is not encrypted but a passphrase-file was given", u.Path)
		}
	case "ENCRYPTED PRIVATE KEY":
		if u.PassphraseFile == "" {
			return nil, fmt.Errorf("keystore: %s is encrypted: add ?passphrase-file=PATH to the URI", u.Path)
		}
		pass, err := readSecret(u.PassphraseFile, "passphrase")
		if err != nil {
			return nil, err
		}
		if der, err = decryptPKCS8(der, pass); err != nil {
			return nil, fmt.Errorf("keystore: %s: %w", u.Path, err)
		}
	default:
		return nil, fmt.Errorf("keystore: %s holds a %q block: want a PKCS#8 \"PRIVATE KEY\" (convert with openssl pkcs8 -topk8)", u.Path, block.Type)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keystore: %s: %w", u.Path, err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keystore: %s: %T cannot sign", u.Path, key)
	}
	return fileKey{s}, nil
}

func generateFile(u *URI, alg Alg) (Signer, error) {
	var key crypto.Signer
	var err error
	if alg == ES256 {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, rsaBits)
	}
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	block := &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	if u.PassphraseFile != "" {
		pass, err := readSecret(u.PassphraseFile, "passphrase")
		if err != nil {
			return nil, err
		}
		enc, err := encryptPKCS8(der, pass)
		if err != nil {
			return nil, err
		}
		block = &pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc}
	}
	// O_EXCL: an existing key is never overwritten.
	f, err := os.OpenFile(u.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w: %s", ErrExists, u.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		os.Remove(u.Path)
		return nil, fmt.Errorf("keystore: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(u.Path)
		return nil, fmt.Errorf("keystore: %w", err)
	}
	return fileKey{key}, nil
}

// PKCS#8 encryption with PBES2 (RFC 8018).
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF pkix.AlgorithmIdentifier
	Enc pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt      []byte
	Iter      int
	KeyLength int                      `asn1:"optional"`
	PRF       pkix.AlgorithmIdentifier `asn1:"optional"`
}

// pbkdf2Iterations for keys written here: current guidance for
// PBKDF2-HMAC-SHA256.
const pbkdf2Iterations = 600_000

// maxPBKDF2Iterations bounds the work a key file can demand (about half a
// second); OpenSSL writes 2048 by default.
const maxPBKDF2Iterations = 2_000_000

func decryptPKCS8(der, pass []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errors.New("malformed EncryptedPrivateKeyInfo")
	}
	if !info.Algo.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("encryption %v is not supported: re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc", info.Algo.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &params); err != nil {
		return nil, errors.New("malformed PBES2 parameters")
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("key derivation %v is not supported (want PBKDF2)", params.KDF.Algorithm)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, errors.New("malformed PBKDF2 parameters")
	}
	if kdf.Iter < 1 || kdf.Iter > maxPBKDF2Iterations {
		return nil, fmt.Errorf("PBKDF2 iteration count %d out of range", kdf.Iter)
	}
	var prf func() hash.Hash
	switch {
	case len(kdf.PRF.Algorithm) == 0 || kdf.PRF.Algorithm.Equal(oidHMACSHA1):
		prf = sha1.New
	case kdf.PRF.Algorithm.Equal(oidHMACSHA256):
		prf = sha256.New
	default:
		return nil, fmt.Errorf("PBKDF2 PRF %v is not supported", kdf.PRF.Algorithm)
	}
	var keyLen int
	switch {
	case params.Enc.Algorithm.Equal(oidAES128CBC):
		keyLen = 16
	case params.Enc.Algorithm.Equal(oidAES192CBC):
		keyLen = 24
	case params.Enc.Algorithm.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, fmt.Errorf("cipher %v is not supported (want AES-CBC)", params.Enc.Algorithm)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Enc.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errors.New("malformed AES-CBC IV")
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, errors.New("encrypted data is not a whole number of AES blocks")
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keyLen {
		return nil, fmt.Errorf("PBKDF2 key length %d does not fit the cipher's %d", kdf.KeyLength, keyLen)
	}
	key, err := pbkdf2.Key(prf, string(pass), kdf.Salt, kdf.Iter, keyLen)
	if err != nil {
		return nil, err
	}
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.Data)
	// PKCS#7 padding; a wrong passphrase almost always breaks it.
	n := int(out[len(out)-1])
	if n < 1 || n > aes.BlockSize || !hmac.Equal(out[len(out)-n:], bytesOf(byte(n), n)) {
		return nil, errors.New("wrong passphrase (or corrupt key)")
	}
	return out[:len(out)-n], nil
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func encryptPKCS8(der, pass []byte) ([]byte, error) {
	salt := make([]byte, 16)
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(rand.Reader, iv); err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(sha256.New, string(pass), salt, pbkdf2Iterations, 32)
	if err != nil {
		return nil, err
	}
	n := aes.BlockSize - len(der)%aes.BlockSize
	plain := append(append([]byte{}, der...), bytesOf(byte(n), n)...)
	block, _ := aes.NewCipher(key)
	data := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, plain)

	kdfParams, err := asn1.Marshal(pbkdf2Params{Salt: salt, Iter: pbkdf2Iterations, PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}})
	if err != nil {
		return nil, err
	}
	ivDER, _ := asn1.Marshal(iv)
	params, err := asn1.Marshal(pbes2Params{
		KDF: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfParams}},
		Enc: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(encryptedPrivateKeyInfo{
		Algo: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}},
		Data: data,
	})
}
