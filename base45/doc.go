// Package base45 implements the Base45 encoding of RFC 9285, which the HCERT
// specification (§4.2.2) uses to carry compressed COSE messages in the
// alphanumeric mode of QR codes.
//
// Decoding is strict, as the input comes from a scanned code: a character
// outside the 45-character alphabet (lower case and line breaks included), a
// length that leaves one character, or a group whose value does not fit its
// bytes is a *CorruptInputError. Every byte string has exactly one encoding,
// so Encode(Decode(s)) == s for every s that decodes.
package base45
