package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	"dcc/cms"
	"dcc/trustlist"
)

// The gateway's certificate types (gateway.md §A.2).
const (
	TypeAuthentication = "AUTHENTICATION"
	TypeUpload         = "UPLOAD"
	TypeCSCA           = trustlist.TypeCSCA
	TypeDSC            = trustlist.TypeDSC
)

// Query selects a trust-list download (§A.3, §A.4).
type Query struct {
	Type    string    // "" for all types, or one of the Type constants
	Country string    // "" for all countries; needs Type
	Since   time.Time // non-zero: a delta, the entries changed since then
}

// Entry is a trust-list entry that passed every check.
type Entry struct {
	// Entry is the entry as the gateway sent it (the wire type of package
	// trustlist, which reads the same JSON).
	trustlist.Entry
	Certificate *x509.Certificate
	// SignedBy is the certificate whose signature over the entry was
	// verified: the trust anchor, or for a DSC its country's UPLOAD
	// certificate.
	SignedBy *x509.Certificate
	// Issuer is, for a DSC, the CSCA that signed it.
	Issuer *x509.Certificate
}

// Refusal is an entry that failed a check and is not in the result.
type Refusal struct {
	KID, Type, Country string
	Reason             string
}

func (r Refusal) String() string {
	return fmt.Sprintf("%s kid %s of %q: %s", r.Type, r.KID, r.Country, r.Reason)
}

// TrustList is a checked download.
type TrustList struct {
	Entries []Entry
	Refused []Refusal
	// Deleted are the kids of DSCs a delta lists as deleted (rawData and
	// signature null, §A.4).
	Deleted []string
}

// Of returns the checked entries of type typ (and of country, if not "").
func (l *TrustList) Of(typ, country string) []Entry {
	var out []Entry
	for _, e := range l.Entries {
		if e.CertificateType == typ && (country == "" || e.Country == country) {
			out = append(out, e)
		}
	}
	return out
}

// Certificates returns the certificates of the checked entries of typ and country.
func (l *TrustList) Certificates(typ, country string) []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range l.Of(typ, country) {
		out = append(out, e.Certificate)
	}
	return out
}

// ParseTrustList reads the gateway's trust-list JSON, an array of entries,
// strictly: no unknown field, nothing after the array. Nothing is checked.
func ParseTrustList(data []byte) ([]trustlist.Entry, error) {
	var entries []trustlist.Entry
	if err := strictJSON(data, &entries); err != nil {
		return nil, fmt.Errorf("gateway: trust list: not an array of {kid, timestamp, country, certificateType, thumbprint, signature, rawData}: %w", err)
	}
	return entries, nil
}

