// Package hcert is the signed container of an EU DCC, as the eHealth
// Network's HCERT specification defines it (§2 CWT claims, §3 COSE_Sign1
// with ES256 or PS256, §5 key usage): a CBOR Web Token (RFC 8392) carrying
// the DCC payload in claim -260, signed as a COSE_Sign1 message (RFC 9052).
//
// Parse gives an Unverified value whose content cannot be trusted; Verify is
// a separate, explicit step that checks signature, validity times, key usage
// and optionally the chain to a country signing CA, reports each check by
// name, and returns the verified content only when every check passes.
package hcert
