package certlogic

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The official test suites (spec "Test suite"): evaluation suites
// {name, cases: [{name, certLogicExpression?, assertions: [{data, expected,
// message?, certLogicExpression?, directive?}]}]} and validation suites
// {name, cases: [{name?, certLogicExpression, issues: [{expr, message}]}]}.
// A directive "skip" or "only" may stand on a suite, a case or an
// assertion, with the meaning of Mocha's, which runs the official ones: if
// anything among the suites run together is marked "only", just what is
// marked "only" (or lies under something marked "only") runs; "skip" skips
// what it marks, also under "only". Both count as skipped.

// Suite is an evaluation test suite.
type Suite struct {
	File      string
	Name      string
	Directive string
	Cases     []Case
}

// Case is a test case: an expression and assertions about it.
type Case struct {
	Name       string
	Expr       any // the case's certLogicExpression, if HasExpr
	HasExpr    bool
	Directive  string
	Assertions []Assertion
}

// Assertion is one data context and the expected result.
type Assertion struct {
	Data, Expected any
	Message        string
	Expr           any // replaces the case's expression, if HasExpr
	HasExpr        bool
	Directive      string
}

// ValidationSuite is a validation test suite.
type ValidationSuite struct {
	File      string
	Name      string
	Directive string
	Cases     []ValidationCase
}

// ValidationCase is an expression and the problems expected of it.
type ValidationCase struct {
	Name      string
	Expr      any
	Directive string
	Issues    []Issue
}

// Issue is an expected validation problem.
type Issue struct {
	Expr    any
	Message string
}

// Report counts assertions (for validation suites, cases).
type Report struct {
	Passed, Failed, Skipped int
	Failures                []Failure
}

// Failure is an assertion that did not hold.
type Failure struct {
	File, Suite, Case string
	Assertion         int    // index in the case; 0 for a validation case
	Message           string // the assertion's message, if any
	Expected          any
	Got               any   // the result, or the problems found
	Err               error // instead of a result
}

func (f Failure) String() string {
	where := fmt.Sprintf("%s: %s / %s / #%d", filepath.Base(f.File), f.Suite, f.Case, f.Assertion)
	if f.Message != "" {
		where += " (" + f.Message + ")"
	}
	got := "error: " + fmt.Sprint(f.Err)
	if f.Err == nil {
		got = showJSON(f.Got)
	}
	return fmt.Sprintf("%s: expected %s, got %s", where, showJSON(f.Expected), got)
}

func showJSON(v any) string {
	b, err := MarshalJSON(v)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	const max = 400
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// suiteFiles lists the .json files of paths: files as given, directories
// walked in lexical order.
func suiteFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("certlogic: no test suite (.json) in %s", strings.Join(paths, ", "))
	}
	return files, nil
}

// obj is a JSON object being read strictly.
type obj struct {
	file, where string
	m           map[string]any
}

func (o obj) errorf(format string, a ...any) error {
	return fmt.Errorf("certlogic: %s: %s: %s", o.file, o.where, fmt.Sprintf(format, a...))
}

func asObj(file, where string, v any) (obj, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return obj{}, fmt.Errorf("certlogic: %s: %s: not a JSON object", file, where)
	}
	return obj{file, where, m}, nil
}

func (o obj) only(allowed ...string) error {
	for k := range o.m {
		found := false
		for _, a := range allowed {
			found = found || k == a
		}
		if !found {
			return o.errorf("unknown member %q", k)
		}
	}
	return nil
}

func (o obj) str(key string, required bool) (string, error) {
	v, ok := o.m[key]
	if !ok {
		if required {
			return "", o.errorf("%q is missing", key)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", o.errorf("%q is not a string", key)
	}
	return s, nil
}

func (o obj) directive() (string, error) {
	d, err := o.str("directive", false)
	if err == nil && d != "" && d != "skip" && d != "only" {
		err = o.errorf(`directive %q is neither "skip" nor "only"`, d)
	}
	return d, err
}

func (o obj) array(key string) ([]any, error) {
	v, ok := o.m[key]
	if !ok {
		return nil, o.errorf("%q is missing", key)
	}
	a, ok := v.([]any)
	if !ok {
		return nil, o.errorf("%q is not an array", key)
	}
	return a, nil
}

func readSuiteFile(file string) (obj, []any, string, string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return obj{}, nil, "", "", err
	}
	tree, err := ParseJSON(data)
	if err != nil {
		return obj{}, nil, "", "", fmt.Errorf("%s: %w", file, err)
	}
	top, err := asObj(file, "suite", tree)
	if err != nil {
		return obj{}, nil, "", "", err
	}
	name, err := top.str("name", true)
	if err != nil {
		return obj{}, nil, "", "", err
	}
	top.where = fmt.Sprintf("suite %q", name)
	dir, err := top.directive()
	if err != nil {
		return obj{}, nil, "", "", err
	}
	cases, err := top.array("cases")
	return top, cases, name, dir, err
}

