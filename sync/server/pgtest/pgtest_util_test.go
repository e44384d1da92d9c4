//go:build unix

package pgtest

import (
	"os"
	"runtime"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func isLinux() bool { return runtime.GOOS == "linux" }

// processAlive reports whether /proc has pid (a zombie counts as gone).
func processAlive(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	return !containsState(string(b), "Z")
}

func containsState(stat, s string) bool {
	// stat: pid (comm) state ...
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' {
			return len(stat) > i+2 && stat[i+2:i+3] == s
		}
	}
	return false
}
