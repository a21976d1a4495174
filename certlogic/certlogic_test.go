package certlogic_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc/certlogic"
)

func parse(t testing.TB, s string) any {
	t.Helper()
	v, err := certlogic.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("ParseJSON(%s): %v", s, err)
	}
	return v
}

func show(t testing.TB, v any) string {
	t.Helper()
	b, err := certlogic.MarshalJSON(v)
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	return string(b)
}

func TestEvaluate(t *testing.T) {
	for _, tt := range []struct {
		expr, data, want string
	}{
		// The spec's leap-day table.
		{`{"plusTime": ["2020-02-29", 1, "day"]}`, `null`, `"2020-03-01T00:00:00.000Z"`},
		{`{"plusTime": ["2020-02-29", 1, "month"]}`, `null`, `"2020-03-29T00:00:00.000Z"`},
		{`{"plusTime": ["2020-02-29", 1, "year"]}`, `null`, `"2021-03-01T00:00:00.000Z"`},
		// Month arithmetic rolls the day over as setUTCMonth does.
		{`{"plusTime": ["2021-01-31", 1, "month"]}`, `null`, `"2021-03-03T00:00:00.000Z"`},
		{`{"plusTime": ["2021-03-31", -13, "month"]}`, `null`, `"2020-03-02T00:00:00.000Z"`},
		{`{"plusTime": ["2021-06-01T00:00:00+00:00", 40, "hour"]}`, `null`, `"2021-06-02T16:00:00.000Z"`},
		{`{"plusTime": ["2021-03-28T01:30:00+01:00", 24, "hour"]}`, `null`, `"2021-03-29T00:30:00.000Z"`},
		// Every offset form, fractions truncated to milliseconds.
		{`{"plusTime": ["2021-06-01T12:34:56.7899-5", 0, "day"]}`, `null`, `"2021-06-01T17:34:56.789Z"`},
		{`{"plusTime": ["2021-06-01T12:34:56+0530", 0, "day"]}`, `null`, `"2021-06-01T07:04:56.000Z"`},
		{`{"plusTime": ["2021-06-01T12:34:56+130", 0, "day"]}`, `null`, `"2021-06-01T11:04:56.000Z"`},
		{`{"plusTime": ["2021-06-01T12:34:56-1:", 0, "day"]}`, `null`, `"2021-06-01T13:34:56.000Z"`},
		{`{"plusTime": ["2021-06-01T12:34:56.1", 0, "day"]}`, `null`, `"2021-06-01T12:34:56.100Z"`},
		{`{"plusTime": ["2021-01-01T24:00:00Z", 0, "day"]}`, `null`, `"2021-01-02T00:00:00.000Z"`},
		{`{"plusTime": ["2021-02-30", 0, "day"]}`, `null`, `"2021-03-02T00:00:00.000Z"`},
		// Partial dates round up, as dccDateOfBirth does.
		{`{"plusTime": ["2004", 18, "year"]}`, `null`, `"2022-12-31T00:00:00.000Z"`},
		{`{"plusTime": ["2004-02", 0, "day"]}`, `null`, `"2004-02-29T00:00:00.000Z"`},
		{`{"dccDateOfBirth": [{"var": "dob"}]}`, `{"dob": "1990-02"}`, `"1990-02-28T00:00:00.000Z"`},
		{`{"dccDateOfBirth": [{"var": "dob"}]}`, `{"dob": "1990"}`, `"1990-12-31T00:00:00.000Z"`},
		{`{"plusTime": ["0000-01-01T00:00:00+01:00", 0, "day"]}`, `null`, `"-000001-12-31T23:00:00.000Z"`},
		{`{"plusTime": ["9999-12-31", 1, "day"]}`, `null`, `"+010000-01-01T00:00:00.000Z"`},
		// Comparisons.
		{`{"<": [1, 2, 3]}`, `null`, `true`},
		{`{"<": [1, 3, 2]}`, `null`, `false`},
		{`{"not-before": [{"plusTime": ["2021-06-02", 0, "day"]}, {"plusTime": ["2021-06-01", 1, "day"]}]}`, `null`, `true`},
		// Numbers print as JavaScript prints them.
		{`{"+": [{"var": "a"}, 1]}`, `{"a": 1e20}`, `100000000000000000000`},
		{`{"+": [{"var": "a"}, 0]}`, `{"a": 1e21}`, `1e+21`},
		{`{"+": [{"var": "a"}, 1]}`, `{"a": 2.0}`, `3`},
		{`1.0e2`, `null`, `100`},
		// var follows JSON.
		{`{"var": "x.length"}`, `{"x": [1, 2]}`, `null`},
		{`{"var": "x.01"}`, `{"x": [1, 2]}`, `2`},
		{`{"var": "x.1"}`, `{"x": {"1": "one"}}`, `"one"`},
		{`{"var": "x.-1"}`, `{"x": [1, 2]}`, `null`},
		{`{"var": "x.99999999999"}`, `{"x": [1, 2]}`, `null`},
		{`{"var": "x.00000000000001"}`, `{"x": [1, 2]}`, `2`},
		{`{"var": "x.000"}`, `{"x": [1, 2]}`, `1`},
		// Identity for ===.
		{`{"===": [{"var": "a"}, {"var": "a"}]}`, `{"a": []}`, `true`},
		{`{"===": [{"var": "a"}, {"var": "b"}]}`, `{"a": [], "b": []}`, `false`},
		{`{"===": [[], []]}`, `null`, `false`},
		{`{"in": [{"var": "a.0"}, {"var": "a"}]}`, `{"a": [{"k": 1}]}`, `true`},
		{`{"in": [{"var": "a.0"}, [{"var": "a.0"}]]}`, `{"a": [{"k": 1}]}`, `true`},
		{`{"===": [{"plusTime": ["2021-01-01", 0, "day"]}, {"plusTime": ["2021-01-01", 0, "day"]}]}`, `null`, `false`},
		{`{"===": [1, 1.0]}`, `null`, `true`},
		// reduce.
		{`{"reduce": [{"var": "x"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]}`, `{"x": [1, 2, 3]}`, `6`},
		{`{"reduce": [{"var": "x"}, {"var": ""}, 0]}`, `{"x": [1]}`, `{"accumulator":0,"current":1}`},
		{`{"reduce": [{"var": "x"}, {"var": "accumulator"}, "init"]}`, `{}`, `"init"`},
		{`{"reduce": [{"var": "x"}, {"===": [{"var": ""}, {"var": ""}]}, 0]}`, `{"x": [1]}`, `true`},
		// extractFromUVCI.
		{`{"extractFromUVCI": [{"var": "ci"}, 1]}`, `{"ci": "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G"}`, `"ES"`},
		{`{"extractFromUVCI": [{"var": "ci"}, 5]}`, `{"ci": "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G"}`, `null`},
		{`{"extractFromUVCI": [{"var": "ci"}, 1]}`, `{}`, `null`},
		// and returns operands.
		{`{"and": [1, "x", [0]]}`, `null`, `[0]`},
		{`{"and": [{"var": "a"}, 1]}`, `{"a": {}}`, `{}`},
	} {
		got, err := certlogic.Evaluate(parse(t, tt.expr), parse(t, tt.data))
		if err != nil {
			t.Errorf("%s on %s: %v", tt.expr, tt.data, err)
			continue
		}
		if s := show(t, got); s != tt.want {
			t.Errorf("%s on %s = %s, want %s", tt.expr, tt.data, s, tt.want)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	for _, tt := range []struct {
		expr, data string
		want       error
		path, op   string
	}{
		{`{"and": [true, {"in": [1, {"var": "x"}]}]}`, `{"x": "abc"}`, certlogic.ErrType, "/and/1", "in"},
		{`{"if": [{"var": "x"}, 1, 2]}`, `{"x": 1.5}`, certlogic.ErrType, "", "if"},
		{`{"!": [{"plusTime": ["2021-01-01", 0, "day"]}]}`, `null`, certlogic.ErrType, "", "!"},
		{`{"+": [1, "1"]}`, `null`, certlogic.ErrType, "", "+"},
		{`{"<": [1, {"var": "x"}]}`, `{"x": null}`, certlogic.ErrType, "", "<"},
		{`{"after": [{"plusTime": ["2021-01-01", 0, "day"]}, "2021-01-01"]}`, `null`, certlogic.ErrType, "", "after"},
		{`{"reduce": [{"var": "x"}, 1, 0]}`, `{"x": "abc"}`, certlogic.ErrType, "", "reduce"},
		{`{"extractFromUVCI": [{"var": "x"}, 0]}`, `{"x": 1}`, certlogic.ErrType, "", "extractFromUVCI"},
		{`{"plusTime": [{"var": "x"}, 0, "day"]}`, `{}`, certlogic.ErrType, "", "plusTime"},
		{`{"dccDateOfBirth": [{"var": "x"}]}`, `{"x": ""}`, certlogic.ErrDateFormat, "", "dccDateOfBirth"},
		{`{"dccDateOfBirth": [{"var": "x"}]}`, `{"x": "2004-13"}`, certlogic.ErrInvalidDate, "", "dccDateOfBirth"},
		{`{"plusTime": ["2021-06-01T00:00", 0, "day"]}`, `null`, certlogic.ErrDateFormat, "", "plusTime"},
		{`{"plusTime": ["2021-06-01 00:00:00", 0, "day"]}`, `null`, certlogic.ErrDateFormat, "", "plusTime"},
		{`{"plusTime": ["2021-06-01T00:00:00z", 0, "day"]}`, `null`, certlogic.ErrDateFormat, "", "plusTime"},
		{`{"plusTime": ["٢٠٢١-06-01", 0, "day"]}`, `null`, certlogic.ErrDateFormat, "", "plusTime"},
		{`{"plusTime": ["2021-01-32", 0, "day"]}`, `null`, certlogic.ErrInvalidDate, "", "plusTime"},
		{`{"plusTime": ["2021-01-01T24:00:01Z", 0, "day"]}`, `null`, certlogic.ErrInvalidDate, "", "plusTime"},
		{`{"plusTime": ["2021-01-01T00:00:00+24:00", 0, "day"]}`, `null`, certlogic.ErrInvalidDate, "", "plusTime"},
		{`{"plusTime": ["2021-01-01", 300000, "year"]}`, `null`, certlogic.ErrInvalidDate, "", "plusTime"},
		{`{"plusTime": ["2021-01-01", 1e20, "hour"]}`, `null`, certlogic.ErrInvalidDate, "", "plusTime"},
		{`{"+": [{"var": "a"}, {"var": "a"}]}`, `{"a": 1e308}`, certlogic.ErrLimit, "", "+"},
	} {
		_, err := certlogic.Evaluate(parse(t, tt.expr), parse(t, tt.data))
		var ee *certlogic.EvalError
		if !errors.Is(err, tt.want) || !errors.As(err, &ee) {
			t.Errorf("%s on %s: %v, want an *EvalError wrapping %v", tt.expr, tt.data, err, tt.want)
			continue
		}
		if ee.Path != tt.path || ee.Op != tt.op {
			t.Errorf("%s on %s: error at %q (%s), want %q (%s): %v", tt.expr, tt.data, ee.Path, ee.Op, tt.path, tt.op, err)
		}
	}
}

func TestValidatePaths(t *testing.T) {
	expr := parse(t, `{"if": [true, {"plusTime": [{"var": "a..b"}, 1.5, "days"]}, {"and": [{"foo/bar": []}, null, 2.5]}]}`)
	var got []string
	for _, p := range certlogic.Validate(expr) {
		got = append(got, p.Path+" "+p.Message)
	}
	want := []string{
		`/if/1/plusTime/0 data access path doesn't have a valid format: a..b`,
		`/if/1/plusTime/1 "amount" argument (#2) of "plusTime" must be an integer, but it is: 1.5`,
		`/if/1/plusTime/2 "unit" argument (#3) of "plusTime" must be a string equal to one of year, month, day, hour, but it is: days`,
		`/if/2/and/0 unrecognised operator: "foo/bar"`,
		`/if/2/and/1 invalid CertLogic expression`,
		`/if/2/and/2 2.5 is a non-integer number`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Validate:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_, err := certlogic.Compile(expr)
	var inv *certlogic.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != len(want) || errors.Is(err, certlogic.ErrLimit) {
		t.Errorf("Compile: %v", err)
	}
	if !strings.Contains(err.Error(), "/if/1/plusTime/0: data access path") || !strings.Contains(err.Error(), "and 5 more problems") {
		t.Errorf("Compile error message: %v", err)
	}
}

func TestLimits(t *testing.T) {
	var deep any = true
	for i := 0; i < 200; i++ {
		deep = map[string]any{"!": []any{deep}}
	}
	wide := `[` + strings.Repeat(`1,`, 20000) + `1]`
	long := `"` + strings.Repeat("x", 5000) + `"`
	for _, tt := range []struct {
		name string
		expr any
	}{
		{"depth", deep}, {"nodes", parse(t, wide)}, {"string", parse(t, long)}, {"path", parse(t, `{"var": `+long+`}`)},
	} {
		_, err := certlogic.Compile(tt.expr)
		var inv *certlogic.InvalidError
		if !errors.Is(err, certlogic.ErrLimit) || !errors.As(err, &inv) {
			t.Errorf("%s: Compile: %v, want ErrLimit", tt.name, err)
		}
	}
	// Smaller limits on request; the defaults accept the same.
	if _, err := (certlogic.Limits{MaxDepth: 2}).Compile(parse(t, `{"!": [{"!": [{"!": [true]}]}]}`)); !errors.Is(err, certlogic.ErrLimit) {
		t.Errorf("MaxDepth 2: %v", err)
	}
	if _, err := certlogic.Compile(parse(t, `{"!": [{"!": [{"!": [true]}]}]}`)); err != nil {
		t.Error(err)
	}

	// Quadratic work stops at MaxSteps, quickly: a reduce inside a reduce,
	// and an "in" over a long array inside a reduce.
	big := make([]any, 10000)
	for i := range big {
		big[i] = json.Number("1")
	}
	rows := make([]any, 1000)
	for i := range rows {
		rows[i] = big
	}
	start := time.Now()
	for _, tt := range []struct {
		expr string
		data any
	}{
		{`{"reduce": [{"var": "x"}, {"+": [{"var": "accumulator"}, {"reduce": [{"var": "current"}, {"+": [{"var": "accumulator"}, 1]}, 0]}]}, 0]}`,
			map[string]any{"x": rows}},
		{`{"reduce": [{"var": "x"}, {"if": [{"in": [2, {"var": "current"}]}, 1, {"var": "accumulator"}]}, 0]}`,
			map[string]any{"x": rows}},
	} {
		if _, err := certlogic.Evaluate(parse(t, tt.expr), tt.data); !errors.Is(err, certlogic.ErrLimit) {
			t.Errorf("%s: %v, want ErrLimit", tt.expr, err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("limited evaluations took %v", d)
	}

	// A result whose JSON doubles at each step is refused, not written.
	doubling := parse(t, `{"reduce": [{"var": "x"}, [{"var": "accumulator"}, {"var": "accumulator"}], 0]}`)
	res, err := certlogic.Evaluate(doubling, map[string]any{"x": big[:60]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := certlogic.MarshalJSON(res); !errors.Is(err, certlogic.ErrLimit) {
		t.Errorf("MarshalJSON of 2^60 leaves: %v, want ErrLimit", err)
	}
}

func TestGoValues(t *testing.T) {
	// Trees from encoding/json (float64) and from Go code (int) work too.
	var data any
	if err := json.Unmarshal([]byte(`{"v": [{"dn": 2, "sd": 2}], "n": 1.5}`), &data); err != nil {
		t.Fatal(err)
	}
	e := certlogic.MustCompile(map[string]any{"and": []any{
		map[string]any{">=": []any{map[string]any{"var": "v.0.dn"}, map[string]any{"var": "v.0.sd"}}},
		map[string]any{"+": []any{map[string]any{"var": "v.0.dn"}, 40}},
	}})
	got, err := e.Eval(data)
	if err != nil || got != json.Number("42") {
		t.Errorf("Eval = %#v, %v", got, err)
	}
	if _, err := certlogic.Evaluate(map[string]any{"!": []any{map[string]any{"var": "n"}}}, data); !errors.Is(err, certlogic.ErrType) {
		t.Errorf("! of 1.5: %v", err)
	}
	// Values that are not JSON are neither truthy nor falsy, and equal
	// nothing; they never make the evaluator panic.
	for _, odd := range []any{[]string{"a"}, struct{}{}, map[string]string{}, float32(1)} {
		if _, err := certlogic.Evaluate(map[string]any{"if": []any{map[string]any{"var": "x"}, 1, 2}}, map[string]any{"x": odd}); !errors.Is(err, certlogic.ErrType) {
			t.Errorf("if on %T: %v", odd, err)
		}
		got, err := certlogic.Evaluate(map[string]any{"===": []any{map[string]any{"var": "x"}, map[string]any{"var": "x"}}}, map[string]any{"x": odd})
		if err != nil || got != false {
			t.Errorf("=== on %T: %v, %v", odd, got, err)
		}
	}
	if _, err := certlogic.Compile(map[string]any{"var": []string{"x"}}); err == nil {
		t.Error("Compile accepted a []string operand")
	}
}

func TestDateTime(t *testing.T) {
	got, err := certlogic.Evaluate(parse(t, `{"plusTime": ["2021-06-01T12:00:00.5+02:00", 1, "hour"]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := got.(*certlogic.DateTime)
	if !ok {
		t.Fatalf("plusTime gave %T", got)
	}
	want := time.Date(2021, 6, 1, 11, 0, 0, 500e6, time.UTC)
	if !d.Time().Equal(want) || d.UnixMilli() != want.UnixMilli() || d.String() != "2021-06-01T11:00:00.500Z" {
		t.Errorf("DateTime %v (%d), want %v", d.Time(), d.UnixMilli(), want)
	}
	if b, _ := json.Marshal(d); string(b) != `"2021-06-01T11:00:00.500Z"` {
		t.Errorf("json.Marshal = %s", b)
	}
}

func TestParseJSON(t *testing.T) {
	for _, tt := range []struct {
		in, want  string
		line, col int
	}{
		{"{\n  \"a\": 1,\n  \"a\": 2\n}", "duplicate key", 3, 3},
		{`[1, 2`, "unexpected end", 1, 6},
		{`{"a": 01}`, "invalid character", 1, 8},
		{`"\x"`, "invalid escape", 1, 3},
		{"\"\xff\"", "invalid UTF-8", 1, 1},
		{`1 2`, "after the JSON value", 1, 3},
		{strings.Repeat("[", 300) + strings.Repeat("]", 300), "nesting deeper", 1, 257},
	} {
		_, err := certlogic.ParseJSON([]byte(tt.in))
		var se *certlogic.SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, tt.want) || se.Line != tt.line || se.Column != tt.col {
			t.Errorf("ParseJSON(%.20q): %v, want %q at %d:%d", tt.in, err, tt.want, tt.line, tt.col)
		}
	}
	v, err := certlogic.ParseJSON([]byte(`{"s": "\ud83d\ude00 \ud800 \u00e9\n", "n": -1.5e3, "a": [], "t": true, "z": null}`))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["s"] != "😀 \uFFFD é\n" || m["n"] != json.Number("-1.5e3") || m["t"] != true || m["z"] != nil {
		t.Errorf("ParseJSON = %#v", m)
	}
	if s := show(t, v); s != `{"a":[],"n":-1500,"s":"😀 � é\n","t":true,"z":null}` {
		t.Errorf("MarshalJSON = %s", s)
	}
}

// One compiled expression evaluated from many goroutines (run with -race).
func TestConcurrentEval(t *testing.T) {
	e := certlogic.MustCompile(parse(t, acceptanceRule))
	data := parse(t, acceptanceData)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if got, err := e.Eval(data); err != nil || got != true {
					t.Errorf("Eval = %v, %v", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func writeSuite(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunSuitesDirectives(t *testing.T) {
	dir := t.TempDir()
	writeSuite(t, dir, "a.json", `{"name": "a", "cases": [
		{"name": "plain", "certLogicExpression": {"var": "x"}, "assertions": [
			{"data": {"x": 1}, "expected": 1},
			{"data": {"x": 1}, "expected": 2, "message": "wrong on purpose"},
			{"data": {"x": 1}, "expected": 3, "directive": "skip"}]},
		{"name": "override", "certLogicExpression": {"var": "x"}, "assertions": [
			{"data": {"x": 1}, "expected": 2, "certLogicExpression": {"+": [{"var": "x"}, 1]}}]}]}`)
	rep, err := certlogic.RunSuites(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed != 2 || rep.Failed != 1 || rep.Skipped != 1 || len(rep.Failures) != 1 {
		t.Fatalf("report %+v", rep)
	}
	if s := rep.Failures[0].String(); s != "a.json: a / plain / #1 (wrong on purpose): expected 2, got 1" {
		t.Errorf("failure %q", s)
	}

	// "only" anywhere runs only what it marks; "skip" still wins under it.
	writeSuite(t, dir, "b.json", `{"name": "b", "directive": "only", "cases": [
		{"name": "c", "certLogicExpression": true, "assertions": [
			{"data": null, "expected": true}, {"data": null, "expected": false, "directive": "skip"}]}]}`)
	rep, err = certlogic.RunSuites(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed != 1 || rep.Failed != 0 || rep.Skipped != 5 {
		t.Errorf("with only: %+v", rep)
	}

	// Malformed suites are errors, not failures.
	writeSuite(t, dir, "c.json", `{"name": "c", "cases": [{"name": "x", "assertions": [], "extra": 1}]}`)
	if _, err := certlogic.RunSuites(dir); err == nil || !strings.Contains(err.Error(), `unknown member "extra"`) {
		t.Errorf("malformed suite: %v", err)
	}
}

func TestRunValidationSuites(t *testing.T) {
	dir := t.TempDir()
	writeSuite(t, dir, "v.json", `{"name": "v", "cases": [
		{"certLogicExpression": {"var": 1}, "issues": [{"expr": {"var": 1}, "message": "not of the form { \"var\": \"<path>\" }"}]},
		{"certLogicExpression": {"var": "x"}, "issues": [{"expr": {"var": "x"}, "message": "wrong"}]},
		{"certLogicExpression": {"x": []}, "issues": [], "directive": "skip"}]}`)
	rep, err := certlogic.RunValidationSuites(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed != 1 || rep.Failed != 1 || rep.Skipped != 1 {
		t.Fatalf("report %+v", rep)
	}
	if s := rep.Failures[0].String(); s != `v.json: v / case #1 / #0: expected [{"expr":{"var":"x"},"message":"wrong"}], got []` {
		t.Errorf("failure %q", s)
	}
}

func ExampleEvaluate() {
	expr, _ := certlogic.ParseJSON([]byte(`{"after": [
		{"dccDateOfBirth": [{"var": "payload.dob"}]},
		{"plusTime": [{"var": "external.validationClock"}, -18, "year"]}]}`))
	for _, dob := range []string{"2004-02", "2003"} {
		data := map[string]any{
			"payload":  map[string]any{"dob": dob},
			"external": map[string]any{"validationClock": "2022-02-28T10:00:00Z"},
		}
		minor, err := certlogic.Evaluate(expr, data)
		fmt.Println(dob, "minor:", minor, err)
	}
	// Output:
	// 2004-02 minor: true <nil>
	// 2003 minor: false <nil>
}

// Compile once, evaluate often: a verifier checking many certificates
// against one rule.
func ExampleCompile() {
	rule, _ := certlogic.ParseJSON([]byte(`{"in": [{"var": "payload.v.0.mp"}, ["EU/1/20/1528", "EU/1/20/1507"]]}`))
	e, err := certlogic.Compile(rule)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mp := range []string{"EU/1/20/1528", "Sputnik-V"} {
		ok, _ := e.Eval(map[string]any{"payload": map[string]any{"v": []any{map[string]any{"mp": mp}}}})
		fmt.Println(mp, ok)
	}
	// Output:
	// EU/1/20/1528 true
	// Sputnik-V false
}

func ExampleValidate() {
	expr, _ := certlogic.ParseJSON([]byte(`{"if": [{"var": "payload.v.0"}, {"plusTime": [{"var": "payload.v.0.dt"}, 14, "days"]}]}`))
	for _, p := range certlogic.Validate(expr) {
		fmt.Printf("%s: %s\n", p.Path, p.Message)
	}
	// Output:
	// : an "if"-operation must have exactly 3 values/operands, but it has 2
	// /if/1/plusTime/2: "unit" argument (#3) of "plusTime" must be a string equal to one of year, month, day, hour, but it is: days
}

func ExampleEvalError() {
	expr, _ := certlogic.ParseJSON([]byte(`{"not-after": [{"plusTime": [{"var": "dt"}, 14, "day"]}, {"plusTime": ["2021-06-01", 0, "day"]}]}`))
	_, err := certlogic.Evaluate(expr, map[string]any{"dt": "2021-02-30T25:00:00Z"})
	fmt.Println(errors.Is(err, certlogic.ErrInvalidDate))
	fmt.Println(err)
	// Output:
	// true
	// certlogic: /not-after/0: "2021-02-30T25:00:00Z" is not a valid date-time: time of day out of range
}
