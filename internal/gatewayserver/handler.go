package gatewayserver

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
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"dcc/cms"
	"dcc/pki"
	"dcc/valueset"
)

// Header names of a TLS-terminating proxy (gateway.md §A.1).
const (
	HeaderThumbprint = "X-SSL-Client-SHA256"
	HeaderDN         = "X-SSL-Client-DN"
)

// MaxBody bounds a request body: a revocation batch of 1,000 hashes in
// base64 CMS is some 60 KB.
const MaxBody = 1 << 20

// MaxBatchList is the most revocation batches one list page holds
// (gateway.md §C.3).
const MaxBatchList = 1000

// Config is what a Handler needs.
type Config struct {
	Store *Store
	// Anchor verifies every trusted-party row on each read.
	Anchor *x509.Certificate
	// TrustedProxy is the IP address of the proxy whose X-SSL-Client-*
	// headers are believed; empty: none, only mutual TLS authenticates.
	TrustedProxy string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives server-side failures; nil discards them.
	Log *slog.Logger
}

// Handler serves the gateway's API (gateway.md §A.3).
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// NewHandler checks cfg and returns the handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("gatewayserver: no store")
	}
	if cfg.Anchor == nil {
		return nil, errors.New("gatewayserver: no trust anchor certificate")
	}
	if cfg.TrustedProxy != "" && net.ParseIP(cfg.TrustedProxy) == nil {
		return nil, fmt.Errorf("gatewayserver: trusted proxy %q: want an IP address", cfg.TrustedProxy)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	m := h.mux
	m.HandleFunc("GET /trustList", h.auth("", h.trustList))
	m.HandleFunc("GET /trustList/{type}", h.auth("", h.trustList))
	m.HandleFunc("GET /trustList/{type}/{country}", h.auth("", h.trustList))
	m.HandleFunc("GET /trustList/issuers", h.auth("", h.issuers))
	m.HandleFunc("POST /signerCertificate", h.auth("", h.uploadSigner))
	m.HandleFunc("DELETE /signerCertificate", h.auth("", h.deleteSigner))
	m.HandleFunc("POST /signerCertificate/delete", h.auth("", h.deleteSigner))
	m.HandleFunc("GET /valuesets", h.auth("", h.valueSets))
	m.HandleFunc("GET /valuesets/{id}", h.auth("", h.valueSet))
	m.HandleFunc("GET /rules/{country}", h.auth("", h.listRules))
	m.HandleFunc("POST /rules", h.auth("", h.uploadRule))
	m.HandleFunc("DELETE /rules", h.auth("", h.deleteRule))
	m.HandleFunc("POST /rules/delete", h.auth("", h.deleteRule))
	m.HandleFunc("GET /countrylist", h.auth("", h.countryList))
	m.HandleFunc("GET /revocation-list", h.auth(RoleListReader, h.batchList))
	m.HandleFunc("GET /revocation-list/{batchId}", h.auth(RoleListReader, h.getBatch))
	m.HandleFunc("POST /revocation-list", h.auth(RoleUploader, h.uploadBatch))
	m.HandleFunc("DELETE /revocation-list", h.auth(RoleDeleter, h.deleteBatch))
	m.HandleFunc("POST /revocation-list/delete", h.auth(RoleDeleter, h.deleteBatch))
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Problem is the gateway's ProblemReport (gateway.md §A.5).
type Problem struct {
	Code      string `json:"code"`
	Problem   string `json:"problem"`
	SendValue string `json:"sendValue"`
	Details   string `json:"details"`
}

// problemError is a ProblemReport with its status, returned by the checks.
type problemError struct {
	status int
	Problem
}

func (p *problemError) Error() string { return p.Code + " " + p.Problem.Problem + ": " + p.Details }

func fail(status int, code, problem, sent, details string) *problemError {
	return &problemError{status, Problem{code, problem, sent, details}}
}

func writeProblem(w http.ResponseWriter, p *problemError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.status)
	_ = json.NewEncoder(w).Encode(p.Problem)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// caller is the authenticated client.
type caller struct {
	country string
	roles   []string
}

type callerKey struct{}

func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) *problemError

