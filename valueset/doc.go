// Package valueset provides the eight EU DCC value sets of Annex II of
// Implementing Decision (EU) 2021/1073 (as amended by 2021/2014), in the
// JSON format distributed by the EU DCC Gateway and the eHealth Network
// repository, together with the rules of Annex V that depend on them:
//
//   - t/ma: the RAT device list "shall be updated every 24 hours"
//     ([Store.Stale]) and "if an identifier is removed from the value set,
//     certificates containing it may be accepted for up to 72 hours from the
//     date of removal" ([Store.RATDevice]);
//   - v/co, t/co, r/co and Annex II §6: a country code or the code of an
//     international organisation ([Store.Country]);
//   - Annex A of the eHealth Network value-set guidelines
//     (vaccine-encoding-instructions.json, [Store.Encoding]) and the
//     issuance guide's "Encoding of Bivalent Vaccines" ([Supertype]).
//
// The official snapshot, release 2.12.0 of eu-dcc-valuesets (Apache-2.0,
// see data/LICENSE), is embedded unchanged and returned by [Embedded]. The
// gateway's copy is the leading one: [LoadDir] reads sets saved from it, and
// [Store.Update] installs each newly fetched version while keeping the
// history the grace period needs.
//
// [Store.Name] gives each code's name in Spanish and English (countries
// from CLDR, the clinical sets from the reviewed [ClinicalNames]), and
// [Clean] removes the artefacts of the published displays, at load time,
// without changing the data.
//
// A set is named by its canonical name (the constants below, which are the
// names the CLI and the validator use) or by its gateway valueSetId; every
// function taking a name accepts both.
package valueset
