package uvci_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"dcc/uvci"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		mode  uvci.Mode
		want  uvci.UVCI
		warns []string // substrings, one per expected warning
	}{
		{
			name: "Annex V example without check character",
			in:   "URN:UVCI:01:NL:187/37512422923",
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "NL", National: "187/37512422923"},
		},
		{
			name: "Annex V example with check character",
			in:   "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "AT", National: "10807843F94AEE0EE5093FBC254BD813", Check: 'B'},
		},
		{
			name: "schema example with check character",
			in:   "URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7#1",
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "NL", National: "DADFCC47C7334E45A906DB12FD859FB7", Check: '1'},
		},
		{
			name: "Luhn mod N reference input",
			in:   "URN:UVCI:01:NL:MY/INPUT/STRING#H",
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "NL", National: "MY/INPUT/STRING", Check: 'H'},
		},
		{
			name: "no prefix, check character computed with the prefix",
			in:   "01:AT:10807843F94AEE0EE5093FBC254BD813#B",
			want: uvci.UVCI{Version: "01", Country: "AT", National: "10807843F94AEE0EE5093FBC254BD813", Check: 'B'},
		},
		{
			name: "no prefix, check character computed without the prefix",
			in:   "01:AT:10807843F94AEE0EE5093FBC254BD813#F",
			want: uvci.UVCI{Version: "01", Country: "AT", National: "10807843F94AEE0EE5093FBC254BD813", Check: 'F'},
		},
		{
			name: "schema test example without prefix",
			in:   "01:NL:1312D00",
			want: uvci.UVCI{Version: "01", Country: "NL", National: "1312D00"},
		},
		{
			name: "national part with ':' separators",
			in:   "URN:UVCI:01:ES:MD:12/345:ABC",
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "ES", National: "MD:12/345:ABC"},
		},
		{
			name: "72 characters without prefix",
			in:   "01:ES:" + strings.Repeat("A", 66),
			want: uvci.UVCI{Version: "01", Country: "ES", National: strings.Repeat("A", 66)},
		},
		{
			name: "80 characters with prefix",
			in:   "URN:UVCI:01:ES:" + strings.Repeat("7", 65),
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "ES", National: strings.Repeat("7", 65)},
		},
		{
			name:  "lenient: lower case normalised",
			in:    "urn:uvci:01:at:10807843f94aee0ee5093fbc254bd813#b",
			mode:  uvci.Lenient,
			want:  uvci.UVCI{Prefixed: true, Version: "01", Country: "AT", National: "10807843F94AEE0EE5093FBC254BD813", Check: 'B'},
			warns: []string{"lower-case letters (first at position 1)"},
		},
		{
			name:  "lenient: reserved three-letter country",
			in:    "URN:UVCI:01:UNHCR:ABC/123456789",
			mode:  uvci.Lenient,
			want:  uvci.UVCI{Prefixed: true, Version: "01", Country: "UNHCR", National: "ABC/123456789"},
			warns: []string{`country code "UNHCR"`},
		},
		{
			name:  "lenient: both warnings",
			in:    "01:Unhcr:x1",
			mode:  uvci.Lenient,
			want:  uvci.UVCI{Version: "01", Country: "UNHCR", National: "X1"},
			warns: []string{"first at position 5", "reserves"},
		},
		{
			name: "lenient: clean input gives no warnings",
			in:   "URN:UVCI:01:NL:187/37512422923",
			mode: uvci.Lenient,
			want: uvci.UVCI{Prefixed: true, Version: "01", Country: "NL", National: "187/37512422923"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns, err := uvci.Parse(tt.in, tt.mode)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if len(warns) != len(tt.warns) {
				t.Fatalf("Parse(%q) warnings = %q, want %d matching %q", tt.in, warns, len(tt.warns), tt.warns)
			}
			for i, w := range tt.warns {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, warns[i], w)
				}
			}
			if s := got.String(); s != strings.ToUpper(tt.in) {
				t.Errorf("String() = %q, want %q", s, strings.ToUpper(tt.in))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		mode uvci.Mode
		want error  // sentinel
		msg  string // substring of the message
		pos  int
	}{
		{"bad check character", "URN:UVCI:01:NL:MY/INPUT/STRING#S", uvci.Strict, uvci.ErrCheckCharacter,
			"check character 'S' does not match, expected 'H'", 32},
		{"bad check character on Annex V example", "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#C", uvci.Strict, uvci.ErrCheckCharacter,
			"expected 'B'", 49},
		{"bad check character without prefix", "01:AT:10807843F94AEE0EE5093FBC254BD813#A", uvci.Strict, uvci.ErrCheckCharacter,
			`expected 'B' (computed with "URN:UVCI:" prepended) or 'F'`, 40},
		{"bad check character in lenient mode too", "URN:UVCI:01:NL:MY/INPUT/STRING#S", uvci.Lenient, uvci.ErrCheckCharacter,
			"expected 'H'", 32},
		{"transposed characters", "URN:UVCI:01:AT:01807843F94AEE0EE5093FBC254BD813#B", uvci.Strict, uvci.ErrCheckCharacter,
			"does not match", 49},
		{"version 02", "URN:UVCI:02:NL:187/37512422923", uvci.Strict, uvci.ErrVersion,
			`version "02" is not supported`, 10},
		{"version one digit", "1:NL:187/37512422923", uvci.Strict, uvci.ErrVersion,
			`version "1" is not two digits`, 1},
		{"prefix without colon", "URN:UVCI01:NL:187/37512422923", uvci.Strict, uvci.ErrVersion,
			`version "URN"`, 1},
		{"lower case in strict", "URN:UVCI:01:NL:187/37512422923a", uvci.Strict, uvci.ErrCharacter,
			"lower-case character 'a' at position 31", 31},
		{"lower-case prefix in strict", "urn:uvci:01:NL:187/37512422923", uvci.Strict, uvci.ErrCharacter,
			"position 1", 1},
		{"'#' twice", "URN:UVCI:01:NL:187/375#12422923#Z", uvci.Strict, uvci.ErrSyntax,
			"'#' appears 2 times (first at position 23, again at 32)", 32},
		{"'#' twice, lenient", "01:NL:187##", uvci.Lenient, uvci.ErrSyntax,
			"'#' appears 2 times", 11},
		{"check part too long", "URN:UVCI:01:NL:187/375#12", uvci.Strict, uvci.ErrSyntax,
			`found "12"`, 24},
		{"'#' without check character", "URN:UVCI:01:NL:187/375#", uvci.Strict, uvci.ErrSyntax,
			"not followed by a check character", 23},
		{"empty national part", "URN:UVCI:01:NL:", uvci.Strict, uvci.ErrSyntax,
			`empty national part after "01:NL:"`, 16},
		{"empty national part before check", "01:NL:#A", uvci.Lenient, uvci.ErrSyntax,
			"empty national part", 7},
		{"no country separator", "URN:UVCI:01:NL", uvci.Strict, uvci.ErrSyntax,
			`no ':' after the country code "NL"`, 13},
		{"prefix only", "URN:UVCI:", uvci.Strict, uvci.ErrSyntax,
			"no ':' after the version", 10},
		{"empty", "", uvci.Lenient, uvci.ErrSyntax, "empty identifier", 0},
		{"three-letter country in strict", "URN:UVCI:01:UNHCR:ABC/123456789", uvci.Strict, uvci.ErrCountry,
			"reserves such codes (e.g. UNHCR) for future use", 13},
		{"one-letter country", "URN:UVCI:01:N:ABC/123456789", uvci.Lenient, uvci.ErrCountry,
			`country code "N" is not two upper-case letters`, 13},
		{"digits as country", "URN:UVCI:01:12:ABC/123456789", uvci.Lenient, uvci.ErrCountry,
			`country code "12"`, 13},
		{"empty country", "01::ABC", uvci.Strict, uvci.ErrCountry, `country code ""`, 4},
		{"73 characters without prefix", "01:ES:" + strings.Repeat("A", 67), uvci.Strict, uvci.ErrLength,
			"73 characters long without", 73},
		{"81 characters with prefix", "URN:UVCI:01:ES:" + strings.Repeat("A", 66), uvci.Strict, uvci.ErrLength,
			"81 characters long: the schema allows at most 80", 81},
		{"non-ASCII letter", "URN:UVCI:01:ES:AéB", uvci.Lenient, uvci.ErrCharacter,
			"character 'é' at position 17 is not allowed: only A–Z, 0–9, '/', ':' and '#'", 17},
		{"position counts characters, not bytes", "01:ES:éé", uvci.Lenient, uvci.ErrCharacter,
			"'é' at position 7", 7},
		{"invalid UTF-8", "01:ES:A\xffB", uvci.Lenient, uvci.ErrCharacter,
			"invalid UTF-8 byte 0xFF at position 8", 8},
		{"U+FFFD", "01:ES:A\uFFFDB", uvci.Lenient, uvci.ErrCharacter,
			"character '\uFFFD' at position 8", 8},
		{"space", "URN:UVCI:01:NL:187 37512422923", uvci.Lenient, uvci.ErrCharacter,
			"character ' ' at position 19", 19},
		{"hyphen", "URN:UVCI:01:NL:187-375", uvci.Strict, uvci.ErrCharacter,
			"character '-' at position 19", 19},
		{"NUL", "01:NL:1\x00", uvci.Strict, uvci.ErrCharacter, `'\x00' at position 8`, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns, err := uvci.Parse(tt.in, tt.mode)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, %q, want error %v", tt.in, got, warns, tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q) error %v, want errors.Is %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Parse(%q) error %q, want it to contain %q", tt.in, err, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "uvci: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			var e *uvci.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *uvci.Error", err)
			}
			if e.Pos != tt.pos {
				t.Errorf("Parse(%q) error position %d, want %d", tt.in, e.Pos, tt.pos)
			}
			if got != (uvci.UVCI{}) || warns != nil {
				t.Errorf("Parse(%q) returned %+v, %q alongside an error", tt.in, got, warns)
			}
		})
	}
}

