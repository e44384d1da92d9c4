package store_test

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
)

// TestFileSizePerOp holds the schema 5 layout to its size on a small demo
// region: the bytes of keys and values in the file (bbolt's pages aside),
// per op of the log and per dossier overall. Schema 4 took 300 bytes of
// key and value per op in the log alone (the op's JSON), and as much
// again in heads; a regression to anything like it fails here.
func TestFileSizePerOp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := store.Open(path, store.Options{NoSync: true, Author: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(s, demo.Options{Clients: 150, Seed: 1, Now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logKV, allKV int
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if string(name) == "log" {
					logKV += len(k) + len(v)
				}
				allKV += len(k) + len(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	perOp := float64(logKV) / float64(st.Ops)
	perDossier := float64(allKV) / float64(st.Clients)
	t.Logf("%d ops, %d dossiers: log %.1f B/op (key 32), all buckets %.0f B/dossier", st.Ops, st.Clients, perOp, perDossier)
	if perOp > 90 {
		t.Errorf("the log takes %.1f bytes of key and value per op, want at most 90", perOp)
	}
	if max := 95 * float64(st.Ops) / float64(st.Clients); perDossier > max {
		t.Errorf("the file holds %.0f bytes of keys and values per dossier, want at most %.0f (95 per op)", perDossier, max)
	}
}
