package demo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/brug-nl/brug/store"
)

// fixtureVersion changes whenever the generator's output or the file made
// from it changes (5: summaries list the steps waiting for review; 6:
// summary pages filled further; 7: summaries in chunks; 8: summaries
// hold the birth year; 9: share ends and birth year together), so a
// cached benchmark region is never stale. The schema version is part of
// the file name too.
const fixtureVersion = 9

// CachedRegion returns the path of a demo region file with the given size
// and seed in dir, generating it on first use. Benchmarks use it so that a
// 10,000-client region is built once, not per run. The file must be copied
// (CopyRegion) before it is opened for writing.
func CachedRegion(dir string, clients int, seed int64) (string, error) {
	name := fmt.Sprintf("brug-region-v%d-s%d-c%d-%d.db", fixtureVersion, store.SchemaVersion, clients, seed)
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{NoSync: true, Author: "demo"})
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

// CopyRegion copies a region file to dst, so a benchmark can write to it.
func CopyRegion(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
