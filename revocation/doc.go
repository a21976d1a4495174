// Package revocation checks DCCs against revocation lists in the format of
// the EU DCC Gateway's revocation batches: per DSC kid and hash type, the
// first 16 bytes of a SHA-256 of
//
//   - UCI: the certificate identifier (the ci value, as written),
//   - COUNTRYCODEUCI: the issuing country's code (the CWT iss) followed by the
//     certificate identifier,
//   - SIGNATURE: the COSE signature — for ECDSA its r value only, so that the
//     malleable s cannot dodge the list; for RSA the whole signature,
//
// base64-encoded in the batch's entries. Batches carry an expiry; an expired
// batch is ignored. A verifier also looks COUNTRYCODEUCI up with the entry's
// co when it differs from iss, as some reference apps hash co (gateway.md
// §C.2), and reads the kid UNKNOWN_KID as "any DSC" (§C.4).
package revocation
