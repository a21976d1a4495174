// Package softhsmtest gives tests a fresh SoftHSM2 token (PKCS#11), so
// that keys can be generated in an HSM and used by key URI (RFC 7512), as
// in production. Tests skip with a clear message where SoftHSM2 is not
// installed.
package softhsmtest
