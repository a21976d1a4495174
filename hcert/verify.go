package hcert

import (
	"bytes"
	"crypto/x509"
	"fmt"
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
	At    time.Time           // the validation clock
	CSCAs []*x509.Certificate // when given, the DSC must chain to a CSCA of the iss country
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

// OK reports whether no check failed and the signature check passed.
func (r Report) OK() bool {
	signed := false
	for _, c := range r.Checks {
		if c.Status == Fail {
			return false
		}
		if c.Name == "signature" && c.Status == Pass {
			signed = true
		}
	}
	return signed
}

// Verified is the trusted content of a certificate that passed every check.
type Verified struct {
	Claims  Claims
	Payload []byte
	DSC     *x509.Certificate
	Type    pki.Type
}

// Verify checks u against the trust list at o.At: kid, signature (every DSC
// with the kid is tried), validity times (iat ≤ clock ≤ exp), DSC validity
// (DSC notBefore ≤ iat, exp ≤ DSC notAfter), key usage, and with o.CSCAs
// the chain to a CSCA of the iss country. It returns the verified content
// only when every check passes; the report says why otherwise.
func (u *Unverified) Verify(tl TrustList, o Options) (*Verified, Report) {
	var r Report
	add := func(name string, s Status, format string, a ...any) {
		r.Checks = append(r.Checks, Check{Name: name, Status: s, Reason: fmt.Sprintf(format, a...)})
	}
	skipRest := func(reason string, names ...string) {
		for _, n := range names {
			add(n, Skipped, "%s", reason)
		}
	}
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}

	candidates := tl.DSCs(u.KID)
	if len(candidates) == 0 {
		add("kid", Fail, "no DSC in the trust list has kid %x", u.KID)
		skipRest("no DSC to check with", "signature", "expiry", "dsc-validity", "key-usage", "chain")
		return nil, r
	}
	add("kid", Pass, "%d DSC(s) with kid %x", len(candidates), u.KID)

	tbs, err := sigStructure(u.protected, u.cwt)
	if err != nil {
		add("signature", Fail, "%v", err)
		skipRest("signature not verified", "expiry", "dsc-validity", "key-usage", "chain")
		return nil, r
	}
	var dsc *x509.Certificate
	var reasons []string
	for _, c := range candidates {
		if err := verifySignature(c.PublicKey, u.Alg, tbs, u.signature); err != nil {
			reasons = append(reasons, err.Error())
			continue
		}
		dsc = c
		break
	}
	if dsc == nil {
		add("signature", Fail, "%s", strings.Join(reasons, "; "))
		skipRest("signature not verified", "expiry", "dsc-validity", "key-usage", "chain")
		return nil, r
	}
	add("signature", Pass, "%s by %s", algName(u.Alg), subject(dsc))

	c := u.Claims
	switch {
	case at.Before(c.IssuedAt):
		add("expiry", Fail, "issued at %s, after the validation time %s", stamp(c.IssuedAt), stamp(at))
	case at.After(c.Expires):
		add("expiry", Fail, "expired at %s", stamp(c.Expires))
	default:
		add("expiry", Pass, "valid from %s to %s", stamp(c.IssuedAt), stamp(c.Expires))
	}

	switch {
	case c.IssuedAt.Before(dsc.NotBefore):
		add("dsc-validity", Fail, "issued at %s, before the DSC is valid (%s)", stamp(c.IssuedAt), stamp(dsc.NotBefore))
	case c.Expires.After(dsc.NotAfter):
		add("dsc-validity", Fail, "expires at %s, after the DSC (%s)", stamp(c.Expires), stamp(dsc.NotAfter))
	default:
		add("dsc-validity", Pass, "DSC valid from %s to %s", stamp(dsc.NotBefore), stamp(dsc.NotAfter))
	}

	typ, err := payloadType(u.Payload)
	switch {
	case err != nil:
		add("key-usage", Fail, "%v", err)
	case !pki.Allows(dsc, typ):
		add("key-usage", Fail, "the DSC's extended key usage does not allow %s certificates", typ)
	default:
		add("key-usage", Pass, "%s certificates allowed", typ)
	}

	if len(o.CSCAs) == 0 {
		add("chain", Skipped, "no CSCA given")
	} else if err := pki.CheckDSC(dsc, o.CSCAs, c.Issuer, at); err != nil {
		add("chain", Fail, "%v", err)
	} else {
		add("chain", Pass, "issued by a CSCA of %s", c.Issuer)
	}

	if !r.OK() {
		return nil, r
	}
	return &Verified{Claims: c, Payload: bytes.Clone(u.Payload), DSC: dsc, Type: typ}, r
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func subject(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("DSC %q", c.Subject.CommonName)
	}
	return "DSC " + c.Subject.String()
}
