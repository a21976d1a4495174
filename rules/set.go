package rules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Set is a set of rules, such as a country's copy of the gateway's.
type Set struct {
	rules []*Rule
}

// NewSet makes a set of rules, refusing two rules with the same Identifier
// and Version (semver precedence: 1.0.0+a and 1.0.0+b are the same).
func NewSet(rules ...*Rule) (*Set, error) {
	s := &Set{rules: append([]*Rule(nil), rules...)}
	sort.SliceStable(s.rules, func(i, j int) bool {
		a, b := s.rules[i], s.rules[j]
		if a.Identifier != b.Identifier {
			return a.Identifier < b.Identifier
		}
		return a.Version.Compare(b.Version) < 0
	})
	for i := 1; i < len(s.rules); i++ {
		a, b := s.rules[i-1], s.rules[i]
		if a.Identifier == b.Identifier && a.Version.Compare(b.Version) == 0 {
			return nil, fmt.Errorf("rules: %s version %s twice (%s and %s)", a.Identifier, a.Version, where(a), where(b))
		}
	}
	return s, nil
}

func where(r *Rule) string {
	if r.File != "" {
		return r.File
	}
	return "given"
}

// Rules returns the rules of the set, ordered by Identifier and Version.
func (s *Set) Rules() []*Rule { return append([]*Rule(nil), s.rules...) }

// Load reads rules from files and directories into a set. A file holds one
// rule or a JSON array of rules; a directory is walked for .json files,
// except inside directories named "tests" (the test cases of the layout
// "dcc rules test" reads: RULE-ID/rule.json, RULE-ID/tests/*.json).
func Load(paths ...string) (*Set, error) {
	files, err := ruleFiles(paths)
	if err != nil {
		return nil, err
	}
	var all []*Rule
	for _, f := range files {
		rules, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, rules...)
	}
	return NewSet(all...)
}

// ReadFile reads the rule or rules of one file.
func ReadFile(name string) ([]*Rule, error) {
	data, err := readLimited(name, MaxRuleSize)
	if err != nil {
		return nil, err
	}
	rules, err := ParseRules(data)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.File = name
	}
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		r.File = name
	}
	return rules, nil
}

func readLimited(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("rules: %s: larger than %d bytes", name, max)
	}
	return data, nil
}

func ruleFiles(paths []string) ([]string, error) {
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
			if d.IsDir() && d.Name() == "tests" && path != p {
				return filepath.SkipDir
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
	return files, nil
}

// Query says which rules apply to a certificate.
type Query struct {
	// ArrivalCountry is the country whose Acceptance rules apply (the
	// verifier's country, external.countryCode), and Region, optional, its
	// region: rules without a Region apply in the whole country, rules
	// with one only there.
	ArrivalCountry, Region string
	// IssuingCountry is the country whose Invalidation rules apply: the
	// issuer of the certificate, the CWT "iss" claim, as the EU verifier
	// apps take it. Not the payload's "co" (the country of vaccination,
	// test or recovery), which may differ when a holder was vaccinated
	// abroad and certified at home.
	IssuingCountry string
	// Type is the certificate's type (Vaccination, Test or Recovery);
	// General rules apply to every type.
	Type CertificateType
	// At is the validation time: a rule applies when ValidFrom ≤ At <
	// ValidTo.
	At time.Time
}

// Select returns the rules that apply for q, ordered by Identifier: the
// Acceptance rules of the arrival country (and region), the Invalidation
// rules of the issuing country, of the certificate's type or General,
// valid at q.At, and of each Identifier only the latest Version valid then.
func (s *Set) Select(q Query) []*Rule {
	// s.rules is ordered by Identifier, then Version: the last rule of an
	// Identifier that applies is its latest, and the result comes out
	// ordered, with no map or sort per certificate.
	out := make([]*Rule, 0, 32)
	for _, r := range s.rules {
		if !r.ValidAt(q.At) || (r.CertificateType != General && r.CertificateType != q.Type) {
			continue
		}
		switch r.Type {
		case Acceptance:
			if r.Country != q.ArrivalCountry || (r.Region != "" && r.Region != q.Region) {
				continue
			}
		case Invalidation:
			if r.Country != q.IssuingCountry {
				continue
			}
		default:
			continue
		}
		if n := len(out); n > 0 && out[n-1].Identifier == r.Identifier {
			out[n-1] = r
			continue
		}
		out = append(out, r)
	}
	return out
}
