// Package cli is the dcc command line: one binary, one subcommand per job.
// Exit codes: 0 ok, 1 invalid input (the thing checked is wrong), 2 usage
// or I/O error (the command could not check it).
package cli
