package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// damageFixture makes a closed store file with n clients, some with a
// tick and a note, spread over many pages.
func damageFixture(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{Author: "tester", NoSync: true, Now: fixedClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id, err := s.CreateClient(NewClient{Name: fmt.Sprintf("Client %03d", i), Team: "Noord"})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// readEverything opens path and reads what the app and the commands read:
// the list, every dossier and its log, the outbox. It returns the first
// error; a panic or crash fails the test by itself.
func readEverything(path string) error {
	s, err := Open(path, Options{ReadOnly: true, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		return err
	}
	defer s.Close()
	all, err := s.Summaries()
	if err != nil {
		return err
	}
	for _, sm := range all {
		if _, err := s.Client(sm.ID); err != nil {
			return err
		}
		if _, err := s.Ops(sm.ID); err != nil {
			return err
		}
	}
	if _, _, err := s.Outbox(1 << 20); err != nil {
		return err
	}
	_, err = s.Stats()
	return err
}

// usedBytes is the part of a closed store file its pages use (bbolt grows
// files in big steps, so the file is longer).
func usedBytes(t testing.TB, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m0, ok0 := readBoltMeta(f, 0)
	m1, ok1 := readBoltMeta(f, 4096)
	if !ok0 || !ok1 {
		t.Fatal("no valid meta pages")
	}
	if m1.txid > m0.txid {
		m0 = m1
	}
	return int(m0.pgid) * int(m0.pageSize)
}

func copyFile(t testing.TB, from string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestOpenRefusesTruncatedFile: a copy cut short inside its used part
// (a full disk, an interrupted copy) made every brug command die with
// SIGBUS and a goroutine dump; now it is ErrDamaged, naming the file.
func TestOpenRefusesTruncatedFile(t *testing.T) {
	path := damageFixture(t, 300)
	used := int64(usedBytes(t, path))
	for _, keep := range []int64{used / 2, used - 4096, 3 * 4096} {
		cut := copyFile(t, path)
		if err := os.Truncate(cut, keep); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{true, false} {
			s, err := Open(cut, Options{ReadOnly: ro, NoSync: true})
			if err == nil {
				s.Close()
				t.Fatalf("a file cut to %d of %d used bytes opened (read-only %v)", keep, used, ro)
			}
			if !errors.Is(err, ErrDamaged) || !bytes.Contains([]byte(err.Error()), []byte(cut)) {
				t.Errorf("cut to %d bytes: %v; want ErrDamaged naming the file", keep, err)
			}
		}
	}
}

// TestDamagedPageHeadersAreErrors: four overwritten bytes in a page header
// (flags and count) gave "panic: assertion failed" when the dossier on
// that page was opened; every read now ends in an error or succeeds.
func TestDamagedPageHeadersAreErrors(t *testing.T) {
	path := damageFixture(t, 300)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	orig = orig[:usedBytes(t, path)]
	const ps = 4096
	damaged := 0
	for page := 2; page*ps < len(orig); page++ {
		b := bytes.Clone(orig)
		for i := 8; i < 12; i++ {
			b[page*ps+i] ^= 0xFF
		}
		cp := filepath.Join(t.TempDir(), "page.db")
		if err := os.WriteFile(cp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := readEverything(cp); errors.Is(err, ErrDamaged) {
			damaged++
		}
	}
	if damaged == 0 {
		t.Error("no damaged page header was reported as ErrDamaged")
	}
}

// TestRandomDamageNeverCrashes flips random bytes in copies of a real store
// file (seeded, bounded): opening and reading each copy (and checking some
// with Verify) must return an error or succeed; a panic or a fault fails
// the whole test binary.
func TestRandomDamageNeverCrashes(t *testing.T) {
	path := damageFixture(t, 200)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	orig = orig[:usedBytes(t, path)]
	rounds := 150
	if testing.Short() {
		rounds = 40
	}
	rng := rand.New(rand.NewPCG(9, 9))
	dir := t.TempDir()
	var errs int
	for round := range rounds {
		b := bytes.Clone(orig)
		for range 1 + rng.IntN(8) {
			b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		}
		if rng.IntN(10) == 0 { // sometimes cut it short too
			b = b[:4096*2+rng.IntN(len(b)-4096*2)]
		}
		cp := filepath.Join(dir, fmt.Sprintf("r%d.db", round))
		if err := os.WriteFile(cp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if readEverything(cp) != nil {
			errs++
		}
		if round%5 == 0 { // brug check's walk, bbolt's check and the rebuild
			_, _ = Verify(cp, Options{})
		}
		os.Remove(cp)
	}
	t.Logf("%d of %d damaged copies gave an error, the others read fine", errs, rounds)
}

// TestReadOnlyOpenNeverWrites: `brug export` and `brug report` on an empty
// bbolt file of another program wrote brug's buckets into it.
func TestReadOnlyOpenNeverWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	fi0, _ := os.Stat(path)
	_, err = Open(path, Options{ReadOnly: true})
	if !errors.Is(err, ErrNotBrug) {
		t.Errorf("read-only open of an empty bbolt file: %v, want ErrNotBrug", err)
	}
	after, _ := os.ReadFile(path)
	fi1, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !fi0.ModTime().Equal(fi1.ModTime()) {
		t.Error("a read-only open changed the file")
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty, Options{ReadOnly: true}); !errors.Is(err, ErrNotBrug) {
		t.Errorf("read-only open of an empty file: %v, want ErrNotBrug", err)
	}
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Error("a read-only open wrote into an empty file")
	}
}

// TestFileKindsRefuseEachOther: `brug admin --db laptop.db` wrote the
// server's buckets into a laptop's file; a laptop's commands and a
// server's now refuse each other's file, also files made before the
// marker (told apart by the server's buckets).
func TestFileKindsRefuseEachOther(t *testing.T) {
	dir := t.TempDir()
	laptop, server := filepath.Join(dir, "laptop.db"), filepath.Join(dir, "server.db")
	for _, f := range []struct {
		path string
		kind FileKind
	}{{laptop, FileLaptop}, {server, FileServer}} {
		s, err := Open(f.path, Options{Kind: f.kind, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if s.Kind() != f.kind {
			t.Errorf("new file of kind %q says %q", f.kind, s.Kind())
		}
		s.Close()
	}
	before, _ := os.ReadFile(laptop)
	for _, ro := range []bool{false, true} {
		if _, err := Open(laptop, Options{Kind: FileServer, ReadOnly: ro}); !errors.Is(err, ErrWrongKind) {
			t.Errorf("laptop file opened as a server's (read-only %v): %v", ro, err)
		}
		if _, err := Open(server, Options{Kind: FileLaptop, ReadOnly: ro}); !errors.Is(err, ErrWrongKind) {
			t.Errorf("server file opened as a laptop's (read-only %v): %v", ro, err)
		}
	}
	if after, _ := os.ReadFile(laptop); !bytes.Equal(before, after) {
		t.Error("a refused open changed the laptop file")
	}
	for _, p := range []string{laptop, server} {
		s, err := Open(p, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("FileAny opens every kind: %v", err)
		}
		s.Close()
	}

	// Files of an older brug have no marker: a server's has its buckets.
	old := filepath.Join(dir, "old-server.db")
	s, err := Open(old, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error { _, err := tx.Bucket("x_users"); return err }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(old, Options{Kind: FileLaptop}); !errors.Is(err, ErrWrongKind) {
		t.Errorf("an unmarked server file opened as a laptop's: %v", err)
	}
	s, err = Open(old, Options{Kind: FileServer, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(old, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind() != FileServer {
		t.Errorf("the marker was not written on the first open: kind %q", s.Kind())
	}
	s.Close()
}

// TestVerify: brug check's engine finds a sound file sound, without
// writing to it, and lists what is wrong with a damaged one.
func TestVerify(t *testing.T) {
	path := damageFixture(t, 50)
	before, _ := os.ReadFile(path)
	used := usedBytes(t, path)
	rep, err := Verify(path, Options{})
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("sound file: %v %v", err, rep.Problems)
	}
	if rep.Dossiers != 50 || rep.Ops == 0 || rep.Schema != SchemaVersion {
		t.Errorf("report %+v", rep)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Verify changed the file")
	}

	// A kept state that differs from the log: a summary gone.
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bSummaries).Cursor().First()
		return tx.Bucket(bSummaries).Delete(k)
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	rep, err = Verify(path, Options{})
	if err != nil || len(rep.Problems) == 0 {
		t.Errorf("a missing summary went unnoticed: %v %+v", err, rep)
	}

	// Damaged pages: every page header overwritten in turn, one of them
	// must be found.
	found := false
	for page := 2; page*4096 < used && !found; page++ {
		b := bytes.Clone(before)
		copy(b[page*4096+8:], []byte{0xFF, 0xFF, 0xFF, 0xFF})
		cp := filepath.Join(t.TempDir(), "bad.db")
		os.WriteFile(cp, b, 0o600)
		rep, err := Verify(cp, Options{})
		found = err != nil || len(rep.Problems) > 0
	}
	if !found {
		t.Error("no damaged page header was found by Verify")
	}
}

// TestVerifyFindsBadOps: brug check decodes every op of the schema 5 log:
// a value cut short, one naming an actor the file lacks, and an actor
// record gone are each reported, never a panic.
func TestVerifyFindsBadOps(t *testing.T) {
	for _, damage := range []struct {
		name string
		fn   func(s *Store, tx *bolt.Tx) error
		want string
	}{
		{"cut", func(_ *Store, tx *bolt.Tx) error {
			k, v := tx.Bucket(bOps).Cursor().First()
			return tx.Bucket(bOps).Put(bytes.Clone(k), bytes.Clone(v[:len(v)/2]))
		}, "log op"},
		{"unknown actor", func(s *Store, tx *bolt.Tx) error {
			k, v := tx.Bucket(bOps).Cursor().Last()
			op, err := decodeOp(k, v, s.actors)
			if err != nil {
				return err
			}
			tab := newActorTable()
			for range 9 {
				tab.number(NewID(), "x")
			}
			tab.number(op.Device+"-other", op.Author)
			return tx.Bucket(bOps).Put(bytes.Clone(k), encodeOp(k, &op, tab))
		}, "unknown"},
		{"actors gone", func(_ *Store, tx *bolt.Tx) error { return tx.DeleteBucket(bActors) }, "actor"},
	} {
		t.Run(damage.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "brug.db")
			s, err := Open(path, Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			id, _ := s.CreateClient(NewClient{Name: "Anna", Team: "Noord"})
			if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
				t.Fatal(err)
			}
			if err := s.db.Update(func(tx *bolt.Tx) error { return damage.fn(s, tx) }); err != nil {
				t.Fatal(err)
			}
			s.Close()
			rep, err := Verify(path, Options{})
			if err == nil && !strings.Contains(strings.Join(rep.Problems, "\n"), damage.want) {
				t.Errorf("Verify: %v %+v, want a problem with %q", err, rep, damage.want)
			}
		})
	}
}
