// Package fetch reads the documents a verifier keeps current — the national
// trust list, revocation lists, business rules — from a file or an HTTPS
// URL. A URL's last copy is cached with its entity tag, and asked for again
// with If-None-Match: an unchanged document costs a 304, and a verifier
// still has its last copy when the network is down (the caller decides
// whether that copy is still usable, e.g. by the trust list's expiry).
package fetch
