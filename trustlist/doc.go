// Package trustlist holds the certificates a verifier trusts (HCERT §5, the
// CSCA/DSC trust model): document signer certificates indexed by key
// identifier — several DSCs may share a kid (HCERT §3.3.3, Appendix A.1) —
// and the country signing CAs that vouch for them.
//
// It reads them from PEM/DER files — where a CA certificate is a CSCA and is
// also tried as a signer, its own trust anchor, since other implementations
// sign with self-signed CA:TRUE certificates — from the EU DCC Gateway's
// trust-list JSON (entries with kid, timestamp, country, certificateType,
// thumbprint, signature, rawData; the thumbprint and kid are checked against
// the certificate, and, given the gateway's trust anchors, the signature: a
// CMS SignedData of rawData by one of them, HCERT Appendix A.3.1's integrity
// protection; entries keep their types), and from the national trust list
// that `dcc serve` publishes: the country's DSCs (and those it imported) as
// a JSON document signed in JWS JSON serialisation (RFC 7515 §7.2.2) by a
// trust-list signer whose certificate chains to an anchor the verifier
// holds. A signed list is used only after its signature, chain and validity
// are verified.
package trustlist
