//go:build unix

package issuance_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, user and system: per
// certificate it is what issuance costs whatever else runs on the machine,
// which the wall-clock time per certificate is not on a shared one.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
