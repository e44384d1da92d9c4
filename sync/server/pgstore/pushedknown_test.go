package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/migrate"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// errRolledBack ends a transaction of a test that must write nothing.
var errRolledBack = errors.New("rolled back")

// stateText is what a transaction keeps of a dossier's state, as text:
// tombstone, the ops known, the ids replaced, the heads, and what a
// scoped state was read for.
func stateText(st *dossierState) string {
	if st == nil {
		return "not read"
	}
	ids := func(m map[[16]byte]bool) string {
		var out []string
		for id, ok := range m {
			if ok {
				out = append(out, fmt.Sprintf("%x", id[12:]))
			}
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	var heads []string
	for _, h := range st.heads {
		heads = append(heads, fmt.Sprintf("%x", h.id[12:]))
	}
	scope := "whole"
	if st.scope != nil {
		scope = fmt.Sprintf("scoped any=%v ids=%s", st.scope.any, ids(st.scope.ids))
	}
	return fmt.Sprintf("erased=%v known=%s replaced=%s heads=%s %s", st.erased, ids(st.known), ids(st.replaced), strings.Join(heads, ","), scope)
}

// pushedRead is what a push's read-ahead gave: the states kept, the
// answers to what the push asks, the same asked with nothing kept (on
// demand), and how many states were read for the push (scoped).
type pushedRead struct {
	states, answers, onDemand []string
	scoped                    int
}

// pushedAnswers reads ahead, as a group's BEGIN does, for a push of ops
// (the dossiers of ops and of others, at least two), with the pushed
// ops' presence probed in the log (probe) or answered from the ops'
// dossiers, and gives what it read: the states kept, then for each op
// Known and for each dossier Exists and Erased, and these again with
// nothing kept. prep, when not nil, runs first. The transaction rolls
// back.
func pushedAnswers(t *testing.T, s *Storage, probe bool, prep func(), ops []store.Op, others ...string) pushedRead {
	t.Helper()
	var pre storage.SyncPrefetch
	var dossiers []string
	for _, op := range ops {
		k, d := string(mk(op.ID)), string(mk(op.Dossier))
		pre.Ops = append(pre.Ops, k)
		pre.Pushed = append(pre.Pushed, storage.PushedOp{Op: k, Dossier: d, Field: op.Field})
		if !slices.Contains(dossiers, op.Dossier) {
			dossiers = append(dossiers, op.Dossier)
		}
	}
	for _, d := range others {
		if !slices.Contains(dossiers, d) {
			dossiers = append(dossiers, d)
		}
	}
	for _, d := range dossiers {
		pre.Dossiers = append(pre.Dossiers, string(mk(d)))
		s.heads.drop([16]byte(mk(d)), nil) // read for the push, not from the cache
	}
	if prep != nil {
		prep()
	}
	s.probePushed.Store(probe)
	defer s.probePushed.Store(false)
	before, _ := s.FieldStateStats()
	ask := func(tx *Tx) []string {
		var out []string
		for _, op := range ops {
			out = append(out, fmt.Sprintf("known %s in %s: %v", op.ID[28:], op.Dossier[28:], tx.Known(op.Dossier, op.ID)))
		}
		for _, d := range dossiers {
			out = append(out, fmt.Sprintf("%s: exists %v, erased %v", d[28:], tx.Exists(d), tx.Erased(d)))
		}
		return out
	}
	var r pushedRead
	err := s.PrefetchedUpdate(pre, func(stx storage.Tx) error {
		tx := stx.(*Tx)
		for _, d := range dossiers {
			r.states = append(r.states, d[28:]+": "+stateText(tx.dos[[16]byte(mk(d))]))
		}
		r.answers = ask(tx)
		tx.tx.memo, tx.dos, tx.opDossier = &recordMemo{}, nil, nil
		r.onDemand = ask(tx)
		return errRolledBack
	})
	if !errors.Is(err, errRolledBack) {
		t.Fatal(err)
	}
	after, _ := s.FieldStateStats()
	r.scoped = after - before
	return r
}

// samePushedAnswers fails the test unless a push's dossiers' states read
// ahead, and the answers to what the push asks, are the same with the
// pushed ops probed in the log and with them answered from the ops'
// dossiers (pushedKnown), and as on demand; as many dossiers must be
// read for the push (scoped) in both, at least one, or the comparison
// is void. prep, when not nil, runs before each read.
func samePushedAnswers(t *testing.T, s *Storage, step string, prep func(), ops []store.Op, others ...string) {
	t.Helper()
	p := pushedAnswers(t, s, true, prep, ops, others...)
	o := pushedAnswers(t, s, false, prep, ops, others...)
	if p.scoped == 0 || p.scoped != o.scoped {
		t.Fatalf("%s: %d and %d states read for the push; the comparison needs as many, one at least", step, p.scoped, o.scoped)
	}
	lines := func(r pushedRead) string { return strings.Join(slices.Concat(r.states, r.answers), "\n") }
	if lines(p) != lines(o) {
		t.Errorf("%s: probed in the log, the states and answers are\n%s\nfrom the ops' dossiers\n%s", step, lines(p), lines(o))
	}
	for _, r := range []pushedRead{p, o} {
		if !slices.Equal(r.answers, r.onDemand) {
			t.Errorf("%s: read ahead, the transaction answers\n%s\non demand\n%s", step, strings.Join(r.answers, "\n"), strings.Join(r.onDemand, "\n"))
		}
	}
}

// opsPaired fails the test unless every row of oplog is numbered in ops
// under its dossier and every number of a dossier without a tombstone
// has its row in oplog: the invariant pushedKnown rests on.
func opsPaired(t *testing.T, s *Storage, what string) {
	t.Helper()
	var unnumbered, unstored int
	err := s.db.Data.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM oplog l WHERE NOT EXISTS (SELECT 1 FROM ops o WHERE o.op_id = l.op_id AND o.dossier = l.dossier)),
		(SELECT count(*) FROM ops o WHERE NOT EXISTS (SELECT 1 FROM erased e WHERE e.dossier = o.dossier)
			AND NOT EXISTS (SELECT 1 FROM oplog l WHERE l.dossier = o.dossier AND l.op_id = o.op_id))`).Scan(&unnumbered, &unstored)
	if err != nil {
		t.Fatal(err)
	}
	if unnumbered != 0 || unstored != 0 {
		t.Errorf("%s: %d ops stored without their number under their dossier, %d numbers of dossiers not erased without their op", what, unnumbered, unstored)
	}
}

// apply stores and numbers ops as a push does.
func applyNumbered(tx storage.Tx, ops ...store.Op) error {
	for _, op := range ops {
		if _, err := tx.ApplyJSON(op, nil); err != nil {
			return err
		}
		if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
			return err
		}
	}
	return nil
}

// A push's dossiers read ahead (partialStatesQuery) take which of the
// pushed ops they have from the ops' dossiers the group reads anyway
// (pushedKnown), not from a probe of the log: the states kept and every
// answer are the same as with the probe (and as on demand) after each
// step of a history that writes both tables by every path: pushes of
// new ops, ops pushed again (known), an op's id pushed to another
// dossier, an op replaced, ops imported with their numbers (a copy's
// ImportOps and ImportSeq), an erasure by another process whose numbers
// are not yet dropped (this process still holds the key, so it reads
// the erased dossier for the push), its numbers dropped, and a copy's
// erasure (MarkErased). The deliberate fault FaultPushedNeverKnown must
// make the answers differ.
func TestPushedKnownFromOpsAsProbed(t *testing.T) {
	dsn := pgtest.DB(t)
	s := openStorageT(t, dsn, "", store.Options{})
	d := [4]string{store.NewID(), store.NewID(), store.NewID(), store.NewID()}
	a0, a1 := testOp(d[0], "name", "Jan"), testOp(d[0], "step/1/note", "a")
	b0, c0 := testOp(d[1], "name", "Kees"), testOp(d[2], "name", "Piet")
	mustUpdate(t, s, func(tx storage.Tx) error { return applyNumbered(tx, a0, a1, b0, c0) })
	fresh := func(dossier, field string) store.Op { return testOp(dossier, field, "nieuw") }
	elsewhere := func(op store.Op, dossier string) store.Op { op.Dossier = dossier; return op }

	samePushedAnswers(t, s, "new ops", nil, []store.Op{fresh(d[0], "name"), fresh(d[0], "step/2/note"), fresh(d[1], "name")})
	// a1 again, said to be of another field: no head of the fields
	// pushed, known by kind 5 alone.
	a1named := a1
	a1named.Field = "name"
	samePushedAnswers(t, s, "ops pushed again", nil, []store.Op{a0, a1named, fresh(d[0], "name"), b0})
	samePushedAnswers(t, s, "ids of another dossier's ops", nil, []store.Op{elsewhere(a0, d[1]), elsewhere(b0, d[0]), a1})

	a2 := testOp(d[0], "name", "Jan Jansen", a0.ID)
	mustUpdate(t, s, func(tx storage.Tx) error { return applyNumbered(tx, a2) })
	samePushedAnswers(t, s, "an op replaced", nil, []store.Op{a0, a2, fresh(d[0], "name"), b0})

	// A copy's import: a dossier's ops, then their numbers.
	i0, i1 := testOp(d[3], "name", "Fenna"), testOp(d[3], "step/1/note", "b")
	mustUpdate(t, s, func(stx storage.Tx) error {
		var raws [][]byte
		for _, op := range []store.Op{i0, i1} {
			raw, err := json.Marshal(op)
			if err != nil {
				return err
			}
			raws = append(raws, raw)
		}
		if _, err := stx.ImportOps(string(mk(d[3])), raws); err != nil {
			return err
		}
		last := stx.LastSeq()
		return stx.ImportSeq([]storage.SeqEntry{
			{Seq: last + 1, Op: string(mk(i0.ID)), Dossier: string(mk(d[3]))},
			{Seq: last + 2, Op: string(mk(i1.ID)), Dossier: string(mk(d[3]))},
		})
	})
	samePushedAnswers(t, s, "ops imported", nil, []store.Op{i0, i1, fresh(d[3], "name"), a1})
	opsPaired(t, s, "after the pushes and the import")

	// Another process erases d1: the tombstone and the log go, its
	// numbers stay until the erasure's second step. This process held
	// d1's key when its BEGIN was queued (the BEGIN then drops it), so
	// it reads the erased dossier for the push: the key put back before
	// each read.
	dk1 := mk(d[1])
	key, ok := s.keys.load(dk1)
	if !ok {
		t.Fatal("d1's key not held")
	}
	other := openStorageT(t, dsn, "", store.Options{})
	if err := other.EraseDossier(d[1]); err != nil {
		t.Fatal(err)
	}
	stale := func() { s.keys.keep(dk1, key) }
	samePushedAnswers(t, s, "erased elsewhere, numbers kept", stale, []store.Op{b0, fresh(d[1], "name"), a1})
	mustUpdate(t, s, func(tx storage.Tx) error { return tx.DropDossierOps(string(dk1)) })
	samePushedAnswers(t, s, "its numbers dropped", stale, []store.Op{b0, a1})

	// A copy's erasure (MarkErased), numbers kept.
	mustUpdate(t, s, func(tx storage.Tx) error { return tx.MarkErased(string(mk(d[2]))) })
	samePushedAnswers(t, s, "erased by a copy", nil, []store.Op{c0, a0, a2})
	opsPaired(t, s, "after the erasures")

	t.Run("fault", func(t *testing.T) {
		s.SetFieldStates(true, FaultPushedNeverKnown)
		defer s.SetFieldStates(true, FaultFieldsNone)
		ops := []store.Op{a0, a1, fresh(d[0], "name"), i0}
		p, o := pushedAnswers(t, s, true, nil, ops), pushedAnswers(t, s, false, nil, ops)
		if slices.Equal(p.states, o.states) && slices.Equal(p.answers, o.answers) {
			t.Fatal("with FaultPushedNeverKnown the states and answers are the same as probed: the test cannot catch it")
		}
	})
}

// A region copied from a bbolt file (brug admin migrate) holds the
// invariant pushedKnown rests on, and its pushes read ahead answer as
// probed: the copy writes the source's ops, then their numbers, and an
// erased dossier's numbers left by the source (its erasure's second step
// not run) come with its tombstone.
func TestPushedKnownFromOpsAfterACopy(t *testing.T) {
	src, err := boltstore.Open(filepath.Join(t.TempDir(), "region.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	d := [3]string{store.NewID(), store.NewID(), store.NewID()}
	a0, a1 := testOp(d[0], "name", "Jan"), testOp(d[0], "step/1/note", "a")
	b0, c0 := testOp(d[1], "name", "Kees"), testOp(d[2], "name", "Piet")
	a2 := testOp(d[0], "name", "Jan Jansen", a0.ID)
	if err := src.Update(func(tx storage.Tx) error { return applyNumbered(tx, a0, a1, b0, c0, a2) }); err != nil {
		t.Fatal(err)
	}
	if err := src.Store().Erase(c0.Dossier); err != nil { // its numbers stay
		t.Fatal(err)
	}
	dst := openStorageT(t, pgtest.DB(t), "", store.Options{})
	if _, err := migrate.Migrate(src, dst, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	var numbered bytes.Buffer
	mustUpdate(t, dst, func(tx storage.Tx) error {
		return tx.OpsAfter(0, func(seq uint64, op, dossier []byte) (bool, error) {
			fmt.Fprintf(&numbered, "%d %x %x\n", seq, op[:4], dossier[:4])
			return true, nil
		})
	})
	if n := strings.Count(numbered.String(), "\n"); n != 5 {
		t.Fatalf("the copy numbers %d ops, want the source's 5:\n%s", n, numbered.String())
	}
	opsPaired(t, dst, "the copy")
	samePushedAnswers(t, dst, "the copy", nil, []store.Op{a0, a1, a2, b0, testOp(d[0], "name", "nieuw")}, d[2])
	samePushedAnswers(t, dst, "the copy, ids of another dossier", nil, []store.Op{func() store.Op { op := a1; op.Dossier = d[1]; return op }(), b0}, d[0])
}
