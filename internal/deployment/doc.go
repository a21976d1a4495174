// Package deployment is a country's issuing system as seed 000 describes
// Spain's: several issuing authorities (the regions, the Ministry of Defence,
// the Ministry of Health), each with its own DSC keys, UVCI issuer prefix and
// allowed certificate types; laboratories registered under a region that
// issue test certificates only, signed with their region's DSC; and the
// operators of the national registry.
//
// It authenticates credentials (bearer tokens, compared by SHA-256) into a
// Principal and authorises every action against the model: a laboratory can
// never obtain a vaccination certificate, the Ministry of Health never a test
// certificate, and one authority never signs with or reads another's
// certificates.
package deployment