// LoadSuites reads evaluation suites from files and directories (every
// .json file under a directory; each must be an evaluation suite).
func LoadSuites(paths ...string) ([]*Suite, error) {
	files, err := suiteFiles(paths)
	if err != nil {
		return nil, err
	}
	var suites []*Suite
	for _, file := range files {
		top, cases, name, dir, err := readSuiteFile(file)
		if err != nil {
			return nil, err
		}
		s := &Suite{File: file, Name: name, Directive: dir}
		for i, c := range cases {
			co, err := asObj(file, fmt.Sprintf("%s case #%d", top.where, i), c)
			if err != nil {
				return nil, err
			}
			if err := co.only("name", "certLogicExpression", "directive", "assertions"); err != nil {
				return nil, err
			}
			var tc Case
			if tc.Name, err = co.str("name", true); err != nil {
				return nil, err
			}
			if tc.Directive, err = co.directive(); err != nil {
				return nil, err
			}
			tc.Expr, tc.HasExpr = co.m["certLogicExpression"]
			as, err := co.array("assertions")
			if err != nil {
				return nil, err
			}
			for j, a := range as {
				ao, err := asObj(file, fmt.Sprintf("%s case %q assertion #%d", top.where, tc.Name, j), a)
				if err != nil {
					return nil, err
				}
				var ta Assertion
				var ok bool
				if ta.Data, ok = ao.m["data"]; !ok {
					return nil, ao.errorf(`"data" is missing`)
				}
				if ta.Expected, ok = ao.m["expected"]; !ok {
					return nil, ao.errorf(`"expected" is missing`)
				}
				if ta.Message, err = ao.str("message", false); err != nil {
					return nil, err
				}
				if ta.Directive, err = ao.directive(); err != nil {
					return nil, err
				}
				ta.Expr, ta.HasExpr = ao.m["certLogicExpression"]
				if !ta.HasExpr && !tc.HasExpr {
					return nil, ao.errorf("no certLogicExpression here nor on the case")
				}
				tc.Assertions = append(tc.Assertions, ta)
			}
			s.Cases = append(s.Cases, tc)
		}
		suites = append(suites, s)
	}
	return suites, nil
}

// LoadValidationSuites reads validation suites as LoadSuites reads
// evaluation suites.
func LoadValidationSuites(paths ...string) ([]*ValidationSuite, error) {
	files, err := suiteFiles(paths)
	if err != nil {
		return nil, err
	}
	var suites []*ValidationSuite
	for _, file := range files {
		top, cases, name, dir, err := readSuiteFile(file)
		if err != nil {
			return nil, err
		}
		s := &ValidationSuite{File: file, Name: name, Directive: dir}
		for i, c := range cases {
			co, err := asObj(file, fmt.Sprintf("%s case #%d", top.where, i), c)
			if err != nil {
				return nil, err
			}
			if err := co.only("name", "certLogicExpression", "directive", "issues"); err != nil {
				return nil, err
			}
			var vc ValidationCase
			if vc.Name, err = co.str("name", false); err != nil {
				return nil, err
			}
			if vc.Name == "" {
				vc.Name = fmt.Sprintf("case #%d", i)
			}
			if vc.Directive, err = co.directive(); err != nil {
				return nil, err
			}
			var ok bool
			if vc.Expr, ok = co.m["certLogicExpression"]; !ok {
				return nil, co.errorf(`"certLogicExpression" is missing`)
			}
			issues, err := co.array("issues")
			if err != nil {
				return nil, err
			}
			for j, is := range issues {
				io, err := asObj(file, fmt.Sprintf("%s %s issue #%d", top.where, vc.Name, j), is)
				if err != nil {
					return nil, err
				}
				var issue Issue
				if issue.Expr, ok = io.m["expr"]; !ok {
					return nil, io.errorf(`"expr" is missing`)
				}
				if issue.Message, err = io.str("message", true); err != nil {
					return nil, err
				}
				vc.Issues = append(vc.Issues, issue)
			}
			s.Cases = append(s.Cases, vc)
		}
		suites = append(suites, s)
	}
	return suites, nil
}

