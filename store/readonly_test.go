package store

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestHeldReadOnlyTable is the device's rule for a dossier held through a
// read-only share: read by some team of the user's, written by none.
func TestHeldReadOnlyTable(t *testing.T) {
	day := "2026-11-10"
	share := func(team, mode, until, withdrawn string) ShareTerms {
		return ShareTerms{ID: team + mode, Team: team, Mode: mode, From: "2026-11-01", Until: until,
			ConsentDate: "2026-11-01", ConsentHow: "written", Withdrawn: withdrawn}
	}
	for _, tc := range []struct {
		name   string
		shares []ShareTerms
		teams  []string
		want   bool
	}{
		{"no server, no teams", []ShareTerms{share("b", ShareRead, "", "")}, nil, false},
		{"own team", []ShareTerms{share("b", ShareRead, "", "")}, []string{"a"}, false},
		{"own team and a read share", []ShareTerms{share("b", ShareRead, "", "")}, []string{"b", "a"}, false},
		{"read share", []ShareTerms{share("b", ShareRead, "", "")}, []string{"b"}, true},
		{"read and write share", []ShareTerms{share("b", ShareReadWrite, "", "")}, []string{"b"}, false},
		{"read share and a read-write one with another team of the user's", []ShareTerms{share("b", ShareRead, "", ""), share("c", ShareReadWrite, "", "")}, []string{"b", "c"}, false},
		{"read share, then made read-write beside it", []ShareTerms{share("b", ShareRead, "", ""), share("b", ShareReadWrite, "", "")}, []string{"b"}, false},
		{"read share expired", []ShareTerms{share("b", ShareRead, "2026-11-09", "")}, []string{"b"}, false},
		{"read share withdrawn", []ShareTerms{share("b", ShareRead, "", "2026-11-10")}, []string{"b"}, false},
		{"read share removed", []ShareTerms{func() ShareTerms { s := share("b", ShareRead, "", ""); s.Removed = true; return s }()}, []string{"b"}, false},
		{"read-write share expired, read one standing", []ShareTerms{share("b", ShareReadWrite, "2026-11-09", ""), share("b", ShareRead, "", "")}, []string{"b"}, true},
		{"not shared with the user's team", []ShareTerms{share("c", ShareRead, "", "")}, []string{"b"}, false},
	} {
		if got := HeldReadOnly(DossierAccess{Team: "a", Shares: tc.shares}, tc.teams, day); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReadOnlyDossierRefusesChangesBeforeAnyOp: on a device whose user
// is in a team the dossier is shared with to read only, every write path
// (Commit, ToggleCheck, AddEntity, RecordMove, Resolve, MergeClients) is
// refused with ErrReadOnly and makes no op; when the share becomes
// read-write, or the user joins the owning team, writes work again; a
// withdrawn share (no access at all) is left to the server.
func TestReadOnlyDossierRefusesChangesBeforeAnyOp(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	today := "2026-11-02"
	d := newShareClient(t, s) // team-a
	sid, err := s.ShareDossier(d, okShare(), today)
	if err != nil {
		t.Fatal(err)
	}
	other := newShareClient(t, s)
	setTeams := func(teams ...string) {
		t.Helper()
		b, _ := json.Marshal(teams)
		if err := s.SetMeta(MetaSyncTeams, b); err != nil {
			t.Fatal(err)
		}
	}
	ops := func() int {
		st, err := s.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st.Ops
	}
	setTeams("team-b")
	if got := s.SyncTeams(); len(got) != 1 || got[0] != "team-b" {
		t.Fatalf("SyncTeams = %v", got)
	}
	before := ops()
	writes := map[string]func() error{
		"commit":  func() error { _, err := s.Commit(d, Set("birthyear", "1990")); return err },
		"toggle":  func() error { _, err := s.ToggleCheck(d, 1, "c1"); return err },
		"entity":  func() error { _, err := s.AddEntity(d, EntityJournal, map[string]string{"text": "bezoek"}); return err },
		"move":    func() error { _, err := s.RecordMove(d, []Place{PlaceVrijwillig}, today, ""); return err },
		"resolve": func() error { return s.Resolve(d, "name", "Anna B") },
		"merge":   func() error { _, err := s.MergeClients(other, d); return err },
		"share":   func() error { _, err := s.ShareDossier(d, okShare(), today); return err },
	}
	for name, w := range writes {
		if err := w(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only dossier: %v, want ErrReadOnly", name, err)
		}
	}
	if n := ops(); n != before {
		t.Fatalf("refused writes made %d ops", n-before)
	}
	c, err := s.Client(d)
	if err != nil {
		t.Fatal(err)
	}
	if !c.ReadOnlyFor(s.SyncTeams(), today) {
		t.Errorf("ReadOnlyFor: false for a read-only share")
	}
	// The owning team makes it read-write: writes work.
	setTeams("team-a")
	if err := s.ChangeShare(d, sid, func() ShareInput { in := okShare(); in.Mode = ShareReadWrite; return in }(), today); err != nil {
		t.Fatal(err)
	}
	setTeams("team-b")
	if _, err := s.Commit(d, Set("birthyear", "1991")); err != nil {
		t.Errorf("read-write share: %v", err)
	}
	// Back to read only, then the user also joins the owning team.
	setTeams("team-a")
	if err := s.ChangeShare(d, sid, okShare(), today); err != nil {
		t.Fatal(err)
	}
	setTeams("team-b", "team-a")
	if _, err := s.Commit(d, Set("birthyear", "1992")); err != nil {
		t.Errorf("member of the owning team: %v", err)
	}
	// Withdrawn: no access at all; not read only (the server refuses it).
	setTeams("team-a")
	if err := s.WithdrawShare(d, sid, today, today); err != nil {
		t.Fatal(err)
	}
	setTeams("team-b")
	if _, err := s.Commit(d, Set("birthyear", "1993")); errors.Is(err, ErrReadOnly) {
		t.Errorf("withdrawn share: refused as read only")
	}
	// Without a server (no teams) nothing is read only.
	setTeams()
	if _, err := s.Commit(other, Set("birthyear", "1994")); err != nil {
		t.Errorf("no teams: %v", err)
	}
}
