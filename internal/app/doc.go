// Package app is the composition root of `dcc serve` and `dcc issue`: it
// turns a validated configuration into the running parts — the deployment
// model, the store, the signer with the DSC keys (the only place keys are
// opened, through package keystore), and the issuing service — checking at
// start-up that every DSC belongs to its key, chains to the country's CSCA and
// can sign every type its authority issues.
package app
