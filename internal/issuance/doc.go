// Package issuance is the issuing pipeline of an authority (docs/design.md,
// "validate ≠ sign ≠ store"): a request is authorised against the
// deployment model, completed with what the authority fills in itself (ver,
// tg, co, is, tc, fnt/gnt by ICAO 9303 transliteration, dn/sd from a dose
// history by Annex II §5), given a UVCI (Annex III §3), validated strictly
// against Annex V and the schema, signed by the signer as a DSC of the
// authority, and stored with its audit entry — and, in an authority's own
// store, its outbox entry for the national registry — in one transaction.
//
// A rejected request is never signed and leaves nothing behind. Problems
// name the field and the rule (a *dcc.ValidationError); an action the model
// does not allow is a *deployment.ForbiddenError.
package issuance
