package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// toSchema2 rewrites a store's log in the layout of schema 2 (and 3):
// "ops" keyed by op id, "dossier_ops" as its index, outbox and replaced by
// op id; version is the schema it then claims.
func toSchema2(t *testing.T, s *Store, version uint32) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		old, err := tx.CreateBucket(bOldOps)
		if err != nil {
			return err
		}
		idx, err := tx.CreateBucket(bOldDossierOps)
		if err != nil {
			return err
		}
		log := tx.Bucket(bOps)
		if err := log.ForEach(func(k, v []byte) error {
			// Schema 2 kept ops as JSON.
			op, err := s.openOp(k, v)
			if err != nil {
				return err
			}
			js, _ := json.Marshal(op)
			if err := old.Put(bytes.Clone(k[16:]), js); err != nil {
				return err
			}
			return idx.Put(bytes.Clone(k), present)
		}); err != nil {
			return err
		}
		if err := old.SetSequence(log.Sequence()); err != nil {
			return err
		}
		ob := tx.Bucket(bOutbox)
		var ks, vs [][]byte
		ob.ForEach(func(k, v []byte) error {
			ks, vs = append(ks, bytes.Clone(k)), append(vs, bytes.Clone(v[16:]))
			return nil
		})
		for i := range ks {
			if err := ob.Put(ks[i], vs[i]); err != nil {
				return err
			}
		}
		rp := tx.Bucket(bReplaced)
		var rk [][]byte
		rp.ForEach(func(k, _ []byte) error { rk = append(rk, bytes.Clone(k)); return nil })
		for _, k := range rk {
			if err := rp.Delete(k); err != nil {
				return err
			}
			if err := rp.Put(k[16:], present); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bOps); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchema, u32(version))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateRelayLog: a schema 2 file (ops keyed by id, a dossier index,
// an outbox of op ids, an op replaced before it came) opens as schema 4
// with the same history, outbox, heads and counts, and its state equals a
// rebuild.
func TestMigrateRelayLog(t *testing.T) {
	for _, from := range []uint32{2, 3} {
		t.Run(fmt.Sprint("schema ", from), func(t *testing.T) { testMigrateRelayLog(t, from) })
	}
}

func testMigrateRelayLog(t *testing.T, from uint32) {
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := Open(path, Options{NoSync: true, Author: "fleur", Now: fixedClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	anna, _ := s.CreateClient(NewClient{Name: "Anna de Vries", Team: "Noord"})
	bram, _ := s.CreateClient(NewClient{Name: "Bram Jansen", Team: "Zuid"})
	if _, err := s.Commit(anna, Set("step/1/status", "done"), Edit("step/1/note", "Eerste gesprek.", nil)); err != nil {
		t.Fatal(err)
	}
	// A remote op naming one that has not come: it stays in replaced.
	missing := NewID()
	if _, err := s.ApplyRemote([]Op{mkOp(bram, "step/2/note", "van elders", 9<<40, "dev-b", missing)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(nil); err != nil {
		t.Fatal(err)
	}
	want := map[string][]Op{}
	for _, id := range []string{anna, bram} {
		want[id], _ = s.Ops(id)
	}
	wantOut, _, _ := s.Outbox(1000)
	wantStats, _ := s.Stats()
	wantSums, _ := s.Summaries()
	toSchema2(t, s, from)
	s.Close()

	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("open schema 2 file: %v", err)
	}
	defer s.Close()
	for id, w := range want {
		if got, _ := s.Ops(id); !reflect.DeepEqual(got, w) {
			t.Errorf("history of %s after migration:\n got %+v\nwant %+v", id, got, w)
		}
	}
	if got, _, _ := s.Outbox(1000); !reflect.DeepEqual(got, wantOut) || len(got) == 0 {
		t.Errorf("outbox after migration: %d ops, want %d", len(got), len(wantOut))
	}
	if got, _ := s.Stats(); got != wantStats {
		t.Errorf("stats after migration %+v, want %+v", got, wantStats)
	}
	if got, _ := s.Summaries(); !reflect.DeepEqual(got, wantSums) {
		t.Errorf("summaries changed by the migration")
	}
	if got := replacedKeys(t, s); !got[missing] {
		t.Errorf("replaced after migration: %v, want the missing op among them", got)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("state after migration differs from the rebuilt state: %v", err)
	}
	s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bOldOps) != nil || tx.Bucket(bOldDossierOps) != nil {
			t.Error("the schema 2 buckets are still there")
		}
		if v := tx.Bucket(bMeta).Get(kSchema); !bytes.Equal(v, u32(SchemaVersion)) {
			t.Errorf("schema after migration = %x, want %d", v, SchemaVersion)
		}
		return nil
	})
	// A later op still replaces as before: the local note's head moves on.
	if _, err := s.Commit(anna, Set("step/1/note", "Tweede gesprek.")); err != nil {
		t.Fatal(err)
	}
	if hs, _ := s.Heads(anna, "step/1/note"); len(hs) != 1 || hs[0].Value != "Tweede gesprek." {
		t.Errorf("heads after a new edit: %+v", hs)
	}
}
