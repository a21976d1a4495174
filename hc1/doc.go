// Package hc1 is the transport encoding of an EU DCC (HCERT specification
// §4): the COSE message compressed with zlib (RFC 1950), encoded with Base45
// (RFC 9285) and prefixed with the context identifier "HC1:".
package hc1
