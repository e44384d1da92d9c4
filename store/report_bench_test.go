package store_test

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
)

// flowRegion is a small demo region for the property test.
func flowRegion(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	now := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	if err := demo.Generate(s, demo.Options{Clients: 300, Seed: 7, Now: now}); err != nil {
		t.Fatal(err)
	}
	return s
}

// referenceFlow computes a flow report the slow, obvious way, through the
// public read paths (Summaries, Client, Heads), from the rules in
// docs/report.md. FlowReport reads only some heads; it must agree.
func referenceFlow(t *testing.T, s *store.Store, q store.FlowQuery) store.FlowCounts {
	t.Helper()
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	rank := func(list string) int {
		r := -1
		for _, p := range store.SplitList(list) {
			r = max(r, store.Place(p).Rank())
		}
		return r
	}
	at := func(list string) store.Place {
		if r := rank(list); r >= 0 {
			return store.Places()[r]
		}
		return store.PlaceUnknown
	}
	tally := map[string]map[store.Place]int{}
	bump := func(section string, p store.Place) {
		if tally[section] == nil {
			tally[section] = map[store.Place]int{}
		}
		tally[section][p]++
	}
	var fc store.FlowCounts
	for _, sm := range sums {
		if sm.Removed || len(q.Teams) > 0 && !slices.Contains(q.Teams, sm.Team) {
			continue
		}
		c, err := s.Client(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		var moves []store.Move
		for _, m := range c.Moves {
			if !m.Removed && m.Date.Value != "" {
				moves = append(moves, m)
			}
		}
		hs, err := s.Heads(sm.ID, "exists")
		if err != nil || len(hs) == 0 {
			t.Fatalf("exists heads of %s: %v", sm.ID, err)
		}
		entry := hs[0].HLC.Time().UTC().Format(time.DateOnly)
		if len(moves) > 0 && moves[0].Date.Value < entry {
			entry = moves[0].Date.Value
		}
		if entry > q.To {
			continue
		}
		fc.People++
		start, end := c.Places.Value, c.Places.Value
		if len(moves) > 0 {
			start, end = moves[0].From.Value, moves[0].From.Value
		}
		movedTo, backFrom := -1, -1
		for _, m := range moves {
			if m.Date.Value < q.From {
				start = m.To.Value
			}
			if m.Date.Value <= q.To {
				end = m.To.Value
			}
			if m.Date.Value < q.From || m.Date.Value > q.To {
				continue
			}
			if to := rank(m.To.Value); to > 0 && to > rank(m.From.Value) {
				movedTo = max(movedTo, to)
			}
			if m.Back() {
				backFrom = max(backFrom, rank(m.From.Value))
			}
		}
		bump("start", at(start))
		bump("end", at(end))
		if movedTo >= 0 {
			fc.MovedOn++
			bump("to", store.Places()[movedTo])
		}
		if backFrom >= 0 {
			fc.SteppedBack++
			bump("back", store.Places()[backFrom])
		}
	}
	list := func(section string, ps []store.Place) []store.PlaceCount {
		out := []store.PlaceCount{}
		for _, p := range ps {
			out = append(out, store.PlaceCount{Place: p, Count: tally[section][p]})
		}
		return out
	}
	all := store.Places()
	withUnknown := append(slices.Clone(all), store.PlaceUnknown)
	fc.AtStart = list("start", withUnknown)
	fc.MovedTo = list("to", all[1:])
	fc.SteppedBackFrom = list("back", all)
	fc.AtEnd = list("end", withUnknown)
	return fc
}

func sum(list []store.PlaceCount) int {
	n := 0
	for _, pc := range list {
		n += pc.Count
	}
	return n
}

// TestFlowReportProperties runs random queries on a demo region: the
// counts add up (everyone once at the start and once at the end, every
// mover once at a place), the teams add up to the whole, and the report
// equals the one computed through the public read paths.
func TestFlowReportProperties(t *testing.T) {
	s := flowRegion(t)
	r := rand.New(rand.NewPCG(1, 2))
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func() time.Time { return first.AddDate(0, 0, r.IntN(3*365)) }
	whole, err := s.FlowReport(store.FlowQuery{From: "2024-01-01", To: "2026-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if whole.People == 0 || whole.MovedOn == 0 || whole.SteppedBack == 0 || len(whole.KnownTeams) < 2 {
		t.Fatalf("the demo region has too little flow to test with: %+v", whole)
	}
	for i := 0; i < 40; i++ {
		a, b := day(), day()
		if b.Before(a) {
			a, b = b, a
		}
		q := store.FlowQuery{From: a.Format(time.DateOnly), To: b.Format(time.DateOnly)}
		for _, team := range whole.KnownTeams {
			if r.IntN(3) == 0 {
				q.Teams = append(q.Teams, team)
			}
		}
		got, err := s.FlowReport(q)
		if err != nil {
			t.Fatal(err)
		}
		fc := got.FlowCounts
		if sum(fc.AtStart) != fc.People || sum(fc.AtEnd) != fc.People || sum(fc.MovedTo) != fc.MovedOn ||
			sum(fc.SteppedBackFrom) != fc.SteppedBack || fc.MovedOn > fc.People || fc.SteppedBack > fc.People {
			t.Errorf("%+v: counts do not add up: %+v", q, fc)
		}
		var people, movedOn, back int
		for _, tf := range got.Teams {
			if len(q.Teams) > 0 && !slices.Contains(q.Teams, tf.Team) {
				t.Errorf("%+v: team %q is not asked for", q, tf.Team)
			}
			people, movedOn, back = people+tf.People, movedOn+tf.MovedOn, back+tf.SteppedBack
		}
		if people != fc.People || movedOn != fc.MovedOn || back != fc.SteppedBack {
			t.Errorf("%+v: teams add up to %d/%d/%d, not %d/%d/%d", q, people, movedOn, back, fc.People, fc.MovedOn, fc.SteppedBack)
		}
		if want := referenceFlow(t, s, q); !reflect.DeepEqual(fc, want) {
			t.Errorf("%+v:\n got %+v\nwant %+v", q, fc, want)
		}
	}
}

// BenchmarkFlowReport10k measures a flow report over a quarter for all
// teams of the 10,000-client demo region: every summary and the move heads
// of every client read in one transaction.
func BenchmarkFlowReport10k(b *testing.B) {
	path := benchRegion(b)
	s, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	q := store.FlowQuery{From: "2026-07-01", To: "2026-09-30"}
	for b.Loop() {
		r, err := s.FlowReport(q)
		if err != nil || r.People == 0 {
			b.Fatalf("%d people: %v", r.People, err)
		}
	}
}
