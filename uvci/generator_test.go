package uvci_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

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

// Ordered identifiers begin with the time in milliseconds, base 36 with
// digits first, so that they sort as issued; the rest is random, the length
// as before where that leaves MinOrderedRandom random characters.
func TestGeneratorOrdered(t *testing.T) {
	at := time.Date(2026, 12, 4, 5, 0, 0, 0, time.UTC)
	clock := at
	g0, err := uvci.NewGenerator("ES", "MD", nil)
	if err != nil {
		t.Fatal(err)
	}
	g := g0.Ordered(func() time.Time { return clock })
	first, err := g.New()
	if err != nil {
		t.Fatal(err)
	}
	// 1,796,360,400,000 ms written in base 36 by hand: strconv agrees.
	want := strings.ToUpper(strconv.FormatInt(at.UnixMilli(), 36))
	want = strings.Repeat("0", uvci.TimeChars-len(want)) + want
	if unique := first[len("URN:UVCI:01:ES:MD/") : len(first)-2]; !strings.HasPrefix(unique, want) || len(unique) != 19 {
		t.Errorf("New() = %q, want the unique part to be %q and 10 more characters", first, want)
	}
	if _, _, err := uvci.Parse(first, uvci.Strict); err != nil {
		t.Errorf("Parse(%q): %v", first, err)
	}
	prev := first
	for i := range 500 {
		clock = clock.Add(time.Duration(i%3) * time.Millisecond) // some in the same millisecond
		s, err := g.New()
		if err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 && s <= prev {
			t.Fatalf("%q issued after %q sorts before it", s, prev)
		}
		prev = s
	}
	// Long issuer prefixes leave MinUnique random characters unordered;
	// ordered, the identifier grows to keep MinOrderedRandom of them.
	long, _ := uvci.NewGenerator("ES", "ABCDEFGHIJKLMNOPQRST", nil)
	s, err := long.Ordered(time.Now).New()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s) - len("URN:UVCI:01:ES:ABCDEFGHIJKLMNOPQRST/") - 2; got != uvci.TimeChars+uvci.MinOrderedRandom {
		t.Errorf("unique part of %q has %d characters, want %d", s, got, uvci.TimeChars+uvci.MinOrderedRandom)
	}
	if _, _, err := uvci.Parse(s, uvci.Strict); err != nil {
		t.Errorf("Parse(%q): %v", s, err)
	}
	// Before 1970 is 000000000; the random part still differs.
	old := g0.Ordered(func() time.Time { return time.Unix(-5, 0) })
	if s, _ := old.New(); !strings.HasPrefix(s, "URN:UVCI:01:ES:MD/000000000") {
		t.Errorf("before 1970: %q", s)
	}
}
