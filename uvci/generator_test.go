package uvci_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"dcc/uvci"
)

// Bytes 252–255 are rejected (252 = 7·36), the rest map to A–Z0–9 modulo 36.
func TestGeneratorRejectionSampling(t *testing.T) {
	random := []byte{252, 253, 254, 255}
	for i := range 19 {
		random = append(random, byte(i), 255)
	}
	// New reads ahead a little to avoid a second read in the common case.
	random = append(random, bytes.Repeat([]byte{255}, 64)...)
	g, err := uvci.NewGenerator("ES", "MD", bytes.NewReader(random))
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.New()
	if err != nil {
		t.Fatal(err)
	}
	// Check character computed independently with the reference algorithm.
	const want = "URN:UVCI:01:ES:MD/ABCDEFGHIJKLMNOPQRS#6"
	if got != want {
		t.Errorf("New() = %q, want %q", got, want)
	}
}

func TestGeneratorModulo(t *testing.T) {
	// 36 → A, 71 → 9, 216 → A, 251 → 9: the top of the accepted range.
	random := bytes.Repeat([]byte{36, 71, 216, 251}, 5)
	g, err := uvci.NewGenerator("ES", "ABCDE", bytes.NewReader(random))
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.New()
	if err != nil {
		t.Fatal(err)
	}
	if want := "URN:UVCI:01:ES:ABCDE/A9A9A9A9A9A9A9A9#"; !strings.HasPrefix(got, want) {
		t.Errorf("New() = %q, want prefix %q", got, want)
	}
}

func TestGeneratorLengths(t *testing.T) {
	tests := []struct {
		country, issuer string
		length, unique  int // without "URN:UVCI:"
	}{
		{"ES", "1", 30, 20},
		{"ES", "MD", 30, 19},
		{"ES", "AN/SE", 30, 16},
		{"ES", "ABCDEF", 31, 16},
		{"DE", "ABCDEFGHIJKLMNOPQRST", 45, 16},
		{"EL", "A/B/C/D/E/F/G/H/I/JK", 45, 16},
	}
	for _, tt := range tests {
		g, err := uvci.NewGenerator(tt.country, tt.issuer, nil)
		if err != nil {
			t.Fatalf("NewGenerator(%q, %q): %v", tt.country, tt.issuer, err)
		}
		seen := make(map[string]bool)
		for range 200 {
			s, err := g.New()
			if err != nil {
				t.Fatal(err)
			}
			if seen[s] {
				t.Fatalf("New() returned %q twice", s)
			}
			seen[s] = true
			if n := len(strings.TrimPrefix(s, uvci.Prefix)); n != tt.length {
				t.Errorf("New() = %q: %d characters without prefix, want %d", s, n, tt.length)
			}
			u, warns, err := uvci.Parse(s, uvci.Strict)
			if err != nil || warns != nil {
				t.Fatalf("Parse(New() = %q, Strict) = %q, %v", s, warns, err)
			}
			if !u.Prefixed || u.Version != "01" || u.Country != tt.country || u.Check == 0 {
				t.Errorf("Parse(%q) = %+v", s, u)
			}
			unique, ok := strings.CutPrefix(u.National, tt.issuer+"/")
			if !ok || len(unique) != tt.unique || strings.Trim(unique, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				t.Errorf("Parse(%q).National = %q, want %q + %d of A–Z0–9", s, u.National, tt.issuer+"/", tt.unique)
			}
			if u.String() != s {
				t.Errorf("Parse(%q).String() = %q", s, u.String())
			}
		}
	}
}

// A chi-square test over the unique characters: plain modulo 36 without
// rejection would make A–D 8/7 as likely as the rest and fail it.
func TestGeneratorUniform(t *testing.T) {
	g, err := uvci.NewGenerator("ES", "MD", rand.NewChaCha8([32]byte{1}))
	if err != nil {
		t.Fatal(err)
	}
	var counts [36]int
	total := 0
	for range 4000 {
		s, err := g.New()
		if err != nil {
			t.Fatal(err)
		}
		unique := s[len("URN:UVCI:01:ES:MD/") : len(s)-2]
		for i := 0; i < len(unique); i++ {
			counts[strings.IndexByte(uvci.Alphabet, unique[i])]++
			total++
		}
	}
	expected := float64(total) / 36
	chi2 := 0.0
	for _, c := range counts {
		d := float64(c) - expected
		chi2 += d * d / expected
	}
	// 35 degrees of freedom: P(χ² > 66.6) = 0.001.
	if chi2 > 66.6 {
		t.Errorf("χ² = %.1f over %d characters, counts %v: not uniform", chi2, total, counts)
	}
}

func TestGeneratorRandomFailure(t *testing.T) {
	boom := errors.New("entropy source unplugged")
	g, err := uvci.NewGenerator("ES", "MD", iotest.ErrReader(boom))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := g.New(); !errors.Is(err, boom) || s != "" {
		t.Errorf("New() = %q, %v; want error wrapping %v", s, err, boom)
	}

	g, err = uvci.NewGenerator("ES", "MD", bytes.NewReader(make([]byte, 10)))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := g.New(); !errors.Is(err, io.ErrUnexpectedEOF) || s != "" {
		t.Errorf("New() with 10 random bytes = %q, %v; want io.ErrUnexpectedEOF", s, err)
	}
}

func TestNewGeneratorErrors(t *testing.T) {
	tests := []struct {
		country, issuer string
		want            error
		msg             string
	}{
		{"es", "MD", uvci.ErrCountry, `country code "es"`},
		{"ESP", "MD", uvci.ErrCountry, "two upper-case letters"},
		{"UNHCR", "MD", uvci.ErrCountry, "reserved"},
		{"E1", "MD", uvci.ErrCountry, "two upper-case letters"},
		{"", "MD", uvci.ErrCountry, `""`},
		{"ES", "", uvci.ErrIssuer, "1–20 characters"},
		{"ES", "ABCDEFGHIJKLMNOPQRSTU", uvci.ErrIssuer, "has 21"},
		{"ES", "md", uvci.ErrIssuer, "character 'm' at position 1"},
		{"ES", "M-D", uvci.ErrIssuer, "character '-' at position 2"},
		{"ES", "M:D", uvci.ErrIssuer, "character ':' at position 2"},
		{"ES", "MD#", uvci.ErrIssuer, "character '#' at position 3"},
		{"ES", "MÁ", uvci.ErrIssuer, "character 'Á' at position 2"},
		{"ES", "/MD", uvci.ErrIssuer, "'/' at position 1"},
		{"ES", "MD/", uvci.ErrIssuer, "'/' at position 3"},
		{"ES", "M//D", uvci.ErrIssuer, "'/' at position 3"},
	}
	for _, tt := range tests {
		g, err := uvci.NewGenerator(tt.country, tt.issuer, nil)
		if !errors.Is(err, tt.want) || err == nil || !strings.Contains(err.Error(), tt.msg) || g != nil {
			t.Errorf("NewGenerator(%q, %q) = %v, %v; want error %v containing %q", tt.country, tt.issuer, g, err, tt.want, tt.msg)
		}
	}
}
