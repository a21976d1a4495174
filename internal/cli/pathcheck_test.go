package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// @pathcheck/dcc-sdk, another implementation of the EU DCC, pinned to this
// version: testdata/script/pathcheck.txtar signs with it and verifies with
// dcc, and the reverse, through the Node scripts in testdata/pathcheck.
const pathcheckVersion = "0.0.27"

const pathcheckHint = `install it with: npm install --prefix "${XDG_CACHE_HOME:-$HOME/.cache}/dcc-npm-pathcheck" @pathcheck/dcc-sdk@` +
	pathcheckVersion + ` (or set DCC_PATHCHECK_DIR to the directory holding node_modules/@pathcheck/dcc-sdk; .ci/run does both)`

// pathcheckDir finds the directory holding node_modules/@pathcheck/dcc-sdk:
// $DCC_PATHCHECK_DIR, else the cache directory .ci/run installs into.
// explicit tells whether the environment named it, in which case its
// absence is an error rather than a reason to skip.
func pathcheckDir() (dir string, explicit bool) {
	if d := os.Getenv("DCC_PATHCHECK_DIR"); d != "" {
		return d, true
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", false
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "dcc-npm-pathcheck"), false
}

// pathcheckReady is the script condition [pathcheck]: node, openssl and
// the pinned @pathcheck/dcc-sdk are there. Where one is missing the script
// is skipped, or fails with the reason where DCC_PATHCHECK_DIR is set: CI
// asked for the cross-implementation test and must get it.
func pathcheckReady() (bool, error) {
	dir, explicit := pathcheckDir()
	missing := func(format string, a ...any) (bool, error) {
		if explicit {
			return false, fmt.Errorf("%s; %s", fmt.Sprintf(format, a...), pathcheckHint)
		}
		return false, nil
	}
	for _, cmd := range []string{"node", "openssl"} {
		if _, err := exec.LookPath(cmd); err != nil {
			return missing("%s is not installed, so @pathcheck/dcc-sdk cannot be run against dcc", cmd)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "@pathcheck", "dcc-sdk", "package.json"))
	if err != nil {
		return missing("@pathcheck/dcc-sdk not found: %v", err)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(data, &pkg); err != nil || pkg.Version != pathcheckVersion {
		return missing("@pathcheck/dcc-sdk %q found in %s, want %s", pkg.Version, dir, pathcheckVersion)
	}
	return true, nil
}
