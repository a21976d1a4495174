//go:build !cgo

package cli_test

const cgoEnabled = false
