// Package gwtest makes EU DCC Gateway material for tests: a trust anchor,
// and gateway trust lists whose entries it signs as the gateway does (a CMS
// SignedData over each certificate, content detached, SHA-256).
package gwtest
