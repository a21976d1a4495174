package dcc

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"dcc/i18n"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The official combined schemas of the eHealth Network, one file per
// release, unchanged. They are compiled once at start-up and never fetched.
//
//go:embed schemas/*.json
var schemaFiles embed.FS

// schemaSet holds the compiled schema of every embedded version.
type schemaSet struct {
	byVersion map[string]*jsonschema.Schema
	compiled  map[string]*schema13 // versions checked without the library
	versions  []semver             // ascending
	printer   *message.Printer
	// Computed once rather than per payload: the embedded versions parsed,
	// by name, the newest one's name and the list a refusal names.
	parsed map[string]semver
	newest string
	known  string
}

type semver struct{ major, minor, patch int }

func (v semver) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

func (v semver) less(w semver) bool {
	return slices.Compare([]int{v.major, v.minor, v.patch}, []int{w.major, w.minor, w.patch}) < 0
}

func parseSemver(s string) (semver, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 4 || (len(p) > 1 && p[0] == '0') {
			return semver{}, false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return semver{}, false
		}
		n[i] = v
	}
	return semver{n[0], n[1], n[2]}, true
}

func compileSchemas() (*schemaSet, error) {
	entries, err := schemaFiles.ReadDir("schemas")
	if err != nil {
		return nil, err
	}
	set := &schemaSet{
		byVersion: map[string]*jsonschema.Schema{},
		compiled:  map[string]*schema13{},
		printer:   message.NewPrinter(language.English),
		parsed:    map[string]semver{},
	}
	for _, e := range entries {
		ver := strings.TrimSuffix(e.Name(), ".json")
		sv, ok := parseSemver(ver)
		if !ok {
			return nil, fmt.Errorf("embedded schema %s: name is not a version", e.Name())
		}
		data, err := schemaFiles.ReadFile(path.Join("schemas", e.Name()))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", ver, err)
		}
		// Each version gets its own compiler: all releases share one $id.
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		url := "https://id.uvci.eu/" + ver + "/DCC.combined-schema.json"
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", ver, err)
		}
		sch, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", ver, err)
		}
		set.byVersion[ver] = sch
		if c, ok := compiled13[ver]; ok && fmt.Sprintf("%x", sha256.Sum256(data)) == c.sha256 {
			set.compiled[ver] = &schema13{set: set, ver: ver, fntOrGnt: c.fntOrGnt}
		}
		set.versions = append(set.versions, sv)
		set.parsed[ver] = sv
	}
	slices.SortFunc(set.versions, func(a, b semver) int {
		if a.less(b) {
			return -1
		}
		if b.less(a) {
			return 1
		}
		return 0
	})
	if len(set.versions) == 0 {
		return nil, errors.New("no embedded schema")
	}
	set.newest = set.versions[len(set.versions)-1].String()
	known := make([]string, len(set.versions))
	for i, k := range set.versions {
		known[i] = k.String()
	}
	set.known = strings.Join(known, ", ")
	return set, nil
}

// semver is parseSemver(ver), looked up for the embedded versions.
func (s *schemaSet) semver(ver string) (semver, bool) {
	if v, ok := s.parsed[ver]; ok {
		return v, true
	}
	return parseSemver(ver)
}

// pick returns the schema for ver: the exact release, or for a 1.3 patch
// newer than any known the newest 1.3 (patches only change descriptions).
// ok is false when ver names no usable schema; the newest is returned then so
// that the rest of the payload can still be checked.
func (s *schemaSet) pick(ver string) (sch *jsonschema.Schema, used string, reason i18n.Text) {
	newest := s.newest
	if sch, ok := s.byVersion[ver]; ok {
		return sch, ver, i18n.Text{}
	}
	v, ok := parseSemver(ver)
	if !ok {
		return s.byVersion[newest], newest, msg.NotVersion.With(ver)
	}
	latest := s.versions[len(s.versions)-1]
	if v.major == latest.major && v.minor == latest.minor && latest.less(v) {
		return s.byVersion[newest], newest, i18n.Text{}
	}
	return s.byVersion[newest], newest, msg.SchemaUnsupported.With(ver, s.known)
}

// check validates tree against the schema of ver, sch, and returns one
// problem per leaf error of the library: the compiled 1.3.x schema where
// there is one, the library otherwise.
func (s *schemaSet) check(sch *jsonschema.Schema, ver string, tree any) []Problem {
	if c := s.compiled[ver]; c != nil {
		return c.check(tree)
	}
	return s.checkLibrary(sch, ver, tree)
}

// checkLibrary is check by the JSON-schema library.
func (s *schemaSet) checkLibrary(sch *jsonschema.Schema, ver string, tree any) []Problem {
	err := sch.Validate(tree)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t := msg.Schema.With(ver, err.Error())
		return []Problem{{Path: "", Reason: t.EN, Text: t, Severity: Error}}
	}
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		out = append(out, s.problem(ver, e.InstanceLocation, e.ErrorKind))
	}
	walk(ve)
	return out
}

// problem is the finding of kind k at instance location loc.
func (s *schemaSet) problem(ver string, loc []string, k jsonschema.ErrorKind) Problem {
	en := "schema " + ver + ": " + k.LocalizedString(s.printer)
	return Problem{
		Path:     pointerPath(loc),
		Reason:   en,
		Text:     i18n.Text{ES: schemaSpanish(ver, k, en), EN: en},
		Severity: Error,
	}
}

func pointerPath(loc []string) string {
	var b strings.Builder
	for _, p := range loc {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// schemaSpanish is a schema finding in Spanish, for the kinds a payload
// meets; the rest keep the library's English words after a Spanish lead.
func schemaSpanish(ver string, k jsonschema.ErrorKind, en string) string {
	var t i18n.Text
	switch k := k.(type) {
	case *kind.Required:
		t = msg.SchemaRequired.With(ver, strings.Join(k.Missing, ", "))
	case *kind.Type:
		t = msg.SchemaType.With(ver, k.Got, strings.Join(k.Want, " o "))
	case *kind.Pattern:
		t = msg.SchemaPattern.With(ver, k.Got, k.Want)
	case *kind.MinLength:
		t = msg.SchemaMinLength.With(ver, k.Got, k.Want)
	case *kind.MaxLength:
		t = msg.SchemaMaxLength.With(ver, k.Got, k.Want)
	case *kind.AdditionalProperties:
		t = msg.SchemaAdditional.With(ver, strings.Join(k.Properties, ", "))
	case *kind.Enum:
		t = msg.SchemaEnum.With(ver, k.Got)
	case *kind.Const:
		t = msg.SchemaConst.With(ver, k.Got)
	case *kind.Format:
		t = msg.SchemaFormat.With(ver, k.Got, k.Want)
	case *kind.Minimum:
		t = msg.SchemaMinimum.With(ver, k.Got.RatString(), k.Want.RatString())
	case *kind.Maximum:
		t = msg.SchemaMaximum.With(ver, k.Got.RatString(), k.Want.RatString())
	case *kind.MinItems:
		t = msg.SchemaMinItems.With(ver, k.Got, k.Want)
	case *kind.MaxItems:
		t = msg.SchemaMaxItems.With(ver, k.Got, k.Want)
	default:
		t = msg.Schema.With(ver, strings.TrimPrefix(en, "schema "+ver+": "))
	}
	return t.ES
}
