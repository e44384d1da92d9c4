package store

import (
	"fmt"
	"reflect"
	"testing"
)

// The list flags dossiers whose standing shares end within 30 days, from
// the summaries alone; withdrawn, removed, ended and far shares are not
// flagged, and the summary survives its encoding.
func TestConsentsEnding(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	today := "2026-11-02"
	mk := func(until string, edit func(d, sid string)) string {
		d := newShareClient(t, s)
		in := okShare()
		in.Until = until
		sid, err := s.ShareDossier(d, in, today)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(d, sid)
		}
		return d
	}
	soon := mk("2026-11-20", nil)
	lastDay := mk("2026-12-02", nil) // today + 30
	mk("2026-12-03", nil)            // one day too far
	mk("2026-11-01", nil)            // ended yesterday
	mk("2026-11-10", func(d, sid string) {
		if err := s.WithdrawShare(d, sid, today, today); err != nil {
			t.Fatal(err)
		}
	})
	mk("2026-11-10", func(d, sid string) {
		if err := s.RemoveEntity(d, EntityShare, sid); err != nil {
			t.Fatal(err)
		}
	})
	mk("2026-11-10", func(d, sid string) {
		if _, err := s.Commit(d, Withdraw()); err != nil {
			t.Fatal(err)
		}
	})
	// Two shares: the earliest in the window counts.
	two := mk("2027-03-01", func(d, sid string) {
		in := okShare()
		in.Team, in.Until = "team-c", "2026-11-15"
		if _, err := s.ShareDossier(d, in, today); err != nil {
			t.Fatal(err)
		}
	})
	want := []ConsentEnding{{soon, "2026-11-20"}, {lastDay, "2026-12-02"}, {two, "2026-11-15"}}
	got, err := s.ConsentsEnding(today, ConsentSoonDays)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ConsentsEnding = %v %v, want %v", got, err, want)
	}
	sums, _ := s.Summaries()
	pure, err := ConsentsEndingSoon(sums, today, ConsentSoonDays)
	if err != nil || !reflect.DeepEqual(pure, want) {
		t.Fatalf("ConsentsEndingSoon = %v %v, want %v", pure, err, want)
	}
	if _, err := s.ConsentsEnding("2-11-2026", 30); err == nil {
		t.Fatal("a bad day was accepted")
	}
	// The summary keeps its share ends through its encoding, with and
	// without waiting steps.
	for _, sm := range []Summary{{ID: NewID(), Name: "x", ShareEnds: []string{"2026-11-15", "2027-03-01"}},
		{ID: NewID(), Name: "y", Waiting: []WaitingStep{{Step: 1, Since: 5, By: "p"}}, ShareEnds: []string{"2026-11-15"}}} {
		var back Summary
		if err := decodeSummary(encodeSummary(&sm), &back); err != nil || !reflect.DeepEqual(back, sm) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, back, sm)
		}
	}
}

// BenchmarkConsentsEndingSoon flags the consents ending within 30 days
// in a list of 10,000 summaries, one in five with shares.
func BenchmarkConsentsEndingSoon(b *testing.B) {
	sums := make([]Summary, 10000)
	for i := range sums {
		sums[i].ID = NewID()
		if i%5 == 0 {
			sums[i].ShareEnds = []string{fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28), "2027-06-30"}
		}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		got, err := ConsentsEndingSoon(sums, "2026-11-02", ConsentSoonDays)
		if err != nil {
			b.Fatal(err)
		}
		n = len(got)
	}
	b.ReportMetric(float64(n), "flagged")
}