func TestStrictHasNoWarnings(t *testing.T) {
	for _, s := range []string{
		"URN:UVCI:01:NL:187/37512422923",
		"01:NL:1312D00",
		"URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
	} {
		_, warns, err := uvci.Parse(s, uvci.Strict)
		if err != nil || warns != nil {
			t.Errorf("Parse(%q, Strict) = %q, %v; want no warnings and no error", s, warns, err)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		u    uvci.UVCI
		want string
	}{
		{uvci.UVCI{Prefixed: true, Version: "01", Country: "NL", National: "187/37512422923"}, "URN:UVCI:01:NL:187/37512422923"},
		{uvci.UVCI{Version: "01", Country: "NL", National: "187/37512422923"}, "01:NL:187/37512422923"},
		{uvci.UVCI{Prefixed: true, Version: "01", Country: "NL", National: "MY/INPUT/STRING", Check: 'H'}, "URN:UVCI:01:NL:MY/INPUT/STRING#H"},
	}
	for _, tt := range tests {
		if got := tt.u.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.u, got, tt.want)
		}
	}
}

// The wire format is self-consistent: every accepted identifier, with its
// check character replaced by each other character of the alphabet, is
// refused, since only one check character can match (prefixed input).
func TestOnlyOneCheckCharacterMatches(t *testing.T) {
	const id = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813"
	var ok []byte
	for i := 0; i < len(uvci.Alphabet); i++ {
		if _, _, err := uvci.Parse(id+"#"+uvci.Alphabet[i:i+1], uvci.Strict); err == nil {
			ok = append(ok, uvci.Alphabet[i])
		} else if !errors.Is(err, uvci.ErrCheckCharacter) {
			t.Errorf("check character %c: %v", uvci.Alphabet[i], err)
		}
	}
	if !slices.Equal(ok, []byte{'B'}) {
		t.Errorf("accepted check characters %q, want only \"B\"", ok)
	}
}
