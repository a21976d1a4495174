// Package server is the HTTP edge of the issuing system and the national
// registry: the JSON API of docs/api.md and its OpenAPI 3 document
// (served at /api/v1/openapi.json), with bearer-token authentication,
// authorisation by the deployment model, a body limit (413), a
// per-credential rate limit (429) and RFC 9457 problem details that list
// every field error. HTTP status codes exist only here: the packages behind
// it return typed errors.
//
// The same handler serves every role: issuing routes where certificates are
// issued (roles all and authority), registry routes where the national
// registry lives (roles all and registry), and the delivery endpoint through
// which authorities send records over mutual TLS (role registry).
package server
