// Package base45 implements the Base45 encoding of RFC 9285, which the HCERT
// specification (§4.2) uses to carry compressed COSE messages in the
// alphanumeric mode of QR codes.
package base45
