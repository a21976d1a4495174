// Package keystore opens signing keys by URI and returns a crypto.Signer:
// nothing else in the system knows where keys live (the model of
// smallstep/crypto's kms). The keys sign the COSE messages of the HCERT
// specification (§3.3.2: ES256 and PS256) and the certificates of its
// PKI (§5).
//
//	file:PATH[?passphrase-file=PFILE]
//	    a PKCS#8 PEM private key, optionally encrypted, its passphrase
//	    read from PFILE. The standard library has no PKCS#8 decryption, so
//	    this package reads the one scheme current OpenSSL writes by default
//	    (PBES2: PBKDF2 with HMAC-SHA-1 or -SHA-256, AES-CBC; "openssl pkcs8
//	    -topk8 -v2 aes-256-cbc") from standard-library primitives, and
//	    refuses any other scheme with a hint.
//	pkcs11:token=LABEL;object=LABEL[;id=%01]?module-path=LIB&pin-source=file:PINFILE
//	    a key pair in a PKCS#11 token (RFC 7512), the token selected by its
//	    label (slot numbers change when tokens are added). Keys generated
//	    here are created inside the token, sensitive and not extractable:
//	    the private key never leaves it. Needs cgo; without it the scheme
//	    fails with an error saying so.
//
// Secrets are taken only by file reference (pin-source, passphrase-file),
// never inline, so that they stay out of command lines, process lists and
// configuration.
package keystore
