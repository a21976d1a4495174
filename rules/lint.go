package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Checks of a rule beyond what Parse refuses: what the EU DCC Gateway would
// refuse on upload (its rule schema, validation-rule.schema.json, and the
// content checks of its ValidationRuleService, as the community tooling's
// Gateway-constraints.adoc lists them) and what the community tooling checks
// of AffectedFields. Parse does not refuse these, so that a verifier keeps
// loading the rules the gateway already distributes; a rule's tests report
// them (RunTests).

// MinDescription is the shortest description the gateway's schema accepts
// (desc: minLength 20).
const MinDescription = 20

// MinValidity is the shortest validity the gateway accepts: "Rule Validity
// must be at least 72h".
const MinValidity = 72 * time.Hour

// Lint lists what the gateway or the community tooling would find wrong
// with a rule that Parse accepts (or has read leniently): versions with a
// pre-release or build part, descriptions shorter than MinDescription, a
// repeated AffectedFields entry, a Logic that is not a JSON object (the
// gateway's schema; a "grant all" rule is {"if": [true, true, {"var":
// "payload.v"}]}), a validity shorter than MinValidity, and AffectedFields
// that differ from the payload fields the Logic reads (see AffectedFields).
func Lint(r *Rule) []Problem {
	var out []Problem
	add := func(field, format string, a ...any) {
		out = append(out, Problem{Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	for _, v := range []struct {
		field string
		v     Version
	}{{"Version", r.Version}, {"SchemaVersion", r.SchemaVersion}, {"EngineVersion", r.EngineVersion}} {
		if v.v.Pre != "" || v.v.Build != "" {
			add(v.field, "%q: the gateway's schema allows MAJOR.MINOR.PATCH only", v.v)
		}
	}
	for i, d := range r.Description {
		if n := utf8.RuneCountInString(d.Desc); strings.TrimSpace(d.Desc) != "" && n < MinDescription {
			add(fmt.Sprintf("Description[%d].desc", i), "%d characters: the gateway's schema wants at least %d", n, MinDescription)
		}
	}
	seen := map[string]int{}
	for i, f := range r.AffectedFields {
		if j, dup := seen[f]; dup {
			add(fmt.Sprintf("AffectedFields[%d]", i), "%q is AffectedFields[%d] already: the gateway's schema wants unique items", f, j)
			continue
		}
		seen[f] = i
	}
	if _, ok := r.Logic.(map[string]any); !ok && (r.Logic != nil || r.expr != nil) {
		add("Logic", "%s: the gateway's schema wants a JSON object (an operation)", kind(r.Logic))
	}
	if !r.ValidFrom.IsZero() && r.ValidFrom.Before(r.ValidTo) && r.ValidTo.Sub(r.ValidFrom) < MinValidity {
		add("ValidTo", "the rule is valid for %s: the gateway wants at least 72h", r.ValidTo.Sub(r.ValidFrom))
	}
	if r.Logic != nil {
		out = append(out, affectedFieldProblems(r)...)
	}
	return out
}

// FieldRead is a payload field that a rule's Logic reads.
type FieldRead struct {
	Field   string // relative to "payload.", as AffectedFields lists it: "v.0.mp"
	Pointer string // the JSON Pointer of the first var reading it in Logic: "/if/0"
}

// AffectedFields lists the payload fields a rule's Logic reads, in the
// order it first reads them: every {"var": "payload.FIELD"} anywhere in
// the expression, executed or not. The community tooling wants
// AffectedFields to be these fields (its Gateway-constraints notes: a
// "grant all" rule's {"var": "payload.v"}, never executed, makes
// AffectedFields ["v"]). Paths relative to a reduce's current element and a
// read of the whole payload name no field and are left out.
func AffectedFields(logic any) []FieldRead {
	var out []FieldRead
	seen := map[string]bool{}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "var" {
					if f, ok := payloadField(x[k]); ok && !seen[f] {
						seen[f] = true
						out = append(out, FieldRead{Field: f, Pointer: ptr})
					}
					continue
				}
				walk(x[k], ptr+"/"+pointerToken(k))
			}
		}
	}
	walk(logic, "")
	return out
}

