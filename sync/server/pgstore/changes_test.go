package pgstore

import (
	"errors"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestChangesCountsWritesServersCache: the count of changes (migration
// 00004) goes up once per committed transaction that writes what a server
// caches (a dossier's team, shares, users, teams, memberships,
// organisations, views, erasures), whoever writes it; not for what no
// cache holds (devices' last-seen times, audit, numbering ops), nor for a
// transaction that rolled back. The writing transaction reads its own
// count; another storage on the database (another process) reads it
// once committed.
func TestChangesCountsWritesServersCache(t *testing.T) {
	dsn := pgtest.DB(t)
	a := openStorageT(t, dsn, "", store.Options{})
	b := openStorageT(t, dsn, "", store.Options{})
	count := func(s *Storage) uint64 {
		t.Helper()
		var n uint64
		if err := s.View(func(tx storage.Tx) error {
			var shared bool
			n, shared = tx.Changes()
			if !shared {
				t.Error("a PostgreSQL storage says it is not shared")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	dk := string(make([]byte, 16))
	changes := []struct {
		name string
		fn   func(tx storage.Tx) error
	}{
		{"team of a dossier", func(tx storage.Tx) error { return tx.SetDossierTeam(dk, "Noord") }},
		{"shares", func(tx storage.Tx) error { return tx.SetSharedTeams(dk, []string{"Zuid"}) }},
		{"user", func(tx storage.Tx) error { return tx.PutUser(storage.User{Name: "anna", Role: "coach"}) }},
		{"team", func(tx storage.Tx) error { return tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: "Noord"}}) }},
		{"membership", func(tx storage.Tx) error { return tx.AddMember("Noord", "anna") }},
		{"organisation", func(tx storage.Tx) error {
			return tx.PutOrg(storage.Org{Org: store.Org{Name: "Werkbedrijf", Kind: store.OrgKinds[0]}})
		}},
		{"view", func(tx storage.Tx) error { return tx.PutView("dev", dk, storage.ViewEntry{State: 'i', Seq: 1}) }},
		{"numbers dropped", func(tx storage.Tx) error { return tx.DropDossierOps(dk) }},
		{"two changes in one transaction", func(tx storage.Tx) error {
			if err := tx.RemoveMember("Noord", "anna"); err != nil {
				return err
			}
			return tx.DeleteView("dev", dk)
		}},
	}
	for _, c := range changes {
		before := count(b)
		var own uint64
		mustUpdate(t, a, func(tx storage.Tx) error {
			if err := c.fn(tx); err != nil {
				return err
			}
			own, _ = tx.Changes()
			return nil
		})
		if own != before+1 {
			t.Errorf("%s: the writing transaction reads %d, want %d", c.name, own, before+1)
		}
		if got := count(b); got != before+1 {
			t.Errorf("%s: the other storage reads %d after the commit, want %d", c.name, got, before+1)
		}
	}
	still := []struct {
		name string
		fn   func(tx storage.Tx) error
	}{
		{"device", func(tx storage.Tx) error {
			return tx.PutDevice(storage.Device{ID: "dev", User: "anna", LastSeen: time.Now()})
		}},
		{"audit", func(tx storage.Tx) error { return tx.AppendAudit(storage.AuditEntry{Time: time.Now(), Action: "test"}) }},
		{"numbering", func(tx storage.Tx) error { _, err := tx.NextSeq(); return err }},
	}
	for _, c := range still {
		before := count(b)
		mustUpdate(t, a, c.fn)
		if got := count(b); got != before {
			t.Errorf("%s: the count went from %d to %d; no cache holds it", c.name, before, got)
		}
	}
	before := count(b)
	errRollback := errors.New("roll back")
	if err := a.Update(func(tx storage.Tx) error {
		if err := tx.SetDossierTeam(dk, "Zuid"); err != nil {
			return err
		}
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if got := count(b); got != before {
		t.Errorf("a rolled-back transaction moved the count from %d to %d", before, got)
	}
}

// TestRaiseEpochOnlyRaises: an epoch's high-water mark only goes up, and
// EachEpoch reads it.
func TestRaiseEpochOnlyRaises(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	mustUpdate(t, s, func(tx storage.Tx) error {
		return tx.AppendEpoch(storage.Epoch{ID: "e1", Start: 3, Started: time.Now()})
	})
	for _, seq := range []uint64{10, 7, 12} {
		mustUpdate(t, s, func(tx storage.Tx) error { _, err := tx.RaiseEpoch("e1", seq); return err })
	}
	var high uint64
	mustUpdate(t, s, func(tx storage.Tx) error {
		return tx.EachEpoch(func(e storage.Epoch) error {
			if e.ID == "e1" {
				high = e.High
			}
			return nil
		})
	})
	if high != 12 {
		t.Errorf("high = %d, want 12", high)
	}
}

// BenchmarkSyncCheck is what a sync transaction pays on a shared storage
// for the other processes (sync/server/processes.go): the count read at
// its start, and at its end with the epoch's mark raised, against an
// empty write transaction.
func BenchmarkSyncCheck(b *testing.B) {
	s, err := OpenStorage(pgtest.DB(b), "", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(func(tx storage.Tx) error {
		return tx.AppendEpoch(storage.Epoch{ID: "e1", Started: time.Now()})
	}); err != nil {
		b.Fatal(err)
	}
	for _, check := range []bool{false, true} {
		name := "without"
		if check {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				err := s.Update(func(tx storage.Tx) error {
					if !check {
						return nil
					}
					tx.Changes()
					_, err := tx.RaiseEpoch("e1", uint64(i+1))
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
