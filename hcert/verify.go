package hcert

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dcc/pki"
)

// TrustList gives every DSC known under a kid (kids can collide).
type TrustList interface {
	DSCs(kid []byte) []*x509.Certificate
}

// Options of a verification.
type Options struct {
	At    time.Time           // the validation clock; required (no hidden time.Now)
	CSCAs []*x509.Certificate // when given, the DSC must chain to a CSCA of the iss country
	// ClockSkew is how far iat may lie after At: the signer's clock and the
	// verifier's differ, and some issuers round iat to the nearest second,
	// so a code just signed elsewhere may look issued in the future. Zero:
	// none.
	ClockSkew time.Duration
}

// Status of one check.
type Status int

const (
	Pass Status = iota + 1
	Fail
	Skipped
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "pass"
	case Fail:
		return "FAIL"
	case Skipped:
		return "skipped"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Check is one named verification step.
type Check struct {
	Name   string
	Status Status
	Reason string
}

// Report lists the checks in the order they ran.
type Report struct{ Checks []Check }

// OK reports whether no check failed and the checks that make a
// certificate valid (all but chain, which is optional) passed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return false
		}
	}
	for _, name := range [...]string{CheckKID, CheckAlg, CheckSignature, CheckExpiry, CheckDSCValidity, CheckKeyUsage} {
		// The last check of a name decides, as when a check is repeated.
		passed := false
		for _, c := range r.Checks {
			if c.Name == name {
				passed = c.Status == Pass
			}
		}
		if !passed {
			return false
		}
	}
	return true
}

// Status returns the status of the named check, or 0 if it did not run.
func (r Report) Status(name string) Status {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return 0
}

// Verified is the trusted content of a certificate that passed every check.
type Verified struct {
	Claims  Claims
	Payload []byte
	DSC     *x509.Certificate
	Type    pki.Type
}

// Check names, in the order Verify runs them.
const (
	CheckKID         = "kid"
	CheckAlg         = "alg"
	CheckSignature   = "signature"
	CheckExpiry      = "expiry"
	CheckDSCValidity = "dsc-validity"
	CheckKeyUsage    = "key-usage"
	CheckChain       = "chain"
)

