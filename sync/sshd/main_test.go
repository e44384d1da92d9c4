package sshd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/sync/server/pgtest"
)

// BRUG_TEST_STORE=postgres runs the SSH tests on a region kept in
// PostgreSQL (a database of its own per test, from pgtest's throwaway
// cluster), as it runs the server's (sync/server/backend_test.go); the
// default is the bbolt file.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// regionPath is where a test's region is kept: a bbolt file in dir, or
// a PostgreSQL database with BRUG_TEST_STORE=postgres.
func regionPath(t *testing.T, dir string) string {
	t.Helper()
	switch b := os.Getenv("BRUG_TEST_STORE"); b {
	case "", "bolt":
		return filepath.Join(dir, "server.db")
	case "postgres":
		return pgtest.DB(t)
	default:
		t.Fatalf("BRUG_TEST_STORE=%s: no such backend; have bolt, postgres", b)
		return ""
	}
}
