package keystore

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
)

// Signer is a signing key; Close ends an HSM session (no-op for files).
type Signer interface {
	crypto.Signer
	Close() error
}

// Alg is the kind of key to generate.
type Alg int

const (
	ES256 Alg = iota + 1 // ECDSA P-256
	PS256                // RSA 3072, used with RSA-PSS
)

// ParseAlg reads "ES256" or "PS256".
func ParseAlg(s string) (Alg, error) {
	switch strings.ToUpper(s) {
	case "ES256":
		return ES256, nil
	case "PS256":
		return PS256, nil
	}
	return 0, fmt.Errorf("keystore: algorithm %q: want ES256 or PS256", s)
}

func (a Alg) String() string {
	switch a {
	case ES256:
		return "ES256"
	case PS256:
		return "PS256"
	}
	return fmt.Sprintf("Alg(%d)", int(a))
}

// rsaBits is the size of generated RSA keys: above the HCERT minimum of 2048.
const rsaBits = 3072

// ErrNotFound means the URI names no existing key.
var ErrNotFound = errors.New("keystore: no such key")

// ErrExists means Generate would overwrite a key.
var ErrExists = errors.New("keystore: a key already exists there")

// ErrWrongPIN means the token refused the PIN (or the PIN is locked).
var ErrWrongPIN = errors.New("keystore: pkcs11: the token refused the PIN")

// Limits on files read here: keys, PINs and passphrases are small, and a
// URI pointing at a large file by mistake should fail fast.
const (
	maxKeyFile    = 64 << 10
	maxSecretFile = 4 << 10
)

// URI is a parsed key URI.
type URI struct {
	Scheme string // "file" or "pkcs11"

	// file:
	Path           string
	PassphraseFile string

	// pkcs11:
	Token, Object string
	ID            []byte
	ModulePath    string
	PINFile       string
}

// ParseURI parses and checks a key URI strictly: an unknown or repeated
// attribute, a pkcs11 URI without token, object (or id), module-path or
// pin-source, and any secret given inline (pin-value, passphrase) are
// errors whose message says what to write instead.
func ParseURI(uri string) (*URI, error) {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok {
		return nil, fmt.Errorf("keystore: %q is not a key URI: use file:PATH or pkcs11:token=…;object=…?module-path=…&pin-source=file:…", uri)
	}
	switch scheme {
	case "file":
		return parseFile(rest)
	case "pkcs11":
		return parsePKCS11(rest)
	}
	return nil, fmt.Errorf("keystore: unknown scheme %q: want file or pkcs11", scheme)
}

func parseFile(rest string) (*URI, error) {
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return nil, errors.New("keystore: file: URI without a path")
	}
	u := &URI{Scheme: "file", Path: path}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("keystore: file: query: %w", err)
	}
	for k, v := range q {
		if len(v) > 1 {
			return nil, fmt.Errorf("keystore: file: attribute %q given %d times", k, len(v))
		}
		switch k {
		case "passphrase-file":
			u.PassphraseFile = v[0]
		case "passphrase", "passphrase-value":
			return nil, errors.New("keystore: file: an inline passphrase is not accepted: put it in a file and use passphrase-file=PATH")
		default:
			return nil, fmt.Errorf("keystore: file: unknown attribute %q (known: passphrase-file)", k)
		}
	}
	return u, nil
}

