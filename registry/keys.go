package registry

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// KeySize is the length of a payload key: AES-256.
const KeySize = 32

// Keys holds the AES-256-GCM keys that seal payloads at rest, by id. The
// current key seals new payloads; every key opens payloads sealed with it, so
// a key can be rotated without re-encrypting old rows.
//
// The holder index (a keyed hash of the holder's standardised surname and
// date of birth, for searching without decrypting) is keyed from the oldest
// key, the smallest id: rotation adds keys and keeps the old ones, so the
// index stays valid.
type Keys struct {
	current string
	aeads   map[string]cipher.AEAD
	index   []byte // HMAC-SHA-256 key of the holder index
}

// NewKeys builds a key set from raw 32-byte keys; current names the key that
// seals new payloads.
func NewKeys(current string, keys map[string][]byte) (*Keys, error) {
	k := &Keys{current: current, aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if err := checkKeyID(id); err != nil {
			return nil, err
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("registry: key %q has %d bytes, want %d (AES-256)", id, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("registry: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("registry: key %q: %w", id, err)
		}
		k.aeads[id] = aead
	}
	if _, ok := k.aeads[current]; !ok {
		return nil, fmt.Errorf("registry: current key %q is not among the keys given", current)
	}
	oldest := slices.Min(slices.Collect(maps.Keys(keys)))
	index, err := hkdf.Key(sha256.New, keys[oldest], nil, "dcc registry holder index v1", sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("registry: holder index key: %w", err)
	}
	k.index = index
	return k, nil
}

// Current returns the id of the key that seals new payloads.
func (k *Keys) Current() string { return k.current }

// LoadKeys reads every <id>.key file in dir. A file holds 32 bytes, raw or
// hex-encoded (surrounding whitespace ignored), and must not be readable by
// group or others. The greatest id in byte order is current, so ids should
// sort by age (for example 2025-01, 2025-07).
func LoadKeys(dir string) (*Keys, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.key"))
	if err != nil {
		return nil, fmt.Errorf("registry: key directory: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("registry: no <id>.key files in %s; create one with GenerateKeyFile", dir)
	}
	keys := make(map[string][]byte, len(names))
	var ids []string
	for _, name := range names {
		id := strings.TrimSuffix(filepath.Base(name), ".key")
		info, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("registry: key %q: %w", id, err)
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("registry: key file %s is not a regular file", name)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("registry: key file %s has mode %v; make it readable by its owner only (chmod 600)", name, info.Mode().Perm())
		}
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("registry: key %q: %w", id, err)
		}
		key, err := parseKey(raw)
		if err != nil {
			return nil, fmt.Errorf("registry: key file %s: %w", name, err)
		}
		keys[id] = key
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return NewKeys(ids[len(ids)-1], keys)
}

func parseKey(raw []byte) ([]byte, error) {
	if len(raw) == KeySize {
		return raw, nil
	}
	text := strings.TrimSpace(string(raw))
	if len(text) != 2*KeySize {
		return nil, fmt.Errorf("holds %d bytes; want %d raw bytes or %d hex digits", len(raw), KeySize, 2*KeySize)
	}
	key, err := hex.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("not %d raw bytes and not hex: %w", KeySize, err)
	}
	return key, nil
}

// GenerateKeyFile writes a new random key, hex-encoded, to dir/<id>.key with
// mode 0600. It refuses to overwrite an existing file.
func GenerateKeyFile(dir, id string) error {
	if err := checkKeyID(id); err != nil {
		return err
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("registry: random key: %w", err)
	}
	name := filepath.Join(dir, id+".key")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("registry: create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("registry: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("registry: write key file: %w", err)
	}
	return nil
}

func checkKeyID(id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("registry: key id %q must have 1 to 64 characters", id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("registry: key id %q: use only letters, digits, '-', '_' and '.'", id)
		}
	}
	return nil
}

// What a ciphertext holds, bound into it as additional data together with the
// UVCI: a payload copied onto another row, or into the HC1 column, fails to
// open.
const (
	purposePayload = "dcc-registry-payload-v1"
	purposeHC1     = "dcc-registry-hc1-v1"
)

func additionalData(purpose, uvci string) []byte {
	return append([]byte(purpose+"\x00"), uvci...)
}

// seal encrypts with the current key: nonce || ciphertext.
func (k *Keys) seal(purpose, uvci string, plaintext []byte) (keyID string, sealed []byte, err error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("registry: random nonce: %w", err)
	}
	return k.current, aead.Seal(nonce, nonce, plaintext, additionalData(purpose, uvci)), nil
}

// ErrUnknownKey means a payload was sealed with a key that is not loaded.
var ErrUnknownKey = errors.New("registry: payload key not loaded")

// ErrDecrypt means a payload failed authentication: the key with its id is
// not the one that sealed it, or the ciphertext was altered or moved.
var ErrDecrypt = errors.New("registry: payload cannot be decrypted")

func (k *Keys) open(keyID, purpose, uvci string, sealed []byte) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("%w: key id %q; add its file <id>.key to the key directory", ErrUnknownKey, keyID)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: ciphertext too short", ErrDecrypt)
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], additionalData(purpose, uvci))
	if err != nil {
		return nil, fmt.Errorf("%w: key id %q does not authenticate it (wrong key material, or altered/moved ciphertext)", ErrDecrypt, keyID)
	}
	return plain, nil
}