func strictJSON(data []byte, v any) error {
	if data = bytes.TrimSpace(data); len(data) == 0 || data[0] == 'n' {
		return errors.New("empty or null")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// CheckTrustList checks entries as gateway.md §A.4 says and returns those
// that pass; the others are refused with the reason. anchors are the
// DCCG_TA certificates, which must have signed every AUTHENTICATION, UPLOAD
// and CSCA entry. A DSC entry must be signed by a checked UPLOAD certificate
// of its country and the DSC by a checked CSCA of its country, taken from
// entries or from known: the checked entries of an earlier download, for a
// delta that lists only new DSCs. now is the time signatures may not be
// younger than.
func CheckTrustList(entries []trustlist.Entry, anchors []*x509.Certificate, now time.Time, known ...Entry) *TrustList {
	l := &TrustList{}
	uploads := map[string][]*x509.Certificate{}
	cscas := map[string][]*x509.Certificate{}
	for _, k := range known {
		switch k.CertificateType {
		case TypeUpload:
			uploads[k.Country] = append(uploads[k.Country], k.Certificate)
		case TypeCSCA:
			cscas[k.Country] = append(cscas[k.Country], k.Certificate)
		}
	}
	// A thumbprint is taken once, from the first entry of it that passes:
	// a forged copy listed first does not shadow the real one.
	seen := map[string]bool{}
	var dscs []trustlist.Entry
	// The trust anchor's entries first: the DSCs' checks need them.
	for _, e := range entries {
		refuse := func(format string, a ...any) {
			l.Refused = append(l.Refused, Refusal{KID: e.KID, Type: e.CertificateType, Country: e.Country, Reason: fmt.Sprintf(format, a...)})
		}
		switch e.CertificateType {
		case TypeDSC:
			if e.RawData == "" && e.Signature == "" {
				if k, err := base64.StdEncoding.DecodeString(e.KID); err != nil || len(k) != 8 {
					refuse("deleted DSC: kid is not the base64 of 8 bytes")
					continue
				}
				l.Deleted = append(l.Deleted, e.KID)
				continue
			}
			dscs = append(dscs, e)
			continue
		case TypeAuthentication, TypeUpload, TypeCSCA:
		default:
			refuse("certificateType %q: want AUTHENTICATION, UPLOAD, CSCA or DSC", e.CertificateType)
			continue
		}
		raw, cert, sd, err := checkEntry(e, now)
		if err != nil {
			refuse("%v", err)
			continue
		}
		ta, err := signerOf(sd, raw, anchors)
		if err != nil {
			refuse("trust-anchor signature: %v", err)
			continue
		}
		if seen[e.Thumbprint] {
			refuse("listed twice")
			continue
		}
		seen[e.Thumbprint] = true
		l.Entries = append(l.Entries, Entry{Entry: e, Certificate: cert, SignedBy: ta})
		switch e.CertificateType {
		case TypeUpload:
			uploads[e.Country] = append(uploads[e.Country], cert)
		case TypeCSCA:
			cscas[e.Country] = append(cscas[e.Country], cert)
		}
	}

	// The DSCs are most of the work (two signatures each): check them in
	// parallel, then take them in their order.
	results := make([]Entry, len(dscs))
	reasons := make([]string, len(dscs))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(runtime.GOMAXPROCS(0), max(len(dscs), 1)) {
		wg.Go(func() {
			for i := range work {
				results[i], reasons[i] = checkDSC(dscs[i], uploads, cscas, now)
			}
		})
	}
	for i := range dscs {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, e := range dscs {
		if reasons[i] == "" && seen[e.Thumbprint] {
			reasons[i] = "listed twice"
		}
		if reasons[i] != "" {
			l.Refused = append(l.Refused, Refusal{KID: e.KID, Type: e.CertificateType, Country: e.Country, Reason: reasons[i]})
			continue
		}
		seen[e.Thumbprint] = true
		l.Entries = append(l.Entries, results[i])
	}
	return l
}

// checkDSC checks a DSC entry: itself, its UPLOAD signature and its CSCA.
// It only reads the maps.
func checkDSC(e trustlist.Entry, uploads, cscas map[string][]*x509.Certificate, now time.Time) (Entry, string) {
	raw, cert, sd, err := checkEntry(e, now)
	if err != nil {
		return Entry{}, err.Error()
	}
	up, err := signerOf(sd, raw, uploads[e.Country])
	if err != nil {
		return Entry{}, fmt.Sprintf("signature by an UPLOAD certificate of %s: %v", e.Country, err)
	}
	ca, err := issuerOf(cert, cscas[e.Country])
	if err != nil {
		return Entry{}, err.Error()
	}
	return Entry{Entry: e, Certificate: cert, SignedBy: up, Issuer: ca}, ""
}

// checkEntry checks what an entry says of itself and parses its signature.
func checkEntry(e trustlist.Entry, now time.Time) ([]byte, *x509.Certificate, *cms.SignedData, error) {
	if len(e.Country) != 2 {
		return nil, nil, nil, fmt.Errorf("country %q: want 2 letters", e.Country)
	}
	raw, err := base64.StdEncoding.DecodeString(e.RawData)
	if err != nil || len(raw) == 0 {
		return nil, nil, nil, errors.New("rawData: not the base64 of a certificate")
	}
	sum := sha256.Sum256(raw)
	if e.Thumbprint != hex.EncodeToString(sum[:]) {
		return nil, nil, nil, errors.New("thumbprint: not the SHA-256 of rawData (lowercase hex)")
	}
	if e.KID != base64.StdEncoding.EncodeToString(sum[:8]) {
		return nil, nil, nil, errors.New("kid: not the first 8 bytes of the thumbprint")
	}
	cert, err := x509.ParseCertificate(raw)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("rawData: not a certificate: %v", err)
	}
	if c := countryOf(cert); c != e.Country {
		return nil, nil, nil, fmt.Errorf("country: the certificate's subject is of %q", c)
	}
	if e.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339, e.Timestamp); err != nil {
			return nil, nil, nil, fmt.Errorf("timestamp %q: not ISO-8601", e.Timestamp)
		}
	}
	if e.Signature == "" {
		return nil, nil, nil, errors.New("signature: missing")
	}
	sd, err := cms.ParseBase64(e.Signature)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("signature: %v", err)
	}
	if err := signedShape(sd, raw, now); err != nil {
		return nil, nil, nil, fmt.Errorf("signature: %v", err)
	}
	return raw, cert, sd, nil
}

