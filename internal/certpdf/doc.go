// Package certpdf renders the printable EU Digital COVID Certificate that the
// holder receives: one A4 page in PDF with the QR code and, in Spanish and
// English, what the certificate says.
//
// The QR code carries the "HC1:" string as HCERT specification §4.2.2 ("QR
// 2D Barcode") requires, encoded by package qr (alphanumeric mode, error
// correction Q). It is drawn as vector squares, which print sharp at any
// resolution. Its size follows §4.2.2 too: the symbol with its 4-module
// quiet zone measures about 50 mm across the diagonal, and it and the symbol
// alone stay within 37–58 mm, inside the recommended 35–60 mm, whatever the
// QR version; a module is a whole number of 1/300 inch dots, so that printers
// print every module square and alike.
//
// The page shows the fields of Annex I of Regulation (EU) 2021/953 as Annex
// V of Implementing Decision (EU) 2021/1073 encodes them: the holder (nam,
// dob) and every field of the one v, t or r entry, with coded values shown by
// their value-set names (Annex II; package valueset) and the CWT's iat and
// exp (HCERT §3.3.5–3.3.6).
//
// Text uses DejaVu Sans, embedded (fonts/, Bitstream Vera licence, see
// fonts/LICENSE) and subset into each PDF, so names in Latin, Greek and
// Cyrillic script print and can be extracted as text. A name in another
// script (Arabic, CJK, …) is not printed but left to the QR code, beside its
// standardised form and a note saying so; other text in such a script, and
// characters the font lacks, are an error rather than a blank or letters out
// of order: a certificate must not show a name other than the holder's. Long
// values wrap (names first shrink); content that cannot fit on the page is
// an error, never text off the page.
package certpdf
