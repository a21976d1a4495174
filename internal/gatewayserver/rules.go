package gatewayserver

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"dcc/cms"
	"dcc/rules"
)

// Rule-upload codes (gateway.md §A.3, Gateway-constraints.adoc).
const (
	CodeRuleJSON      = "0x200" // INVALID_JSON, and the schema
	CodeRuleCountry   = "0x210" // INVALID_COUNTRY
	CodeRuleVersion   = "0x220" // INVALID_VERSION
	CodeRuleUploader  = "0x230" // UPLOADER_CERT_CHECK_FAILED
	CodeRuleTimestamp = "0x240" // INVALID_TIMESTAMP
	CodeRuleID        = "0x250" // INVALID_RULE_ID
	CodeRuleSignature = "0x260"
	CodeRuleNotFound  = "0x270"
)

var ruleIDRE = regexp.MustCompile(`^(GR|VR|TR|RR|IR)-([A-Z]{2})-[0-9]{4}$`)

// RuleProblem is the first constraint an uploaded rule breaks, in the
// order of Gateway-constraints.adoc, with the gateway's code and status.
type RuleProblem struct {
	Status  int
	Code    string
	Message string
}

func (p *RuleProblem) Error() string { return p.Code + ": " + p.Message }

// CheckRule applies the gateway's content checks after the uploader check
// (Gateway-constraints.adoc, in its order; the first violation is
// reported): JSON and schema, the Identifier's prefix, the country, the
// version against the published ones, the timestamps at upload time at.
func CheckRule(data []byte, country string, published []*rules.Rule, at time.Time) (*rules.Rule, *RuleProblem) {
	bad := func(status int, code, msg string) *RuleProblem { return &RuleProblem{status, code, msg} }
	var generic map[string]any
	if err := decodeStrict(data, &generic); err != nil {
		return nil, bad(http.StatusBadRequest, CodeRuleJSON, "JSON could not be parsed: "+err.Error())
	}
	r, err := rules.Parse(data)
	if err != nil {
		var pe *rules.ParseError
		if !errors.As(err, &pe) {
			return nil, bad(http.StatusBadRequest, CodeRuleJSON, "JSON does not align to Validation Rule Schema: "+err.Error())
		}
		// Parse also refuses what the gateway checks after the schema:
		// an Identifier that does not fit the type or the Country. When
		// those are all that is wrong, answer with their codes.
		var id, idCountry, order, other []string
		for _, p := range pe.Problems {
			switch {
			case p.Field == "Identifier" && strings.Contains(p.Msg, "prefix"):
				id = append(id, p.String())
			case p.Field == "Identifier" && strings.Contains(p.Msg, "names country"):
				idCountry = append(idCountry, p.String())
			case p.Field == "ValidTo" && strings.Contains(p.Msg, "is not after ValidFrom"):
				order = append(order, p.String())
			default:
				other = append(other, p.String())
			}
		}
		switch {
		case len(other) > 0:
			return nil, bad(http.StatusBadRequest, CodeRuleJSON, "JSON does not align to Validation Rule Schema: "+strings.Join(other, ", "))
		case len(id) > 0:
			return nil, bad(http.StatusBadRequest, CodeRuleID, strings.Join(id, ", "))
		case len(idCountry) > 0:
			return nil, bad(http.StatusForbidden, CodeRuleCountry, "Country Code in Identifier does not match country: "+strings.Join(idCountry, ", "))
		default:
			return nil, bad(http.StatusBadRequest, CodeRuleTimestamp, strings.Join(order, ", "))
		}
	}
	var schema, validity []string
	for _, p := range rules.Lint(r) {
		switch {
		case strings.Contains(p.Msg, "gateway's schema"):
			schema = append(schema, p.String())
		case p.Field == "ValidTo" && strings.Contains(p.Msg, "72h"):
			validity = append(validity, p.String())
		}
		// The rest (AffectedFields against the fields Logic reads) is the
		// community tooling's, not the gateway's.
	}
	if len(r.AffectedFields) == 0 {
		schema = append(schema, "AffectedFields: the gateway's schema wants at least one")
	}
	if len(schema) > 0 {
		return nil, bad(http.StatusBadRequest, CodeRuleJSON, "JSON does not align to Validation Rule Schema: "+strings.Join(schema, ", "))
	}
	if r.Country != country {
		return nil, bad(http.StatusForbidden, CodeRuleCountry, "Country does not match your authentication: "+r.Country+", authenticated "+country)
	}
	up := rules.Upload{At: at}
	if len(published) > 0 {
		set, err := rules.NewSet(published...)
		if err == nil {
			up.Published = set
		}
	}
	var version, window, previous []string
	for _, p := range up.Check(r) {
		switch {
		case p.Field == "Version":
			version = append(version, p.String())
		case strings.Contains(p.Msg, "published version"):
			previous = append(previous, p.String())
		default:
			window = append(window, p.String())
		}
	}
	for _, group := range []struct {
		code string
		msgs []string
	}{{CodeRuleVersion, version}, {CodeRuleTimestamp, window}, {CodeRuleTimestamp, validity}, {CodeRuleTimestamp, previous}} {
		if len(group.msgs) > 0 {
			return nil, bad(http.StatusBadRequest, group.code, group.msgs[0])
		}
	}
	return r, nil
}

