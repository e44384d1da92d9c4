package pgstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The writes a group commit queues (ops with the ids their prevs replace,
// their numbers, audit entries with read marks) are sent folded into one
// statement per kind (fold.go). The database holds the same afterwards
// as with each sent alone: the same numbers for the same ops, the same
// replaced sets and heads, the same audit entries, read marks, chain head
// and identity sequence, the same count of changes. And the folded
// number check still fails a transaction whose sequence moved under it.
func TestFoldedWritesAsOneByOne(t *testing.T) {
	dossiers := []string{store.NewID(), store.NewID(), store.NewID()}
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	// Ops before the group, some of which the group's ops replace.
	var before []store.Op
	for i, d := range dossiers {
		before = append(before, testOp(d, "name", fmt.Sprint("Jan ", i)), testOp(d, "step/1/note", fmt.Sprint("note ", i)))
	}
	// The group: several syncs' ops, replacing earlier ones (of before
	// and of the group itself), on several dossiers, and audit entries
	// between them, with and without a dossier and a read mark.
	type step struct {
		op    *store.Op
		audit *storage.AuditEntry
	}
	var group []step
	prevOf := map[string]string{}
	for _, op := range before {
		prevOf[op.Dossier+op.Field] = op.ID
	}
	for i := range 40 {
		d := dossiers[i%len(dossiers)]
		field := []string{"name", "step/1/note", "step/2/note"}[i%3]
		var prev []string
		if p, ok := prevOf[d+field]; ok && i%4 != 0 {
			prev = []string{p}
		}
		op := testOp(d, field, fmt.Sprint("value ", i), prev...)
		prevOf[d+field] = op.ID
		group = append(group, step{op: &op})
		if i%3 == 0 {
			e := storage.AuditEntry{Time: at.Add(time.Duration(i) * time.Second), Channel: "sync", User: "anna", Action: "change", Dossier: d}
			if i%6 == 0 {
				e.Read = fmt.Sprintf("read-%d", i)
				e.Action = "deliver"
			}
			if i%9 == 0 {
				e.Dossier = ""
			}
			group = append(group, step{audit: &e})
		}
	}
	run := func(folding, next bool) string {
		foldWrites = folding
		defer func() { foldWrites = true }()
		s := openStorageT(t, pgtest.DB(t), "", store.Options{})
		mustUpdate(t, s, func(tx storage.Tx) error {
			for _, op := range before {
				if _, err := tx.ApplyJSON(op, nil); err != nil {
					return err
				}
				if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
					return err
				}
			}
			return tx.AppendAudit(storage.AuditEntry{Time: at, Channel: "cli", User: "admin", Action: "user add"})
		})
		mustUpdate(t, s, func(stx storage.Tx) error {
			tx := stx.(*Tx)
			for _, st := range group {
				if st.audit != nil {
					if err := tx.AppendAudit(*st.audit); err != nil {
						return err
					}
					continue
				}
				if _, err := tx.ApplyJSON(*st.op, nil); err != nil {
					return err
				}
				if _, err := tx.NumberOp(st.op.ID, st.op.Dossier); err != nil {
					return err
				}
				if next && len(tx.tx.queued)%7 == 0 {
					// A pull's page between the pushes: a number for
					// its view changes, and those (NextSeq, PutViews).
					seq, err := tx.NextSeq()
					if err != nil {
						return err
					}
					if err := tx.PutViews("dev", []string{st.op.ID}, storage.ViewEntry{State: 1, Seq: seq}); err != nil {
						return err
					}
				}
			}
			if n := len(tx.tx.queued); n < 80 {
				t.Fatalf("%d writes queued, want every op's two and the entries", n)
			}
			if f := fold(tx.tx.queued); folding && !next && len(f) > 4 {
				t.Errorf("folded into %d statements, want one per kind", len(f))
			}
			return nil
		})
		return dumpTables(t, s, dossiers)
	}
	one, folded := run(false, false), run(true, false)
	if one != folded {
		t.Errorf("folded writes left another database:\none by one:\n%s\nfolded:\n%s", one, folded)
	}
	// With numbers for pages' view changes (NextSeq, queued) among the
	// ops' numbers: the same numbers, in the same order.
	one, folded = run(false, true), run(true, true)
	if one != folded {
		t.Errorf("with NextSeq among them, folded writes left another database:\none by one:\n%s\nfolded:\n%s", one, folded)
	}
	if !strings.Contains(one, "dev") {
		t.Errorf("no view written:\n%s", one)
	}

	// Numbers counted on that the database does not give: the folded
	// statement fails the transaction, and nothing of it is stored.
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	err := s.Update(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		tx.tx.last += 5 // what a writer past the lock would make of it
		for i := range 3 {
			op := testOp(dossiers[0], "name", fmt.Sprint(i))
			if _, err := tx.ApplyJSON(op, nil); err != nil {
				return err
			}
			if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
				return err
			}
		}
		if f := fold(tx.tx.queued); len(f) != 2 {
			t.Errorf("folded into %d statements, want 2 (the ops, the numbers)", len(f))
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "the sequence moved under the write lock") {
		t.Fatalf("numbers not given as counted: %v", err)
	}
	if err := s.View(func(tx storage.Tx) error {
		if tx.LastSeq() != 0 || tx.Exists(dossiers[0]) {
			return fmt.Errorf("what the failed transaction wrote is there: last %d, exists %v", tx.LastSeq(), tx.Exists(dossiers[0]))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// dumpTables gives what the database holds of the op log, numbers,
// replaced sets, audit and the counters, as text; the ops of dossiers as
// their JSON (the sealed bodies differ between databases: their keys and
// nonces do).
func dumpTables(t *testing.T, s *Storage, dossiers []string) string {
	t.Helper()
	var b strings.Builder
	ctx := context.Background()
	for _, q := range []string{
		"SELECT seq, op_id, dossier FROM ops ORDER BY seq",
		"SELECT dossier, op_id FROM oplog ORDER BY dossier, op_id",
		"SELECT dossier, op_id FROM replaced ORDER BY dossier, op_id",
		"SELECT seq, at, action, dossier, entry FROM audit ORDER BY seq",
		"SELECT id, seq FROM audit_reads ORDER BY id",
		"SELECT name, value FROM settings WHERE name = '" + kAuditHead + "'",
		"SELECT last FROM seq_counter",
		"SELECT device, dossier, state, seq FROM views ORDER BY device, dossier",
		"SELECT pg_sequence_last_value(pg_get_serial_sequence('audit', 'seq')::regclass)",
		"SELECT n FROM changes",
	} {
		rows, err := s.db.Data.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:\n", q)
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  %v\n", v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.View(func(tx storage.Tx) error {
		for _, d := range slices.Sorted(slices.Values(dossiers)) {
			raws, err := tx.DossierJSON(dkeyT(t, d), func([]byte) bool { return true }, nil)
			if err != nil {
				return err
			}
			keys, err := tx.HeadKeys(dkeyT(t, d), nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "dossier %s: %d heads\n", d, len(keys))
			for _, r := range raws {
				fmt.Fprintf(&b, "  %s\n", r)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func dkeyT(t *testing.T, id string) []byte {
	t.Helper()
	k, err := idKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
