// Package verify is what a verifier does with a DCC (HCERT §3, §5; the EU
// DCC business rules): read the QR code or the "HC1:" string, decode it
// (Base45, zlib, COSE/CWT), check the signature against the trust list and
// the certificate's validity, key usage and chain, check the payload against
// the schema and Annex V (leniently, as a verifier must for certificates of
// every member state), check it against revocation lists, and, for a
// country of arrival, evaluate that country's acceptance rules and the
// issuing country's invalidation rules at the validation time.
//
// The outcome is one clear state — VALID, INVALID (and why), or NOT
// ACCEPTED in the chosen country (which rules failed) — with every check
// named. The reason comes in Spanish and English from one typed table
// (messages.go), with the technical detail for operators apart; for an
// unknown signer a note says which countries' signing certificates the trust
// list holds, so that a genuine certificate of another country is not taken
// for a forgery. Nothing of the payload is returned unless the signature
// verified; then Result.Event holds what a border officer checks.
package verify
