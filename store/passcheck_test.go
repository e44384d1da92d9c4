package store

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestCheckPassphrase: the open file's passphrase is told apart from a
// wrong or missing one; a file with its key in the keyring, or a plain
// file, has no passphrase to check.
func TestCheckPassphrase(t *testing.T) {
	fast := &Argon2Params{Time: 1, Memory: 64, Threads: 1}
	dir := t.TempDir()
	pass, err := Open(filepath.Join(dir, "pass.db"), Options{NoSync: true, Author: "t",
		Encryption: &Encryption{Passphrase: []byte("goede zin"), Argon2: fast}})
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close()
	if err := pass.CheckPassphrase([]byte("goede zin")); err != nil {
		t.Errorf("the right passphrase: %v", err)
	}
	for _, wrong := range []string{"foute zin", ""} {
		if err := pass.CheckPassphrase([]byte(wrong)); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("passphrase %q: %v, want ErrWrongPassphrase", wrong, err)
		}
	}
	kr, err := Open(filepath.Join(dir, "keyring.db"), Options{NoSync: true, Author: "t",
		Encryption: &Encryption{Keyring: newMemKeyring()}})
	if err != nil {
		t.Fatal(err)
	}
	defer kr.Close()
	plain, err := Open(filepath.Join(dir, "plain.db"), Options{NoSync: true, Author: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	for name, s := range map[string]*Store{"keyring": kr, "plain": plain} {
		if err := s.CheckPassphrase([]byte("goede zin")); !errors.Is(err, ErrNeedPassphrase) {
			t.Errorf("%s file: %v, want ErrNeedPassphrase", name, err)
		}
	}
}
