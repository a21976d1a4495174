package uvci_test

import (
	"errors"
	"strings"
	"testing"

	"dcc/uvci"
)

func TestCheckCharacter(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		// The Luhn mod N reference script's input; its comment says 'S',
		// which is wrong.
		{"URN:UVCI:01:NL:MY/INPUT/STRING", 'H'},
		// Annex V and schema examples.
		{"URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813", 'B'},
		{"URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7", '1'},
		// Without the prefix the result differs: the check character covers
		// the whole wire format, prefix included.
		{"01:AT:10807843F94AEE0EE5093FBC254BD813", 'F'},
		{"01:NL:MY/INPUT/STRING", 'B'},
		// Hand-computed: the rightmost character takes factor 2, a doubled
		// code point ≥ 38 adds its two base-38 digits, check = (38 − sum) mod 38.
		{"A", 'A'},  // 0
		{"B", '/'},  // 2·1 = 2 → 36
		{":", 'B'},  // 2·37 = 74 = 1·38 + 36 → 37 → 1
		{"9", 'F'},  // 2·35 = 70 = 1·38 + 32 → 33 → 5
		{"BA", ':'}, // factor 1 on B: 1 → 37
		{"AB", '/'}, // factor 2 on B: 2 → 36
	}
	for _, tt := range tests {
		got, err := uvci.CheckCharacter(tt.in)
		if err != nil {
			t.Errorf("CheckCharacter(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("CheckCharacter(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Luhn mod N detects every single-character substitution: change any one
// character of an identifier to any other and the check character changes.
func TestCheckCharacterDetectsSubstitution(t *testing.T) {
	const id = "URN:UVCI:01:ES:MD/ABCDEFGHIJKLMNOP"
	want, err := uvci.CheckCharacter(id)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(id); i++ {
		for j := 0; j < len(uvci.Alphabet); j++ {
			c := uvci.Alphabet[j]
			if c == id[i] {
				continue
			}
			changed := id[:i] + string(c) + id[i+1:]
			got, err := uvci.CheckCharacter(changed)
			if err != nil {
				t.Fatal(err)
			}
			if got == want {
				t.Errorf("CheckCharacter(%q) = %q, same as for %q", changed, got, id)
			}
		}
	}
}

func TestCheckCharacterErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
		msg  string
	}{
		{"", uvci.ErrSyntax, "empty"},
		{"URN:UVCI:01:NL:187#", uvci.ErrCharacter, "character '#' at position 19"},
		{"urn", uvci.ErrCharacter, "character 'u' at position 1"},
		{"01:ES:ÀB", uvci.ErrCharacter, "character 'À' at position 7"},
		{"01:ES:A\xff", uvci.ErrCharacter, "invalid UTF-8 byte 0xFF at position 8"},
	}
	for _, tt := range tests {
		c, err := uvci.CheckCharacter(tt.in)
		if !errors.Is(err, tt.want) || err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("CheckCharacter(%q) = %q, %v; want error %v containing %q", tt.in, c, err, tt.want, tt.msg)
		}
	}
}
