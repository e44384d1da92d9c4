package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// ensureHostKey makes an ed25519 host key at path (OpenSSH format, mode
// 0600, with path.pub beside it) when there is none. It creates a missing
// folder (0700) but never changes the mode of an existing one: wish's key
// generator chmods the folder to 0700, and the folder is the database's,
// which the operator set up (issue 13).
func ensureHostKey(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("ssh host key: %w", err)
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("ssh host key folder: %w", err)
		}
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		return err
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	if err := writeNew(path+".pub", gossh.MarshalAuthorizedKey(sshPub)); err != nil {
		return err
	}
	return writeNew(path, pem.EncodeToMemory(block))
}

// writeNew writes data to path with mode 0600 through a temporary file in
// the same folder, so a crash never leaves half a key behind.
func writeNew(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".hostkey-*")
	if err != nil {
		return fmt.Errorf("ssh host key: %w", err)
	}
	tmp := f.Name()
	// CreateTemp makes the file 0600 already; say so for the reader.
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("ssh host key %s: %w", path, err)
	}
	return nil
}
