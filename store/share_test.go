package store

import (
	"errors"
	"testing"
	"time"
)

func newShareClient(t *testing.T, s *Store) string {
	t.Helper()
	id, err := s.CreateClient(NewClient{Name: "Anna", Team: "team-a"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func okShare() ShareInput {
	return ShareInput{Team: "team-b", Org: "Gemeente Oss", Purpose: "route naar werk", Mode: ShareRead,
		From: "2026-11-01", Until: "2027-05-01", ConsentDate: "2026-10-30", ConsentHow: "written"}
}

// Sharing, changing and withdrawing are ops: they show in the dossier and
// its history, sync to another replica and merge by the one rule.
func TestShareOpsSyncMergeHistory(t *testing.T) {
	a := openTest(t, Options{Author: "piet", Now: fixedClock(t0)})
	b := openTest(t, Options{Author: "kees", Now: fixedClock(t0.Add(time.Hour))})
	d := newShareClient(t, a)
	sid, err := a.ShareDossier(d, okShare(), "2026-11-02")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := a.Client(d)
	if len(c.Shares) != 1 || c.Shares[0].ID != sid || c.Shares[0].Team.Value != "team-b" ||
		c.Shares[0].ConsentBy.Value != "piet" || c.Shares[0].Mode.Value != "read" {
		t.Fatalf("share not in the dossier: %+v", c.Shares)
	}
	in := okShare()
	in.Until = "2027-01-31"
	if err := a.ChangeShare(d, sid, in, "2026-11-02"); err != nil {
		t.Fatal(err)
	}
	if err := a.WithdrawShare(d, sid, "2026-11-02", "2026-11-02"); err != nil {
		t.Fatal(err)
	}
	if err := a.ChangeShare(d, sid, okShare(), "2026-11-02"); !errors.Is(err, ErrWithdrawn) {
		t.Fatalf("changing a withdrawn share: %v, want ErrWithdrawn", err)
	}
	hist, err := a.History(d, ShareField(sid, "until"))
	if err != nil || len(hist) != 2 || hist[0].Value != "2027-05-01" || hist[1].Value != "2027-01-31" {
		t.Fatalf("history of until: %v %+v", err, hist)
	}
	ops, _ := a.Ops(d)
	if _, err := b.ApplyRemote(ops); err != nil {
		t.Fatal(err)
	}
	cb, _ := b.Client(d)
	if got := cb.AccessState(); len(got.Shares) != 1 || got.Shares[0] != (ShareTerms{ID: sid, Team: "team-b", Org: "Gemeente Oss",
		Mode: "read", From: "2026-11-01", Until: "2027-01-31", ConsentDate: "2026-10-30", ConsentHow: "written", Withdrawn: "2026-11-02"}) {
		t.Fatalf("replica's share: %+v", got.Shares)
	}
	if v, ok := cb.FieldValue(ShareField(sid, "withdrawn")); !ok || v.Value != "2026-11-02" {
		t.Fatalf("FieldValue withdrawn = %+v %v", v, ok)
	}
	// Concurrent changes of until on both replicas: the newest stamp wins
	// on both once they exchange (b's clock is an hour ahead).
	if _, err := a.Commit(d, Set(ShareField(sid, "until"), "2027-02-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(d, Set(ShareField(sid, "until"), "2027-03-01")); err != nil {
		t.Fatal(err)
	}
	oa, _ := a.Ops(d)
	ob, _ := b.Ops(d)
	if _, err := a.ApplyRemote(ob); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ApplyRemote(oa); err != nil {
		t.Fatal(err)
	}
	ca, _ := a.Client(d)
	cb, _ = b.Client(d)
	if ca.Shares[0].Until.Value != "2027-03-01" || cb.Shares[0].Until.Value != "2027-03-01" {
		t.Fatalf("merged until: %q %q", ca.Shares[0].Until.Value, cb.Shares[0].Until.Value)
	}
}

func TestShareInputValidate(t *testing.T) {
	today := "2026-11-02"
	for _, tc := range []struct {
		name  string
		edit  func(*ShareInput)
		field string
		want  error
	}{
		{"ok", func(*ShareInput) {}, "", nil},
		{"no team", func(in *ShareInput) { in.Team = " " }, "team", ErrRequired},
		{"no purpose", func(in *ShareInput) { in.Purpose = "" }, "purpose", ErrRequired},
		{"bad mode", func(in *ShareInput) { in.Mode = "write" }, "mode", ErrInvalid},
		{"no mode", func(in *ShareInput) { in.Mode = "" }, "mode", ErrInvalid},
		{"no until", func(in *ShareInput) { in.Until = "" }, "until", ErrRequired},
		{"until before from", func(in *ShareInput) { in.Until = "2026-10-31" }, "until", ErrUntilBeforeFrom},
		{"one day", func(in *ShareInput) { in.Until = in.From }, "", nil},
		{"bad date", func(in *ShareInput) { in.From = "1-11-2026" }, "from", ErrInvalid},
		{"consent tomorrow", func(in *ShareInput) { in.ConsentDate = "2026-11-03" }, "consent_date", ErrFutureDay},
		{"bad how", func(in *ShareInput) { in.ConsentHow = "email" }, "consent_how", ErrInvalid},
		{"active without consent", func(in *ShareInput) { in.ConsentDate, in.ConsentHow = "", "" }, "consent_date", ErrConsentRequired},
		{"active without how", func(in *ShareInput) { in.ConsentHow = "" }, "consent_how", ErrConsentRequired},
		{"later share without consent yet", func(in *ShareInput) { in.From, in.ConsentDate, in.ConsentHow = "2026-12-01", "", "" }, "", nil},
		{"purpose with a line break", func(in *ShareInput) { in.Purpose = "a\nb" }, "purpose", ErrInvalid},
	} {
		in := okShare()
		tc.edit(&in)
		errs := in.Validate(today)
		if tc.want == nil {
			if errs != nil {
				t.Errorf("%s: %v, want none", tc.name, errs)
			}
			continue
		}
		if !errors.Is(errs[tc.field], tc.want) {
			t.Errorf("%s: errs[%s] = %v, want %v (all %v)", tc.name, tc.field, errs[tc.field], tc.want, errs)
		}
	}
}

func TestShareRefusals(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	d := newShareClient(t, s)
	in := okShare()
	in.Team = "team-a"
	if _, err := s.ShareDossier(d, in, "2026-11-02"); !errors.Is(err, ErrShareOwnTeam) {
		t.Fatalf("share with own team: %v", err)
	}
	in = okShare()
	in.Until = "2026-01-01"
	if _, err := s.ShareDossier(d, in, "2026-11-02"); !errors.Is(err, ErrUntilBeforeFrom) {
		t.Fatalf("until before from: %v", err)
	}
	if err := s.WithdrawShare(d, NewID(), "2026-11-02", "2026-11-02"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("withdraw unknown: %v", err)
	}
	sid, err := s.ShareDossier(d, okShare(), "2026-11-02")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithdrawShare(d, sid, "2026-11-05", "2026-11-02"); !errors.Is(err, ErrFutureDay) {
		t.Fatalf("withdraw tomorrow: %v", err)
	}
	ops, _ := s.Ops(d)
	if _, err := s.Commit(d, Set(ShareField(sid, "mode"), "admin")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad mode op: %v", err)
	}
	if after, _ := s.Ops(d); len(after) != len(ops) {
		t.Fatalf("a refused op was written")
	}
}

func TestMoveEmployer(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	d := newShareClient(t, s)
	if _, err := s.RecordMoveEmployer(d, []Place{PlaceOpleiding}, "2026-11-01", "", "ROC"); !errors.Is(err, ErrNoEmployerPlace) {
		t.Fatalf("employer at a training: %v", err)
	}
	mid, err := s.RecordMoveEmployer(d, []Place{PlaceDagbesteding, PlaceWerkervaring}, "2026-11-01", "", "  Bakkerij de Bol ")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(d)
	if len(c.Moves) != 1 || c.Moves[0].ID != mid || c.Moves[0].Employer.Value != "Bakkerij de Bol" {
		t.Fatalf("move: %+v", c.Moves)
	}
	if v, ok := c.FieldValue(MoveField(mid, "employer")); !ok || v.Value != "Bakkerij de Bol" {
		t.Fatalf("FieldValue employer: %+v", v)
	}
	long := make([]byte, MaxScalar+1)
	for i := range long {
		long[i] = 'x'
	}
	if err := CheckMoveEmployer([]Place{PlaceRegulier}, string(long)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("long employer: %v", err)
	}
}
