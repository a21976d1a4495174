// Package cli is the dcc command line: one binary, one subcommand per job.
// The commands are one table (commands), each with its help, so that every
// command answers --help and -h and none can be added without it.
// Exit codes: 0 ok, 1 invalid input (the thing checked is wrong), 2 usage
// or I/O error (the command could not check it).
package cli
