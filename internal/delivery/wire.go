package delivery

import (
	"encoding/hex"
	"time"

	"dcc/registry"
)

// Path is where the registry takes deliveries.
const Path = "/api/v1/registry/records"

// MaxBatch is the most records one request may carry.
const MaxBatch = 1000

// MaxBatchBytes is the largest delivery request body the registry takes.
// The registry applies it to its delivery endpoint and the worker sizes its
// batches to it, so the two cannot disagree; a registry that answers 413
// all the same (another version, a proxy in front) makes the worker halve
// the batch until it fits.
const MaxBatchBytes = 4 << 20

// Batch is the body of a delivery request.
type Batch struct {
	Records []Record `json:"records"`
}

// Record is the state of one certificate as delivered.
type Record struct {
	UVCI        string      `json:"uvci"`
	Type        string      `json:"type"`
	Authority   string      `json:"authority"`
	Lab         string      `json:"lab,omitempty"`
	KID         string      `json:"kid"`
	IssuedAt    int64       `json:"iat"`
	ExpiresAt   int64       `json:"exp"`
	EventDate   string      `json:"eventDate"`
	PayloadHash string      `json:"payloadHash"` // hex SHA-256 of Payload
	Payload     []byte      `json:"payload"`     // the JSON payload, base64 so its bytes travel unchanged
	HC1         string      `json:"hc1,omitempty"`
	Replaces    string      `json:"replaces,omitempty"`
	Revocation  *Revocation `json:"revocation,omitempty"`
}

// Revocation is a delivered record's revocation.
type Revocation struct {
	At         int64  `json:"at"`
	By         string `json:"by"`
	Reason     string `json:"reason"`
	ReplacedBy string `json:"replacedBy,omitempty"`
}

// Response lists the outcome per record, in the order sent.
type Response struct {
	Results []Result `json:"results"`
}

// Result statuses.
const (
	StatusStored    = "stored"
	StatusRevoked   = "revoked"
	StatusUnchanged = "unchanged"
	StatusRejected  = "rejected"
)

// Result is the registry's answer for one record.
type Result struct {
	UVCI   string `json:"uvci"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// FromRegistry converts a stored record for sending.
func FromRegistry(r registry.Record) Record {
	out := Record{
		UVCI: r.UVCI, Type: r.Type, Authority: r.Authority, Lab: r.Lab, KID: r.KID,
		IssuedAt: r.IssuedAt.Unix(), ExpiresAt: r.Expires.Unix(), EventDate: r.EventDate,
		PayloadHash: hex.EncodeToString(r.PayloadHash[:]), Payload: r.Payload, HC1: r.HC1, Replaces: r.Replaces,
	}
	if r.RevokedAt != nil {
		out.Revocation = &Revocation{At: r.RevokedAt.Unix(), By: r.RevokedBy, Reason: r.RevokeReason, ReplacedBy: r.ReplacedBy}
	}
	return out
}

// ToRegistry converts a received record, checking that its payload matches
// its hash.
func (r Record) ToRegistry() (registry.Record, error) {
	h, err := hex.DecodeString(r.PayloadHash)
	if err != nil || len(h) != 32 {
		return registry.Record{}, refused("payloadHash", "want 64 hex digits")
	}
	out := registry.Record{
		UVCI: r.UVCI, Type: r.Type, Authority: r.Authority, Lab: r.Lab, KID: r.KID,
		IssuedAt: time.Unix(r.IssuedAt, 0).UTC(), Expires: time.Unix(r.ExpiresAt, 0).UTC(), EventDate: r.EventDate,
		Payload: r.Payload, HC1: r.HC1, Replaces: r.Replaces,
	}
	copy(out.PayloadHash[:], h)
	if registryHash(r.Payload) != out.PayloadHash {
		return registry.Record{}, refused("payloadHash", "does not match the payload")
	}
	if v := r.Revocation; v != nil {
		at := time.Unix(v.At, 0).UTC()
		out.RevokedAt, out.RevokedBy, out.RevokeReason, out.ReplacedBy = &at, v.By, v.Reason, v.ReplacedBy
	}
	return out, nil
}

// RevokedPath is where an authority pulls back the revocations of its
// certificates recorded in the registry, with query parameters since (Unix
// seconds) and after (a UVCI): the position after which the page starts.
const RevokedPath = "/api/v1/registry/records/revoked"

// RevokedPage is the most entries one page of revocations carries.
const RevokedPage = 1000

// Revoked is a page of revocations an authority pulls back, in the order
// (at, uvci); More says a next page starts after its last entry.
type Revoked struct {
	Revocations []RevokedRecord `json:"revocations"`
	More        bool            `json:"more"`
}

// RevokedRecord is one revoked certificate in a page.
type RevokedRecord struct {
	UVCI string `json:"uvci"`
	Revocation
}