func parsePKCS11(rest string) (*URI, error) {
	path, query, _ := strings.Cut(rest, "?")
	u := &URI{Scheme: "pkcs11"}
	seen := map[string]bool{}
	for _, attr := range strings.Split(path, ";") {
		if attr == "" {
			continue
		}
		k, v, ok := strings.Cut(attr, "=")
		if !ok {
			return nil, fmt.Errorf("keystore: pkcs11: path attribute %q has no value", attr)
		}
		if seen[k] {
			return nil, fmt.Errorf("keystore: pkcs11: attribute %q given twice", k)
		}
		seen[k] = true
		val, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("keystore: pkcs11: %s: %w", k, err)
		}
		switch k {
		case "token":
			u.Token = val
		case "object":
			u.Object = val
		case "id":
			u.ID = []byte(val)
		case "type":
			if val != "private" {
				return nil, fmt.Errorf("keystore: pkcs11: type=%s: only private keys sign", val)
			}
		case "pin-value":
			return nil, errors.New("keystore: pkcs11: an inline PIN is not accepted: use pin-source=file:PATH")
		default:
			return nil, fmt.Errorf("keystore: pkcs11: unknown path attribute %q (known: token, object, id, type)", k)
		}
	}
	for _, attr := range strings.Split(query, "&") {
		if attr == "" {
			continue
		}
		k, v, _ := strings.Cut(attr, "=")
		if seen[k] {
			return nil, fmt.Errorf("keystore: pkcs11: attribute %q given twice", k)
		}
		seen[k] = true
		// RFC 7512 values are percent-encoded; "+" is no space there.
		val, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("keystore: pkcs11: %s: %w", k, err)
		}
		switch k {
		case "module-path":
			u.ModulePath = val
		case "pin-source":
			file, ok := strings.CutPrefix(val, "file:")
			if !ok {
				return nil, fmt.Errorf("keystore: pkcs11: pin-source %q: only file:PATH is supported", val)
			}
			u.PINFile = file
		case "pin-value":
			return nil, errors.New("keystore: pkcs11: an inline PIN is not accepted: use pin-source=file:PATH")
		default:
			return nil, fmt.Errorf("keystore: pkcs11: unknown query attribute %q (known: module-path, pin-source)", k)
		}
	}
	switch {
	case u.Token == "":
		return nil, errors.New("keystore: pkcs11: token=LABEL is required (tokens are selected by label; slot numbers change)")
	case u.Object == "" && len(u.ID) == 0:
		return nil, errors.New("keystore: pkcs11: object=LABEL or id=%XX… is required")
	case u.ModulePath == "":
		return nil, errors.New("keystore: pkcs11: module-path=/path/to/lib.so is required")
	case u.PINFile == "":
		return nil, errors.New("keystore: pkcs11: pin-source=file:PATH is required")
	}
	return u, nil
}

// readLimited reads a private file (a key, a PIN, a passphrase) of at most
// max bytes; it refuses one that others may read.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := private(path, st); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a key, PIN or passphrase file", path, max)
	}
	return b, nil
}

// readSecret reads a PIN or passphrase file, without its final newline.
func readSecret(path, what string) ([]byte, error) {
	b, err := readLimited(path, maxSecretFile)
	var ue *UnprotectedError
	if errors.As(err, &ue) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: %s: %w", what, err)
	}
	b = []byte(strings.TrimRight(string(b), "\r\n"))
	if len(b) == 0 {
		return nil, fmt.Errorf("keystore: %s file %s is empty", what, path)
	}
	return b, nil
}

// UnprotectedError means a private key, PIN or passphrase file may be read
// or written by users other than its owner: like ssh, the key is not used
// until the file is made private.
type UnprotectedError struct {
	Path string
	Mode fs.FileMode
}

func (e *UnprotectedError) Error() string {
	return fmt.Sprintf("keystore: %s has mode %v, so others may read it: a key, PIN or passphrase file must be readable by its owner only (chmod 600 %s)",
		e.Path, e.Mode, e.Path)
}

// private refuses a file whose mode lets group or others in (on systems
// with Unix permissions).
func private(path string, st fs.FileInfo) error {
	if runtime.GOOS == "windows" || st.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return &UnprotectedError{Path: path, Mode: st.Mode().Perm()}
}

// CheckPrivate refuses a private key file that others may read, for keys
// used outside this package (TLS keys loaded with crypto/tls).
func CheckPrivate(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("keystore: %w", err)
	}
	return private(path, st)
}

// Open opens an existing key. The caller closes it.
func Open(uri string) (Signer, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "file" {
		return openFile(u)
	}
	return openPKCS11(u)
}

// Generate creates a new key at uri and returns it: a PEM file written
// with mode 0600 that is never overwritten (ErrExists), or a key pair
// generated inside the token, sensitive and not extractable, refused
// (ErrExists) when the token already holds a key of that label or id.
func Generate(uri string, alg Alg) (Signer, error) {
	if alg != ES256 && alg != PS256 {
		return nil, fmt.Errorf("keystore: algorithm %v: want ES256 or PS256", alg)
	}
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "file" {
		return generateFile(u, alg)
	}
	return generatePKCS11(u, alg)
}
