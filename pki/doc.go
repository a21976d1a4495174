// Package pki is the public-key infrastructure of the HCERT specification
// (eHealth Network, "Electronic Health Certificates", §5 Certificate
// governance and Annex: key usage): country signing CAs (CSCA) and the
// document signer certificates (DSC) they issue, the extended key usage OIDs
// that restrict a DSC to test, vaccination or recovery certificates, the key
// identifier (kid) of a DSC, and the check that a DSC chains to a CSCA of its
// country.
package pki
