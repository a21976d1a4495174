package verify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/i18n"
	"dcc/qr"
	"dcc/revocation"
	"dcc/trustlist"
	"dcc/valueset"
)

// State is the overall outcome.
type State string

const (
	Valid       State = "VALID"
	Invalid     State = "INVALID"
	NotAccepted State = "NOT ACCEPTED"
)

// Status of one check.
type Status string

const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Open    Status = "open" // a rule that could not be decided
	Skipped Status = "skipped"
)

// Check is one named step. Detail is technical, in English, for
// operators; the Result's Explanation says what a failure means.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Holder is who the certificate is for.
type Holder struct {
	FamilyName     string `json:"fn,omitempty"`
	GivenName      string `json:"gn,omitempty"`
	FamilyNameICAO string `json:"fnt,omitempty"`
	GivenNameICAO  string `json:"gnt,omitempty"`
	DateOfBirth    string `json:"dob"`
}

// RuleOutcome is the result of one business rule.
type RuleOutcome struct {
	Identifier  string `json:"identifier"`
	Type        string `json:"type"`    // Acceptance or Invalidation
	Country     string `json:"country"` // whose rule
	Version     string `json:"version"`
	Result      Status `json:"result"`      // pass, fail or open
	Description string `json:"description"` // in the language asked, else English
	// Descriptions are the rule's own in Spanish and English (each the
	// English where the rule has no Spanish one).
	Descriptions *Explanation `json:"descriptions,omitempty"`
}

// Result is a verification's outcome.
type Result struct {
	State  State  `json:"state"`
	Reason string `json:"reason,omitempty"` // why INVALID or NOT ACCEPTED, in the chosen language
	// Explanation is Reason in both languages, with the technical detail
	// apart; Note, when set, adds what a person needs to judge it (what
	// the trust list holds, when the signer is unknown).
	Explanation *Explanation `json:"explanation,omitempty"`
	Note        *Explanation `json:"note,omitempty"`
	Checks      []Check      `json:"checks"`

	// Known only when the signature verified.
	Holder    *Holder       `json:"holder,omitempty"`
	Type      dcc.Type      `json:"type,omitempty"`
	UVCI      string        `json:"uvci,omitempty"`
	Issuer    string        `json:"issuerCountry,omitempty"` // CWT iss
	IssuedAt  time.Time     `json:"issuedAt,omitzero"`
	Expires   time.Time     `json:"expiresAt,omitzero"`
	EventDate string        `json:"eventDate,omitempty"`
	Event     *Event        `json:"event,omitempty"`
	Payload   *dcc.Payload  `json:"-"`
	Rules     []RuleOutcome `json:"rules,omitempty"`
	Country   string        `json:"country,omitempty"` // of arrival, when rules were checked
}

// Rules selects and evaluates business rules.
type Rules interface {
	Evaluate(in RulesInput) ([]RuleOutcome, error)
}

// RulesInput is what business rules see.
type RulesInput struct {
	Payload       any // the payload as a JSON tree
	Type          dcc.Type
	Country       string // of arrival
	Region        string
	IssuerCountry string // CWT iss: its invalidation rules apply
	At            time.Time
	IssuedAt      time.Time
	Expires       time.Time
	Lang          string
}

// Verifier checks certificates. It is safe for concurrent use if its parts
// are not changed meanwhile.
type Verifier struct {
	Trust       *trustlist.List
	Validator   *dcc.Validator
	Revocations *revocation.List // nil: no revocation check
	Rules       Rules            // nil: no business rules
	// Decoder reuses zlib decompressors across certificates; nil decodes
	// each with a new one.
	Decoder *hc1.Decoder
	// ValueSets names the codes of Result.Event; nil: the codes only.
	ValueSets *valueset.Store
}

// Options of one verification.
type Options struct {
	At      time.Time // the validation clock; required
	Country string    // of arrival: its rules; empty: no rules
	Region  string
	Lang    string // "es" or "en" (default)
}

// MaxText bounds an HC1 string; a QR code holds at most 4,296 characters.
const MaxText = hc1.MaxLen

// Image reads the QR code in a photo or scan and verifies it.
func (v *Verifier) Image(ctx context.Context, img []byte, o Options) Result {
	text, err := qr.Decode(img)
	if err != nil {
		return invalid(o, Check{Name: "qr", Status: Fail, Detail: err.Error()}, messages().qrFailure(err))
	}
	r := v.Text(ctx, text, o)
	r.Checks = append([]Check{{Name: "qr", Status: Pass}}, r.Checks...)
	return r
}

func invalid(o Options, c Check, why i18n.Text) Result {
	r := Result{Checks: []Check{c}}
	r.fail(Invalid, o, why, c.Detail)
	return r
}

// fail ends the verification in state st for the reason why; technical
// is the detail for operators.
func (r *Result) fail(st State, o Options, why i18n.Text, technical string) {
	r.State, r.Reason, r.Explanation = st, why.In(lang(o)), explain(why, technical)
}

