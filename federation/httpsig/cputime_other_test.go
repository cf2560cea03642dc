//go:build !linux

package httpsig_test

import "time"

var start = time.Now()

// threadCPU falls back to wall time where RUSAGE_THREAD is missing.
func threadCPU() time.Duration { return time.Since(start) }