func payloadField(operand any) (string, bool) {
	if arr, ok := operand.([]any); ok && len(arr) > 0 {
		operand = arr[0]
	}
	s, ok := operand.(string)
	if !ok {
		return "", false
	}
	f, ok := strings.CutPrefix(s, "payload.")
	return f, ok && f != ""
}

func pointerToken(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// affectedFieldProblems compares AffectedFields with the fields Logic
// reads, both ways: a field read must be listed; a field listed must be
// read, or a field inside it (listing "v.0" for a Logic that reads
// "payload.v.0.mp" says which part of the payload the rule is about).
func affectedFieldProblems(r *Rule) []Problem {
	var out []Problem
	read := AffectedFields(r.Logic)
	listed := map[string]bool{}
	for _, f := range r.AffectedFields {
		listed[f] = true
	}
	for _, fr := range read {
		if !listed[fr.Field] {
			out = append(out, Problem{Field: "Logic" + fr.Pointer, Msg: fmt.Sprintf("reads payload.%s, which AffectedFields does not list", fr.Field)})
		}
	}
	for i, f := range r.AffectedFields {
		found := false
		for _, fr := range read {
			found = found || fr.Field == f || strings.HasPrefix(fr.Field, f+".")
		}
		if !found {
			out = append(out, Problem{Field: fmt.Sprintf("AffectedFields[%d]", i), Msg: fmt.Sprintf("%q: Logic reads no payload.%s (nor a field inside it)", f, f)})
		}
	}
	return out
}

// Upload is what the gateway's checks of an upload need beyond the rule
// itself: when it is uploaded, and the rules it already holds.
type Upload struct {
	At time.Time // the time of the upload
	// Published holds the rules already on the gateway, for the version
	// checks; nil when there are none.
	Published *Set
}

// Check lists what the gateway would refuse in an upload of r at u.At
// that depends on the time or on the versions published before (Lint and
// Parse check the rest): ValidFrom more than 2 weeks after the upload,
// less than 48 h after it for an Acceptance rule, not after it for an
// Invalidation rule; a Version not above the latest published one of the
// same Identifier, or a ValidFrom before that version's.
func (u Upload) Check(r *Rule) []Problem {
	var out []Problem
	add := func(field, format string, a ...any) {
		out = append(out, Problem{Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	const day = 24 * time.Hour
	from := r.ValidFrom.Format(time.RFC3339)
	if !u.At.IsZero() && !r.ValidFrom.IsZero() {
		at := u.At.Format(time.RFC3339)
		if r.ValidFrom.After(u.At.Add(14 * day)) {
			add("ValidFrom", "%s is more than 2 weeks after the upload at %s", from, at)
		}
		if r.Type == Acceptance && r.ValidFrom.Before(u.At.Add(48*time.Hour)) {
			add("ValidFrom", "%s is less than 48h after the upload at %s (Acceptance rules)", from, at)
		}
		if r.Type == Invalidation && !r.ValidFrom.After(u.At) {
			add("ValidFrom", "%s is not after the upload at %s (Invalidation rules)", from, at)
		}
	}
	if u.Published == nil {
		return out
	}
	var latest *Rule
	for _, p := range u.Published.rules {
		if p.Identifier == r.Identifier && (latest == nil || p.Version.Compare(latest.Version) > 0) {
			latest = p
		}
	}
	if latest == nil {
		return out
	}
	if r.Version.Compare(latest.Version) <= 0 {
		add("Version", "%s is not above %s, the latest published version", r.Version, latest.Version)
	}
	if !r.ValidFrom.IsZero() && r.ValidFrom.Before(latest.ValidFrom) {
		add("ValidFrom", "%s is before %s, the ValidFrom of the published version %s", from, latest.ValidFrom.Format(time.RFC3339), latest.Version)
	}
	return out
}
