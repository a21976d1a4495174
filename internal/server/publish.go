package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"dcc/registry"
	"dcc/revocation"
	"dcc/trustlist"
)

// TrustList is the signed national trust list to publish.
type TrustList interface {
	Signed() (trustlist.Signed, error)
}

// RevokedSource lists the revoked certificates to publish.
type RevokedSource interface {
	Revoked(ctx context.Context, at time.Time) ([]registry.Record, error)
}

// trustList serves the signed national trust list. Verifiers poll it with
// If-None-Match and get 304 until it changes.
func (s *Server) trustList(w http.ResponseWriter, r *http.Request) {
	signed, err := s.TrustList.Signed()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	serveCached(w, r, trustlist.MediaType, signed.ETag, signed.Body)
}

// revocations serves the registry's revocations in the EU DCC Gateway's
// batch format: per DSC kid, one batch of UCI hashes, one of COUNTRYCODEUCI
// hashes and, where the signed certificate is known, one of SIGNATURE
// hashes, so that a verifier that reads only one hash type finds them;
// then the other countries' batches downloaded from the gateway.
func (s *Server) revocations(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	recs, err := s.Revoked.Revoked(r.Context(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	revs := make([]revocation.Revoked, len(recs))
	for i, rec := range recs {
		revs[i] = revocation.Revoked{UVCI: rec.UVCI, KID: rec.KID, Signature: rec.Signature(), Expires: rec.Expires}
	}
	// COUNTRYCODEUCI with the CWT iss, as the specification says; the
	// records of this registry are all signed with its country as iss.
	doc := revocation.Document{Batches: revocation.Batches(s.Deployment.Country(), revs, 0)}
	if s.OtherRevocations != nil {
		// The other countries' batches downloaded from the gateway, so that
		// the country's verifiers need one source.
		for _, b := range s.OtherRevocations() {
			if b.Expires.After(now) {
				doc.Batches = append(doc.Batches, b)
			}
		}
	}
	if doc.Batches == nil {
		doc.Batches = []revocation.Batch{}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := sha256.Sum256(body)
	serveCached(w, r, "application/json", `"`+hex.EncodeToString(sum[:16])+`"`, body)
}

// serveCached answers with body and its ETag, or 304 when the client holds
// it already.
func serveCached(w http.ResponseWriter, r *http.Request, contentType, etag string, body []byte) {
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == etag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
