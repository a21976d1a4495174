package gateway

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"time"

	"dcc/cms"
	"dcc/revocation"
	"dcc/rules"
)

// ValueSets lists the ids of the gateway's value sets.
func (c *Client) ValueSets(ctx context.Context) ([]string, error) {
	res, err := c.do(ctx, request{method: http.MethodGet, path: "/valuesets", header: jsonAccept(), ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var ids []string
	if err := strictJSON(res.body, &ids); err != nil {
		return nil, fmt.Errorf("gateway: GET /valuesets: not an array of ids: %w", err)
	}
	return ids, nil
}

// ValueSet returns the value set id as the gateway sends it (a JSON
// object, verbatim; package valueset reads it). An unknown id is ErrNotFound.
func (c *Client) ValueSet(ctx context.Context, id string) ([]byte, error) {
	if id == "" {
		return nil, errors.New("gateway: ValueSet: empty id")
	}
	path := "/valuesets/" + url.PathEscape(id)
	res, err := c.do(ctx, request{method: http.MethodGet, path: path, header: jsonAccept(), ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := strictJSON(res.body, &obj); err != nil {
		return nil, fmt.Errorf("gateway: GET %s: not a JSON object: %w", path, err)
	}
	return res.body, nil
}

// Countries lists the countries onboarded on the gateway.
func (c *Client) Countries(ctx context.Context) ([]string, error) {
	res, err := c.do(ctx, request{method: http.MethodGet, path: "/countrylist", header: jsonAccept(), ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	var cs []string
	if err := strictJSON(res.body, &cs); err != nil {
		return nil, fmt.Errorf("gateway: GET /countrylist: not an array of country codes: %w", err)
	}
	for _, cc := range cs {
		if !isCountry(cc) {
			return nil, fmt.Errorf("gateway: GET /countrylist: %q is not a country code (2 upper-case letters)", cc)
		}
	}
	return cs, nil
}

// Rule is a business rule downloaded and checked.
type Rule struct {
	*rules.Rule
	// CMS is the base64 CMS as the country uploaded it.
	CMS string
	// SignedBy is the UPLOAD certificate that signed it.
	SignedBy *x509.Certificate
}

// RuleRefusal is a rule that failed a check and is not in the result.
type RuleRefusal struct {
	ID, Version string
	Reason      string
}

// Rules are a country's checked rules.
type Rules struct {
	Rules   []Rule
	Refused []RuleRefusal
}

// Rules downloads the business rules of country (§A.3 GET /rules/{country})
// and checks each: its CMS must verify under one of upload, the country's
// checked UPLOAD certificates (nil: downloaded from the trust list and
// checked), and carry a rule that rules.Parse accepts, of that country,
// with the id and version it is listed under.
func (c *Client) Rules(ctx context.Context, country string, upload []*x509.Certificate) (*Rules, error) {
	if !isCountry(country) {
		return nil, fmt.Errorf("gateway: Rules: country %q: want 2 upper-case letters", country)
	}
	upload, err := c.uploadCerts(ctx, country, upload)
	if err != nil {
		return nil, err
	}
	path := "/rules/" + country
	res, err := c.do(ctx, request{method: http.MethodGet, path: path, header: jsonAccept(), ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	listed, err := ParseRuleList(res.body)
	if err != nil {
		return nil, fmt.Errorf("%w (GET %s)", err, path)
	}
	ids := make([]string, 0, len(listed))
	for id := range listed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := &Rules{}
	now := c.now()
	for _, id := range ids {
		for _, l := range listed[id] {
			r, signer, err := checkRule(l.CMS, id, l.Version, country, upload, now)
			if err != nil {
				out.Refused = append(out.Refused, RuleRefusal{ID: id, Version: l.Version, Reason: err.Error()})
				continue
			}
			out.Rules = append(out.Rules, Rule{Rule: r, CMS: l.CMS, SignedBy: signer})
		}
	}
	return out, nil
}

// ListedRule is one version of a rule in GET /rules/{country}.
type ListedRule struct {
	Version   string `json:"version"`
	ValidFrom string `json:"validFrom"`
	ValidTo   string `json:"validTo"`
	CMS       string `json:"cms"`
}

// ParseRuleList reads the JSON of GET /rules/{country}: rule id → its
// versions. Nothing is checked.
func ParseRuleList(data []byte) (map[string][]ListedRule, error) {
	var m map[string][]ListedRule
	if err := strictJSON(data, &m); err != nil {
		return nil, fmt.Errorf("gateway: rules: not an object of rule id → [{version, validFrom, validTo, cms}]: %w", err)
	}
	return m, nil
}

func checkRule(b64, id, version, country string, upload []*x509.Certificate, now time.Time) (*rules.Rule, *x509.Certificate, error) {
	content, signer, err := checkEmbedded(b64, upload, now)
	if err != nil {
		return nil, nil, err
	}
	r, err := rules.Parse(content)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case r.Country != country:
		return nil, nil, fmt.Errorf("the rule's Country %q: it is listed for %s", r.Country, country)
	case countryOf(signer) != country:
		return nil, nil, fmt.Errorf("signed by an UPLOAD certificate of %q, not of %s", countryOf(signer), country)
	case r.Identifier != id:
		return nil, nil, fmt.Errorf("the rule's Identifier %q: listed as %q", r.Identifier, id)
	case r.Version.String() != version:
		return nil, nil, fmt.Errorf("the rule's Version %s: listed as %q", r.Version, version)
	}
	return r, signer, nil
}

// checkEmbedded verifies an embedded base64 CMS as the gateway's parser does
// (§B.2) and that one of signers made it; it returns the content.
func checkEmbedded(b64 string, signers []*x509.Certificate, now time.Time) ([]byte, *x509.Certificate, error) {
	sd, err := cms.ParseBase64(b64)
	if err != nil {
		return nil, nil, fmt.Errorf("cms: %w", err)
	}
	if sd.Content == nil {
		return nil, nil, errors.New("cms: the content is not embedded")
	}
	if err := signedShape(sd, nil, now); err != nil {
		return nil, nil, fmt.Errorf("cms: %w", err)
	}
	signer, err := signerOf(sd, nil, signers)
	if err != nil {
		return nil, nil, fmt.Errorf("cms: signature by an UPLOAD certificate: %w", err)
	}
	return sd.Content, signer, nil
}

// uploadCerts returns given, or else the checked UPLOAD certificates of
// country from the trust list.
func (c *Client) uploadCerts(ctx context.Context, country string, given []*x509.Certificate) ([]*x509.Certificate, error) {
	if given != nil {
		return given, nil
	}
	l, err := c.TrustList(ctx, Query{Type: TypeUpload, Country: country})
	if err != nil {
		return nil, err
	}
	certs := l.Certificates(TypeUpload, country)
	if len(certs) == 0 {
		return nil, fmt.Errorf("gateway: no checked UPLOAD certificate of %s on the trust list", country)
	}
	return certs, nil
}

// revocationStart is the If-Modified-Since of a first revocation-list
// download, the reference client's (gateway.md §A.6).
func revocationStart() time.Time { return time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC) }

// BatchInfo is one item of the revocation list (§C.3).
type BatchInfo struct {
	BatchID string    `json:"batchId"`
	Country string    `json:"country"`
	Date    time.Time `json:"date"`
	Deleted bool      `json:"deleted"`
}

// RevocationPage is one page of GET /revocation-list.
type RevocationPage struct {
	More    bool        `json:"more"`
	Batches []BatchInfo `json:"batches"`
}

var batchIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ParseRevocationList reads a page of the revocation list strictly: no
// unknown field, batch ids lowercase UUIDs, countries of 2 letters, dates set.
func ParseRevocationList(data []byte) (*RevocationPage, error) {
	var p struct {
		More    *bool        `json:"more"`
		Batches *[]BatchInfo `json:"batches"`
	}
	if err := strictJSON(data, &p); err != nil {
		return nil, fmt.Errorf("gateway: revocation list: not {\"more\", \"batches\": [{batchId, country, date, deleted}]}: %w", err)
	}
	if p.More == nil || p.Batches == nil {
		return nil, errors.New("gateway: revocation list: more and batches are required")
	}
	for i, b := range *p.Batches {
		switch {
		case !batchIDPattern.MatchString(b.BatchID):
			return nil, fmt.Errorf("gateway: revocation list: batches[%d].batchId %q: want a lowercase UUID", i, b.BatchID)
		case !isCountry(b.Country):
			return nil, fmt.Errorf("gateway: revocation list: batches[%d].country %q: want 2 upper-case letters", i, b.Country)
		case b.Date.IsZero():
			return nil, fmt.Errorf("gateway: revocation list: batches[%d].date: missing", i)
		}
	}
	return &RevocationPage{More: *p.More, Batches: *p.Batches}, nil
}

// RevocationList pages through the batches changed after from (zero:
// 2021-06-01T00:00:00Z, where the reference client starts), as §C.3 says: each page is asked for with the date of
// the last item before it, sent with full precision, until the gateway
// answers 204. A batch listed again unchanged (the same date and deleted
// flag) is yielded once; a batch that changed (was deleted) again. An error
// ends the sequence.
func (c *Client) RevocationList(ctx context.Context, from time.Time) iter.Seq2[BatchInfo, error] {
	return func(yield func(BatchInfo, error) bool) {
		from := from // each run of the sequence starts afresh
		if from.IsZero() {
			from = revocationStart()
		}
		type state struct {
			date    time.Time
			deleted bool
		}
		seen := map[string]state{}
		for {
			res, err := c.do(ctx, request{method: http.MethodGet, path: "/revocation-list",
				header: http.Header{"Accept": {"application/json"}, "If-Modified-Since": {since(from)}},
				ok:     []int{http.StatusOK, http.StatusNoContent}})
			if err != nil {
				yield(BatchInfo{}, err)
				return
			}
			if res.status == http.StatusNoContent {
				return
			}
			p, err := ParseRevocationList(res.body)
			if err != nil {
				yield(BatchInfo{}, err)
				return
			}
			last := from
			for _, b := range p.Batches {
				if b.Date.After(last) {
					last = b.Date
				}
				s := state{b.Date, b.Deleted}
				if old, ok := seen[b.BatchID]; ok && old.date.Equal(s.date) && old.deleted == s.deleted {
					continue
				}
				seen[b.BatchID] = s
				if !yield(b, nil) {
					return
				}
			}
			if !p.More {
				return
			}
			if !last.After(from) {
				yield(BatchInfo{}, fmt.Errorf("gateway: GET /revocation-list: more pages, but none after %s: the gateway does not advance", since(from)))
				return
			}
			from = last
		}
	}
}

// RevocationBatch downloads batch id and checks it: its CMS must verify
// under one of upload (nil: the checked UPLOAD certificates, from the trust
// list, of the country the batch names) and carry one batch that
// revocation.Parse accepts, of the signer's country. A deleted batch is
// ErrGone.
func (c *Client) RevocationBatch(ctx context.Context, id string, upload []*x509.Certificate) (*revocation.Batch, error) {
	if !batchIDPattern.MatchString(id) {
		return nil, fmt.Errorf("gateway: RevocationBatch: id %q: want a lowercase UUID", id)
	}
	path := "/revocation-list/" + id
	res, err := c.do(ctx, request{method: http.MethodGet, path: path, header: http.Header{"Accept": {"application/cms"}}, ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	if tag := res.header.Get("ETag"); tag != "" && trimETag(tag) != id {
		return nil, fmt.Errorf("gateway: GET %s: ETag %q is another batch", path, tag)
	}
	b64 := string(trimBody(res.body))
	if upload == nil {
		// The country to take UPLOAD certificates of is the one the
		// content claims; the signature check below holds it to that.
		sd, err := cms.ParseBase64(b64)
		if err != nil {
			return nil, fmt.Errorf("gateway: GET %s: cms: %w", path, err)
		}
		bs, err := revocation.Parse(sd.Content)
		if err != nil || len(bs) != 1 {
			return nil, fmt.Errorf("gateway: GET %s: not one revocation batch: %v", path, err)
		}
		if upload, err = c.uploadCerts(ctx, bs[0].Country, nil); err != nil {
			return nil, err
		}
	}
	content, signer, err := checkEmbedded(b64, upload, c.now())
	if err != nil {
		return nil, fmt.Errorf("gateway: GET %s: %w", path, err)
	}
	bs, err := revocation.Parse(content)
	if err != nil {
		return nil, fmt.Errorf("gateway: GET %s: %w", path, err)
	}
	if len(bs) != 1 {
		return nil, fmt.Errorf("gateway: GET %s: %d batches, want 1", path, len(bs))
	}
	if countryOf(signer) != bs[0].Country {
		return nil, fmt.Errorf("gateway: GET %s: a batch of %q signed by an UPLOAD certificate of %q", path, bs[0].Country, countryOf(signer))
	}
	return &bs[0], nil
}

func jsonAccept() http.Header { return http.Header{"Accept": {"application/json"}} }

func trimETag(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// trimBody drops a trailing newline a server may add after the base64.
func trimBody(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
