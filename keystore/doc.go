// Package keystore opens signing keys by URI and returns a crypto.Signer:
// nothing else in the system knows where keys live (the model of
// smallstep/crypto's kms).
//
//	file:PATH[?passphrase-file=PFILE]
//	    a PKCS#8 PEM private key, optionally encrypted (PBES2: PBKDF2 with
//	    HMAC-SHA-256 and AES-CBC, as "openssl pkcs8 -topk8 -v2 aes-256-cbc"
//	    writes), its passphrase read from PFILE.
//	pkcs11:token=LABEL;object=LABEL[;id=%01]?module-path=LIB&pin-source=file:PINFILE
//	    a key in a PKCS#11 token (RFC 7512), selected by token label. Keys
//	    generated here are created inside the token as sensitive and not
//	    extractable: the private key never leaves it. Needs cgo.
//
// Secrets are taken only by file reference (pin-source, passphrase-file),
// never inline, so that they stay out of command lines and configuration.
package keystore