// auth authenticates the client (gateway.md §A.1), checks role if given,
// and runs next, writing the ProblemReport it returns.
func (h *Handler) auth(role string, next handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, p := h.authenticate(r)
		if p == nil && role != "" && !slices.Contains(c.roles, role) {
			p = fail(http.StatusForbidden, "0x403", "Missing role", role, "the client certificate lacks the role "+role)
		}
		if p == nil {
			r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
			p = next(w, r)
		}
		if p != nil {
			if p.status >= 500 {
				h.cfg.Log.Error("gateway request failed", "path", r.URL.Path, "err", p.Details)
				p.Details = "internal error"
			}
			writeProblem(w, p)
		}
	}
}

func (h *Handler) authenticate(r *http.Request) (caller, *problemError) {
	var thumb, country string
	switch {
	case r.TLS != nil && len(r.TLS.PeerCertificates) > 0:
		cert := r.TLS.PeerCertificates[0]
		sum := sha256.Sum256(cert.Raw)
		thumb = hex.EncodeToString(sum[:])
		if len(cert.Subject.Country) != 1 || cert.Subject.Country[0] == "" {
			return caller{}, fail(http.StatusBadRequest, "0x401", "Client Certificate must contain a country property", "", "the subject needs exactly one C")
		}
		country = cert.Subject.Country[0]
	case h.fromProxy(r):
		t, dn := r.Header.Get(HeaderThumbprint), r.Header.Get(HeaderDN)
		if t == "" || dn == "" {
			return caller{}, fail(http.StatusUnauthorized, "0x400", "No thumbprint or distinguish name", "", "the proxy sent no "+HeaderThumbprint+" or "+HeaderDN+" header")
		}
		var ok bool
		if thumb, ok = NormalizeThumbprint(t); !ok {
			return caller{}, fail(http.StatusUnauthorized, "0x400", "Invalid thumbprint", t, HeaderThumbprint+": want 64 hex digits or the base64 of 32 bytes")
		}
		if country = DNCountry(dn); country == "" {
			return caller{}, fail(http.StatusBadRequest, "0x401", "Client Certificate must contain a country property", dn, HeaderDN+": no C")
		}
	default:
		return caller{}, fail(http.StatusUnauthorized, "0x400", "No thumbprint or distinguish name", "", "no client certificate")
	}
	rows, err := h.cfg.Store.TrustedParties(r.Context(), TypeAuthentication, country, time.Time{})
	if err != nil {
		return caller{}, fail(http.StatusInternalServerError, "0x008", "Internal Server Error", "", err.Error())
	}
	for _, row := range rows {
		if row.Thumbprint != thumb {
			continue
		}
		if _, err := VerifyRow(h.cfg.Anchor, row); err != nil {
			h.cfg.Log.Warn("trusted party fails the trust anchor check", "type", row.Type, "thumbprint", row.Thumbprint, "err", err)
			break
		}
		return caller{country: country, roles: row.Roles}, nil
	}
	return caller{}, fail(http.StatusUnauthorized, "0x402", "Client is not authorized to access the service", thumb, "unknown client certificate for country "+country)
}

func (h *Handler) fromProxy(r *http.Request) bool {
	if h.cfg.TrustedProxy == "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, b := net.ParseIP(host), net.ParseIP(h.cfg.TrustedProxy)
	return a != nil && a.Equal(b)
}

var hexThumb = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// NormalizeThumbprint reads the proxy's thumbprint header as the reference
// filter does: 64 hex digits as they are, else (URL-decoded if it holds a
// '%') base64 of the hash, hex-encoded.
func NormalizeThumbprint(v string) (string, bool) {
	if hexThumb.MatchString(v) {
		return strings.ToLower(v), true
	}
	if strings.Contains(v, "%") {
		// PathUnescape, not QueryUnescape: a '+' left unescaped stays a
		// base64 '+' instead of turning into a space.
		u, err := url.PathUnescape(v)
		if err != nil {
			return "", false
		}
		v = u
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return "", false
	}
	return hex.EncodeToString(b), true
}

// DNCountry returns the C of the proxy's DN header: URL-decoded, split on
// ',' then '=', keys upper-cased (gateway.md §A.1).
func DNCountry(dn string) string {
	if u, err := url.QueryUnescape(dn); err == nil {
		dn = u
	}
	for _, part := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.ToUpper(strings.TrimSpace(k)) == "C" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func validCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// TrustListEntry is the gateway's TrustList JSON (gateway.md §A.4).
type TrustListEntry struct {
	KID             string  `json:"kid"`
	Timestamp       string  `json:"timestamp"`
	Country         string  `json:"country"`
	CertificateType string  `json:"certificateType"`
	Thumbprint      string  `json:"thumbprint"`
	Signature       *string `json:"signature"`
	RawData         *string `json:"rawData"`
}

// TimeFormat is the JSON dates' yyyy-MM-dd'T'HH:mm:ssXXX.
const TimeFormat = "2006-01-02T15:04:05Z07:00"

func kidOf(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:8])
}

