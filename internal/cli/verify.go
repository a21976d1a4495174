package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dcc"
	"dcc/internal/fetch"
	"dcc/pki"
	"dcc/revocation"
	"dcc/rules"
	"dcc/trustlist"
	"dcc/valueset"
	"dcc/verify"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

// verify checks a certificate as a verifier does, explaining each check,
// and says VALID, INVALID or NOT ACCEPTED (for a country of arrival).
func (e *env) verify(args []string) int {
	fs := e.flags("verify")
	var trust, revs multi
	fs.Var(&trust, "trust", "DSC/CSCA certificates: a PEM/DER file or directory, or an EU gateway trust-list JSON `PATH` (repeatable)")
	trustList := fs.String("trustlist", "", "signed national trust list `SRC`: a file or URL (e.g. http://127.0.0.1:8080/api/v1/trustlist)")
	anchor := fs.String("trustlist-anchor", "", "certificate(s) the national trust list must chain to (the country's CSCA, PEM `FILE`)")
	gatewayAnchor := fs.String("gateway-anchor", "", "the EU DCC Gateway's trust anchor certificate(s), a PEM `FILE`: gateway trust lists given with --trust must carry its signatures")
	fs.Var(&revs, "revocations", "revocation batches (gateway format) `SRC`: a file or URL (repeatable)")
	rulesSrc := fs.String("rules", "", "business rules `SRC`: a file, directory or URL")
	country := fs.String("country", "", "country of arrival `CC` (ISO 3166-1 alpha-2): apply its rules")
	region := fs.String("region", "", "`REGION` of arrival, for regional rules")
	atFlag := fs.String("at", "", "validation `TIME`, RFC 3339 (default: now)")
	lang := fs.String("lang", "en", "`LANG`, the language of the explanation: es or en")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	ca := fs.String("ca", "", "extra CA certificate (PEM `FILE`) for HTTPS URLs, e.g. a deployment's own")
	cacheDir := fs.String("cache", defaultCache(), "`DIR` caching fetched documents by ETag (\"\" disables)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) != 1 || (len(trust) == 0 && *trustList == "") {
		return e.usageError("verify", "want --trust PATH or --trustlist SRC --trustlist-anchor CSCA.pem, and one HC1-STRING or IMAGE-FILE")
	}
	if *trustList != "" && *anchor == "" {
		return e.usageError("verify", "--trustlist needs --trustlist-anchor: the certificate the list must chain to")
	}
	if *lang != "es" && *lang != "en" {
		return e.usageError("verify", "--lang %q: want es or en", *lang)
	}
	if (*rulesSrc == "") != (*country == "") {
		return e.usageError("verify", "--rules and --country go together")
	}
	at := time.Now()
	if *atFlag != "" {
		if at, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			return e.usageError("verify", "--at %q: want RFC 3339, e.g. 2021-06-01T12:00:00Z", *atFlag)
		}
	}
	ctx := context.Background()
	f, err := fetch.New(*cacheDir, *ca)
	if err != nil {
		return e.usageError("verify", "%v", err)
	}
	v, err := e.verifier(ctx, f, sources{trust, *gatewayAnchor, *trustList, *anchor, revs, *rulesSrc}, at)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc verify: %v\n", err)
		return exitUsage
	}
	text, err := e.readCode(rest[0])
	opts := verify.Options{At: at, Country: strings.ToUpper(*country), Region: *region, Lang: *lang}
	var res verify.Result
	if err != nil {
		res = verify.Result{State: verify.Invalid, Reason: err.Error(), Checks: []verify.Check{{Name: "qr", Status: verify.Fail, Detail: err.Error()}}}
	} else {
		res = v.Text(ctx, text, opts)
	}
	if *asJSON {
		writeJSON(e.stdout, res)
	} else {
		e.printResult(res)
	}
	if res.State != verify.Valid {
		return exitInvalid
	}
	return exitOK
}

func defaultCache() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "dcc")
}

