package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a semantic version (semver.org 2.0.0), the format of a rule's
// Version, SchemaVersion and EngineVersion.
type Version struct {
	Major, Minor, Patch int
	Pre                 string // pre-release, without '-'; "" for a release
	Build               string // build metadata, without '+'; ignored in ordering
}

// ParseVersion reads MAJOR.MINOR.PATCH[-PRE][+BUILD] strictly: no leading
// zeros, no "v" prefix.
func ParseVersion(s string) (Version, error) {
	var v Version
	bad := func(why string) (Version, error) {
		return Version{}, fmt.Errorf("%q is not a semantic version (MAJOR.MINOR.PATCH): %s", s, why)
	}
	rest, build, hasBuild := strings.Cut(s, "+")
	if hasBuild {
		if !identifiers(build, false) {
			return bad("malformed build metadata")
		}
		v.Build = build
	}
	core, pre, hasPre := strings.Cut(rest, "-")
	if hasPre {
		if !identifiers(pre, true) {
			return bad("malformed pre-release")
		}
		v.Pre = pre
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return bad("want three numbers")
	}
	nums := [3]*int{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, ok := numeric(p)
		if !ok {
			return bad(fmt.Sprintf("%q is not a number without leading zeros", p))
		}
		*nums[i] = n
	}
	return v, nil
}

// numeric reads a semver numeric identifier: digits, no leading zero.
func numeric(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// identifiers checks dot-separated [0-9A-Za-z-]+; numeric ones in a
// pre-release have no leading zero.
func identifiers(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		allDigits := true
		for _, c := range []byte(id) {
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				allDigits = false
			default:
				return false
			}
		}
		if pre && allDigits && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

// String is the version as written; a verifier calls it for every rule
// of every certificate, hence strconv rather than fmt.
func (v Version) String() string {
	b := make([]byte, 0, 16+len(v.Pre)+len(v.Build))
	b = strconv.AppendInt(b, int64(v.Major), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(v.Minor), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(v.Patch), 10)
	if v.Pre != "" {
		b = append(append(b, '-'), v.Pre...)
	}
	if v.Build != "" {
		b = append(append(b, '+'), v.Build...)
	}
	return string(b)
}

// Compare orders versions by semver precedence: -1, 0 or +1. Build
// metadata does not count; a pre-release comes before its release.
func (v Version) Compare(w Version) int {
	for _, d := range [...]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d != 0 {
			return sign(d)
		}
	}
	switch {
	case v.Pre == w.Pre:
		return 0
	case v.Pre == "":
		return 1
	case w.Pre == "":
		return -1
	}
	a, b := strings.Split(v.Pre, "."), strings.Split(w.Pre, ".")
	for i := 0; i < len(a) && i < len(b); i++ {
		na, aNum := numeric(a[i])
		nb, bNum := numeric(b[i])
		switch {
		case aNum && bNum:
			if na != nb {
				return sign(na - nb)
			}
		case aNum:
			return -1 // numeric identifiers come first
		case bNum:
			return 1
		default:
			if c := strings.Compare(a[i], b[i]); c != 0 {
				return c
			}
		}
	}
	return sign(len(a) - len(b))
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}