// selector applies the directives.
type selector struct{ onlyMode bool }

func (s selector) runs(directives ...string) bool {
	only := false
	for _, d := range directives {
		if d == "skip" {
			return false
		}
		only = only || d == "only"
	}
	return only || !s.onlyMode
}

// RunSuites loads evaluation suites (see LoadSuites) and runs them.
func RunSuites(paths ...string) (*Report, error) {
	suites, err := LoadSuites(paths...)
	if err != nil {
		return nil, err
	}
	return RunLoadedSuites(suites), nil
}

// RunLoadedSuites runs evaluation suites: each assertion passes when the
// result deeply equals the expected value (numbers by value).
func RunLoadedSuites(suites []*Suite) *Report {
	var sel selector
	for _, s := range suites {
		sel.onlyMode = sel.onlyMode || s.Directive == "only"
		for _, c := range s.Cases {
			sel.onlyMode = sel.onlyMode || c.Directive == "only"
			for _, a := range c.Assertions {
				sel.onlyMode = sel.onlyMode || a.Directive == "only"
			}
		}
	}
	rep := &Report{}
	for _, s := range suites {
		for _, c := range s.Cases {
			var caseExpr *Expr
			var caseErr error
			if c.HasExpr {
				caseExpr, caseErr = Compile(c.Expr)
			}
			for i, a := range c.Assertions {
				if !sel.runs(s.Directive, c.Directive, a.Directive) {
					rep.Skipped++
					continue
				}
				e, err := caseExpr, caseErr
				if a.HasExpr {
					e, err = Compile(a.Expr)
				}
				var got any
				if err == nil {
					got, err = e.Eval(a.Data)
				}
				if err == nil && Equal(got, a.Expected) {
					rep.Passed++
					continue
				}
				rep.Failed++
				rep.Failures = append(rep.Failures, Failure{
					File: s.File, Suite: s.Name, Case: c.Name, Assertion: i, Message: a.Message,
					Expected: a.Expected, Got: got, Err: err,
				})
			}
		}
	}
	return rep
}

// RunValidationSuites loads validation suites (see LoadValidationSuites)
// and runs them.
func RunValidationSuites(paths ...string) (*Report, error) {
	suites, err := LoadValidationSuites(paths...)
	if err != nil {
		return nil, err
	}
	return RunLoadedValidationSuites(suites), nil
}

// RunLoadedValidationSuites runs validation suites: a case passes when
// Validate finds exactly the expected issues (expression and message), in
// order.
func RunLoadedValidationSuites(suites []*ValidationSuite) *Report {
	var sel selector
	for _, s := range suites {
		sel.onlyMode = sel.onlyMode || s.Directive == "only"
		for _, c := range s.Cases {
			sel.onlyMode = sel.onlyMode || c.Directive == "only"
		}
	}
	rep := &Report{}
	for _, s := range suites {
		for _, c := range s.Cases {
			if !sel.runs(s.Directive, c.Directive) {
				rep.Skipped++
				continue
			}
			problems := Validate(c.Expr)
			got := issuesOf(problems)
			want := make([]any, len(c.Issues))
			for i, is := range c.Issues {
				want[i] = map[string]any{"expr": is.Expr, "message": is.Message}
			}
			if Equal(got, want) {
				rep.Passed++
				continue
			}
			rep.Failed++
			rep.Failures = append(rep.Failures, Failure{
				File: s.File, Suite: s.Name, Case: c.Name, Expected: want, Got: got,
			})
		}
	}
	return rep
}

func issuesOf(problems []*ValidationError) []any {
	out := make([]any, len(problems))
	for i, p := range problems {
		out[i] = map[string]any{"expr": p.Expr, "message": p.Message}
	}
	return out
}

// Equal is deep equality of JSON trees, numbers compared by value (1 and
// 1.0 are equal), date-times by instant: the comparison of the official
// test suites. It walks both trees; a result that shares structure (see
// MarshalJSON) is best compared with a value of known size.
func Equal(a, b any) bool {
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
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case *DateTime:
		y, ok := b.(*DateTime)
		return ok && x.ms == y.ms
	}
	fa, ok := number(a)
	if !ok {
		return false
	}
	fb, ok := number(b)
	return ok && fa == fb
}