func (h *Handler) publishedRules(r *http.Request, id string) ([]*rules.Rule, error) {
	stored, err := h.cfg.Store.Rules(r.Context(), "", id)
	if err != nil {
		return nil, err
	}
	var out []*rules.Rule
	for _, s := range stored {
		sd, err := cms.ParseBase64(s.CMS)
		if err != nil {
			continue
		}
		if rule, err := rules.Parse(sd.Content); err == nil {
			out = append(out, rule)
		}
	}
	return out, nil
}

func (h *Handler) uploadRule(w http.ResponseWriter, r *http.Request) *problemError {
	sd, body, c, p := h.readUpload(r, ruleUploaderMismatch)
	if p != nil {
		return p
	}
	// The id is read leniently first, for the published versions; CheckRule
	// then reads the rule strictly.
	var head struct{ Identifier string }
	_ = decodeLenient(sd.Content, &head)
	var published []*rules.Rule
	if ruleIDRE.MatchString(head.Identifier) {
		var err error
		if published, err = h.publishedRules(r, head.Identifier); err != nil {
			return internal(err)
		}
	}
	rule, rp := CheckRule(sd.Content, c.country, published, h.cfg.Now())
	if rp != nil {
		return fail(rp.Status, rp.Code, "Invalid rule", "", rp.Message)
	}
	err := h.cfg.Store.AddRule(r.Context(), Rule{ID: rule.Identifier, Version: rule.Version.String(), Country: rule.Country,
		ValidFrom: rule.ValidFrom, ValidTo: rule.ValidTo, CMS: body, CreatedAt: h.cfg.Now()})
	if errors.Is(err, ErrExists) {
		return fail(http.StatusBadRequest, CodeRuleVersion, "Invalid rule", rule.Version.String(), "this version is already uploaded")
	}
	if err != nil {
		return fail(http.StatusInternalServerError, "0x299", "Upload of rule failed", "", err.Error())
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) deleteRule(w http.ResponseWriter, r *http.Request) *problemError {
	sd, _, c, p := h.readUpload(r, ruleUploaderMismatch)
	if p != nil {
		return p
	}
	id := string(sd.Content)
	m := ruleIDRE.FindStringSubmatch(id)
	if m == nil {
		return fail(http.StatusBadRequest, CodeRuleID, "Invalid rule id", id, "want GR|VR|TR|RR|IR-CC-NNNN")
	}
	if m[2] != c.country {
		return fail(http.StatusForbidden, CodeRuleCountry, "Invalid country", id, "the rule id names "+m[2]+", authenticated "+c.country)
	}
	n, err := h.cfg.Store.DeleteRules(r.Context(), id)
	if err != nil {
		return internal(err)
	}
	if n == 0 {
		return fail(http.StatusNotFound, CodeRuleNotFound, "Rule not found", id, "no rule with this id")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RuleEntry is one version in GET /rules/{country}.
type RuleEntry struct {
	Version   string `json:"version"`
	ValidFrom string `json:"validFrom"`
	ValidTo   string `json:"validTo"`
	CMS       string `json:"cms"`
}

func (h *Handler) listRules(w http.ResponseWriter, r *http.Request) *problemError {
	country := r.PathValue("country")
	if len(country) != 2 {
		return fail(http.StatusBadRequest, "0x001", "Invalid country", country, "country: want 2 characters")
	}
	stored, err := h.cfg.Store.Rules(r.Context(), strings.ToUpper(country), "")
	if err != nil {
		return internal(err)
	}
	out := map[string][]RuleEntry{}
	for _, s := range stored {
		out[s.ID] = append(out[s.ID], RuleEntry{Version: s.Version, ValidFrom: s.ValidFrom.Format(TimeFormat), ValidTo: s.ValidTo.Format(TimeFormat), CMS: s.CMS})
	}
	writeJSON(w, out)
	return nil
}
