// Package delivery carries records from an issuing authority's own store to
// the national registry (docs/design.md, "local store + outbox ──▶ national
// registry"; seed 000: the Ministry of Health keeps the data of every DCC
// issued in the country).
//
// Every issued certificate is written to the authority's store together with
// an outbox entry, in one transaction. A Worker reads due entries, sends
// their current state (including a later revocation) in batches over HTTPS
// with mutual TLS, and marks each one delivered when the registry confirms
// it — or schedules a retry with capped, jittered exponential backoff. A
// registry outage therefore never blocks issuance and never loses a record,
// and because the registry applies a state by UVCI idempotently, a batch
// delivered twice (a crash between sending and marking) changes nothing.
//
// The other way, the Worker pulls the revocations of the authority's
// certificates that the registry holds (those its operators make) and takes
// them into the authority's store, so both show the same state.
package delivery
