// Package gwsync is the national synchronisation with the EU DCC Gateway
// (issue 11; gateway.md §A.3, §A.4, §C.1–§C.4; Annex IV of Implementing
// Decision (EU) 2021/1073).
//
// Up: every authority's DSC is uploaded once when it appears and deleted
// when withdrawn; the registry's revocations go up as gateway batches, per
// DSC kid and hash type (UCI, COUNTRYCODEUCI with the CWT iss, SIGNATURE
// with r only for ES256), each expiring with the last of its certificates.
// Both go through a durable outbox in the registry's database: an outage
// loses nothing, retries back off, and an upload whose answer was lost is
// looked for on the gateway before it is sent again, so a batch is never
// uploaded twice.
//
// Down: the trust list (checked entry by entry, §A.4), the value sets,
// every country's business rules and the revocation batches (paged by
// If-Modified-Since, §C.3). A synchronisation applies completely or not at
// all: everything is downloaded and checked first, then stored in one
// transaction, then installed into the running process (the national trust
// list, the value-set store, the verification service's rules and
// revocations). Another process's synchronisation (`dcc gateway sync`) is
// noticed by the stored generation and installed the same way.
package gwsync
