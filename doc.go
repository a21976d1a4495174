// Package dcc is the content of an EU Digital COVID Certificate: the payload
// model of schema 1.3.x and the rules every certificate must follow.
//
// It implements Annex V of Commission Implementing Decision (EU) 2021/1073 as
// amended by (EU) 2021/2014 (the JSON structure, field by field), the value-set
// rules of Annex II and the official JSON schemas 1.0.0–1.3.3 of the eHealth
// Network, which are embedded and selected by the payload's "ver" field.
// Schemas 1.3.x, the ones certificates are issued with, are checked by a
// validator written for them in Go (schema13.go), which tests hold to the
// JSON-schema library finding for finding; the library checks the others.
//
// Validation reports every problem at once as "path: reason". It has two
// modes: Strict, for issuance, where every deviation is an error so that a
// wrong certificate is never signed; and Lenient, for verification, where
// structure and dates are errors but value-set misses and the encoding habits
// of older certificates are warnings that explain what is wrong.
//
// The related rules live in small packages of their own: uvci (Annex III §3),
// valueset (Annex II value sets), translit (ICAO 9303 Part 3) and doses
// (Annex II §5).
package dcc
