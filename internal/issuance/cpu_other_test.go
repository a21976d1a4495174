//go:build !unix

package issuance_test

import "time"

// cpuTime is not measured here: the benchmarks report 0 CPU µs.
func cpuTime() time.Duration { return 0 }