func (h *Handler) trustList(w http.ResponseWriter, r *http.Request) *problemError {
	typ, country := r.PathValue("type"), r.PathValue("country")
	switch typ {
	case "", TypeAuthentication, TypeUpload, TypeCSCA, TypeDSC:
	default:
		return fail(http.StatusBadRequest, "0x001", "Invalid certificate type", typ, "want AUTHENTICATION, UPLOAD, CSCA or DSC")
	}
	if r.PathValue("country") != "" {
		if len(country) != 2 {
			return fail(http.StatusBadRequest, "0x001", "Invalid country", country, "country: want 2 characters")
		}
		country = strings.ToUpper(country)
	}
	var since time.Time
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fail(http.StatusBadRequest, "0x001", "Invalid If-Modified-Since", v, "want an ISO-8601 date-time such as 2021-06-01T00:00:00Z")
		}
		since = t
	}
	page, size, paged, p := paging(r.URL.Query())
	if p != nil {
		return p
	}
	out := []TrustListEntry{}
	if typ != TypeDSC {
		parties, err := h.cfg.Store.TrustedParties(r.Context(), typ, country, since)
		if err != nil {
			return fail(http.StatusInternalServerError, "0x008", "Internal Server Error", "", err.Error())
		}
		for _, row := range parties {
			cert, err := VerifyRow(h.cfg.Anchor, row)
			if err != nil {
				h.cfg.Log.Warn("trusted party fails the trust anchor check", "type", row.Type, "thumbprint", row.Thumbprint, "err", err)
				continue
			}
			sig, raw := row.Signature, row.RawData
			out = append(out, TrustListEntry{KID: kidOf(cert.Raw), Timestamp: row.CreatedAt.Format(TimeFormat), Country: row.Country,
				CertificateType: row.Type, Thumbprint: row.Thumbprint, Signature: &sig, RawData: &raw})
		}
	}
	if typ == "" || typ == TypeDSC {
		dscs, err := h.cfg.Store.Signers(r.Context(), country, since)
		if err != nil {
			return fail(http.StatusInternalServerError, "0x008", "Internal Server Error", "", err.Error())
		}
		for _, d := range dscs {
			e := TrustListEntry{KID: d.KID, Timestamp: d.CreatedAt.Format(TimeFormat), Country: d.Country, CertificateType: TypeDSC, Thumbprint: d.Thumbprint}
			if d.DeletedAt.IsZero() {
				sig, raw := d.Signature, d.RawData
				e.Signature, e.RawData = &sig, &raw
			}
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b TrustListEntry) int { return strings.Compare(a.KID, b.KID) })
	if paged {
		from := min(page*size, len(out))
		out = out[from:min(from+size, len(out))]
	}
	writeJSON(w, out)
	return nil
}

// issuers answers GET /trustList/issuers: this server onboards no trusted
// issuers, so the list is empty, after the country filter's check.
func (h *Handler) issuers(w http.ResponseWriter, r *http.Request) *problemError {
	if v := r.URL.Query().Get("country"); v != "" {
		for _, c := range strings.Split(v, ",") {
			if len(c) != 2 {
				return fail(http.StatusBadRequest, "0x001", "Invalid country", c, "country: want 2 characters each")
			}
		}
	}
	writeJSON(w, []struct{}{})
	return nil
}

// paging reads ?page= (≥ 0) and &pagesize= (> 0): either turns paging on,
// page 0 and size 100 by default.
func paging(q url.Values) (page, size int, on bool, p *problemError) {
	page, size = 0, 100
	if v := q.Get("page"); q.Has("page") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, false, fail(http.StatusBadRequest, "0x001", "Invalid page", v, "page: want an integer ≥ 0")
		}
		page, on = n, true
	}
	if v := q.Get("pagesize"); q.Has("pagesize") {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return 0, 0, false, fail(http.StatusBadRequest, "0x001", "Invalid pagesize", v, "pagesize: want an integer > 0")
		}
		size, on = n, true
	}
	return page, size, on, nil
}

