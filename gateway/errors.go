package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Sentinels a *ProblemError matches by HTTP status, for callers that branch.
var (
	ErrBadRequest   = errors.New("gateway: bad request (400)")
	ErrUnauthorized = errors.New("gateway: not authenticated (401)")
	ErrForbidden    = errors.New("gateway: forbidden (403)")
	ErrNotFound     = errors.New("gateway: not found (404)")
	ErrExists       = errors.New("gateway: already exists (409)")
	ErrGone         = errors.New("gateway: deleted (410)")
)

// ErrNoUploadKey means an upload was asked of a client configured without
// an UPLOAD key and certificate.
var ErrNoUploadKey = errors.New("gateway: no UPLOAD key configured (Config.UploadKey, Config.UploadCert)")

// ProblemError is an error response of the gateway: its HTTP status and
// its problem report (gateway.md §A.5). A body that is not a problem report
// (Spring's own errors, a proxy's page) leaves Code empty and puts the start
// of the body into Problem.
type ProblemError struct {
	Method, Path string
	Status       int
	Code         string `json:"code"`
	Problem      string `json:"problem"`
	SendValue    string `json:"sendValue"`
	Details      string `json:"details"`
}

func (e *ProblemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gateway: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	if e.Problem != "" {
		fmt.Fprintf(&b, ": %s", e.Problem)
	}
	if e.Details != "" {
		fmt.Fprintf(&b, " (%s)", e.Details)
	}
	if e.SendValue != "" {
		fmt.Fprintf(&b, ", sent %q", e.SendValue)
	}
	if h := e.Hint(); h != "" {
		fmt.Fprintf(&b, "; hint: %s", h)
	}
	return b.String()
}

// Is matches the sentinel of the response's status.
func (e *ProblemError) Is(target error) bool {
	switch e.Status {
	case http.StatusBadRequest:
		return target == ErrBadRequest
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusConflict:
		return target == ErrExists
	case http.StatusGone:
		return target == ErrGone
	}
	return false
}

// Hint says what a documented code usually means and what to do about it
// (gateway.md §A.1, §A.3, §A.5), or "" for an unknown code.
func (e *ProblemError) Hint() string {
	code := strings.ToLower(e.Code)
	if code == "0x402" {
		// The same code means two things (§A.5).
		if e.Status == http.StatusUnauthorized {
			return "the gateway does not know this AUTHENTICATION certificate, or its trust-anchor signature is invalid: have the TLS client certificate onboarded for the country"
		}
		return "the gateway could not parse the CMS: it must be a SignedData, base64 without line breaks"
	}
	if h, ok := hints[code]; ok {
		return h
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return "the TLS client certificate was not accepted: check Config.AuthKey and Config.AuthCert"
	case http.StatusForbidden:
		return "the authenticated country may not do this"
	}
	return ""
}

var hints = map[string]string{
	"0x400": "no client certificate reached the gateway (or the load balancer did not forward X-SSL-Client-SHA256 and X-SSL-Client-DN)",
	"0x401": "the client certificate's subject has no country (C)",
	"0x403": "the AUTHENTICATION certificate lacks the role (REVOCATION_LIST_READER, REVOCATION_UPLOADER or REVOCATION_DELETER): ask the gateway operator",
	"0x000": "the revocation batch was refused: country must be the authenticated one, expires in the future, 1 to 1,000 entries of 16-byte hashes, one kid and hashType",
	"0x001": "a value is out of range (e.g. a country that is not 2 characters)",
	"0x002": "the DSC is already on the gateway",
	"0x003": "the gateway failed to store the DSC: retry later",
	"0x004": "the DSC was refused: its subject must have exactly one C, the authenticated country, and it must be signed by one of the country's CSCAs",
	"0x005": "the gateway has no such DSC",
	"0x006": "the gateway failed to delete the DSC: retry later",
	"0x007": "the DSC to delete was refused: it must be of the authenticated country",
	"0x008": "the gateway failed internally: retry later",
	"0x009": "the CMS signature is invalid, or its signer is not an UPLOAD certificate of the authenticated country",
	"0x100": "the gateway has no value set of that id",
	"0x200": "the rule does not match the gateway's JSON schema",
	"0x210": "the rule's Country is not the authenticated country",
	"0x220": "the rule's Version must be greater than the one on the gateway",
	"0x230": "the CMS signer is not an UPLOAD certificate of the authenticated country",
	"0x240": "the rule's ValidFrom/ValidTo were refused: at most 2 weeks ahead, 48 h ahead for Acceptance rules, in the future for Invalidation rules, valid for 72 h at least",
	"0x250": "the rule Identifier is invalid or does not fit its Country, CertificateType or Type",
	"0x260": "the CMS signature is invalid (signingTime must be within the UPLOAD certificate's validity)",
	"0x270": "the gateway has no rule of that id",
	"0x299": "the gateway failed to store the rule: retry later",
}

// problemFrom reads an error response.
func problemFrom(method, path string, status int, body []byte) *ProblemError {
	e := &ProblemError{Method: method, Path: path, Status: status}
	var p struct {
		Code      *string `json:"code"`
		Problem   string  `json:"problem"`
		SendValue string  `json:"sendValue"`
		Details   string  `json:"details"`
	}
	if json.Unmarshal(body, &p) == nil && p.Code != nil {
		e.Code, e.Problem, e.SendValue, e.Details = *p.Code, p.Problem, p.SendValue, p.Details
		return e
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	e.Problem = s
	return e
}
