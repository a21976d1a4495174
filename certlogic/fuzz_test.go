package certlogic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"dcc/certlogic"
)

// seedExpressions gives the fuzzers the official suites' expressions and
// data, and a few hostile shapes.
func seedExpressions(f *testing.F) (exprs, data [][]byte) {
	for _, s := range []string{
		acceptanceRule,
		`{"reduce": [{"var": "x"}, [{"var": "accumulator"}, {"var": "accumulator"}], 0]}`,
		`{"plusTime": [{"var": "d"}, 1e20, "hour"]}`,
		`{"extractFromUVCI": [{"var": "ci"}, 3]}`,
		`{"in": [{"var": "a"}, ["x", "y", 1, true, []]]}`,
		`{"not-after": [{"dccDateOfBirth": [{"var": "dob"}]}, {"plusTime": ["2021-01-01T00:00:00.5+1:", -18, "year"]}, {"plusTime": ["2004", 0, "month"]}]}`,
	} {
		exprs = append(exprs, []byte(s))
	}
	data = append(data, []byte(acceptanceData), []byte(`{"x": [1, 2, 3], "d": "2021-02-30", "ci": "URN:UVCI:01:NL:187/37512422923", "dob": "2004-02"}`), []byte(`null`))
	if suites, err := certlogic.LoadSuites(suitesDir + "/testSuite"); err == nil {
		for _, s := range suites {
			for _, c := range s.Cases {
				for _, a := range c.Assertions {
					e := c.Expr
					if a.HasExpr {
						e = a.Expr
					}
					eb, _ := certlogic.MarshalJSON(e)
					db, _ := certlogic.MarshalJSON(a.Data)
					exprs, data = append(exprs, eb), append(data, db)
				}
			}
		}
	}
	return exprs, data
}

// resolve follows a JSON Pointer into v.
func resolve(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func FuzzValidate(f *testing.F) {
	exprs, _ := seedExpressions(f)
	for _, e := range exprs {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, exprJSON []byte) {
		expr, err := certlogic.ParseJSON(exprJSON)
		if err != nil {
			return
		}
		problems := certlogic.Validate(expr)
		for _, p := range problems {
			if p.Message == "" {
				t.Fatalf("problem without a message at %q", p.Path)
			}
			if _, ok := resolve(expr, p.Path); !ok {
				t.Fatalf("problem %q at %q, which is not in the expression", p.Message, p.Path)
			}
		}
		_, err = certlogic.Compile(expr)
		var inv *certlogic.InvalidError
		switch {
		case len(problems) == 0 && err != nil:
			t.Fatalf("valid expression fails to compile: %v", err)
		case len(problems) > 0 && (!errors.As(err, &inv) || len(inv.Problems) != len(problems)):
			t.Fatalf("%d problems, Compile says %v", len(problems), err)
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	exprs, data := seedExpressions(f)
	for i, e := range exprs {
		f.Add(e, data[i%len(data)])
	}
	f.Fuzz(func(t *testing.T, exprJSON, dataJSON []byte) {
		expr, err := certlogic.ParseJSON(exprJSON)
		if err != nil {
			return
		}
		data, err := certlogic.ParseJSON(dataJSON)
		if err != nil {
			return
		}
		e, err := certlogic.Limits{MaxSteps: 20000}.Compile(expr)
		if err != nil {
			var inv *certlogic.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Compile error %v is not an *InvalidError", err)
			}
			return
		}
		got, err := e.Eval(data)
		if err != nil {
			var ee *certlogic.EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval error %v is not an *EvalError", err)
			}
			known := false
			for _, s := range []error{certlogic.ErrType, certlogic.ErrDateFormat, certlogic.ErrInvalidDate, certlogic.ErrLimit} {
				known = known || errors.Is(err, s)
			}
			if !known {
				t.Fatalf("Eval error %v wraps no sentinel", err)
			}
			if _, ok := resolve(expr, ee.Path); !ok {
				t.Fatalf("error at %q, which is not in the expression", ee.Path)
			}
			return
		}
		out, err := certlogic.MarshalJSON(got)
		if err != nil {
			if !errors.Is(err, certlogic.ErrLimit) {
				t.Fatalf("MarshalJSON of a result: %v", err)
			}
			return
		}
		// Evaluation is deterministic and leaves the data alone.
		again, err := e.Eval(data)
		if err != nil {
			t.Fatalf("second evaluation fails: %v", err)
		}
		if out2, _ := certlogic.MarshalJSON(again); !bytes.Equal(out, out2) {
			t.Fatalf("evaluations differ: %s, then %s", out, out2)
		}
		if d1, _ := certlogic.MarshalJSON(data); true {
			d0, _ := certlogic.ParseJSON(dataJSON)
			if d2, _ := certlogic.MarshalJSON(d0); !bytes.Equal(d1, d2) {
				t.Fatalf("evaluation changed the data")
			}
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	exprs, data := seedExpressions(f)
	for _, b := range append(exprs, data...) {
		f.Add(b)
	}
	f.Add([]byte(`{"a": 1, "a": 2}`))
	f.Add([]byte(`"\ud800\udc00\ud800"`))
	f.Add([]byte(`[1e400, -0, 1E-400]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := certlogic.ParseJSON(in)
		if err != nil {
			var se *certlogic.SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error %v is not a *SyntaxError with a position", err)
			}
			return
		}
		if !json.Valid(in) {
			t.Fatalf("ParseJSON accepts what encoding/json calls invalid: %q", in)
		}
		out, err := certlogic.MarshalJSON(v)
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		w, err := certlogic.ParseJSON(out)
		if err != nil {
			t.Fatalf("ParseJSON of MarshalJSON output %s: %v", out, err)
		}
		// A number beyond the doubles prints as null, as JSON.stringify
		// prints Infinity.
		if !certlogic.Equal(v, w) && finite(v) {
			t.Fatalf("round trip changed %s into %s", in, out)
		}
	})
}

func finite(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if !finite(e) {
				return false
			}
		}
	case map[string]any:
		for _, e := range x {
			if !finite(e) {
				return false
			}
		}
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return err == nil && f == f
	}
	return true
}
