// Package uvci parses, checks and issues unique certificate identifiers (UCI,
// "UVCI"), the "ci" field of an EU Digital COVID Certificate.
//
// It implements Annex III §3 ("General requirements") of Commission
// Implementing Decision (EU) 2021/1073 as amended by Implementing Decision
// (EU) 2021/2014, and the "v/ci", "t/ci" and "r/ci" fields of Annex V:
//
//	[URN:UVCI:]01:<country>:<national part>[#<check character>]
//
// The rules:
//
//   - Character set: upper-case US-ASCII A–Z, 0–9 and the separators '/', '#'
//     and ':'.
//   - Version "01", two digits; other versions are refused.
//   - Country: ISO 3166-1 alpha-2. Codes of three or more letters (e.g.
//     "UNHCR") are reserved for future use: refused in [Strict] mode,
//     accepted with a warning in [Lenient] mode.
//   - Length: designers should aim for 27–30 characters (without
//     "URN:UVCI:"); up to 72 are allowed when the identifier carries extra
//     information. The 1.3.x schemas cap "ci" at 80 characters in total.
//   - The "URN:UVCI:" prefix and the check character are optional (Annex V).
//     The check character is Luhn mod N over [Alphabet] (N = 38), computed
//     over the whole identifier in wire format, including "URN:UVCI:", and
//     separated from it by '#'.
//
// Only the format of the country code is checked, not membership of ISO
// 3166-1: the list changes, and the country value set is the valueset
// package's business.
//
// [Parse] has two modes: [Strict] for issuance, where every deviation is an
// error, and [Lenient] for verification, where lower case and reserved country
// codes are tolerated with warnings. A wrong check character is an error in
// both modes: it means the identifier was corrupted in transcription.
//
// [Generator] issues new identifiers URN:UVCI:01:<CC>:<issuer>/<unique>#<check>
// whose unique part comes from a CSPRNG; [Generator.Ordered] makes ones whose
// unique part begins with the time of issue, so that they sort as issued.
package uvci
