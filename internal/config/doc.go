// Package config is the configuration file of `dcc serve` and `dcc issue`
// (docs/operations.md): one JSON file per process, decoded strictly (unknown
// fields, duplicate keys and trailing data are errors), validated as a whole
// at start-up with every problem named by its path, and with a usable
// default for every field. Secrets are never written in the file itself:
// tokens, TLS keys and database passwords are read from the files it names,
// DSC keys are named by key URIs (file: or pkcs11: with pin-source).
//
// Relative paths are resolved against the directory of the file.
package config
