// Package gatewayserver is a server compatible with the EU DCC Gateway
// (shared/specs/gateway.md), for testing national backends and clients
// against it: the endpoints of §A.3 with the reference gateway's checks and
// error codes, its ProblemReport (§A.5), TrustList JSON (§A.4) and CMS
// formats (§B).
//
//   - Onboarding (§A.2): the operator adds a country's AUTHENTICATION (with
//     revocation roles), UPLOAD and CSCA certificates, each row signed by
//     the trust anchor as a detached CMS over the DER (§B.1). Every read
//     re-verifies each row against the anchor and leaves out those that fail,
//     for downloads and authentication alike (§A.4).
//   - Authentication (§A.1): the client certificate of mutual TLS (SHA-256
//     of its DER, its subject's C), or the X-SSL-Client-SHA256 and
//     X-SSL-Client-DN headers when the request comes from the configured
//     proxy address.
//   - DSC uploads and deletes (§A.3 notes, §B.2): an embedded CMS signed by
//     an UPLOAD certificate of the country, the DSC's subject C the country,
//     the DSC signed by one of its CSCAs; stored with the CMS re-packed
//     detached as the trust list's signature.
//   - Rules: the constraints of Gateway-constraints.adoc, in its order, the
//     first violation reported, with package rules' Parse, Lint and
//     Upload.Check mapped onto the codes 0x200–0x270.
//   - Revocation (§C.3, §C.4): batches, roles, the list in pages of 1,000
//     changed strictly after If-Modified-Since, deletes.
//   - Clean-up (§A.3 notes): Store.CleanUp marks expired batches deleted and
//     purges deletions older than 14 days; the trust list's delta download
//     shows a deleted DSC, with null rawData and signature, until then.
//
// Not implemented: trusted issuers (GET /trustList/issuers answers an
// empty list) and /cms-migration.
//
// Storage is SQLite or PostgreSQL with embedded migrations, as in package
// registry.
package gatewayserver
