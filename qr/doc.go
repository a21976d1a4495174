// Package qr renders and reads the QR codes that carry an EU DCC, as HCERT
// specification §4.2.2 ("QR 2D Barcode") requires: the "HC1:" Base45
// string in alphanumeric mode (ISO/IEC 18004:2015), at error correction
// level Q as recommended.
//
// Encode picks the smallest version that holds the text and the mask with
// the lowest ISO/IEC 18004 penalty (rules N1–N4; rsc.io/qr alone always
// uses mask 0); its symbols are module-for-module those of zxing's encoder.
// The masks are scored on bit rows and columns, 64 modules to a word. PNG
// (1-bit grey, written straight from the module rows, with no general
// compressor) and SVG include the 4-module quiet zone. Decode reads PNG and JPEG
// images, such as phone photos and scans, with zxing (gozxing): the normal
// detector first, then the pure-barcode mode, within explicit size limits.
package qr
