// Package certpdf renders the printable EU Digital COVID Certificate that the
// holder receives, in PDF, in Spanish and English.
//
// The default layout (Leaflet) is one A4 sheet that folds into an A6
// leaflet, as the EU's reference issuance application prints it: a cover
// with the EU emblem (drawn as vector shapes), the certificate's type and the
// holder; inside, the QR code with the certificate's identifier and issue
// below it, and the fields of the entry; on the back, the notes (not a
// travel document, the destination's rules apply, how to verify, the
// issuer). The inside panels are printed upside down so that they come out
// upright after folding; Leaflet says how to fold. The A6 layout is a
// single A6 page with what a holder and a verifier need: the title and
// type, the holder (names as written and standardised, date of birth), the
// QR code with the entry's key facts beside it under short labels and the
// UVCI below, the issuer, and the note that it is not a travel document.
// Demo material carries a "DEMO — no válido / not valid" band on every
// panel (at the top of the A6 page), a pale watermark on the leaflet's
// panels without the QR code, and a note on its back.
//
// The QR code carries the "HC1:" string as HCERT specification §4.2.2 ("QR
// 2D Barcode") requires, encoded by package qr (alphanumeric mode, error
// correction Q). It is drawn as vector squares, which print sharp at any
// resolution. The symbol is at least QRMinSide (55 mm) wide on the leaflet
// and QRMinSideA6 (50 mm) on the A6 page, larger than §4.2.2's recommended
// 35–60 mm diagonal, so that a scan or photo at 100 dpi reads it; a module
// is a whole number of 1/300 inch dots, so that printers print every module
// square and alike, on the upside-down panel too.
//
// The document shows the fields of Annex I of Regulation (EU) 2021/953 as
// Annex V of Implementing Decision (EU) 2021/1073 encodes them: the holder
// (nam, dob) and every field of the one v, t or r entry, with coded values
// shown by their value-set names (Annex II; package valueset) and the CWT's
// iat and exp (HCERT §3.3.5–3.3.6).
//
// Text uses DejaVu Sans, embedded (fonts/, Bitstream Vera licence, see
// fonts/LICENSE) and subset into each PDF, so names in Latin, Greek and
// Cyrillic script print and can be extracted as text. A name in another
// script (Arabic, CJK, …) is not printed but left to the QR code, beside its
// standardised form and a note saying so; other text in such a script, and
// characters the font lacks, are an error rather than a blank or letters out
// of order: a certificate must not show a name other than the holder's. Long
// values wrap (names first shrink); on the A6 page, values the QR code
// carries are then shortened with "…", the standardised name first and the
// name last. Content that cannot fit on its panel is an error, never text
// off the panel.
package certpdf
