package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerKeyFlags: brug serve keeps the key store and the master key
// where --key-store and --master-key say (not beside the data file); brug
// admin and brug check find them through their own flags, brug serve's
// environment variables or the serve section of the config file; a master
// key file others can read is refused by every one of them.
func TestServerKeyFlags(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "region.db")
	ks := filepath.Join(dir, "keys", "region.keys")
	mk := filepath.Join(dir, "secret", "master.key")
	for _, d := range []string{filepath.Dir(db), filepath.Dir(ks)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s := startServe(t, h, db, "--ssh-addr", "", "--key-store", ks, "--master-key", mk)
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
	for _, f := range []string{ks, mk} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("serve did not make %s: %v", f, err)
		}
	}
	for _, f := range []string{db + ".keys", db + ".master-key"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("serve made %s beside the data file", filepath.Base(f))
		}
	}

	expect(t, "admin with flags", h.run("--db", db, "admin", "--key-store", ks, "--master-key", mk, "team", "add", "Noord"), exitOK)

	h.env["BRUG_SERVE_KEY_STORE"], h.env["BRUG_SERVE_MASTER_KEY"] = ks, mk
	if r := h.run("--db", db, "admin", "team", "list"); r.code != exitOK || !strings.Contains(r.stdout, "Noord") {
		t.Errorf("admin with brug serve's environment:\n%s", r)
	}
	delete(h.env, "BRUG_SERVE_KEY_STORE")
	delete(h.env, "BRUG_SERVE_MASTER_KEY")

	cfg := writeConfig(t, filepath.Join(dir, "brug.yaml"), "serve:\n  key-store: "+ks+"\n  master-key: "+mk+"\n")
	if r := h.run("--config", cfg, "--db", db, "admin", "team", "list"); r.code != exitOK || !strings.Contains(r.stdout, "Noord") {
		t.Errorf("admin with brug serve's config section:\n%s", r)
	}
	expect(t, "check with brug serve's config section", h.run("--config", cfg, "--db", db, "check"), exitOK)

	if r := h.run("--db", db, "admin", "team", "list"); r.code == exitOK {
		t.Errorf("admin opened the file without its master key:\n%s", r)
	}

	if err := os.Chmod(mk, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"serve": {"--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "", "--metrics-addr", "off", "--key-store", ks, "--master-key", mk},
		"admin": {"--db", db, "admin", "--key-store", ks, "--master-key", mk, "team", "list"},
		"check": {"--config", cfg, "--db", db, "check"},
	} {
		r := h.run(args...)
		if r.code == exitOK || !strings.Contains(r.stderr, "chmod 600 "+mk) {
			t.Errorf("%s with a master key others can read:\n%s", name, r)
		}
	}

	// brug admin backup copies the key store too, and says the master key
	// is not in the copy.
	if err := os.Chmod(mk, 0o600); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup", "region.db")
	if err := os.MkdirAll(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	r := h.run("--config", cfg, "--db", db, "admin", "backup", backup)
	if r.code != exitOK || !strings.Contains(r.stdout, backup+".keys") || !strings.Contains(r.stdout, "hoofdsleutel zit er niet in") {
		t.Errorf("backup:\n%s", r)
	}
	for _, f := range []string{backup, backup + ".keys"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the backup lacks %s: %v", filepath.Base(f), err)
		}
	}
}
