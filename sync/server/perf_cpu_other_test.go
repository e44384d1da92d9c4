//go:build !unix

package server

import "time"

// selfCPU is not measured here: the benchmarks report 0.
func selfCPU() time.Duration { return 0 }
