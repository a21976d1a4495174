package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"dcc/hc1"
	"dcc/hcert"
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
// hashes, so that a verifier that reads only one hash type finds them.
func (s *Server) revocations(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	recs, err := s.Revoked.Revoked(r.Context(), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type batchKey struct {
		kid string
		typ revocation.HashType
	}
	batches := map[batchKey]*revocation.Batch{}
	var order []batchKey
	add := func(kid string, typ revocation.HashType, h revocation.Hash, exp time.Time) {
		k := batchKey{kid, typ}
		b := batches[k]
		if b == nil {
			b = &revocation.Batch{Country: s.Deployment.Country(), KID: kid, HashType: typ}
			batches[k] = b
			order = append(order, k)
		}
		b.Entries = append(b.Entries, revocation.EntryOf(h))
		if exp.After(b.Expires) {
			b.Expires = exp // a batch may go once its last certificate has expired
		}
	}
	for _, rec := range recs {
		// COUNTRYCODEUCI with the CWT iss, as the specification says; the
		// records of this registry are all signed with its country as iss.
		h := revocation.Of(rec.UVCI, s.Deployment.Country(), nil)
		add(rec.KID, revocation.UCI, h.UCI, rec.Expires)
		add(rec.KID, revocation.CountryCodeUCI, h.CountryCodeUCI, rec.Expires)
		if rec.HC1 == "" {
			continue
		}
		cose, err := hc1.Decode(rec.HC1)
		if err != nil {
			continue
		}
		u, err := hcert.Parse(cose)
		if err != nil {
			continue
		}
		add(rec.KID, revocation.Signature, revocation.SignatureHash(u.Signature()), rec.Expires)
	}
	doc := revocation.Document{Batches: []revocation.Batch{}}
	for _, k := range order {
		doc.Batches = append(doc.Batches, *batches[k])
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