func lang(o Options) string {
	if o.Lang == "es" {
		return "es"
	}
	return "en"
}

// Text verifies an "HC1:" string.
func (v *Verifier) Text(ctx context.Context, text string, o Options) Result {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	text = strings.TrimSpace(text)
	if len(text) > MaxText {
		return invalid(o, Check{Name: "decode", Status: Fail, Detail: fmt.Sprintf("longer than %d characters: not a DCC", MaxText)}, messages().TooLong.With(MaxText))
	}
	dec := v.Decoder
	if dec == nil {
		dec = new(hc1.Decoder)
	}
	cose, err := dec.Decode(text)
	if err != nil {
		return invalid(o, Check{Name: "decode", Status: Fail, Detail: err.Error()}, messages().failure("decode"))
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		return invalid(o, Check{Name: "decode", Status: Fail, Detail: err.Error()}, messages().failure("decode"))
	}
	res := Result{Checks: make([]Check, 1, 12)}
	res.Checks[0] = Check{Name: "decode", Status: Pass}
	trust := v.Trust
	if trust == nil {
		trust = trustlist.New()
	}
	// The chain is checked here, against the list's remembered CSCA
	// signatures, rather than by hcert for every certificate.
	// The CWT's iat gets the same allowance for clocks that differ as the
	// events of the payload.
	verified, rep := u.Verify(trust, hcert.Options{At: o.At, ClockSkew: v.Validator.ClockSkew()})
	for _, c := range rep.Checks {
		if c.Name == hcert.CheckChain {
			continue
		}
		res.Checks = append(res.Checks, Check{Name: c.Name, Status: hcertStatus(c.Status), Detail: c.Reason})
	}
	if verified == nil {
		m := messages()
		res.State = Invalid
		for _, c := range rep.Checks {
			if c.Status != hcert.Fail {
				continue
			}
			why := m.failure(c.Name)
			switch {
			case c.Name == hcert.CheckExpiry && !u.Claims.Expires.IsZero() && o.At.After(u.Claims.Expires):
				why = m.Expired.With(stamp(u.Claims.Expires))
			case c.Name == hcert.CheckExpiry && o.At.Before(u.Claims.IssuedAt):
				why = m.NotYetValid.With(stamp(u.Claims.IssuedAt))
			}
			res.fail(Invalid, o, why, c.Reason)
			if c.Name == hcert.CheckKID {
				res.Note = explain(m.trustNote(signerCountries(trust), u.Claims.Issuer), "")
			}
			break
		}
		return res
	}
	// The chain is checked where the list holds a CSCA of the issuing
	// country; a DSC taken from a verified list without its CSCA (the
	// gateway's, another country's) is trusted as listed. A signer that is
	// itself a CSCA of the country (a CA certificate of a trust file) is its
	// own anchor.
	if hasCSCAOf(trust, verified.Claims.Issuer) {
		if err := trust.CheckChain(verified.DSC, verified.Claims.Issuer, o.At); err != nil {
			res.Checks = append(res.Checks, Check{Name: hcert.CheckChain, Status: Fail, Detail: err.Error()})
			res.fail(Invalid, o, messages().failure(hcert.CheckChain), err.Error())
			return res
		}
		detail := "issued by a CSCA of " + verified.Claims.Issuer
		if trust.IsCSCA(verified.DSC) {
			detail = "the signer is itself a CSCA of " + verified.Claims.Issuer + " in the trust list, its own trust anchor"
		}
		res.Checks = append(res.Checks, Check{Name: hcert.CheckChain, Status: Pass, Detail: detail})
	} else {
		res.Checks = append(res.Checks, Check{Name: hcert.CheckChain, Status: Skipped, Detail: "no CSCA of " + verified.Claims.Issuer + " in the trust list"})
	}
	res.Issuer, res.IssuedAt, res.Expires = verified.Claims.Issuer, verified.Claims.IssuedAt, verified.Claims.Expires

	// The payload, leniently: certificates of every member state.
	// Judged at the verification's clock: an event after it is in the future.
	// The CBOR is decoded once: validation, the typed payload and the
	// business rules read the same tree, which none of them changes.
	tree, err := dcc.DecodeCBOR(verified.Payload)
	if err != nil {
		res.Checks = append(res.Checks, Check{Name: "schema", Status: Fail, Detail: err.Error()})
		res.fail(Invalid, o, messages().failure("schema"), err.Error())
		return res
	}
	report := v.Validator.ValidateTreeAt(tree, dcc.Lenient, o.At)
	p, err := dcc.FromTree(tree)
	if err != nil {
		res.Checks = append(res.Checks, Check{Name: "schema", Status: Fail, Detail: err.Error()})
		res.fail(Invalid, o, messages().failure("schema"), err.Error())
		return res
	}
	res.Payload, res.Type, res.UVCI = p, p.Type(), p.CertificateID()
	res.Holder = &Holder{FamilyName: p.Nam.FN, GivenName: p.Nam.GN, FamilyNameICAO: p.Nam.FNT, GivenNameICAO: p.Nam.GNT, DateOfBirth: p.DOB}
	res.EventDate = p.EventDate()
	res.Event = eventOf(p, v.ValueSets)
	if !report.Valid() {
		var errs []string
		for _, e := range report.Errors() {
			errs = append(errs, e.String())
		}
		res.Checks = append(res.Checks, Check{Name: "schema", Status: Fail, Detail: strings.Join(errs, "; ")})
		res.fail(Invalid, o, messages().failure("schema"), strings.Join(errs, "; "))
		return res
	}
	detail := "schema " + report.Schema
	if w := report.Warnings(); len(w) > 0 {
		detail += fmt.Sprintf(", %d warnings: %s", len(w), w[0])
	}
	res.Checks = append(res.Checks, Check{Name: "schema", Status: Pass, Detail: detail})

	if v.Revocations != nil {
		hit, revoked := v.Revocations.Check(u.KID, revocation.OfCertificate(res.UVCI, res.Issuer, p.EntryCountry(), u.Signature()))
		if revoked {
			d := fmt.Sprintf("on the revocation list of %s (%s hash)", hit.Country, hit.HashType)
			if hit.EntryCountry {
				d = fmt.Sprintf("on the revocation list of %s (%s hash, with the entry's country %s)", hit.Country, hit.HashType, p.EntryCountry())
			}
			res.Checks = append(res.Checks, Check{Name: "revocation", Status: Fail, Detail: d})
			res.fail(Invalid, o, messages().Revoked.With(hit.Country), d)
			return res
		}
		res.Checks = append(res.Checks, Check{Name: "revocation", Status: Pass, Detail: strconv.Itoa(v.Revocations.Len()) + " revoked hashes checked"})
	} else {
		res.Checks = append(res.Checks, Check{Name: "revocation", Status: Skipped, Detail: "no revocation list given"})
	}

	res.State = Valid
	if o.Country == "" || v.Rules == nil {
		if o.Country != "" {
			res.Checks = append(res.Checks, Check{Name: "rules", Status: Skipped, Detail: "no business rules given"})
		}
		return res
	}
	res.Country = o.Country
	outcomes, err := v.Rules.Evaluate(RulesInput{
		Payload: tree, Type: res.Type, Country: o.Country, Region: o.Region, IssuerCountry: res.Issuer,
		At: o.At, IssuedAt: res.IssuedAt, Expires: res.Expires, Lang: o.Lang,
	})
	if err != nil {
		res.Checks = append(res.Checks, Check{Name: "rules", Status: Open, Detail: err.Error()})
		res.fail(NotAccepted, o, messages().RulesError.With(o.Country), err.Error())
		return res
	}
	res.Rules = outcomes
	var failed, ids []string
	for _, r := range outcomes {
		if r.Result != Pass {
			failed = append(failed, r.Identifier+" ("+r.Description+")")
			ids = append(ids, r.Identifier)
		}
	}
	if len(failed) > 0 {
		res.Checks = append(res.Checks, Check{Name: "rules", Status: Fail, Detail: strings.Join(failed, "; ")})
		res.fail(NotAccepted, o, messages().RulesFailed.With(o.Country, strings.Join(ids, ", ")), strings.Join(failed, "; "))
		return res
	}
	if !slices.ContainsFunc(outcomes, func(r RuleOutcome) bool { return r.Type == "Acceptance" && r.Country == o.Country }) {
		// Nothing of the country's own was checked: saying "passed" would
		// read as accepted there.
		res.Checks = append(res.Checks, Check{Name: "rules", Status: Skipped, Detail: "no acceptance rules of " + o.Country + " loaded"})
		return res
	}
	res.Checks = append(res.Checks, Check{Name: "rules", Status: Pass, Detail: strconv.Itoa(len(outcomes)) + " rules of " + o.Country})
	return res
}

func hasCSCAOf(l *trustlist.List, country string) bool {
	for _, c := range l.CSCAs() {
		if slices.Contains(c.Subject.Country, country) {
			return true
		}
	}
	return false
}

func hcertStatus(s hcert.Status) Status {
	switch s {
	case hcert.Pass:
		return Pass
	case hcert.Fail:
		return Fail
	}
	return Skipped
}

// signerCountries are the countries of the trust list's signing
// certificates, sorted.
func signerCountries(l *trustlist.List) []string {
	var out []string
	for _, c := range l.AllDSCs() {
		for _, co := range c.Subject.Country {
			if !slices.Contains(out, co) {
				out = append(out, co)
			}
		}
	}
	slices.Sort(out)
	return out
}

// stamp is a time as the reasons write it.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
