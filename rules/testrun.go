package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"dcc/certlogic"
)

// Rule tests, laid out as member states stage their rules before uploading
// them to the gateway (the community business-rules repositories): a
// directory per rule, at any depth, holding the rule as rule.json and its
// tests in tests/*.json. A test file holds one test, or an array of them,
// in the format of the community tooling (validation-rule-test.schema.json):
//
//	{"name": "...", "payload": ..., "external": {...}, "expected": true, "message": "..."}
//
// payload and expected are required and may be any JSON value; name is
// optional (the file name stands in), and so are external and message. The
// rule's Logic is evaluated with CertLogic on {"payload", "external"} as
// given, and the result must equal expected (deep equality, numbers by
// value): the rule's validity, engine and schema versions play no part —
// they decide which rules a verifier selects, not what a rule says.
//
// This project adds outcome words: an expected "pass", "fail" or "open" is
// the outcome a verifier reports (Rule.Evaluate: Open also for an error, a
// non-boolean result, or a rule not written for the engine or the payload's
// schema version).
//
// A test whose validation clock (external.validationClock, else the
// test's own validationClock) lies outside the rule's ValidFrom–ValidTo
// fails as such: no verifier would apply the rule then.

// TestCase is one test of a rule.
type TestCase struct {
	File              string
	Name              string // the test's name, else the file name ("FILE[i]" in an array)
	Payload, External any    // External is nil when the test has none
	Expected          any    // the JSON value; see Outcome
	Message           string // printed when the test fails
	// ValidationClock is the test's validation clock as written: external's
	// validationClock, else the test's own; "" if none.
	ValidationClock string
}

// Outcome tells whether the test expects a verifier's outcome (the
// project's words "pass", "fail", "open") rather than a value.
func (tc *TestCase) Outcome() (Outcome, bool) {
	s, _ := tc.Expected.(string)
	if o := Outcome(s); o == Pass || o == Fail || o == Open {
		return o, true
	}
	return "", false
}

// OutsideValidity is a test's validation clock outside its rule's
// validity, ValidFrom ≤ clock < ValidTo.
type OutsideValidity struct {
	Clock, ValidFrom, ValidTo time.Time
}

func (o *OutsideValidity) String() string {
	return fmt.Sprintf("validationClock %s is outside the rule's validity (ValidFrom %s, ValidTo %s): no verifier applies the rule then",
		o.Clock.Format(time.RFC3339), o.ValidFrom.Format(time.RFC3339), o.ValidTo.Format(time.RFC3339))
}

// TestFailure is a test that failed, or a rule or test that could not be
// read, or a rule without tests.
type TestFailure struct {
	File string // the test file, or the rule when it has none
	Rule string // the rule's directory name
	Name string
	// Ran is false when the test could not be run: Err says why.
	Ran bool
	// Expected and Got are the expected and actual results: Outcome values
	// for the outcome words, JSON values otherwise (Got is nil when Err
	// says why there is no result).
	Expected, Got any
	Err           error
	Mismatch      bool // Got is not Expected
	Outside       *OutsideValidity
	Message       string // the test's message
}

func (f TestFailure) String() string {
	if !f.Ran {
		return fmt.Sprintf("%s: %s: %v", f.File, f.Rule, f.Err)
	}
	var parts []string
	if f.Outside != nil {
		parts = append(parts, f.Outside.String())
	}
	if f.Mismatch {
		got := show(f.Got)
		_, outcome := f.Got.(Outcome)
		if f.Err != nil && !outcome {
			got = "an error"
		}
		s := fmt.Sprintf("expected %s, got %s", show(f.Expected), got)
		if f.Err != nil {
			s += ": " + f.Err.Error()
		}
		parts = append(parts, s)
	}
	s := fmt.Sprintf("%s: %s %q: %s", f.File, f.Rule, f.Name, strings.Join(parts, "; "))
	if f.Message != "" {
		s += " (message: " + f.Message + ")"
	}
	return s
}

