package gatewayserver

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"dcc/revocation"
)

// MaxBatchEntries is the most entries one batch may hold (gateway.md §C.4).
const MaxBatchEntries = 1000

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ParseBatch reads the JSON of an uploaded revocation batch as the
// gateway's RevocationBatchDto does (gateway.md §C.4): one object, strict,
// no trailing data; country of 2 characters; kid of 11–12 characters
// (UNKNOWN_KID or the base64 of 8 bytes); a hashType of the enum; 1 to
// 1,000 entries of 16-byte base64 hashes; expires set. Whether expires
// lies in the future and the country is the uploader's is CheckBatch's.
func ParseBatch(data []byte) (*revocation.Batch, error) {
	var b revocation.Batch
	if err := decodeStrict(data, &b); err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	if len(b.Country) != 2 {
		return nil, fmt.Errorf("country %q: want 2 characters", b.Country)
	}
	if n := len(b.KID); n < 11 || n > 12 {
		return nil, fmt.Errorf("kid %q: want 11 to 12 characters (the base64 of 8 bytes, or %s)", b.KID, revocation.UnknownKID)
	}
	if len(b.Entries) == 0 || len(b.Entries) > MaxBatchEntries {
		return nil, fmt.Errorf("entries: %d, want 1 to %d", len(b.Entries), MaxBatchEntries)
	}
	for i, e := range b.Entries {
		if len(e.Hash) != 24 {
			return nil, fmt.Errorf("entries[%d].hash %q: want 24 characters, the base64 of 16 bytes", i, e.Hash)
		}
	}
	// The checks of package revocation: hashType, kid and hash encodings,
	// expires present.
	if _, err := revocation.Parse(data); err != nil {
		return nil, err
	}
	return &b, nil
}

// ParseBatchDelete reads {"batchId": "<uuid>"}, strictly.
func ParseBatchDelete(data []byte) (string, error) {
	var d struct {
		BatchID string `json:"batchId"`
	}
	if err := decodeStrict(data, &d); err != nil {
		return "", fmt.Errorf("batch delete: %w", err)
	}
	if !uuidRE.MatchString(d.BatchID) {
		return "", fmt.Errorf("batchId %q: want a lowercase UUID", d.BatchID)
	}
	return d.BatchID, nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// BatchListItem is one entry of GET /revocation-list.
type BatchListItem struct {
	BatchID string    `json:"batchId"`
	Country string    `json:"country"`
	Date    time.Time `json:"date"`
	Deleted bool      `json:"deleted"`
}

// BatchList is the body of GET /revocation-list.
type BatchList struct {
	More    bool            `json:"more"`
	Batches []BatchListItem `json:"batches"`
}

func (h *Handler) batchList(w http.ResponseWriter, r *http.Request) *problemError {
	v := r.Header.Get("If-Modified-Since")
	if v == "" {
		return fail(http.StatusBadRequest, "0x000", "Missing If-Modified-Since", "", "If-Modified-Since is required (ISO-8601)")
	}
	since, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fail(http.StatusBadRequest, "0x000", "Invalid If-Modified-Since", v, "want an ISO-8601 date-time such as 2021-06-01T00:00:00Z")
	}
	if since.After(h.cfg.Now()) {
		return fail(http.StatusBadRequest, "0x000", "Invalid If-Modified-Since", v, "the date is in the future")
	}
	bs, err := h.cfg.Store.BatchesSince(r.Context(), since, MaxBatchList+1)
	if err != nil {
		return internal(err)
	}
	if len(bs) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	out := BatchList{More: len(bs) > MaxBatchList, Batches: []BatchListItem{}}
	for _, b := range bs[:min(len(bs), MaxBatchList)] {
		out.Batches = append(out.Batches, BatchListItem{BatchID: b.ID, Country: b.Country, Date: b.Changed, Deleted: b.Deleted})
	}
	writeJSON(w, out)
	return nil
}

func (h *Handler) getBatch(w http.ResponseWriter, r *http.Request) *problemError {
	id := r.PathValue("batchId")
	if !uuidRE.MatchString(id) {
		return fail(http.StatusBadRequest, "0x000", "Invalid batchId", id, "want a lowercase UUID")
	}
	b, err := h.cfg.Store.GetBatch(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return fail(http.StatusNotFound, "0x000", "Batch not found", id, "no batch with this id")
	}
	if err != nil {
		return internal(err)
	}
	if b.Deleted {
		return fail(http.StatusGone, "0x000", "Batch deleted", id, "the batch was deleted")
	}
	ct := "application/cms"
	if r.Header.Get("Accept") == "application/cms-text" {
		ct = "application/cms-text"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("ETag", id)
	_, _ = w.Write([]byte(b.CMS))
	return nil
}

func (h *Handler) uploadBatch(w http.ResponseWriter, r *http.Request) *problemError {
	sd, body, c, p := h.readUpload(r, batchUploaderMismatch)
	if p != nil {
		return p
	}
	b, err := ParseBatch(sd.Content)
	if err != nil {
		return fail(http.StatusBadRequest, "0x000", "Invalid JSON", "", err.Error())
	}
	if b.Country != c.country {
		return fail(http.StatusForbidden, "0x000", "Invalid country", b.Country, "the batch's country is not the authenticated "+c.country)
	}
	now := h.cfg.Now()
	if !b.Expires.After(now) {
		return fail(http.StatusBadRequest, "0x000", "Invalid Dates", b.Expires.Format(time.RFC3339), "expires must be in the future")
	}
	id := newUUID()
	err = h.cfg.Store.AddBatch(r.Context(), Batch{ID: id, Country: b.Country, KID: b.KID, HashType: string(b.HashType), Changed: now, Expires: b.Expires, CMS: body})
	if err != nil {
		return internal(err)
	}
	w.Header().Set("ETag", id)
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) deleteBatch(w http.ResponseWriter, r *http.Request) *problemError {
	sd, _, c, p := h.readUpload(r, batchUploaderMismatch)
	if p != nil {
		return p
	}
	id, err := ParseBatchDelete(sd.Content)
	if err != nil {
		return fail(http.StatusBadRequest, "0x000", "Invalid JSON", "", err.Error())
	}
	b, err := h.cfg.Store.GetBatch(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return fail(http.StatusNotFound, "0x000", "Batch not found", id, "no batch with this id")
	}
	if err != nil {
		return internal(err)
	}
	if b.Country != c.country {
		return fail(http.StatusForbidden, "0x000", "Invalid country", id, "the batch belongs to "+b.Country)
	}
	if b.Deleted {
		return fail(http.StatusGone, "0x000", "Batch already deleted", id, "the batch was deleted")
	}
	if err := h.cfg.Store.DeleteBatch(r.Context(), id, h.cfg.Now()); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fail(http.StatusGone, "0x000", "Batch already deleted", id, "the batch was deleted")
		}
		return internal(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