// readCMS reads an upload body: the content types application/cms and
// application/cms-text, base64 (with or without Content-Encoding: base64),
// a CMS SignedData; it returns the message and its signer after the
// parser's checks (gateway.md §B.2). badSig is the code of a signature
// that does not verify.
func readCMS(r *http.Request, badSig string) (*cms.SignedData, *x509.Certificate, string, *problemError) {
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "application/cms", "application/cms-text":
	default:
		return nil, nil, "", fail(http.StatusUnsupportedMediaType, "0x001", "Unsupported content type", ct, "want application/cms or application/cms-text")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, nil, "", fail(http.StatusBadRequest, "0x402", "Failed to read the body", "", err.Error())
	}
	if len(body) > MaxBody {
		return nil, nil, "", fail(http.StatusRequestEntityTooLarge, "0x402", "Body too large", "", fmt.Sprintf("more than %d bytes", MaxBody))
	}
	sd, err := cms.ParseBase64(string(body))
	if err != nil {
		return nil, nil, "", fail(http.StatusBadRequest, "0x402", "Invalid CMS", "", err.Error())
	}
	if sd.Content == nil {
		return nil, nil, "", fail(http.StatusBadRequest, "0x402", "Invalid CMS", "", "the content is detached: an upload embeds it")
	}
	signer, err := sd.Verify(nil)
	if err != nil {
		if cms.ReasonOf(err) == cms.ReasonMalformed {
			return nil, nil, "", fail(http.StatusBadRequest, "0x402", "Invalid CMS", "", err.Error())
		}
		return nil, nil, "", fail(http.StatusBadRequest, badSig, "Invalid signature", "", err.Error())
	}
	return sd, signer, string(body), nil
}

