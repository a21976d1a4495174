// Package signer is the only component of an issuing system that holds DSC
// keys (docs/design.md, "validate ≠ sign ≠ store"). Each issuing authority
// has its own document signer certificates (HCERT §5.1); a certificate is
// signed with a DSC of the authority it is issued for, never another's, and
// only with a DSC whose extended key usage allows its type (HCERT
// Appendix A.4) and whose validity covers it (HCERT §3.3.5–3.3.6).
//
// Keys come in as crypto.Signer values (opened by package keystore from a
// file: or pkcs11: URI in the composition root); nothing here knows where
// they live.
package signer
