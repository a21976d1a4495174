// Command dcc issues, records and checks EU Digital COVID Certificates.
// Run "dcc help" for the subcommands.
package main

import (
	"os"

	"dcc/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
