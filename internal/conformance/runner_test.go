package conformance_test

import (
	"os"
	"strings"
	"testing"

	"dcc/internal/conformance"
)

const root = "../../../shared/testdata/dgc-testdata"

// TestMemberStateVectors runs every member-state vector and requires every
// flag to come out as expected, except for the vectors that the data's
// tests/known_issues.csv names and those listed with a reason in
// excused.txt.
func TestMemberStateVectors(t *testing.T) {
	if _, err := os.Stat(root); err != nil {
		t.Skipf("member-state test vectors not found at %s: %v", root, err)
	}
	r, err := conformance.NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Failures {
		t.Error(f)
	}
	for _, w := range res.Warnings {
		// excused.txt holds only the project's own deviations, and only
		// vectors that need an excuse.
		if strings.Contains(w, "in excused.txt") {
			t.Error(w)
		} else {
			t.Log("warning: ", w)
		}
	}
	for _, n := range res.Notes {
		t.Log(n)
	}
	for _, c := range res.Countries() {
		n := res.ByCountry[c]
		t.Logf("%-7s %3d passed, %d failed, %d excused", c, n.Passed, n.Failed, n.Excused)
	}
	t.Logf("%d passed, %d failed, %d excused", res.Passed, res.Failed, res.Excused)
	if res.Passed < 100 {
		t.Errorf("only %d vectors passed: is the test-data folder complete?", res.Passed)
	}
}

func TestExcusedListParses(t *testing.T) {
	ex, err := conformance.Excused()
	if err != nil {
		t.Fatal(err)
	}
	for path := range ex {
		if _, err := os.Stat(root + "/" + path); err != nil && !os.IsNotExist(err) {
			t.Error(err)
		} else if err != nil {
			if _, statErr := os.Stat(root); statErr == nil {
				t.Errorf("excused vector %s does not exist", path)
			}
		}
	}
}
