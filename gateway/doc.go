// Package gateway is a client of the EU DCC Gateway (DGCG), the hub through
// which member states exchange their document signer certificates, business
// rules, value sets and revocation batches. It implements the client side of
// shared/specs/gateway.md: the API of §A (paths, mutual TLS with the
// country's AUTHENTICATION certificate, the problem JSON of §A.5, the
// ISO-8601 If-Modified-Since of §A.6), the CMS formats of §B and the
// revocation-list paging of §C.3–C.4.
//
// Nothing downloaded is used before it is checked. A trust list is checked
// as §A.4 says, entry by entry: the thumbprint is the SHA-256 of rawData,
// the kid its first 8 bytes, the entry's country the certificate's; every
// AUTHENTICATION, UPLOAD and CSCA entry carries a detached CMS signature by
// the gateway operator's trust anchor (DCCG_TA) over the certificate's DER;
// every DSC entry one by an UPLOAD certificate of its country, and the DSC
// itself is signed by a CSCA of its country. An entry that fails is refused
// and reported (Refusal), never used; one bad entry does not refuse the rest,
// since the gateway itself serves entries of every country side by side.
// CheckTrustList runs the same checks offline. Rules and revocation batches
// are embedded CMS messages, each checked against the UPLOAD certificates of
// the country it claims to come from before its content is decoded, strictly,
// by package rules or package revocation.
//
// Uploads are signed with the country's UPLOAD key (§B.2): an embedded CMS
// SignedData over the DSC's DER or the UTF-8 JSON (or the rule id), sent as
// base64 without line breaks with Content-Type application/cms. Keys are
// named by key URI (package keystore): a file or a PKCS#11 token, so both the
// TLS client key and the UPLOAD key may stay inside an HSM.
//
// Errors the gateway answers with are *ProblemError, with the fields of its
// problem report and a Hint for the codes it documents; errors.Is matches
// them against ErrUnauthorized, ErrForbidden, ErrNotFound, ErrExists, ErrGone
// and ErrBadRequest by HTTP status.
package gateway
