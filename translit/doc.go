// Package translit converts a person's name into the machine-readable form
// required for the EU DCC fields nam/fnt and nam/gnt (Annex V §3.2 of
// Implementing Decision (EU) 2021/1073 as amended): upper-case A–Z and '<'
// only, at most 80 characters, transliterated as in ICAO Doc 9303 Part 3
// (Section 6, "Transliterations recommended for use by States").
//
// Tables:
//
//   - Latin: Doc 9303 Part 3 Table A. German umlauts use the recommended
//     MRZ form (Ä→AE, Ö→OE, Ü→UE), Å→AA, Æ→AE, Ø→OE, Œ→OE, ß→SS, Þ→TH,
//     Ĳ→IJ, Ñ→N; every other letter with a diacritic becomes its base letter.
//     The Romanian comma-below letters (Ș, Ț), the Vietnamese letters
//     (Ơ, Ư and the Latin Extended Additional block), pinyin carons and the
//     Serbo-Croatian digraph ligatures (Ǆ, Ǉ, Ǌ) follow the same rule.
//   - Cyrillic: Doc 9303 Part 3 Table B, language-independent (Пётр→PETR,
//     Ж→ZH, Х→KH, Ц→TS, Щ→SHCH, Ъ→IE, Ю→IU, Я→IA, Ь dropped), including the
//     Ukrainian, Belarusian, Serbian and Macedonian letters it lists.
//     National conventions (Ukrainian Г→H, Serbian Ч→C, Bulgarian Щ→SHT)
//     are not applied: a holder whose passport uses them should have the
//     name entered as printed in the MRZ.
//   - Greek is not covered by Doc 9303. Policy: ELOT 743, the convention of
//     Greek passports (Θ→TH, Χ→CH, Ψ→PS, Η→I, Υ→Y, Ω→O, ΟΥ→OU, ΑΥ/ΕΥ/ΗΥ→
//     AV/EV/IV or AF/EF/IF by the following letter, ΓΓ→NG, ΓΞ→NX, ΓΧ→NCH,
//     and word-initial ΜΠ→B, ΝΤ→D, ΓΚ→G).
//
// Any other script (Arabic, Hebrew, Han, Thai, …) is refused with an
// *UnsupportedError: the operator must enter the name as it appears in the
// MRZ of the holder's travel document rather than have it guessed.
//
// Input is handled as if NFC-normalised, without external modules: a base
// letter followed by combining marks (U+0300–U+036F) gives the same result
// as the precomposed letter.
//
// Spaces, hyphens and dashes, commas and '<' separate name parts and become
// a single '<'; apostrophes and periods are dropped (O'Neill→ONEILL).
// Digits and other punctuation are refused with an *InvalidCharError.
package translit
