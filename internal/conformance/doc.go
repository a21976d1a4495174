// Package conformance runs the member states' DCC test vectors (the
// dgc-testdata format: <COUNTRY>/2DCode/raw/*.json with JSON, CBOR, COSE,
// COMPRESSED, BASE45, PREFIX, 2DCODE, TESTCTX and EXPECTEDRESULTS, as its
// README defines them) against this project's implementation of every
// layer of the HCERT specification, checking every EXPECTED* flag a vector
// sets. The vectors that the data's own tests/known_issues.csv names are
// excused with their upstream issue; excused.txt lists the project's own
// deliberate deviations.
package conformance
