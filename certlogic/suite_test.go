package certlogic_test

import (
	"os"
	"path/filepath"
	"testing"

	"dcc/certlogic"
)

// suitesDir is the official test suites' folder (shared test data, read
// only), relative to this package.
const suitesDir = "../../shared/testdata/certlogic"

func officialSuites(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(suitesDir, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("official CertLogic test suites not found at %s (shared test data absent): %v", dir, err)
	}
	return dir
}

func TestOfficialSuites(t *testing.T) {
	rep, err := certlogic.RunSuites(officialSuites(t, "testSuite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Error(f)
	}
	t.Logf("evaluation suites: %d passed, %d failed, %d skipped", rep.Passed, rep.Failed, rep.Skipped)
	if rep.Passed == 0 {
		t.Fatal("no assertion passed")
	}
}

func TestOfficialValidationSuites(t *testing.T) {
	rep, err := certlogic.RunValidationSuites(officialSuites(t, "validation-testSuite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Error(f)
	}
	t.Logf("validation suites: %d passed, %d failed, %d skipped", rep.Passed, rep.Failed, rep.Skipped)
	if rep.Passed == 0 {
		t.Fatal("no case passed")
	}
}
