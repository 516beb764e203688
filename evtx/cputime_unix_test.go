//go:build unix

package evtx

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user+system) used by the process so far.
// Benchmarks report rates per CPU second as well as per wall second,
// because the machines that run them are shared and wall time is noisy.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
