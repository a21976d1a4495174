package registry_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dcc/registry"
)

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "registry-example") }
func removeAll(dir string)         { os.RemoveAll(dir) }

func TestLoadKeys(t *testing.T) {
	raw := bytes.Repeat([]byte{0xAB}, 32)
	tests := []struct {
		name    string
		files   map[string][]byte
		mode    os.FileMode
		current string
		errHas  string
	}{
		{"raw", map[string][]byte{"a.key": raw}, 0o600, "a", ""},
		{"hex with newline", map[string][]byte{"a.key": []byte(hex.EncodeToString(raw) + "\n")}, 0o600, "a", ""},
		{"newest id is current", map[string][]byte{"2025-01.key": raw, "2025-07.key": raw, "notes.txt": nil}, 0o400, "2025-07", ""},
		{"short", map[string][]byte{"a.key": raw[:16]}, 0o600, "", "32"},
		{"long hex", map[string][]byte{"a.key": []byte(hex.EncodeToString(raw) + "00")}, 0o600, "", "32"},
		{"bad hex", map[string][]byte{"a.key": []byte(strings.Repeat("zz", 32))}, 0o600, "", "hex"},
		{"group readable", map[string][]byte{"a.key": raw}, 0o640, "", "chmod 600"},
		{"world readable", map[string][]byte{"a.key": raw}, 0o604, "", "chmod 600"},
		{"bad id", map[string][]byte{"a b.key": raw}, 0o600, "", "key id"},
		{"empty dir", nil, 0o600, "", "GenerateKeyFile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), b, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			k, err := registry.LoadKeys(dir)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("LoadKeys = %v, want an error containing %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Current() != tt.current {
				t.Errorf("Current = %q, want %q", k.Current(), tt.current)
			}
		})
	}
}

func TestGenerateKeyFile(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"2025-01", "2025-07"} {
		if err := registry.GenerateKeyFile(dir, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := registry.GenerateKeyFile(dir, "2025-07"); err == nil {
		t.Error("GenerateKeyFile overwrote an existing key")
	}
	if err := registry.GenerateKeyFile(dir, "../x"); err == nil {
		t.Error("GenerateKeyFile accepted a path as id")
	}
	info, err := os.Stat(filepath.Join(dir, "2025-01.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	k, err := registry.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.Current() != "2025-07" {
		t.Errorf("Current = %q, want 2025-07", k.Current())
	}
	a, _ := os.ReadFile(filepath.Join(dir, "2025-01.key"))
	b, _ := os.ReadFile(filepath.Join(dir, "2025-07.key"))
	if bytes.Equal(a, b) {
		t.Error("two generated keys are equal")
	}
}

func TestNewKeys(t *testing.T) {
	k32 := make([]byte, 32)
	tests := []struct {
		name    string
		current string
		keys    map[string][]byte
		ok      bool
	}{
		{"ok", "a", map[string][]byte{"a": k32}, true},
		{"current missing", "b", map[string][]byte{"a": k32}, false},
		{"AES-128 key", "a", map[string][]byte{"a": k32[:16]}, false},
		{"empty id", "", map[string][]byte{"": k32}, false},
		{"slash in id", "a/b", map[string][]byte{"a/b": k32}, false},
	}
	for _, tt := range tests {
		if _, err := registry.NewKeys(tt.current, tt.keys); (err == nil) != tt.ok {
			t.Errorf("%s: NewKeys err = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