func (e *env) printResult(r verify.Result) {
	for _, c := range r.Checks {
		status := string(c.Status)
		if c.Status == verify.Fail || c.Status == verify.Open {
			status = strings.ToUpper(status)
		}
		line := c.Name + ": " + status
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		fmt.Fprintln(e.stdout, line)
	}
	for _, rr := range r.Rules {
		fmt.Fprintf(e.stdout, "rule %s (%s, %s %s): %s: %s\n", rr.Identifier, rr.Type, rr.Country, rr.Version, rr.Result, rr.Description)
	}
	if h := r.Holder; h != nil {
		fmt.Fprintf(e.stdout, "holder: %s, %s (%s<<%s), born %s\n", h.FamilyName, h.GivenName, h.FamilyNameICAO, h.GivenNameICAO, h.DateOfBirth)
		fmt.Fprintf(e.stdout, "certificate: %s %s of %s, issued %s, expires %s, event %s\n", typeName(r.Type), r.UVCI, r.Issuer,
			r.IssuedAt.UTC().Format(time.RFC3339), r.Expires.UTC().Format(time.RFC3339), r.EventDate)
	}
	if r.Reason != "" {
		fmt.Fprintf(e.stdout, "reason: %s\n", r.Reason)
	}
	fmt.Fprintln(e.stdout, r.State)
}

// sources are where a verifier's documents come from (the flags of verify).
type sources struct {
	trust         multi  // --trust
	gatewayAnchor string // --gateway-anchor
	trustList     string // --trustlist
	anchor        string // --trustlist-anchor
	revs          multi  // --revocations
	rules         string // --rules
}

// verifier assembles the trust list, revocations and rules.
func (e *env) verifier(ctx context.Context, f *fetch.Fetcher, src sources, at time.Time) (*verify.Verifier, error) {
	trust, trustList, anchor, revs, rulesSrc := src.trust, src.trustList, src.anchor, src.revs, src.rules
	val, err := dcc.NewValidator(nil)
	if err != nil {
		return nil, err
	}
	var gatewayAnchors []*x509.Certificate
	if src.gatewayAnchor != "" {
		if gatewayAnchors, err = pki.ReadCertificates(src.gatewayAnchor); err != nil {
			return nil, fmt.Errorf("--gateway-anchor: %w", err)
		}
	}
	tl := trustlist.New()
	for _, p := range trust {
		l, err := trustlist.Read(p, gatewayAnchors)
		if err != nil {
			return nil, fmt.Errorf("--trust %s: %w", p, err)
		}
		tl.Merge(l)
	}
	if trustList != "" {
		anchors, err := trustlist.Load(anchor)
		if err != nil {
			return nil, fmt.Errorf("--trustlist-anchor: %w", err)
		}
		data, err := f.Get(ctx, trustList)
		if err != nil {
			return nil, fmt.Errorf("--trustlist: %w", err)
		}
		all := append(anchors.CSCAs(), anchors.AllDSCs()...)
		_, l, err := trustlist.Verify(data, all, at)
		if err != nil {
			return nil, fmt.Errorf("--trustlist %s: %w", trustList, err)
		}
		tl.Merge(l)
	}
	v := &verify.Verifier{Trust: tl, Validator: val}
	if len(revs) > 0 {
		v.Revocations = revocation.NewList()
		for _, src := range revs {
			data, err := f.Get(ctx, src)
			if err != nil {
				return nil, fmt.Errorf("--revocations: %w", err)
			}
			bs, err := revocation.Parse(data)
			if err != nil {
				return nil, fmt.Errorf("--revocations %s: %w", src, err)
			}
			v.Revocations.Add(bs, at)
		}
	}
	if rulesSrc != "" {
		r, err := loadRules(ctx, f, rulesSrc, val.ValueSets())
		if err != nil {
			return nil, fmt.Errorf("--rules %s: %w", rulesSrc, err)
		}
		v.Rules = r
	}
	return v, nil
}

// loadRules reads business rules from a file, a directory or a URL (one
// rule or a JSON array of them).
func loadRules(ctx context.Context, f *fetch.Fetcher, src string, vs *valueset.Store) (verify.Rules, error) {
	var set *rules.Set
	if fetch.IsURL(src) {
		data, err := f.Get(ctx, src)
		if err != nil {
			return nil, err
		}
		rs, err := rules.ParseRules(data)
		if err != nil {
			return nil, err
		}
		if set, err = rules.NewSet(rs...); err != nil {
			return nil, err
		}
	} else {
		var err error
		if set, err = rules.Load(src); err != nil {
			return nil, err
		}
	}
	return verify.NewBusinessRules(set, vs)
}
