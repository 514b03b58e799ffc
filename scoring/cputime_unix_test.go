//go:build unix

package scoring_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, in all its threads
// (the garbage collector's included), for the cpu-ns/op metric of the
// benchmarks: on a machine shared with other work it is steadier than
// wall time, which counts the time the process waited for a core.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
