package rules_test

import (
	"os"
	"path/filepath"
	"testing"

	"dcc/rules"
)

// communityRules are the EU, ES and DE rules with their tests as member
// states stage them in the community business-rules repository, beside
// the checkout (../shared/testdata from the project root).
const communityRules = "../../shared/testdata/dgc-business-rules-testdata"

// Every test of the community rules passes, run as the community tooling
// runs them, and no rule has a problem.
func TestCommunityRules(t *testing.T) {
	if _, err := os.Stat(communityRules); err != nil {
		t.Skipf("community business rules not found (%v): they live in shared/testdata beside the repository", err)
	}
	rep, err := rules.RunTests(communityRules)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Error(f)
	}
	for _, p := range rep.Problems {
		t.Error(p)
	}
	if n := rep.Passed + rep.Failed; n != 256 || rep.Failed != 0 {
		t.Errorf("%d tests run, %d failed: want 256 run, 0 failed", n, rep.Failed)
	}
	sets, err := filepath.Glob(filepath.Join(communityRules, "*", "*", "rule.json"))
	if err != nil || len(sets) != 37 {
		t.Errorf("%d rules (%v), want 37", len(sets), err)
	}
	t.Logf("%d passed, %d failed, %d rule problems", rep.Passed, rep.Failed, len(rep.Problems))
}
