package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestServeKeepsFolderMode: serve makes its SSH host key without changing
// the mode of the database's folder (wish's key generator chmodded it to
// 0700, locking out the group the operator gave it), and writes the key
// files with mode 0600.
func TestServeKeepsFolderMode(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	db := filepath.Join(dir, "region.db")
	s := startServe(t, h, db)
	key := db + ".ssh_host_ed25519"
	eventually(t, "host key "+key, func() bool { _, err := os.Stat(key); return err == nil })
	s.stop()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("the folder's mode is %o after serve, want 755", fi.Mode().Perm())
	}
	for _, p := range []string{key, key + ".pub"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, fi.Mode().Perm())
		}
	}
}
