// Package conformance runs the member states' DCC test vectors (the
// dgc-testdata format: <COUNTRY>/2DCode/raw/*.json with JSON, CBOR, COSE,
// COMPRESSED, BASE45, PREFIX, 2DCODE, TESTCTX and EXPECTEDRESULTS) against
// this project's implementation of every layer of the HCERT specification,
// checking every EXPECTED* flag a vector sets.
package conformance
