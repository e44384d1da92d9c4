package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// chunkIDs lists the dossier ids in chunk ck, in order.
func chunkIDs(t *testing.T, s *Store, ck []byte) ([][]byte, []summaryEntry) {
	t.Helper()
	var ids [][]byte
	var es []summaryEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bSummaries).Get(ck)
		if raw == nil {
			return nil
		}
		var err error
		es, err = s.readChunk(raw)
		for i := range es {
			es[i] = summaryEntry{id: bytes.Clone(es[i].id), sealed: bytes.Clone(es[i].sealed)}
			ids = append(ids, es[i].id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, es
}

// TestSummaryChunks: the list summaries are grouped in chunks, each entry
// sealed with its dossier's key; what the chunks give equals what a
// rebuild from the log gives (before and after an erasure), an erased
// dossier leaves its chunk and its entry in an older copy of the chunk no
// longer opens, and the other dossiers of its chunk still read.
func TestSummaryChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s := openEnc(t, path, &Encryption{Keyring: newMemKeyring()})
	defer s.Close()
	byChunk := map[byte][]string{}
	for i := 0; i < 300; i++ {
		id, err := s.CreateClient(NewClient{Name: fmt.Sprintf("Cliënt %d", i), BirthYear: "1970", Team: "noord"})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
				t.Fatal(err)
			}
		}
		dk, _ := idKey(id)
		byChunk[chunkOf(dk)[0]] = append(byChunk[chunkOf(dk)[0]], id)
	}
	n := 0
	_ = s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bSummaries).Stats().KeyN; return nil })
	if n != len(byChunk) || n > summaryChunks {
		t.Fatalf("%d chunk records for %d chunks in use", n, len(byChunk))
	}
	st, err := s.Stats()
	if err != nil || st.Clients != 300 {
		t.Fatalf("stats count %d clients: %v", st.Clients, err)
	}
	// Two dossiers sharing a chunk.
	var gone, stays string
	for _, in := range byChunk {
		if len(in) >= 2 {
			gone, stays = in[0], in[1]
			break
		}
	}
	if gone == "" {
		t.Fatal("no chunk holds two dossiers")
	}
	gk, _ := idKey(gone)
	_, before := chunkIDs(t, s, chunkOf(gk))

	same := func(when string) {
		t.Helper()
		got, err := s.Summaries()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Rebuild(); err != nil {
			t.Fatal(err)
		}
		want, err := s.Summaries()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the chunks' summaries differ from the rebuilt ones", when)
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].ID >= got[i].ID {
				t.Fatalf("%s: summaries not in id order at %d", when, i)
			}
		}
	}
	same("before the erasure")

	if err := s.Erase(gone); err != nil {
		t.Fatal(err)
	}
	same("after the erasure")
	after, _ := chunkIDs(t, s, chunkOf(gk))
	for _, id := range after {
		if bytes.Equal(id, gk) {
			t.Fatal("the erased dossier is still in its chunk")
		}
	}
	sk, _ := idKey(stays)
	var sm Summary
	var ok bool
	err = s.db.View(func(tx *bolt.Tx) (err error) { sm, ok, err = s.getSummary(tx, sk); return err })
	if err != nil || !ok || sm.ID != stays {
		t.Fatalf("the other dossier of the chunk: %+v %v %v", sm, ok, err)
	}
	found := false
	for _, e := range before {
		if bytes.Equal(e.id, gk) {
			found = true
			if _, err := s.openFor(gk, e.sealed); err == nil {
				t.Fatal("the erased dossier's entry in the old chunk still opens")
			}
		}
	}
	if !found {
		t.Fatal("the old chunk did not hold the dossier")
	}
}

// TestSummariesOldLayout: a file with the summaries of schema 5 as first
// released (one sealed record per dossier) is read as it is when opened
// read-only, and regrouped into chunks when opened for writing, with the
// same summaries.
func TestSummariesOldLayout(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(fmt.Sprint("encrypted=", encrypted), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "brug.db")
			var enc *Encryption
			if encrypted {
				enc = &Encryption{Keyring: newMemKeyring()}
			}
			s := openEnc(t, path, enc)
			for i := 0; i < 40; i++ {
				if _, err := s.CreateClient(NewClient{Name: fmt.Sprintf("Cliënt %d", i), BirthYear: "1990"}); err != nil {
					t.Fatal(err)
				}
			}
			want, err := s.Summaries()
			if err != nil {
				t.Fatal(err)
			}
			// Lay the summaries out as the first schema 5 did.
			err = s.db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket(bSummariesOld)
				if err != nil {
					return err
				}
				if err := s.eachSummaryEntry(tx, func(k, v []byte) error { return b.Put(bytes.Clone(k), bytes.Clone(v)) }); err != nil {
					return err
				}
				return tx.DeleteBucket(bSummaries)
			})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			ro, err := Open(path, Options{ReadOnly: true, Encryption: enc})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ro.Summaries()
			ro.Close()
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("read-only open of the old layout: %v\n got %+v\nwant %+v", err, got, want)
			}

			s = openEnc(t, path, enc)
			defer s.Close()
			got, err = s.Summaries()
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("after regrouping: %v\n got %+v\nwant %+v", err, got, want)
			}
			_ = s.db.View(func(tx *bolt.Tx) error {
				if tx.Bucket(bSummariesOld) != nil {
					t.Error("the old summaries bucket is still there")
				}
				return nil
			})
			if _, err := s.ToggleCheck(want[0].ID, 1, "c1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
