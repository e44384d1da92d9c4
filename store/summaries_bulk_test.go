package store

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// oneByOne reads every summary the slow way, through readSummary and the
// key cache, as allSummaries did before openSummaries.
func oneByOne(t *testing.T, s *Store) ([]Summary, error) {
	t.Helper()
	var out []Summary
	err := s.db.View(func(tx *bolt.Tx) error {
		var es []summaryEntry
		if err := s.eachSummaryEntry(tx, func(k, v []byte) error {
			es = append(es, summaryEntry{id: k, sealed: v})
			return nil
		}); err != nil {
			return err
		}
		slices.SortFunc(es, func(x, y summaryEntry) int { return bytes.Compare(x.id, y.id) })
		out = make([]Summary, len(es))
		for i, e := range es {
			if err := s.readSummary(e.id, e.sealed, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// The list's fast path (openSummaries: the keys and chunks read with
// pread, or walked with a cursor, on all cores, no key cache) gives the
// same summaries and the same errors as opening entry by entry, after
// changes, an erasure, a team transfer out of view (a drop), a drop of a
// key record and a damaged key, with one worker and with several.
func TestOpenSummariesSameAsOneByOne(t *testing.T) {
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprint("procs=", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			s := openEnc(t, filepath.Join(t.TempDir(), "brug.db"), &Encryption{Keyring: newMemKeyring()})
			defer s.Close()
			var ids []string
			for i := range 150 {
				id, err := s.CreateClient(NewClient{Name: fmt.Sprintf("Cliënt %d", i), BirthYear: "1990"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			for _, id := range ids[:20] {
				if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Erase(ids[3]); err != nil {
				t.Fatal(err)
			}
			// A team transfer out of view: the dossier moves to another
			// team, and the device drops it (its key and summary go).
			if _, err := s.Commit(ids[7], Set("team", "Team Noord")); err != nil {
				t.Fatal(err)
			}
			if err := s.Drop(ids[7]); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Commit(ids[8], Set("team", "Team Zuid")); err != nil {
				t.Fatal(err)
			}
			same := func(stage string) error {
				t.Helper()
				want, werr := oneByOne(t, s)
				var got []Summary
				gerr := s.db.View(func(tx *bolt.Tx) error {
					var err error
					got, err = s.allSummaries(tx)
					return err
				})
				if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
					t.Fatalf("%s: errors differ: one by one %v, fast %v", stage, werr, gerr)
				}
				if werr == nil && !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: summaries differ", stage)
				}
				return gerr
			}
			if err := same("after changes and an erasure"); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Summaries(); len(got) != 148 {
				t.Fatalf("%d summaries, want 148", len(got))
			}

			// A key record gone (a restored older file of a server) and a
			// damaged one: both paths fail, with the same error.
			dk := []byte(nil)
			for _, id := range []string{ids[40], ids[90]} {
				k, err := idKey(id)
				if err != nil {
					t.Fatal(err)
				}
				dk = append(dk, k...)
			}
			damage := func(fn func(b *bolt.Bucket) error) {
				t.Helper()
				if err := s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bKeys)) }); err != nil {
					t.Fatal(err)
				}
				s.crypt.mu.Lock() // as a fresh open would see the file
				clear(s.crypt.keys)
				clear(s.crypt.rawKeys)
				clear(s.crypt.wrapped)
				s.crypt.dossiersLoaded = false
				s.crypt.mu.Unlock()
			}
			damage(func(b *bolt.Bucket) error {
				w := append([]byte(nil), b.Get(dk[16:32])...)
				w[len(w)-1] ^= 1
				return b.Put(dk[16:32], w)
			})
			if err := same("a damaged key"); !errors.Is(err, ErrDamaged) {
				t.Fatalf("a damaged key: %v, want ErrDamaged", err)
			}
			damage(func(b *bolt.Bucket) error {
				if err := b.Delete(dk[:16]); err != nil {
					return err
				}
				return b.Delete(dk[16:32])
			})
			if err := same("a key gone"); !errors.Is(err, ErrDossierKey) {
				t.Fatalf("a key gone: %v, want ErrDossierKey", err)
			}
		})
	}
}
