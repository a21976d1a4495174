package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"dcc/certlogic"
)

// Rule tests, laid out as in the EU's business-rule repositories: a
// directory per rule, at any depth, holding the rule as rule.json and its
// test cases in tests/*.json. A test case is
//
//	{"name": "...", "payload": {...}, "external": {...}, "expected": "pass"}
//
// expected is "pass", "fail" or "open" (true and false stand for pass and
// fail). The rule is evaluated on {"payload", "external"} as given, with
// Rule.Evaluate: its validity period and selection play no part.

// TestCase is one test of a rule.
type TestCase struct {
	File              string
	Name              string
	Payload, External any
	Expected          Outcome
}

// TestFailure is a test whose rule did not give the expected outcome, or a
// rule or test that could not be read.
type TestFailure struct {
	File     string // the test case, or the rule when it has none
	Rule     string // the rule's directory name
	Name     string
	Expected Outcome
	Got      Outcome
	Err      error // the reason for Got == Open, or what could not be read
}

func (f TestFailure) String() string {
	if f.Got == "" {
		return fmt.Sprintf("%s: %s: %v", f.File, f.Rule, f.Err)
	}
	s := fmt.Sprintf("%s: %s %q: expected %s, got %s", f.File, f.Rule, f.Name, f.Expected, f.Got)
	if f.Err != nil {
		s += ": " + f.Err.Error()
	}
	return s
}

// TestReport counts test cases.
type TestReport struct {
	Passed, Failed int
	Failures       []TestFailure
}

// RunTests finds every RULE-ID/rule.json under dirs and runs its tests. A
// rule that cannot be read fails each of its tests; a rule without tests is
// one failure. Finding no rule at all is an error.
func RunTests(dirs ...string) (*TestReport, error) {
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
		runRuleTests(rep, rf)
	}
	return rep, nil
}

func runRuleTests(rep *TestReport, ruleFile string) {
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
	rules, err := ReadFile(ruleFile)
	if err == nil && len(rules) != 1 {
		err = fmt.Errorf("holds %d rules, want one", len(rules))
	}
	if err == nil && rules[0].Identifier != id {
		err = fmt.Errorf("the rule is %s, but its directory is %s", rules[0].Identifier, id)
	}
	if err != nil {
		// Said once per test, so the count matches the tests not run.
		err = fmt.Errorf("rule.json cannot be used: %s", problems(err))
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
	rule := rules[0]
	for _, t := range tests {
		tc, err := ReadTestCase(t)
		if err != nil {
			fail(TestFailure{File: t, Err: err})
			continue
		}
		got, why := rule.Evaluate(map[string]any{"payload": tc.Payload, "external": tc.External})
		if got == tc.Expected {
			rep.Passed++
			continue
		}
		fail(TestFailure{File: t, Name: tc.Name, Expected: tc.Expected, Got: got, Err: why})
	}
}

// ReadTestCase reads a test case file strictly.
func ReadTestCase(name string) (*TestCase, error) {
	data, err := readLimited(name, MaxRuleSize)
	if err != nil {
		return nil, err
	}
	tree, err := certlogic.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, errors.New("a test case must be a JSON object {name, payload, external, expected}")
	}
	for k := range obj {
		switch k {
		case "name", "payload", "external", "expected":
		default:
			return nil, fmt.Errorf("unknown field %q (the fields are name, payload, external, expected)", k)
		}
	}
	tc := &TestCase{File: name}
	if tc.Name, ok = obj["name"].(string); !ok || tc.Name == "" {
		return nil, errors.New(`"name" must be a non-empty string`)
	}
	if tc.Payload, ok = obj["payload"]; !ok {
		return nil, errors.New(`"payload" is missing`)
	}
	if tc.External, ok = obj["external"]; !ok {
		return nil, errors.New(`"external" is missing`)
	}
	switch e := obj["expected"].(type) {
	case bool:
		tc.Expected = Fail
		if e {
			tc.Expected = Pass
		}
	case string:
		tc.Expected = Outcome(e)
		if tc.Expected != Pass && tc.Expected != Fail && tc.Expected != Open {
			return nil, fmt.Errorf(`"expected" is %q, not "pass", "fail" or "open"`, e)
		}
	default:
		return nil, errors.New(`"expected" must be "pass", "fail", "open", true or false`)
	}
	return tc, nil
}

// problems says what is wrong with a rule file without repeating its name.
func problems(err error) string {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	parts := make([]string, len(pe.Problems))
	for i, p := range pe.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}
