package dcc

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// wholeNumber is what a JSON number literal says about an integer field.
type wholeNumber struct {
	integral bool  // its value is a whole number: 2, 2.0, 2e0, 20e-1 and -0 are; 2.5 is not
	plain    bool  // it is written as an integer: an optional '-' and digits only
	negative bool  // its value is below zero (-0 is not)
	fits     bool  // integral and within int64; then n is its value
	n        int64 //
}

// readWhole reads a JSON number literal on its digits, not through a float,
// so that neither 1e400 (beyond float64) nor 2.0000000000000000001 (which
// rounds to 2) is misjudged. Anything but a JSON number reads as not
// integral.
func readWhole(v any) (w wholeNumber, isNumber bool) {
	num, ok := v.(json.Number)
	if !ok {
		return wholeNumber{}, false
	}
	s := string(num)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mant, exp, hasExp = strings.Cut(s, "E")
	}
	whole, frac, hasPoint := strings.Cut(mant, ".")
	if !digits(whole) || (hasPoint && !digits(frac)) {
		return wholeNumber{}, true
	}
	shift := 0
	if hasExp {
		e, err := strconv.ParseInt(exp, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return wholeNumber{}, true
		}
		// The input is at most MaxInput bytes, so an exponent beyond ±2^30
		// says all there is to say about where the point goes.
		shift = int(max(min(e, 1<<30), -(1 << 30)))
	}
	w.plain = !hasPoint && !hasExp
	// The significant digits, and how many of them stand before the point.
	sig := whole + frac
	point := len(whole) + shift
	trimmed := strings.TrimLeft(sig, "0")
	point -= len(sig) - len(trimmed)
	sig = strings.TrimRight(trimmed, "0")
	if sig == "" { // zero, however written
		w.integral, w.fits = true, true
		return w, true
	}
	w.negative = neg
	if point < len(sig) {
		return w, true // a non-zero digit after the point
	}
	w.integral = true
	if point > 19 {
		return w, true
	}
	lit := sig + strings.Repeat("0", point-len(sig))
	if neg {
		lit = "-" + lit
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err == nil {
		w.fits, w.n = true, n
	}
	return w, true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