// show prints a result briefly: an outcome as its word, a value as JSON.
func show(v any) string {
	if o, ok := v.(Outcome); ok {
		return string(o)
	}
	out, err := certlogic.MarshalJSON(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(out) > 60 {
		out = append(out[:57], "..."...)
	}
	return string(out)
}

// RuleProblem is something wrong with a rule under test: what Parse, Lint
// or, when asked, an Upload check finds. It is not a test failure: the
// rule's tests run all the same, unless the rule cannot be evaluated.
type RuleProblem struct {
	File   string // the rule file
	Rule   string // the rule's directory name
	Upload bool   // found by TestOptions.Upload's checks
	Problem
}

func (p RuleProblem) String() string {
	what := "rule problem"
	if p.Upload {
		what = "upload problem"
	}
	return fmt.Sprintf("%s: %s: %s: %s", p.File, p.Rule, what, p.Problem)
}

// TestReport counts test cases and lists what is wrong with the rules.
type TestReport struct {
	Passed, Failed int
	Failures       []TestFailure
	Problems       []RuleProblem
}

// TestOptions change what RunTests checks.
type TestOptions struct {
	// Upload, when set, adds the gateway's checks of an upload at
	// Upload.At (see Upload.Check) to each rule's problems.
	Upload *Upload
}

// RunTests finds every RULE-ID/rule.json under dirs and runs its tests,
// with no upload checks.
func RunTests(dirs ...string) (*TestReport, error) { return TestOptions{}.Run(dirs...) }

// Run finds every RULE-ID/rule.json under dirs, checks the rule and runs
// its tests. A rule that cannot be evaluated — unreadable, in a directory
// not named after its Identifier, an Engine other than CERTLOGIC, a Logic
// missing or refused by the CertLogic validator — fails each of its tests;
// a rule without tests is one failure. Finding no rule at all is an error.
func (o TestOptions) Run(dirs ...string) (*TestReport, error) {
	var ruleFiles []string
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && e.Name() == "rule.json" {
				ruleFiles = append(ruleFiles, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(ruleFiles) == 0 {
		return nil, fmt.Errorf("rules: no RULE-ID/rule.json under %v", dirs)
	}
	sort.Strings(ruleFiles)
	rep := &TestReport{}
	for _, rf := range ruleFiles {
		o.runRuleTests(rep, rf)
	}
	return rep, nil
}

func (o TestOptions) runRuleTests(rep *TestReport, ruleFile string) {
	dir := filepath.Dir(ruleFile)
	id := filepath.Base(dir)
	fail := func(f TestFailure) {
		f.Rule = id
		rep.Failed++
		rep.Failures = append(rep.Failures, f)
	}
	tests, err := filepath.Glob(filepath.Join(dir, "tests", "*.json"))
	if err != nil {
		fail(TestFailure{File: ruleFile, Err: err})
		return
	}
	sort.Strings(tests)
	rule, unusable := o.readRule(rep, ruleFile, id)
	if unusable != nil {
		// Said once per test, so the count matches the tests not run.
		err := fmt.Errorf("rule.json cannot be used: %w", unusable)
		if len(tests) == 0 {
			fail(TestFailure{File: ruleFile, Err: err})
		}
		for _, t := range tests {
			fail(TestFailure{File: t, Err: err})
		}
		return
	}
	if len(tests) == 0 {
		fail(TestFailure{File: ruleFile, Err: errors.New("no tests (tests/*.json)")})
		return
	}
	for _, t := range tests {
		cases, err := ReadTestCases(t)
		if err != nil {
			fail(TestFailure{File: t, Err: err})
			continue
		}
		for _, tc := range cases {
			if f, ok := runTest(rule, tc); !ok {
				fail(f)
				continue
			}
			rep.Passed++
		}
	}
}

// readRule reads a rule for its tests: the rule if its Logic can be
// evaluated, else why not; every other problem is added to rep.
func (o TestOptions) readRule(rep *TestReport, ruleFile, id string) (*Rule, error) {
	data, err := readLimited(ruleFile, MaxRuleSize)
	if err != nil {
		return nil, err
	}
	tree, err := certlogic.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	if list, ok := tree.([]any); ok {
		return nil, fmt.Errorf("holds an array of %d rules, want one rule (a JSON object)", len(list))
	}
	r, problems := parseLenient(tree)
	r.File = ruleFile
	var fatal []string
	for _, p := range problems {
		engine := p.Field == "Engine" && r.Engine != "" && r.Engine != Engine
		if p.Field == "(rule)" || engine || (r.expr == nil && (p.Field == "Logic" || strings.HasPrefix(p.Field, "Logic/"))) {
			fatal = append(fatal, p.String())
			continue
		}
		rep.Problems = append(rep.Problems, RuleProblem{File: ruleFile, Rule: id, Problem: p})
	}
	if r.Identifier != "" && r.Identifier != id {
		fatal = append(fatal, fmt.Sprintf("the rule is %s, but its directory is %s", r.Identifier, id))
	}
	if len(fatal) > 0 {
		return nil, errors.New(strings.Join(fatal, "; "))
	}
	if r.expr == nil { // only a Logic problem leaves it nil, and that is fatal
		return nil, errors.New("the Logic cannot be compiled")
	}
	for _, p := range Lint(r) {
		rep.Problems = append(rep.Problems, RuleProblem{File: ruleFile, Rule: id, Problem: p})
	}
	if o.Upload != nil {
		for _, p := range o.Upload.Check(r) {
			rep.Problems = append(rep.Problems, RuleProblem{File: ruleFile, Rule: id, Upload: true, Problem: p})
		}
	}
	return r, nil
}

// runTest runs one test of a rule; false with what went wrong if it fails.
func runTest(rule *Rule, tc *TestCase) (TestFailure, bool) {
	f := TestFailure{File: tc.File, Name: tc.Name, Ran: true, Expected: tc.Expected, Message: tc.Message}
	if tc.ValidationClock != "" && !rule.ValidFrom.IsZero() && !rule.ValidTo.IsZero() {
		// A clock CertLogic cannot read is left to the Logic, which fails
		// on it if it reads it.
		if clock, ok := readClock(tc.ValidationClock); ok && !rule.ValidAt(clock) {
			f.Outside = &OutsideValidity{Clock: clock, ValidFrom: rule.ValidFrom, ValidTo: rule.ValidTo}
		}
	}
	data := map[string]any{"payload": tc.Payload, "external": tc.External}
	if want, ok := tc.Outcome(); ok {
		got, why := rule.Evaluate(data)
		f.Expected, f.Got, f.Err, f.Mismatch = want, got, why, got != want
	} else {
		got, err := rule.expr.Eval(data)
		f.Got, f.Err, f.Mismatch = got, err, err != nil || !certlogic.Equal(got, tc.Expected)
	}
	if !f.Mismatch && f.Outside == nil {
		return f, true
	}
	if !f.Mismatch {
		f.Err = nil
	}
	return f, false
}

// readClock reads a date-time as the rules read external.validationClock.
func readClock(s string) (time.Time, bool) {
	expr := map[string]any{"plusTime": []any{map[string]any{"var": "t"}, 0, "hour"}}
	v, err := certlogic.Evaluate(expr, map[string]any{"t": s})
	if err != nil {
		return time.Time{}, false
	}
	return v.(*certlogic.DateTime).Time(), true
}

// ReadTestCases reads a test file: one test (a JSON object) or an array of
// them. payload and expected are required; name, message and the test's
// own validationClock must be strings if present; other fields are
// allowed, as in the community format.
func ReadTestCases(name string) ([]*TestCase, error) {
	data, err := readLimited(name, MaxRuleSize)
	if err != nil {
		return nil, err
	}
	tree, err := certlogic.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(name)
	list, isArray := tree.([]any)
	if !isArray {
		tc, err := testCase(tree, name, base)
		if err != nil {
			return nil, err
		}
		return []*TestCase{tc}, nil
	}
	if len(list) == 0 {
		return nil, errors.New("an empty array: no tests")
	}
	out := make([]*TestCase, 0, len(list))
	for i, item := range list {
		tc, err := testCase(item, name, base+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, tc)
	}
	return out, nil
}

func testCase(tree any, file, defaultName string) (*TestCase, error) {
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, errors.New("a test must be a JSON object {name?, payload, external?, expected, message?}")
	}
	tc := &TestCase{File: file, Name: defaultName, External: obj["external"]}
	str := func(field string) (string, error) {
		v, present := obj[field]
		if !present {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%q must be a string, not %s", field, kind(v))
		}
		return s, nil
	}
	name, err := str("name")
	if err != nil {
		return nil, err
	}
	if name != "" {
		tc.Name = name
	}
	if tc.Message, err = str("message"); err != nil {
		return nil, err
	}
	if tc.ValidationClock, err = str("validationClock"); err != nil {
		return nil, err
	}
	if x, ok := tc.External.(map[string]any); ok {
		if c, ok := x["validationClock"].(string); ok {
			tc.ValidationClock = c
		}
	}
	if tc.Payload, ok = obj["payload"]; !ok {
		return nil, errors.New(`"payload" is missing`)
	}
	if tc.Expected, ok = obj["expected"]; !ok {
		return nil, errors.New(`"expected" is missing`)
	}
	return tc, nil
}
