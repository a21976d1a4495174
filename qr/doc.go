// Package qr renders and reads the QR codes that carry an EU DCC (HCERT
// specification §4.3: the "HC1:" string in alphanumeric mode, error
// correction level Q recommended). Encoding chooses the smallest version
// that fits and the mask with the lowest ISO/IEC 18004 §8.8.2 penalty;
// decoding reads photos and scans (PNG, JPEG), trying the normal detector
// first and then the pure-barcode mode.
package qr
