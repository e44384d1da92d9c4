//go:build !linux

package server

import "time"

// dbCPU is not measured here: the benchmarks report 0.
func dbCPU(string) time.Duration { return 0 }
