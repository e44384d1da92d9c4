//go:build !unix

package pgtest

import "testing"

// Main runs the tests of m.
func Main(m *testing.M) int { return m.Run() }

// DB skips t: the throwaway cluster needs a Unix system.
func DB(t testing.TB) string {
	t.Helper()
	t.Skip("pgtest: PostgreSQL tests run on Linux and macOS only")
	return ""
}

// Created finds no PostgreSQL: the throwaway cluster needs a Unix system.
func Created() (dsn string, ok bool, msg string, err error) {
	return "", false, "PostgreSQL tests run on Linux and macOS only", nil
}
