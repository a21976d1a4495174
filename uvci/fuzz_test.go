package uvci_test

import (
	"errors"
	"strings"
	"testing"

	"dcc/uvci"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"URN:UVCI:01:NL:187/37512422923",
		"URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
		"URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7#1",
		"01:AT:10807843F94AEE0EE5093FBC254BD813#F",
		"01:NL:1312D00",
		"urn:uvci:01:unhcr:abc/1#x",
		"URN#UVCI#01#NL#DADFCC47C7334E45A906DB12FD859FB2",
		"01:ES:A\xffé#",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// CheckCharacter sees untrusted input too (a caller checking a
		// fragment); it must not panic either.
		_, _ = uvci.CheckCharacter(s)

		strict, warns, err := uvci.Parse(s, uvci.Strict)
		if err != nil {
			var e *uvci.Error
			if !errors.As(err, &e) || e.Err == nil {
				t.Fatalf("Parse(%q, Strict) error %v is not a *uvci.Error with a sentinel", s, err)
			}
		} else {
			if warns != nil {
				t.Fatalf("Parse(%q, Strict) warnings %q", s, warns)
			}
			// Strict does not normalise: the wire form is the input.
			if got := strict.String(); got != s {
				t.Fatalf("Parse(%q, Strict).String() = %q", s, got)
			}
			again, _, err := uvci.Parse(strict.String(), uvci.Strict)
			if err != nil || again != strict {
				t.Fatalf("reparse of %q = %+v, %v; want %+v", s, again, err, strict)
			}
		}

		lenient, _, lerr := uvci.Parse(s, uvci.Lenient)
		if err == nil && (lerr != nil || lenient != strict) {
			t.Fatalf("Parse(%q): Strict accepts %+v, Lenient gives %+v, %v", s, strict, lenient, lerr)
		}
		if lerr != nil {
			return
		}
		if got := lenient.String(); got != strings.ToUpper(s) {
			t.Fatalf("Parse(%q, Lenient).String() = %q, want the input in upper case", s, got)
		}
		again, warns, err := uvci.Parse(lenient.String(), uvci.Lenient)
		if err != nil || again != lenient {
			t.Fatalf("reparse of %q = %+v, %v; want %+v", lenient.String(), again, err, lenient)
		}
		for _, w := range warns {
			if strings.Contains(w, "lower-case") {
				t.Fatalf("normalised %q still warns about lower case: %q", lenient.String(), w)
			}
		}
	})
}