// signedShape checks what the gateway's parser checks of a message before
// its signer (§B.2), and that it was not signed after now.
func signedShape(sd *cms.SignedData, content []byte, now time.Time) error {
	if len(sd.SignerInfos) != 1 {
		return fmt.Errorf("%d signers, want exactly 1", len(sd.SignerInfos))
	}
	if len(sd.Certificates) > 1 {
		return fmt.Errorf("%d certificates, want 1", len(sd.Certificates))
	}
	if sd.Content != nil && content != nil && !bytes.Equal(sd.Content, content) {
		return errors.New("it signs other content")
	}
	if st := sd.SignerInfos[0].SigningTime; !st.IsZero() && st.After(now.Add(clockSkew)) {
		return fmt.Errorf("signed in the future (%s)", st.Format(time.RFC3339))
	}
	return nil
}

// clockSkew is how far ahead of the local clock a signing time may be.
const clockSkew = 5 * time.Minute

// signerOf returns which of signers made the message's only signature over
// content. The certificate the message carries is not trusted as such:
// only its sid is read, and the signature checked with each candidate.
func signerOf(sd *cms.SignedData, content []byte, signers []*x509.Certificate) (*x509.Certificate, error) {
	if len(signers) == 0 {
		return nil, errors.New("no such certificate to check it with")
	}
	si := &sd.SignerInfos[0]
	if content == nil {
		content = sd.Content
	}
	var last error
	for _, s := range signers {
		if !si.Identifies(s) {
			continue
		}
		if last = si.Verify(s, content); last == nil {
			return s, nil
		}
	}
	if last == nil {
		return nil, errors.New("signed by none of them")
	}
	return nil, last
}

// issuerOf returns the CSCA among cscas that signed dsc. As the gateway
// does (§A.3), only the signature counts, not validity periods: an expired
// DSC stays listed for the certificates it signed while valid.
func issuerOf(dsc *x509.Certificate, cscas []*x509.Certificate) (*x509.Certificate, error) {
	for _, ca := range cscas {
		if bytes.Equal(ca.RawSubject, dsc.RawIssuer) && dsc.CheckSignatureFrom(ca) == nil {
			return ca, nil
		}
	}
	return nil, fmt.Errorf("the DSC is signed by no CSCA of %s", countryOf(dsc))
}

// TrustList downloads the entries q selects and checks them
// (CheckTrustList). The DSCs' checks need their countries' UPLOAD and CSCA
// entries; when q does not return them all (a delta, or only DSCs), they
// are downloaded in full and checked too, but not returned.
func (c *Client) TrustList(ctx context.Context, q Query) (*TrustList, error) {
	entries, err := c.fetchTrustList(ctx, q)
	if err != nil {
		return nil, err
	}
	var known []Entry
	needSigners := q.Type == TypeDSC || (q.Type == "" && !q.Since.IsZero())
	if needSigners {
		for _, typ := range []string{TypeUpload, TypeCSCA} {
			es, err := c.fetchTrustList(ctx, Query{Type: typ, Country: q.Country})
			if err != nil {
				return nil, err
			}
			known = append(known, CheckTrustList(es, c.anchors, c.now()).Entries...)
		}
	}
	return CheckTrustList(entries, c.anchors, c.now(), known...), nil
}

func (c *Client) fetchTrustList(ctx context.Context, q Query) ([]trustlist.Entry, error) {
	path := "/trustList"
	switch q.Type {
	case "":
		if q.Country != "" {
			return nil, errors.New("gateway: Query.Country needs a Query.Type (the gateway has no /trustList/{country})")
		}
	case TypeAuthentication, TypeUpload, TypeCSCA, TypeDSC:
		path += "/" + q.Type
	default:
		return nil, fmt.Errorf("gateway: Query.Type %q: want AUTHENTICATION, UPLOAD, CSCA, DSC or empty", q.Type)
	}
	if q.Country != "" {
		if !isCountry(q.Country) {
			return nil, fmt.Errorf("gateway: Query.Country %q: want 2 upper-case letters", q.Country)
		}
		path += "/" + q.Country
	}
	h := http.Header{"Accept": {"application/json"}}
	if !q.Since.IsZero() {
		h.Set("If-Modified-Since", since(q.Since))
	}
	res, err := c.do(ctx, request{method: http.MethodGet, path: path, header: h, ok: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	entries, err := ParseTrustList(res.body)
	if err != nil {
		return nil, fmt.Errorf("%w (GET %s)", err, path)
	}
	return entries, nil
}

func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
