package certlogic

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// number reads a JSON number. json.Number is the package's own kind; float64
// (encoding/json without UseNumber) and Go integers are accepted so that
// hand-built trees work. Numbers are IEEE 754 doubles, as in the spec
// ("integer, as a subset of JavaScript's Number type").
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			// Out of range means ±Inf (JSON.parse says Infinity too);
			// anything else is not a number.
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return f, true
			}
			return 0, false
		}
		return f, true
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// isInt is JavaScript's Number.isInteger.
func isInt(f float64) bool {
	return !math.IsInf(f, 0) && !math.IsNaN(f) && f == math.Trunc(f)
}

// intValue reports whether v is a number with an integer value.
func intValue(v any) (float64, bool) {
	f, ok := number(v)
	return f, ok && isInt(f)
}

// numberJSON is the json.Number the package returns for a computed number:
// JavaScript's Number::toString, so results print as certlogic-js prints
// them.
func numberJSON(f float64) json.Number { return json.Number(jsNumber(f)) }

// jsNumber formats f as ECMAScript's Number::toString(10) does: the
// shortest digits that round-trip (Go's and JavaScript's choices agree),
// laid out by the exponent.
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0" // also -0
	case f < 0:
		return "-" + jsNumber(-f)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d[.ddd]e±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	sign := "+"
	if n-1 < 0 {
		sign = "-"
	}
	ex := strconv.Itoa(abs(n - 1))
	if k == 1 {
		return digits + "e" + sign + ex
	}
	return digits[:1] + "." + digits[1:] + "e" + sign + ex
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// jsString is JavaScript's String(v) for a JSON value: certlogic-js puts
// values into its validation messages with template literals.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case []any:
		// Array.prototype.join: null and undefined elements print as "".
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	case *DateTime:
		return x.String()
	}
	if f, ok := number(v); ok {
		return jsNumber(f)
	}
	return "[object Object]"
}

// truthiness is the spec's notion ("Truthy and falsy values"): true for a
// truthy value, false for a falsy one, ok false for a value that is neither
// (a non-integer number, a date-time, anything that is not JSON).
func truthiness(v any) (truthy, ok bool) {
	switch x := v.(type) {
	case nil:
		return false, true
	case bool:
		return x, true
	case string:
		return x != "", true
	case []any:
		return len(x) > 0, true
	case map[string]any:
		return len(x) > 0, true
	}
	if f, ok := intValue(v); ok {
		return f != 0, true
	}
	return false, false
}

// strictEqual is JavaScript's ===, which the spec names: strings, numbers
// (by value: 1 and 1.0 are equal), booleans and null by value; arrays,
// objects and date-times by identity, as certlogic-js compares them. The
// spec calls === unreliable on anything but strings and integers; matching
// the reference keeps rules meaning the same on every verifier.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && sameArray(x, y)
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case *DateTime:
		y, ok := b.(*DateTime)
		return ok && x == y
	}
	fa, ok := number(a)
	if !ok {
		return false
	}
	fb, ok := number(b)
	return ok && fa == fb
}

// sameArray tells whether two slices are the same JSON array: same
// backing storage and length. Distinct empty arrays are told apart only
// when they have storage of their own, which ParseJSON and the evaluator
// give them; empty slices without storage (encoding/json's) all look alike.
func sameArray(a, b []any) bool {
	if len(a) != len(b) || cap(a) != cap(b) {
		return false
	}
	if cap(a) == 0 {
		return true
	}
	return &a[:1][0] == &b[:1][0]
}

// newArray allocates an array with storage of its own even when empty, so
// that it has an identity for ===.
func newArray(n int) []any {
	return make([]any, n, max(n, 1))
}
