package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store/method"
)

// TestCreateClientsAllOrNothing: CreateClients writes every client in one
// transaction. A failure inside the transaction at the last client (a
// commit hook standing in for a crash or a refused op) leaves the file
// exactly as it was: no client of the batch is there.
func TestCreateClientsAllOrNothing(t *testing.T) {
	s := openTest(t, Options{})
	if _, err := s.CreateClient(NewClient{Name: "Er al", Team: "Noord"}); err != nil {
		t.Fatal(err)
	}
	var batch []NewClient
	for i := range 50 {
		batch = append(batch, NewClient{Name: fmt.Sprintf("Cliënt %d", i), BirthYear: "1990", Team: "Noord"})
	}
	calls := 0
	failing := s.WithCommitHook(func(tx *Tx, ops []Op) error {
		calls++
		if calls == len(batch) {
			return errors.New("stop at the last client")
		}
		return nil
	})
	if _, err := failing.CreateClients(batch); err == nil {
		t.Fatal("the failing batch reported success")
	}
	if calls != len(batch) {
		t.Fatalf("hook ran %d times, want %d (one per client, in one transaction)", calls, len(batch))
	}
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 {
		t.Fatalf("after a failed batch %d clients are there, want 1", len(sums))
	}
	n, _ := s.OutboxLen()
	ids, err := s.CreateClients(batch)
	if err != nil || len(ids) != len(batch) {
		t.Fatalf("CreateClients = %d ids, %v", len(ids), err)
	}
	if sums, _ = s.Summaries(); len(sums) != len(batch)+1 {
		t.Fatalf("%d clients after the batch, want %d", len(sums), len(batch)+1)
	}
	if m, _ := s.OutboxLen(); m <= n {
		t.Fatalf("outbox %d -> %d: the batch is not queued for sync", n, m)
	}
	c, err := s.Client(ids[7])
	if err != nil || c.Name.Value != "Cliënt 7" || c.Team.Value != "Noord" || c.BirthYear.Value != "1990" {
		t.Fatalf("client 7 = %+v, %v", c, err)
	}

	// A bad form refuses the whole batch before anything is written.
	bad := append([]NewClient{{Name: "Goed", Team: "Noord"}}, NewClient{Name: "Fout", BirthYear: "18"})
	var re *RowError
	if _, err := s.CreateClients(bad); !errors.As(err, &re) || re.Row != 1 || re.Field != "birthyear" {
		t.Fatalf("bad batch: %v", err)
	}
	if sums, _ = s.Summaries(); len(sums) != len(batch)+1 {
		t.Fatalf("a refused batch wrote: %d clients", len(sums))
	}
}

