package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "brug.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	dev := s.Device()
	id, err := s.CreateClient(NewClient{Name: "Noor Visser"})
	if err != nil {
		t.Fatal(err)
	}
	last := s.clock.Last()
	s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600: dossiers are personal data", fi.Mode().Perm())
	}
	// The wall clock goes back an hour (within MaxClockAhead; a jump back
	// further restarts the clock from the wall clock, TestClockTable).
	s, err = Open(path, Options{NoSync: true, Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Device() != dev {
		t.Errorf("device id changed across opens: %s -> %s", dev, s.Device())
	}
	if _, err := s.Client(id); err != nil {
		t.Errorf("client gone after reopen: %v", err)
	}
	// The clock continues after the last stamp even when the wall clock
	// went back.
	if next := s.clock.Next(); next <= last {
		t.Errorf("clock went back: %d <= %d", next, last)
	}
}

// TestOpenLockedFailsFast: a second brug on the same file gets ErrLocked
// within a second instead of hanging.
func TestOpenLockedFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(path, Options{NoSync: true})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	// Not a timing assertion on speed, a bound on the hang the user sees:
	// the lock timeout is 500 ms.
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("second open hung for %v", waited)
	}
}

// TestOpenRefusesForeignFiles: files that are not brug databases are
// refused with ErrNotBrug and left byte for byte as they were.
func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 64<<10)
	rand.Read(random)
	small := []byte("# my notes\n")
	// Between one and two pages: bbolt's own "file size too small".
	export := bytes.Repeat([]byte("| Naam | Jan Jansen |\n"), 6000/22)

	otherBolt := filepath.Join(dir, "other.db")
	db, err := bolt.Open(otherBolt, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("things")); return err })
	db.Close()
	otherBytes, _ := os.ReadFile(otherBolt)

	tests := []struct {
		name string
		data []byte
		path string
	}{
		{"random bytes", random, ""},
		{"small text file", small, ""},
		{"text file of 6 KB", export, ""},
		{"bbolt file of another program", otherBytes, otherBolt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = filepath.Join(dir, tt.name)
				if err := os.WriteFile(path, tt.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Open(path, Options{})
			if !errors.Is(err, ErrNotBrug) {
				t.Fatalf("Open = %v, want ErrNotBrug", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, tt.data) {
				t.Error("the refused file was changed")
			}
		})
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrNotBrug) {
		t.Errorf("Open(folder) = %v, want ErrNotBrug", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchema, u32(SchemaVersion+1)) })
	s.Close()
	before, _ := os.ReadFile(path)
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("Open = %v, want ErrTooNew", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("file changed although it was refused")
	}
}

// TestMigrationHookRuns fakes an older schema and a migration for it.
func TestMigrationHookRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchema, u32(0)) })
	s.Close()
	ran := false
	migrations[0] = func(*Store, *bolt.Tx) error { ran = true; return nil }
	defer delete(migrations, 0)
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !ran {
		t.Error("migration from schema 0 did not run")
	}
	s.db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket(bMeta).Get(kSchema); !bytes.Equal(got, u32(SchemaVersion)) {
			t.Errorf("schema after migration = %x", got)
		}
		return nil
	})
}

func TestRebuildEqualsIncremental(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	id, _ := s.CreateClient(NewClient{Name: "Sem Mulder", Places: []Place{PlaceDagbesteding}})
	s.ToggleCheck(id, 1, "c2")
	s.AddEntity(id, EntityJournal, map[string]string{"kind": "bezoek", "date": "2026-11-03", "text": "Eerste kennismaking op de zorgboerderij."})
	s.AddEntity(id, EntityAgreement, map[string]string{"what": "Doelgroepenregister aanvragen", "due": "2026-12-01"})
	before, _ := s.snapshot()
	if err := s.Rebuild(); err != nil {
		t.Fatal(err)
	}
	after, _ := s.snapshot()
	for _, b := range stateBuckets {
		if len(before[string(b)]) == 0 && string(b) != string(bReplaced) {
			t.Errorf("bucket %s empty before rebuild", b)
		}
		if len(before[string(b)]) != len(after[string(b)]) {
			t.Errorf("bucket %s: %d keys before rebuild, %d after", b, len(before[string(b)]), len(after[string(b)]))
		}
	}
}
