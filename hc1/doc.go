// Package hc1 is the barcode transport encoding of an EU DCC (HCERT
// specification §4.2): the COSE message compressed with zlib (RFC 1950,
// §4.2.1), encoded with Base45 (RFC 9285, §4.2.2) and prefixed with the
// context identifier "HC1:".
//
// Decode is meant for untrusted input (a scanned QR code): it refuses
// strings longer than a QR code holds (MaxLen), inflates at most MaxInflated
// bytes, and reports which layer failed in a *LayerError.
package hc1