// verifiedParties returns the TA-verified certificates of a type and
// country.
func (h *Handler) verifiedParties(ctx context.Context, typ, country string) ([]*x509.Certificate, error) {
	rows, err := h.cfg.Store.TrustedParties(ctx, typ, country, time.Time{})
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for _, row := range rows {
		if c, err := VerifyRow(h.cfg.Anchor, row); err == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// isUpload reports whether signer is a TA-verified UPLOAD certificate of
// country.
// readUpload reads an upload's CMS (readCMS) and checks that an UPLOAD
// certificate of the caller's country signed it; mismatch is the problem
// the endpoint answers when not.
func (h *Handler) readUpload(r *http.Request, mismatch func(thumbprint, country string) *problemError) (*cms.SignedData, string, caller, *problemError) {
	sd, signer, body, p := readCMS(r, CodeRuleSignature)
	if p != nil {
		return nil, "", caller{}, p
	}
	c := callerOf(r)
	ok, err := h.isUpload(r.Context(), signer, c.country)
	if err != nil {
		return nil, "", caller{}, internal(err)
	}
	if !ok {
		return nil, "", caller{}, mismatch(Thumbprint(signer), c.country)
	}
	return sd, body, c, nil
}

// batchUploaderMismatch and ruleUploaderMismatch are how the revocation
// and rule endpoints answer an upload not signed by an UPLOAD certificate
// of the caller's country (gateway.md §A.3).
func batchUploaderMismatch(thumbprint, country string) *problemError {
	return fail(http.StatusForbidden, "0x000", "Upload certificate mismatch", thumbprint, "the CMS is not signed by an UPLOAD certificate of "+country)
}

func ruleUploaderMismatch(thumbprint, country string) *problemError {
	return fail(http.StatusBadRequest, CodeRuleUploader, "Upload certificate mismatch", thumbprint,
		"Could not find upload certificate with hash "+thumbprint+" and country "+country)
}

func (h *Handler) isUpload(ctx context.Context, signer *x509.Certificate, country string) (bool, error) {
	ups, err := h.cfg.Store.TrustedParties(ctx, TypeUpload, country, time.Time{})
	if err != nil {
		return false, err
	}
	tp := Thumbprint(signer)
	for _, row := range ups {
		if row.Thumbprint == tp {
			if _, err := VerifyRow(h.cfg.Anchor, row); err == nil {
				return true, nil
			}
		}
	}
	return false, nil
}

func internal(err error) *problemError {
	return fail(http.StatusInternalServerError, "0x008", "Internal Server Error", "", err.Error())
}

// dscOf reads the DSC of an upload or delete and runs the checks both
// share: the signer is an UPLOAD certificate of the caller's country and
// the DSC's subject has exactly one C, that country.
func (h *Handler) dscOf(r *http.Request, contentCode string) (*cms.SignedData, *x509.Certificate, *problemError) {
	sd, signer, _, p := readCMS(r, "0x009")
	if p != nil {
		return nil, nil, p
	}
	dsc, err := x509.ParseCertificate(sd.Content)
	if err != nil {
		return nil, nil, fail(http.StatusBadRequest, "0x402", "Invalid CMS", "", "the signed content is not a DER certificate: "+err.Error())
	}
	c := callerOf(r)
	ok, err := h.isUpload(r.Context(), signer, c.country)
	if err != nil {
		return nil, nil, internal(err)
	}
	if !ok {
		return nil, nil, fail(http.StatusBadRequest, contentCode, "Upload certificate mismatch", Thumbprint(signer),
			"the CMS is not signed by an UPLOAD certificate of "+c.country)
	}
	if len(dsc.Subject.Country) != 1 || dsc.Subject.Country[0] != c.country {
		return nil, nil, fail(http.StatusBadRequest, contentCode, "Invalid country", strings.Join(dsc.Subject.Country, ","),
			"the DSC subject needs exactly one C, "+c.country)
	}
	return sd, dsc, nil
}

func (h *Handler) uploadSigner(w http.ResponseWriter, r *http.Request) *problemError {
	sd, dsc, p := h.dscOf(r, "0x004")
	if p != nil {
		return p
	}
	c := callerOf(r)
	cscas, err := h.verifiedParties(r.Context(), TypeCSCA, c.country)
	if err != nil {
		return internal(err)
	}
	// A signature check only: validity and AKI are not checked (gateway.md
	// §A.3, SignerInformationService).
	signed := false
	for _, ca := range cscas {
		if ca.CheckSignature(dsc.SignatureAlgorithm, dsc.RawTBSCertificate, dsc.Signature) == nil {
			signed = true
			break
		}
	}
	if !signed {
		return fail(http.StatusBadRequest, "0x004", "Invalid CSCA", Thumbprint(dsc), "no CSCA of "+c.country+" signed the DSC")
	}
	err = h.cfg.Store.AddSigner(r.Context(), Signer{Thumbprint: Thumbprint(dsc), KID: base64.StdEncoding.EncodeToString(pki.KID(dsc)),
		Country: c.country, RawData: base64.StdEncoding.EncodeToString(dsc.Raw), Signature: cms.EncodeBase64(sd.Detach()), CreatedAt: h.cfg.Now()})
	if errors.Is(err, ErrExists) {
		return fail(http.StatusConflict, "0x002", "Certificate already exists", Thumbprint(dsc), "the DSC is already present")
	}
	if err != nil {
		return fail(http.StatusInternalServerError, "0x003", "Upload of Signer Certificate failed", "", err.Error())
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) deleteSigner(w http.ResponseWriter, r *http.Request) *problemError {
	_, dsc, p := h.dscOf(r, "0x007")
	if p != nil {
		return p
	}
	err := h.cfg.Store.DeleteSigner(r.Context(), Thumbprint(dsc), callerOf(r).country, h.cfg.Now())
	if errors.Is(err, ErrNotFound) {
		return fail(http.StatusNotFound, "0x005", "Certificate not found", Thumbprint(dsc), "no such DSC of "+callerOf(r).country)
	}
	if err != nil {
		return fail(http.StatusInternalServerError, "0x006", "Delete of Signer Certificate failed", "", err.Error())
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func valueSetIDs() []string {
	var out []string
	for _, n := range valueset.Names() {
		_, id, _ := valueset.Canonical(n)
		out = append(out, id)
	}
	return out
}

func (h *Handler) valueSets(w http.ResponseWriter, r *http.Request) *problemError {
	writeJSON(w, valueSetIDs())
	return nil
}

func (h *Handler) valueSet(w http.ResponseWriter, r *http.Request) *problemError {
	id := r.PathValue("id")
	// Only by valueSetId, as the gateway names them.
	if !slices.Contains(valueSetIDs(), id) {
		return fail(http.StatusNotFound, "0x100", "Valueset not found", id, "no value set with this id")
	}
	data, _ := valueset.EmbeddedJSON(id)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
	return nil
}

func (h *Handler) countryList(w http.ResponseWriter, r *http.Request) *problemError {
	cs, err := h.cfg.Store.Countries(r.Context())
	if err != nil {
		return internal(err)
	}
	writeJSON(w, cs)
	return nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data.
func decodeLenient(data []byte, v any) error { return json.Unmarshal(data, v) }

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