// TestDuplicates: clients with the same name (case, accents, composed or
// decomposed, spacing folded) and birth year are listed as a pair;
// another birth year or a withdrawn client is not.
func TestDuplicates(t *testing.T) {
	s := openTest(t, Options{})
	mk := func(name, year, team string) string {
		t.Helper()
		id, err := s.CreateClient(NewClient{Name: name, BirthYear: year, Team: team})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	zoe1 := mk("Zoë  Çelik", "1990", "Noord")
	zoe2 := mk("zoe celik", "1990", "Zuid")
	mk("Zoe Celik", "1991", "Noord")
	w := mk("ZOË ÇELIK", "1990", "Noord")
	if _, err := s.Commit(w, Withdraw()); err != nil {
		t.Fatal(err)
	}
	mk("Jan", "", "Noord")
	mk("Piet", "", "Noord")
	pairs, err := s.Duplicates()
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 1 {
		t.Fatalf("pairs = %+v, want one", pairs)
	}
	got := map[string]bool{pairs[0].A.ID: true, pairs[0].B.ID: true}
	if !got[zoe1] || !got[zoe2] {
		t.Fatalf("pair = %+v, want %s and %s", pairs[0], zoe1, zoe2)
	}
	if DupKey("Zoe\u0308 Celik", "1990") != DupKey(" zoë çelik ", "1990") {
		t.Error("decomposed and composed names fold apart")
	}
}

// TestMergeClientsLosesNothing: after merging gone into keep, every
// current value of every field of gone is found in keep (same field) or
// in keep's merged_from line; texts that differ are a conflict in keep;
// gone is withdrawn and points to keep.
func TestMergeClientsLosesNothing(t *testing.T) {
	s := openTest(t, Options{})
	m := method.Default()
	st1, st2 := m.Steps[0], m.Steps[1]
	keep, err := s.CreateClient(NewClient{Name: "Noor Hazelhoef", BirthYear: "1988", Team: "Noord", Benefit: "wajong"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.CreateClient(NewClient{Name: "noor hazelhoef", BirthYear: "1988", Team: "Zuid", Coaches: "bert", Benefit: "participatiewet", RouteTarget: PlaceRegulier})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	q := func(st method.Step, i int) string { return FieldAnswer(st.N, st.Questions[i].ID) }
	must(s.Commit(keep, Set(q(st1, 0), "wil graag buiten werken"), Set(FieldCheck(st1.N, st1.Checklist[0].ID), "1")))
	must(s.Commit(gone, Set(q(st1, 0), "wil met dieren werken"), Set(q(st1, 1), "fietst"),
		Set(FieldCheck(st1.N, st1.Checklist[1].ID), "1"), Set(FieldCheck(st2.N, st2.Checklist[0].ID), "1"),
		Set(FieldStepNote(st1.N), "eerste gesprek goed"), Set("step/2/status", "active")))
	must(s.AddEntity(gone, EntityJournal, map[string]string{"kind": "bezoek", "date": "2026-11-02", "text": "kennismaking"}))
	must(s.AddEntity(gone, EntityAgreement, map[string]string{"what": "cv maken", "due": "2026-12-01", "person": "Noor"}))
	must(s.AddEntity(gone, EntityContact, map[string]string{"role": "moeder", "name": "Ans", "phone": "06-12345678"}))
	must(s.AddEntity(gone, EntityIndication, map[string]string{"kind": "wlz", "date": "2025-01-01"}))
	must(s.AddEntity(gone, EntityArrangement, map[string]string{"kind": "loonwaarde", "value": "60%", "from": "2026-01-01"}))
	must(s.RecordMove(gone, []Place{PlaceVrijwillig}, "2026-10-01", "start"))
	old, err := s.AddEntity(gone, EntityAgreement, map[string]string{"what": "weg"})
	must(nil, err)
	must(nil, s.RemoveEntity(gone, EntityAgreement, old))
	// A text conflict in gone already: another device wrote the note too.
	hs, err := s.Heads(gone, FieldStepNote(st1.N))
	must(nil, err)
	must(s.ApplyRemote([]Op{mkOp(gone, FieldStepNote(st1.N), "notitie van laptop B", hs[0].HLC-1, "devB")}))

	before := headsOf(t, s, gone)
	res, err := s.MergeClients(keep, gone)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops == 0 || res.Conflicts == 0 || res.Noted == 0 {
		t.Errorf("result %+v: want ops, conflicts and noted values", res)
	}
	kc, err := s.Client(keep)
	must(nil, err)
	after := headsOf(t, s, keep)
	for field, heads := range before {
		if field == "exists" || field == "merged_into" {
			continue
		}
		for _, h := range heads {
			if h.Value == "" {
				continue
			}
			found := strings.Contains(kc.MergedFrom.Value, field+"="+h.Value)
			hist, err := s.History(keep, field)
			must(nil, err)
			for _, op := range hist {
				found = found || op.Value == h.Value
			}
			for _, kh := range after[field] {
				found = found || kh.Value == h.Value
			}
			if !found {
				t.Errorf("gone's %s = %q is nowhere in keep", field, h.Value)
			}
		}
	}
	if a := kc.Steps[0].Answers[st1.Questions[0].ID]; !a.Conflict() {
		t.Errorf("differing answers: %+v, want a conflict with both", a)
	}
	if n := kc.Steps[0].Note; len(n.Heads) != 2 {
		t.Errorf("gone's note conflict did not come along as one: %+v", n)
	}
	if !kc.Steps[0].Checked(st1.Checklist[0].ID) || !kc.Steps[0].Checked(st1.Checklist[1].ID) || !kc.Steps[1].Checked(st2.Checklist[0].ID) {
		t.Error("ticks of both dossiers are not all in keep")
	}
	if kc.Team.Value != "Noord" || kc.Benefit.Value != "wajong" || kc.Coaches.Value != "bert" || kc.RouteTarget.Value != string(PlaceRegulier) {
		t.Errorf("record: team %q benefit %q coaches %q target %q", kc.Team.Value, kc.Benefit.Value, kc.Coaches.Value, kc.RouteTarget.Value)
	}
	if len(kc.Journal) != 1 || len(kc.Contacts) != 1 || len(kc.Agreements) != 2 || len(kc.Moves) != 1 || len(kc.Indications) != 1 || len(kc.Arrangements) != 1 {
		t.Errorf("entities in keep: %d journal, %d contacts, %d agreements, %d moves, %d indications, %d arrangements",
			len(kc.Journal), len(kc.Contacts), len(kc.Agreements), len(kc.Moves), len(kc.Indications), len(kc.Arrangements))
	}
	for _, a := range kc.Agreements {
		if a.ID == old && !a.Removed {
			t.Error("a removed agreement of gone came back")
		}
	}
	gc, err := s.Client(gone)
	must(nil, err)
	if gc.Exists || gc.MergedInto.Value != keep {
		t.Errorf("gone: exists %v merged_into %q", gc.Exists, gc.MergedInto.Value)
	}
	if !strings.HasPrefix(kc.MergedFrom.Value, gone+" noor hazelhoef") {
		t.Errorf("merged_from = %q", kc.MergedFrom.Value)
	}
	if _, err := s.MergeClients(keep, gone); !errors.Is(err, ErrMerged) {
		t.Errorf("second merge: %v", err)
	}
	if _, err := s.MergeClients(keep, keep); !errors.Is(err, ErrMerged) {
		t.Errorf("merge into itself: %v", err)
	}
	if pairs, _ := s.Duplicates(); len(pairs) != 0 {
		t.Errorf("still listed as duplicates after the merge: %+v", pairs)
	}
}

func headsOf(t *testing.T, s *Store, id string) map[string][]Head {
	t.Helper()
	dkey, err := idKey(id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]Head{}
	err = s.View(func(tx *Tx) error {
		all, err := s.dossierHeads(tx.tx, dkey)
		for _, f := range all {
			out[f.Field] = f.Heads
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
