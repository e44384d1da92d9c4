//go:build unix && !linux

package pgtest

import "syscall"

// setPdeathsig does nothing where there is no parent-death signal: Main
// stops the cluster at the end of the tests.
func setPdeathsig(*syscall.SysProcAttr) {}
