package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/qr"
	"dcc/revocation"
	"dcc/trustlist"
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

// Check is one named step.
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
	Result      Status `json:"result"` // pass, fail or open
	Description string `json:"description"`
}

// Result is a verification's outcome.
type Result struct {
	State  State   `json:"state"`
	Reason string  `json:"reason,omitempty"` // why INVALID or NOT ACCEPTED, in the chosen language
	Checks []Check `json:"checks"`

	// Known only when the signature verified.
	Holder    *Holder       `json:"holder,omitempty"`
	Type      dcc.Type      `json:"type,omitempty"`
	UVCI      string        `json:"uvci,omitempty"`
	Issuer    string        `json:"issuerCountry,omitempty"` // CWT iss
	IssuedAt  time.Time     `json:"issuedAt,omitzero"`
	Expires   time.Time     `json:"expiresAt,omitzero"`
	EventDate string        `json:"eventDate,omitempty"`
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
		return invalid(o, Check{Name: "qr", Status: Fail, Detail: err.Error()}, "qr")
	}
	r := v.Text(ctx, text, o)
	r.Checks = append([]Check{{Name: "qr", Status: Pass}}, r.Checks...)
	return r
}

func invalid(o Options, c Check, key string) Result {
	return Result{State: Invalid, Reason: msg(o.Lang, key, c.Detail), Checks: []Check{c}}
}

// Text verifies an "HC1:" string.
func (v *Verifier) Text(ctx context.Context, text string, o Options) Result {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	text = strings.TrimSpace(text)
	if len(text) > MaxText {
		return invalid(o, Check{Name: "decode", Status: Fail, Detail: fmt.Sprintf("longer than %d characters: not a DCC", MaxText)}, "decode")
	}
	dec := v.Decoder
	if dec == nil {
		dec = new(hc1.Decoder)
	}
	cose, err := dec.Decode(text)
	if err != nil {
		return invalid(o, Check{Name: "decode", Status: Fail, Detail: err.Error()}, "decode")
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		return invalid(o, Check{Name: "decode", Status: Fail, Detail: err.Error()}, "decode")
	}
	res := Result{Checks: []Check{{Name: "decode", Status: Pass}}}
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
		res.State = Invalid
		for _, c := range rep.Checks {
			if c.Status == hcert.Fail {
				res.Reason = msg(o.Lang, c.Name, c.Reason)
				break
			}
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
			res.State, res.Reason = Invalid, msg(o.Lang, hcert.CheckChain, err.Error())
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
	report, err := v.Validator.ValidateCBORAt(verified.Payload, dcc.Lenient, o.At)
	if err != nil {
		res.Checks = append(res.Checks, Check{Name: "schema", Status: Fail, Detail: err.Error()})
		res.State, res.Reason = Invalid, msg(o.Lang, "schema", err.Error())
		return res
	}
	var p dcc.Payload
	if err := p.UnmarshalCBOR(verified.Payload); err != nil {
		res.Checks = append(res.Checks, Check{Name: "schema", Status: Fail, Detail: err.Error()})
		res.State, res.Reason = Invalid, msg(o.Lang, "schema", err.Error())
		return res
	}
	res.Payload, res.Type, res.UVCI = &p, p.Type(), p.CertificateID()
	res.Holder = &Holder{FamilyName: p.Nam.FN, GivenName: p.Nam.GN, FamilyNameICAO: p.Nam.FNT, GivenNameICAO: p.Nam.GNT, DateOfBirth: p.DOB}
	res.EventDate = p.EventDate()
	if !report.Valid() {
		var errs []string
		for _, e := range report.Errors() {
			errs = append(errs, e.String())
		}
		res.Checks = append(res.Checks, Check{Name: "schema", Status: Fail, Detail: strings.Join(errs, "; ")})
		res.State, res.Reason = Invalid, msg(o.Lang, "schema", errs[0])
		return res
	}
	detail := "schema " + report.Schema
	if w := report.Warnings(); len(w) > 0 {
		detail += fmt.Sprintf(", %d warnings: %s", len(w), w[0])
	}
	res.Checks = append(res.Checks, Check{Name: "schema", Status: Pass, Detail: detail})

	if v.Revocations != nil {
		m, revoked := v.Revocations.Check(u.KID, revocation.OfCertificate(res.UVCI, res.Issuer, p.EntryCountry(), u.Signature()))
		if revoked {
			d := fmt.Sprintf("on the revocation list of %s (%s hash)", m.Country, m.HashType)
			if m.EntryCountry {
				d = fmt.Sprintf("on the revocation list of %s (%s hash, with the entry's country %s)", m.Country, m.HashType, p.EntryCountry())
			}
			res.Checks = append(res.Checks, Check{Name: "revocation", Status: Fail, Detail: d})
			res.State, res.Reason = Invalid, msg(o.Lang, "revocation", d)
			return res
		}
		res.Checks = append(res.Checks, Check{Name: "revocation", Status: Pass, Detail: fmt.Sprintf("%d revoked hashes checked", v.Revocations.Len())})
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
	tree, err := dcc.DecodeCBOR(verified.Payload)
	if err != nil {
		res.State, res.Reason = Invalid, msg(o.Lang, "schema", err.Error())
		return res
	}
	outcomes, err := v.Rules.Evaluate(RulesInput{
		Payload: tree, Type: res.Type, Country: o.Country, Region: o.Region, IssuerCountry: res.Issuer,
		At: o.At, IssuedAt: res.IssuedAt, Expires: res.Expires, Lang: o.Lang,
	})
	if err != nil {
		res.Checks = append(res.Checks, Check{Name: "rules", Status: Open, Detail: err.Error()})
		res.State, res.Reason = NotAccepted, msg(o.Lang, "rules-error", err.Error())
		return res
	}
	res.Rules = outcomes
	var failed []string
	for _, r := range outcomes {
		if r.Result != Pass {
			failed = append(failed, r.Identifier+" ("+r.Description+")")
		}
	}
	if len(failed) > 0 {
		res.Checks = append(res.Checks, Check{Name: "rules", Status: Fail, Detail: strings.Join(failed, "; ")})
		res.State, res.Reason = NotAccepted, msg(o.Lang, "rules", o.Country+": "+strings.Join(failed, "; "))
		return res
	}
	res.Checks = append(res.Checks, Check{Name: "rules", Status: Pass, Detail: fmt.Sprintf("%d rules of %s", len(outcomes), o.Country)})
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
