package boltstore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "server.db"), store.Options{Kind: store.FileServer, Author: "server", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// putRaw writes an audit entry as a server before the chain did: plain
// JSON without a hash, numbered by the bucket.
func putRaw(t *testing.T, db *DB, e storage.AuditEntry) {
	t.Helper()
	err := db.Update(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		b := tx.bucket(bAudit)
		seq, _ := b.NextSequence()
		e.Seq = seq
		sealed, err := tx.Seal(storage.AppendAuditJSON(nil, &e))
		if err != nil {
			return err
		}
		return b.Put(be64(seq), sealed)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, db *DB) storage.AuditReport {
	t.Helper()
	var r storage.AuditReport
	err := db.View(func(tx storage.Tx) error {
		var err error
		r, err = storage.VerifyAudit(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// chainOf builds a log: 3 entries from before the chain, then the
// genesis entry (4) and 6 chained entries (5..10).
func chainOf(t *testing.T) *DB {
	db := openTemp(t)
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		putRaw(t, db, storage.AuditEntry{Time: at.Add(time.Duration(i) * time.Minute), Channel: "cli", User: "anna", Action: "old", Dossier: store.NewID()})
	}
	for i := range 6 {
		err := db.Update(func(tx storage.Tx) error {
			return tx.AppendAudit(storage.AuditEntry{Time: at.Add(time.Hour + time.Duration(i)*time.Minute), Channel: "sync", User: "bram", Device: "dev1",
				Action: "deliver", Delivered: map[string]int{store.NewID(): i + 1}, Role: "coach", Org: "Zorg Noord"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// auditEditor reads, writes and deletes audit entries' plain bytes.
type auditEditor interface {
	Get(k uint64) []byte
	Put(k uint64, v []byte)
	Delete(k uint64)
}

// editAudit lets fn change the stored log behind the backend's back.
func editAudit(t *testing.T, db *DB, fn func(b auditEditor)) {
	t.Helper()
	err := db.Update(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		b := tx.bucket(bAudit)
		fn(rawEditor{t, tx, b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type rawEditor struct {
	t  *testing.T
	tx *Tx
	b  interface {
		Get([]byte) []byte
		Put([]byte, []byte) error
		Delete([]byte) error
	}
}

func (r rawEditor) Get(k uint64) []byte {
	p, err := r.tx.Open(r.b.Get(be64(k)))
	if err != nil {
		r.t.Fatal(err)
	}
	return bytes.Clone(p)
}
func (r rawEditor) Put(k uint64, v []byte) {
	s, err := r.tx.Seal(v)
	if err == nil {
		err = r.b.Put(be64(k), s)
	}
	if err != nil {
		r.t.Fatal(err)
	}
}
func (r rawEditor) Delete(k uint64) {
	if err := r.b.Delete(be64(k)); err != nil {
		r.t.Fatal(err)
	}
}

func TestAuditChainHolds(t *testing.T) {
	db := chainOf(t)
	r := verify(t, db)
	if !r.OK() || r.Entries != 10 || r.Unhashed != 3 || r.Genesis != 4 || r.Head.Seq != 10 || r.Head.Hash != r.Last {
		t.Fatalf("an untouched chain: %+v", r)
	}
	var g storage.AuditEntry
	db.View(func(tx storage.Tx) error {
		return tx.ScanAudit(func(k uint64, e storage.AuditEntry, err error) error {
			if k == 4 {
				g = e
			}
			return err
		})
	})
	if g.Action != storage.ActionChainStart || g.Detail != "covers 3 earlier entries" || len(g.Hash) != 64 {
		t.Errorf("genesis entry %+v", g)
	}
}

// Each tampering is found, at the entry it touched, saying what differs.
func TestAuditVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(b auditEditor)
		seq     uint64
		problem string
	}{
		{"a changed byte", func(b auditEditor) {
			v := b.Get(7)
			b.Put(7, bytes.Replace(v, []byte(`"user":"bram"`), []byte(`"user":"brom"`), 1))
		}, 7, "hash differs"},
		{"a changed hash", func(b auditEditor) {
			v := b.Get(6)
			i := bytes.Index(v, []byte(`"hash":"`)) + 8
			// Another hex digit, so the hash still looks like one: xor-ing
			// the byte could turn 'a' into '`' and fail as "not a SHA-256".
			if v[i] == '0' {
				v[i] = '1'
			} else {
				v[i] = '0'
			}
			b.Put(6, v)
		}, 6, "hash differs"},
		{"a deleted entry", func(b auditEditor) {
			b.Delete(8)
		}, 9, "entry 8 is missing"},
		{"two entries swapped", func(b auditEditor) {
			v5, v6 := b.Get(5), b.Get(6)
			b.Put(5, v6)
			b.Put(6, v5)
		}, 5, "holds number 6 but is stored as 5"},
		{"the last entry deleted", func(b auditEditor) {
			b.Delete(10)
		}, 10, "entries at the end were removed"},
		{"an entry from before the chain changed", func(b auditEditor) {
			v := b.Get(2)
			b.Put(2, bytes.Replace(v, []byte(`"action":"old"`), []byte(`"action":"olf"`), 1))
		}, 4, "written before the chain began"},
		{"an entry that does not decode", func(b auditEditor) {
			v := b.Get(9)
			b.Put(9, v[:len(v)-3])
		}, 9, "does not open or decode"},
		{"an unhashed entry added after the chain began", func(b auditEditor) {
			b.Put(11, []byte(`{"seq":11,"time":"2026-12-05T12:00:00Z","channel":"cli","user":"eve","action":"x"}`))
		}, 11, "has no hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := chainOf(t)
			editAudit(t, db, func(b auditEditor) {
				c.edit(b)
			})
			r := verify(t, db)
			if r.OK() {
				t.Fatalf("verify found nothing: %+v", r)
			}
			b := r.Breaks[0]
			if b.Seq != c.seq || !strings.Contains(b.Problem, c.problem) {
				t.Errorf("first break %+v, want entry %d with %q (all: %+v)", b, c.seq, c.problem, r.Breaks)
			}
		})
	}
}

// A laptop read is remembered by its id.
func TestAuditReadIndex(t *testing.T) {
	db := openTemp(t)
	id := store.NewID()
	err := db.Update(func(tx storage.Tx) error {
		if ok, _ := tx.HasAuditRead(id); ok {
			return fmt.Errorf("known before")
		}
		return tx.AppendAudit(storage.AuditEntry{Time: time.Now(), Channel: "app", User: "anna", Action: "open", Dossier: store.NewID(), Read: id})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx storage.Tx) error {
		if ok, _ := tx.HasAuditRead(id); !ok {
			t.Error("the read's id is not remembered")
		}
		return nil
	})
}

// BenchmarkAppendAudit appends chained delivery records, one per
// transaction commit batch of 100 (as a burst of syncs writes them).
func BenchmarkAppendAudit(b *testing.B) {
	db := openTemp(b)
	e := storage.AuditEntry{Time: time.Now(), Channel: "sync", User: "anna", Device: "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01", Action: "change",
		Dossier: "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e02", Detail: "field note, step 3", Role: "coach", Org: "Zorg Noord"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		err := db.Update(func(tx storage.Tx) error {
			for j := 0; j < 100 && i < b.N; j, i = j+1, i+1 {
				if err := tx.AppendAudit(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAudit verifies a chain of BRUG_BENCH_AUDIT entries
// (default 100,000) per iteration.
func BenchmarkVerifyAudit(b *testing.B) {
	n := 100000
	if s := benchEnv("BRUG_BENCH_AUDIT"); s != 0 {
		n = s
	}
	db := openTemp(b)
	e := storage.AuditEntry{Time: time.Now(), Channel: "sync", User: "anna", Device: "dev", Action: "change", Dossier: store.NewID(), Detail: "field note"}
	for i := 0; i < n; i += 10000 {
		err := db.Update(func(tx storage.Tx) error {
			for j := 0; j < 10000 && i+j < n; j++ {
				if err := tx.AppendAudit(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		err := db.View(func(tx storage.Tx) error {
			r, err := storage.VerifyAudit(tx)
			if err == nil && (!r.OK() || r.Entries != n+1) {
				err = fmt.Errorf("verify: %+v", r)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchEnv(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}
