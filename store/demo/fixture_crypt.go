package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/brug-nl/brug/store"
)

// cryptFixtureVersion changes whenever the encrypted layout changes.
const cryptFixtureVersion = 2

// CachedEncryptedRegion is CachedRegion encrypted at rest, generated the
// same way (so its layout compares with the plain one), its key in a file
// beside it. Open it with RegionEncryption(path).
func CachedEncryptedRegion(dir string, clients int, seed int64) (string, error) {
	name := fmt.Sprintf("brug-region-v%d-s%d-c%d-%d-enc%d.db", fixtureVersion, store.SchemaVersion, clients, seed, cryptFixtureVersion)
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{NoSync: true, Author: "demo", Encryption: RegionEncryption(path)})
	if err != nil {
		return "", err
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := Generate(s, Options{Clients: clients, Seed: seed, Now: now}); err != nil {
		s.Close()
		return "", fmt.Errorf("generate region: %w", err)
	}
	if err := s.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// RegionEncryption is the encryption of a file CachedEncryptedRegion made
// at path (or a copy of it anywhere): its key file is beside the cached
// file.
func RegionEncryption(path string) *store.Encryption {
	return &store.Encryption{Keyring: store.KeyFile{Name: path + ".key"}}
}
