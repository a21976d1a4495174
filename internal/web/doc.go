// Package web is the server-rendered web interface of the issuing system
// and the national registry: sign-in with the API's bearer tokens, the
// issue forms of Annex V of Commission Implementing Decision (EU) 2021/1073
// (vaccination with the dose numbering of Annex II §5, test, recovery),
// the certificate page with its QR code (HCERT §4.3) and PDF, the
// registry's search, revocation and statistics for national operators, and
// the public verify page for people at borders and venues.
//
// It is html/template and one embedded style sheet, with no script: every
// function works with plain forms. Sessions live in memory behind a
// 256-bit random cookie (HttpOnly, SameSite=Strict, Secure and __Host- over
// TLS); every POST carries a per-session CSRF token, the sign-in form a
// signed double-submit token, and cross-site requests are refused by Fetch
// Metadata or Origin (net/http.CrossOriginProtection), following the OWASP
// Session Management and CSRF Prevention cheat sheets. Pages send a
// Content-Security-Policy that allows no script and nothing from elsewhere.
//
// The one exception is /verify: its camera needs a script, which is one
// static file of this origin (/assets/verify.js), allowed on that page
// alone. The page works without it (a photo upload, pasted text), needs no
// sign-in, and is rate-limited per address as the API's verification is.
package web
