package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func headIDs(hs []Head) []string {
	var ids []string
	for _, h := range hs {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestMergeRuleTable applies small op sets, in the order given, and checks
// the heads and the resolved value, one row per op kind and situation.
func TestMergeRuleTable(t *testing.T) {
	d := NewID()
	agr := NewID()
	type step struct {
		field, value string
		hlc          HLC
		device       string
		prev         []int // indexes of earlier ops in this row
	}
	tests := []struct {
		name     string
		ops      []step
		order    []int // application order; nil: as listed
		field    string
		heads    []int
		value    string
		conflict bool
	}{
		{name: "scalar set", field: "name",
			ops: []step{{"name", "Anna", 10, "a", nil}}, heads: []int{0}, value: "Anna"},
		{name: "scalar overwrite", field: "name",
			ops: []step{{"name", "Anna", 10, "a", nil}, {"name", "Anna B.", 11, "a", []int{0}}}, heads: []int{1}, value: "Anna B."},
		{name: "scalar concurrent: higher HLC wins, both heads", field: "team",
			ops: []step{{"team", "Noord", 20, "a", nil}, {"team", "Oost", 21, "b", nil}}, heads: []int{0, 1}, value: "Oost"},
		{name: "scalar concurrent same HLC: higher device wins", field: "team",
			ops: []step{{"team", "Noord", 20, "z", nil}, {"team", "Oost", 20, "b", nil}}, heads: []int{0, 1}, value: "Noord"},
		{name: "checkbox toggled twice", field: "step/1/check/c1",
			ops: []step{{"step/1/check/c1", "1", 5, "a", nil}, {"step/1/check/c1", "0", 6, "a", []int{0}}}, heads: []int{1}, value: "0"},
		{name: "text concurrent edits are a conflict", field: "step/2/answer/q1",
			ops:   []step{{"step/2/answer/q1", "base", 5, "a", nil}, {"step/2/answer/q1", "left", 6, "a", []int{0}}, {"step/2/answer/q1", "right", 7, "b", []int{0}}},
			heads: []int{1, 2}, value: "right", conflict: true},
		{name: "resolution names all heads and clears the conflict", field: "step/2/answer/q1",
			ops:   []step{{"step/2/answer/q1", "base", 5, "a", nil}, {"step/2/answer/q1", "left", 6, "a", []int{0}}, {"step/2/answer/q1", "right", 7, "b", []int{0}}, {"step/2/answer/q1", "merged", 8, "a", []int{1, 2}}},
			heads: []int{3}, value: "merged"},
		{name: "late superseded op never becomes a head", field: "step/1/note",
			ops:   []step{{"step/1/note", "v1", 5, "a", nil}, {"step/1/note", "v2", 6, "a", []int{0}}},
			order: []int{1, 0}, heads: []int{1}, value: "v2"},
		{name: "late op with a higher HLC that was replaced stays out", field: "name",
			ops:   []step{{"name", "X", 50, "a", nil}, {"name", "Y", 51, "b", []int{0}}},
			order: []int{1, 0}, heads: []int{1}, value: "Y"},
		{name: "create entity", field: "agreement/" + agr + "/exists",
			ops: []step{{"agreement/" + agr + "/exists", "1", 5, "a", nil}}, heads: []int{0}, value: "1"},
		{name: "tombstone entity", field: "agreement/" + agr + "/exists",
			ops: []step{{"agreement/" + agr + "/exists", "1", 5, "a", nil}, {"agreement/" + agr + "/exists", "0", 6, "a", []int{0}}}, heads: []int{1}, value: "0"},
		{name: "undo tombstone", field: "agreement/" + agr + "/exists",
			ops: []step{{"agreement/" + agr + "/exists", "1", 5, "a", nil}, {"agreement/" + agr + "/exists", "0", 6, "a", []int{0}}, {"agreement/" + agr + "/exists", "1", 7, "a", []int{1}}}, heads: []int{2}, value: "1"},
		{name: "applying an op twice is a no-op", field: "name",
			ops: []step{{"name", "Anna", 10, "a", nil}}, order: []int{0, 0}, heads: []int{0}, value: "Anna"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{})
			ops := make([]Op, len(tt.ops))
			for i, st := range tt.ops {
				var prev []string
				for _, p := range st.prev {
					prev = append(prev, ops[p].ID)
				}
				ops[i] = mkOp(d, st.field, st.value, st.hlc<<16, st.device, prev...)
			}
			order := tt.order
			if order == nil {
				for i := range ops {
					order = append(order, i)
				}
			}
			for _, i := range order {
				if _, err := s.ApplyRemote([]Op{ops[i]}); err != nil {
					t.Fatalf("apply op %d: %v", i, err)
				}
			}
			hs, err := s.Heads(d, tt.field)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, i := range tt.heads {
				want = append(want, ops[i].ID)
			}
			if got := headIDs(hs); !slices.Equal(got, sortedIDs(want...)) {
				t.Errorf("heads = %v, want %v", got, sortedIDs(want...))
			}
			_, k, _ := ParseField(tt.field)
			v := resolve(k, hs)
			if v.Value != tt.value {
				t.Errorf("value = %q, want %q", v.Value, tt.value)
			}
			if v.Conflict() != tt.conflict {
				t.Errorf("conflict = %v, want %v", v.Conflict(), tt.conflict)
			}
			c, err := s.Client(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(c.Conflicts, tt.field); got != tt.conflict {
				t.Errorf("client conflicts %v, want conflict on %s = %v", c.Conflicts, tt.field, tt.conflict)
			}
			all, _ := s.Ops(d)
			if len(all) != len(ops) {
				t.Errorf("log holds %d ops, want %d (every op is kept, once)", len(all), len(ops))
			}
		})
	}
}

// TestConcurrentTextEditsKeptThenResolved is the user story: two people
// answer the same question offline; both texts are kept as a conflict; one
// resolves it; nothing is lost from history.
func TestConcurrentTextEditsKeptThenResolved(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	id, err := s.CreateClient(NewClient{Name: "Fenna Bakker"})
	if err != nil {
		t.Fatal(err)
	}
	field := "step/1/answer/q1"
	base, err := s.Commit(id, Set(field, "Ze werkt graag buiten."))
	if err != nil {
		t.Fatal(err)
	}
	// The coach edits what she saw; meanwhile a colleague's edit of the same
	// base arrives from sync.
	other := mkOp(id, field, "Ze werkt graag met dieren.", MakeHLC(t0.Add(time.Hour), 0), "laptop-2", base[0].ID)
	if _, err := s.ApplyRemote([]Op{other}); err != nil {
		t.Fatal(err)
	}
	mine, err := s.Commit(id, Edit(field, "Ze werkt graag buiten, met planten.", []string{base[0].ID}))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(id)
	v := c.Steps[0].Answers["q1"]
	if !v.Conflict() || len(v.Heads) != 2 {
		t.Fatalf("want a two-head conflict, got %+v", v)
	}
	if !slices.Equal(c.Conflicts, []string{field}) {
		t.Fatalf("client conflicts = %v", c.Conflicts)
	}
	texts := []string{v.Heads[0].Value, v.Heads[1].Value}
	slices.Sort(texts)
	if !slices.Equal(texts, []string{"Ze werkt graag buiten, met planten.", "Ze werkt graag met dieren."}) {
		t.Fatalf("conflict texts = %q", texts)
	}
	if err := s.Resolve(id, field, "Buiten, met planten of dieren."); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Client(id)
	if len(c.Conflicts) != 0 || c.Steps[0].Answers["q1"].Conflict() {
		t.Fatalf("conflict not cleared: %v", c.Conflicts)
	}
	hist, _ := s.History(id, field)
	if len(hist) != 4 {
		t.Fatalf("history has %d ops, want 4 (base, two edits, resolution)", len(hist))
	}
	last := hist[len(hist)-1]
	if !slices.Equal(sortedIDs(last.Prev...), sortedIDs(other.ID, mine[0].ID)) {
		t.Errorf("resolution prev = %v, want both heads", last.Prev)
	}
}

func TestActions(t *testing.T) {
	s := openTest(t, Options{Author: "Sanne", Now: fixedClock(t0)})
	id, err := s.CreateClient(NewClient{Name: " Jip Jansen ", BirthYear: "1998", Team: "Team Noord",
		Places: []Place{PlaceDagbesteding}, Benefit: "wajong", RouteTarget: PlaceBanenafspraak})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateClient(NewClient{Name: "  "}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty name: %v, want ErrInvalid", err)
	}
	op, err := s.ToggleCheck(id, 1, "c1")
	if err != nil || op.Value != "1" {
		t.Fatalf("toggle on: %v %+v", err, op)
	}
	if op, err = s.ToggleCheck(id, 1, "c1"); err != nil || op.Value != "0" {
		t.Fatalf("toggle off: %v %+v", err, op)
	}
	if _, err := s.ToggleCheck(id, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ToggleCheck(id, 1, "nope"); !errors.Is(err, ErrInvalid) {
		t.Errorf("toggle unknown item: %v, want ErrInvalid", err)
	}
	agr, err := s.AddEntity(id, EntityAgreement, map[string]string{"what": "Gesprek met UWV plannen", "due": "2026-11-01", "role": "jobcoach"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEntity(id, EntityAgreement, map[string]string{"due": "morgen"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad due date: %v, want ErrInvalid", err)
	}
	if _, err := s.RecordMove(id, []Place{PlaceDagbesteding, PlaceWerkervaring}, "2026-10-01", "Proefplaatsing bij de kinderboerderij"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordMove(id, []Place{PlaceDagbesteding}, "2026-10-20", "Even te zwaar"); err != nil {
		t.Fatal(err)
	}
	c, err := s.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name.Value != "Jip Jansen" || !c.Exists || c.Places.Value != "dagbesteding" {
		t.Errorf("client = %+v", c)
	}
	if chk := c.Steps[0].Checks["c1"]; chk.Value != "1" || chk.By != "Sanne" || chk.At.IsZero() {
		t.Errorf("check c1 = %+v, want ticked by Sanne with a time", chk)
	}
	if len(c.Moves) != 2 || c.Moves[0].Back() || !c.Moves[1].Back() {
		t.Errorf("moves = %+v, want forward then a step back", c.Moves)
	}
	sums, _ := s.Summaries()
	if len(sums) != 1 || sums[0].NextDue != "2026-11-01" || sums[0].OverdueOn("2026-11-22") != 1 || sums[0].CurrentStep != 1 {
		t.Errorf("summary = %+v", sums)
	}
	if err := s.RemoveEntity(id, EntityAgreement, agr); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Client(id)
	if !c.Agreements[0].Removed {
		t.Error("agreement not removed")
	}
	sums, _ = s.Summaries()
	if sums[0].NextDue != "" {
		t.Errorf("removed agreement still due: %+v", sums[0])
	}
	if err := s.RestoreEntity(id, EntityAgreement, agr); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Client(id)
	if c.Agreements[0].Removed || c.Agreements[0].What.Value != "Gesprek met UWV plannen" {
		t.Errorf("agreement not restored: %+v", c.Agreements[0])
	}
	// Saving the same value twice makes one op.
	before, _ := s.Ops(id)
	if _, err := s.Commit(id, Set("team", "Team Noord")); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Ops(id)
	if len(after) != len(before) {
		t.Errorf("unchanged save made %d ops", len(after)-len(before))
	}
	st, _ := s.Stats()
	if st.Outbox != st.Ops {
		t.Errorf("outbox %d, ops %d: every local op waits for sync", st.Outbox, st.Ops)
	}
	if got, err := s.FindClient("jip"); err != nil || got != id {
		t.Errorf("FindClient(jip) = %q, %v", got, err)
	}
	if _, err := s.FindClient("zzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FindClient(zzz) = %v", err)
	}
}

// TestPrevInOtherDossierSameField: a prev names an op of its own dossier
// (schema 4). A remote op whose prev names an op of another dossier, with
// the same field path, replaces nothing there, whichever arrives first,
// one by one or in bulk; the kept state equals a rebuild (openTest).
func TestPrevInOtherDossierSameField(t *testing.T) {
	a, b := NewID(), NewID()
	inA := mkOp(a, "step/1/note", "in A", 5<<16, "dev")
	inB := mkOp(b, "step/1/note", "in B", 6<<16, "dev", inA.ID)
	for _, c := range []struct {
		name  string
		apply func(*Store, []Op) (int, error)
		ops   []Op
	}{
		{"A first", (*Store).ApplyRemote, []Op{inA, inB}},
		{"B first", (*Store).ApplyRemote, []Op{inB, inA}},
		{"bulk", (*Store).ApplyRemoteBulk, []Op{inB, inA}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t, Options{})
			if _, err := c.apply(s, c.ops); err != nil {
				t.Fatal(err)
			}
			if hs, _ := s.Heads(a, "step/1/note"); len(hs) != 1 || hs[0].ID != inA.ID {
				t.Errorf("dossier A: heads %+v, want its own op", hs)
			}
			if hs, _ := s.Heads(b, "step/1/note"); len(hs) != 1 || hs[0].ID != inB.ID {
				t.Errorf("dossier B: heads %+v, want its own op", hs)
			}
		})
	}
}