// Verify checks u against the trust list at o.At, in this order: kid (some
// DSC has it), alg (ES256 with a P-256 key or PS256 with RSA ≥ 2048),
// signature (every DSC with the kid is tried), expiry (iat ≤ clock ≤ exp),
// dsc-validity (DSC notBefore ≤ iat, exp ≤ DSC notAfter), key-usage (the
// DSC's extended key usage allows the payload's type) and, with o.CSCAs,
// chain (the DSC was issued by a CSCA of the iss country). A check that
// cannot run is reported as skipped with the reason. Verify returns the
// verified content only when every check passes; the report says why
// otherwise.
func (u *Unverified) Verify(tl TrustList, o Options) (*Verified, Report) {
	r := Report{Checks: make([]Check, 0, 7)}
	add := func(name string, s Status, format string, a ...any) {
		r.Checks = append(r.Checks, Check{Name: name, Status: s, Reason: fmt.Sprintf(format, a...)})
	}
	// pass is add for the checks every valid certificate passes, its
	// reason written without fmt: this is the verifier's hot path.
	pass := func(name, reason string) {
		r.Checks = append(r.Checks, Check{Name: name, Status: Pass, Reason: reason})
	}
	skipRest := func(reason string, names ...string) {
		for _, n := range names {
			add(n, Skipped, "%s", reason)
		}
	}

	candidates := tl.DSCs(u.KID)
	if len(candidates) == 0 {
		add(CheckKID, Fail, "no DSC in the trust list has kid %x", u.KID)
		skipRest("no DSC to check with", CheckAlg, CheckSignature, CheckExpiry, CheckDSCValidity, CheckKeyUsage, CheckChain)
		return nil, r
	}
	pass(CheckKID, strconv.Itoa(len(candidates))+" DSC(s) with kid "+hex.EncodeToString(u.KID))

	// Only keys of the kind the algorithm names may verify: a P-384 key
	// must not verify an "ES256" message (dgc-testdata ES/401–403).
	var fitting []*x509.Certificate
	var reasons []string
	for _, c := range candidates {
		if err := keyFits(c.PublicKey, u.Alg); err != nil {
			reasons = append(reasons, fmt.Sprintf("%s: %v", subject(c), err))
			continue
		}
		fitting = append(fitting, c)
	}
	if len(fitting) == 0 {
		add(CheckAlg, Fail, "%s", strings.Join(reasons, "; "))
		skipRest("no DSC key fits the algorithm", CheckSignature, CheckExpiry, CheckDSCValidity, CheckKeyUsage, CheckChain)
		return nil, r
	}
	pass(CheckAlg, algName(u.Alg)+" with "+strconv.Itoa(len(fitting))+" fitting DSC key(s)")

	tbs, err := sigStructure(u.protected, u.cwt)
	if err != nil {
		add(CheckSignature, Fail, "%v", err)
		skipRest("signature not verified", CheckExpiry, CheckDSCValidity, CheckKeyUsage, CheckChain)
		return nil, r
	}
	var dsc *x509.Certificate
	reasons = reasons[:0]
	for _, c := range fitting {
		if err := verifySignature(c.PublicKey, u.Alg, tbs, u.signature); err != nil {
			reasons = append(reasons, fmt.Sprintf("%s: %v", subject(c), err))
			continue
		}
		dsc = c
		break
	}
	if dsc == nil {
		add(CheckSignature, Fail, "%s", strings.Join(reasons, "; "))
		skipRest("signature not verified", CheckExpiry, CheckDSCValidity, CheckKeyUsage, CheckChain)
		return nil, r
	}
	pass(CheckSignature, algName(u.Alg)+" by "+subject(dsc))

	c := u.Claims
	at := o.At
	switch {
	case at.IsZero():
		add(CheckExpiry, Fail, "no validation time given (Options.At)")
	case at.Add(max(o.ClockSkew, 0)).Before(c.IssuedAt):
		add(CheckExpiry, Fail, "issued at %s, after the validation time %s", stamp(c.IssuedAt), stamp(at))
	case at.After(c.Expires):
		add(CheckExpiry, Fail, "expired at %s (validation time %s)", stamp(c.Expires), stamp(at))
	default:
		pass(CheckExpiry, "valid from "+stamp(c.IssuedAt)+" to "+stamp(c.Expires))
	}

	switch {
	case c.IssuedAt.Before(dsc.NotBefore):
		add(CheckDSCValidity, Fail, "issued at %s, before the DSC is valid (%s)", stamp(c.IssuedAt), stamp(dsc.NotBefore))
	case c.Expires.After(dsc.NotAfter):
		add(CheckDSCValidity, Fail, "expires at %s, after the DSC (%s)", stamp(c.Expires), stamp(dsc.NotAfter))
	default:
		pass(CheckDSCValidity, "DSC valid from "+stamp(dsc.NotBefore)+" to "+stamp(dsc.NotAfter))
	}

	typ, err := payloadType(u.Payload)
	switch {
	case err != nil:
		add(CheckKeyUsage, Fail, "%v", err)
	case !pki.Allows(dsc, typ):
		add(CheckKeyUsage, Fail, "the DSC's extended key usage does not allow %s certificates", typ)
	default:
		pass(CheckKeyUsage, typ.String()+" certificates allowed")
	}

	switch {
	case len(o.CSCAs) == 0:
		r.Checks = append(r.Checks, Check{Name: CheckChain, Status: Skipped, Reason: "no CSCA given"})
	case c.Issuer == "":
		add(CheckChain, Fail, "the CWT has no iss claim to choose the country's CSCAs by")
	case at.IsZero():
		add(CheckChain, Fail, "no validation time given (Options.At)")
	default:
		if err := pki.CheckDSC(dsc, o.CSCAs, c.Issuer, at); err != nil {
			add(CheckChain, Fail, "%v", err)
		} else {
			pass(CheckChain, "issued by a CSCA of "+c.Issuer)
		}
	}

	if !r.OK() {
		return nil, r
	}
	return &Verified{Claims: c, Payload: bytes.Clone(u.Payload), DSC: dsc, Type: typ}, r
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func subject(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "DSC " + strconv.Quote(c.Subject.CommonName)
	}
	return "DSC " + c.Subject.String()
}
