//go:build !unix

package main

import (
	"os"
	"time"
)

// queryBackground does not ask terminals outside unix; termenv does not
// either there.
func queryBackground(*os.File, string, time.Duration) (dark, ok bool) { return false, false }
