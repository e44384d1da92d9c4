package store

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// flowMove is a move of a hand-built client: the day, where to (a place
// list) and whether it is removed afterwards.
type flowMove struct {
	date, to string
	removed  bool
}

// flowSpec is a hand-built client for the flow report tests.
type flowSpec struct {
	name    string
	team    string
	places  string // where the client is when created
	created string // the day the dossier is made; "" is 2024-06-01
	moves   []flowMove
	removed bool // the client is removed at the end
}

// flowWant is what a report should count; the maps hold non-zero counts
// only.
type flowWant struct {
	people, movedOn, steppedBack int
	atStart, movedTo, backFrom   map[Place]int
	atEnd                        map[Place]int
}

// flowStore builds the clients on a fresh store, each created at noon
// (UTC) of its day, in order of that day (the clock only goes forward).
func flowStore(t *testing.T, specs []flowSpec) *Store {
	t.Helper()
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	s := openTest(t, Options{Now: func() time.Time { return now }})
	specs = slices.Clone(specs)
	for i := range specs {
		if specs[i].created == "" {
			specs[i].created = "2024-06-01"
		}
	}
	slices.SortStableFunc(specs, func(a, b flowSpec) int { return strings.Compare(a.created, b.created) })
	for _, sp := range specs {
		day, err := time.Parse(time.DateOnly, sp.created)
		if err != nil {
			t.Fatal(err)
		}
		now = day.Add(12 * time.Hour)
		n := NewClient{Name: sp.name, Team: sp.team}
		for _, p := range SplitList(sp.places) {
			n.Places = append(n.Places, Place(p))
		}
		id, err := s.CreateClient(n)
		if err != nil {
			t.Fatal(err)
		}
		var remove []string
		for _, m := range sp.moves {
			var to []Place
			for _, p := range SplitList(m.to) {
				to = append(to, Place(p))
			}
			mid, err := s.RecordMove(id, to, m.date, "")
			if err != nil {
				t.Fatal(err)
			}
			if m.removed {
				remove = append(remove, mid)
			}
		}
		for _, mid := range remove {
			if err := s.RemoveEntity(id, EntityMove, mid); err != nil {
				t.Fatal(err)
			}
		}
		if sp.removed {
			if _, err := s.Commit(id, Set("exists", "0")); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

// nonZero turns a count list into a map of its non-zero counts.
func nonZero(list []PlaceCount) map[Place]int {
	m := map[Place]int{}
	for _, pc := range list {
		if pc.Count != 0 {
			m[pc.Place] = pc.Count
		}
	}
	return m
}

func orEmpty(m map[Place]int) map[Place]int {
	if m == nil {
		return map[Place]int{}
	}
	return m
}

func checkFlow(t *testing.T, got FlowCounts, want flowWant) {
	t.Helper()
	if got.People != want.people || got.MovedOn != want.movedOn || got.SteppedBack != want.steppedBack {
		t.Errorf("people %d, moved on %d, stepped back %d; want %d, %d, %d",
			got.People, got.MovedOn, got.SteppedBack, want.people, want.movedOn, want.steppedBack)
	}
	for _, c := range []struct {
		name string
		got  []PlaceCount
		want map[Place]int
	}{
		{"at start", got.AtStart, want.atStart},
		{"moved to", got.MovedTo, want.movedTo},
		{"stepped back from", got.SteppedBackFrom, want.backFrom},
		{"at end", got.AtEnd, want.atEnd},
	} {
		if g := nonZero(c.got); !maps.Equal(g, orEmpty(c.want)) {
			t.Errorf("%s: got %v, want %v", c.name, g, orEmpty(c.want))
		}
	}
}

const (
	dag   = "dagbesteding"
	vrij  = "vrijwilligerswerk"
	opl   = "opleiding"
	wep   = "werkervaringsplaats"
	besch = "beschut-werk"
	baan  = "banenafspraak"
	reg   = "regulier-werk"
)

// q1 is the period most cases ask about: the first quarter of 2025.
var q1 = FlowQuery{From: "2025-01-01", To: "2025-03-31"}

func TestFlowReportCounts(t *testing.T) {
	cases := []struct {
		name    string
		clients []flowSpec
		query   FlowQuery
		want    flowWant
	}{
		{
			name:    "no moves: counted where they are",
			clients: []flowSpec{{name: "A", places: dag}, {name: "B", places: wep}},
			want: flowWant{people: 2, atStart: map[Place]int{dag: 1, wep: 1},
				atEnd: map[Place]int{dag: 1, wep: 1}},
		},
		{
			name: "forward moves in the period",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2025-02-10", to: dag + "," + vrij}}},
				{name: "B", places: besch, moves: []flowMove{{date: "2025-03-31", to: baan}}},
				{name: "C", places: dag},
			},
			want: flowWant{people: 3, movedOn: 2,
				atStart: map[Place]int{dag: 2, besch: 1},
				movedTo: map[Place]int{vrij: 1, baan: 1},
				atEnd:   map[Place]int{dag: 1, vrij: 1, baan: 1}},
		},
		{
			name: "several moves count once, at the furthest place reached",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2025-01-10", to: wep}, {date: "2025-02-01", to: reg}}},
				{name: "B", places: dag, moves: []flowMove{{date: "2025-01-10", to: reg}, {date: "2025-02-01", to: dag}, {date: "2025-03-01", to: wep}}},
			},
			want: flowWant{people: 2, movedOn: 2, steppedBack: 1,
				atStart:  map[Place]int{dag: 2},
				movedTo:  map[Place]int{reg: 2},
				backFrom: map[Place]int{reg: 1},
				atEnd:    map[Place]int{reg: 1, wep: 1}},
		},
		{
			name: "a step back counts from where it started",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2024-11-01", to: dag + "," + wep}, {date: "2025-02-01", to: dag}}},
			},
			want: flowWant{people: 1, steppedBack: 1,
				atStart: map[Place]int{wep: 1}, backFrom: map[Place]int{wep: 1}, atEnd: map[Place]int{dag: 1}},
		},
		{
			name: "moves outside the period only set start and end",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2024-12-31", to: opl}, {date: "2025-04-01", to: reg}}},
				{name: "B", places: reg, moves: []flowMove{{date: "2025-04-01", to: dag}}},
			},
			want: flowWant{people: 2, atStart: map[Place]int{opl: 1, reg: 1}, atEnd: map[Place]int{opl: 1, reg: 1}},
		},
		{
			name: "the first and last day belong to the period",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2025-01-01", to: opl}}},
				{name: "B", places: opl, moves: []flowMove{{date: "2025-03-31", to: dag}}},
			},
			want: flowWant{people: 2, movedOn: 1, steppedBack: 1,
				atStart: map[Place]int{dag: 1, opl: 1}, movedTo: map[Place]int{opl: 1},
				backFrom: map[Place]int{opl: 1}, atEnd: map[Place]int{dag: 1, opl: 1}},
		},
		{
			name: "removed moves do not count",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2025-02-01", to: reg, removed: true}}},
				{name: "B", places: dag, moves: []flowMove{{date: "2025-02-01", to: vrij}, {date: "2025-03-01", to: reg, removed: true}}},
				{name: "C", places: dag, moves: []flowMove{{date: "2024-10-01", to: besch, removed: true}}},
			},
			want: flowWant{people: 3, movedOn: 1,
				atStart: map[Place]int{dag: 3}, movedTo: map[Place]int{vrij: 1}, atEnd: map[Place]int{dag: 2, vrij: 1}},
		},
		{
			name: "removed clients do not count",
			clients: []flowSpec{
				{name: "A", places: dag, moves: []flowMove{{date: "2025-02-01", to: reg}}, removed: true},
				{name: "B", places: dag},
			},
			want: flowWant{people: 1, atStart: map[Place]int{dag: 1}, atEnd: map[Place]int{dag: 1}},
		},
		{
			name: "team filter",
			clients: []flowSpec{
				{name: "A", team: "Noord", places: dag, moves: []flowMove{{date: "2025-02-01", to: reg}}},
				{name: "B", team: "Zuid", places: dag, moves: []flowMove{{date: "2025-02-01", to: opl}}},
				{name: "C", team: "West", places: dag},
				{name: "D", places: dag, moves: []flowMove{{date: "2025-02-01", to: baan}}},
			},
			query: FlowQuery{From: q1.From, To: q1.To, Teams: []string{"Noord", "West", "Oost"}},
			want: flowWant{people: 2, movedOn: 1,
				atStart: map[Place]int{dag: 2}, movedTo: map[Place]int{reg: 1}, atEnd: map[Place]int{dag: 1, reg: 1}},
		},
		{
			name: "several places count at the furthest",
			clients: []flowSpec{
				{name: "A", places: opl + "," + vrij, moves: []flowMove{{date: "2025-02-01", to: dag + "," + wep}}},
				{name: "B", places: dag + "," + wep, moves: []flowMove{{date: "2025-02-01", to: wep}}},
				{name: "C", places: vrij + "," + dag, moves: []flowMove{{date: "2025-02-01", to: dag + "," + vrij}}},
			},
			want: flowWant{people: 3, movedOn: 1,
				atStart: map[Place]int{opl: 1, wep: 1, vrij: 1}, movedTo: map[Place]int{wep: 1},
				atEnd: map[Place]int{wep: 2, vrij: 1}},
		},
		{
			name: "who came in during the period counts; who came in after does not",
			clients: []flowSpec{
				{name: "A", places: dag, created: "2025-02-15"},
				{name: "B", places: dag, created: "2025-02-20", moves: []flowMove{{date: "2025-03-01", to: opl}}},
				{name: "C", places: dag, created: "2025-05-01"},
				// Made later, with its history recorded afterwards.
				{name: "D", places: dag, created: "2025-05-01", moves: []flowMove{{date: "2024-10-01", to: opl}}},
			},
			want: flowWant{people: 3, movedOn: 1,
				atStart: map[Place]int{dag: 2, opl: 1}, movedTo: map[Place]int{opl: 1},
				atEnd: map[Place]int{dag: 1, opl: 2}},
		},
		{
			name: "no place is unknown; entering day activities is not moving on",
			clients: []flowSpec{
				{name: "A"},
				{name: "B", moves: []flowMove{{date: "2025-02-01", to: dag}}},
				{name: "C", moves: []flowMove{{date: "2025-02-01", to: reg}}},
			},
			want: flowWant{people: 3, movedOn: 1,
				atStart: map[Place]int{PlaceUnknown: 3}, movedTo: map[Place]int{reg: 1},
				atEnd: map[Place]int{PlaceUnknown: 1, dag: 1, reg: 1}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := flowStore(t, c.clients)
			q := c.query
			if q.From == "" {
				q = q1
			}
			r, err := s.FlowReport(q)
			if err != nil {
				t.Fatal(err)
			}
			checkFlow(t, r.FlowCounts, c.want)
			if !slices.Equal(r.Query.Teams, q.Teams) || r.Query.From != q.From || r.Query.To != q.To {
				t.Errorf("query %+v, want %+v", r.Query, q)
			}
		})
	}
}

// TestFlowReportTeams checks the per-team breakdown and the known teams.
func TestFlowReportTeams(t *testing.T) {
	s := flowStore(t, []flowSpec{
		{name: "A", team: "Zuid", places: dag, moves: []flowMove{{date: "2025-02-01", to: reg}}},
		{name: "B", team: "Noord", places: dag},
		{name: "C", team: "Noord", places: dag, moves: []flowMove{{date: "2025-02-01", to: opl}, {date: "2025-03-01", to: dag}}},
		{name: "D", places: wep},
		{name: "E", team: "Oost", places: dag, removed: true},
	})
	r, err := s.FlowReport(q1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Noord", "Zuid"}; !slices.Equal(r.KnownTeams, want) {
		t.Errorf("known teams %v, want %v", r.KnownTeams, want)
	}
	var names []string
	for _, tf := range r.Teams {
		names = append(names, tf.Team)
	}
	if want := []string{"", "Noord", "Zuid"}; !slices.Equal(names, want) {
		t.Fatalf("teams %q, want %q", names, want)
	}
	checkFlow(t, r.Teams[0].FlowCounts, flowWant{people: 1, atStart: map[Place]int{wep: 1}, atEnd: map[Place]int{wep: 1}})
	checkFlow(t, r.Teams[1].FlowCounts, flowWant{people: 2, movedOn: 1, steppedBack: 1,
		atStart: map[Place]int{dag: 2}, movedTo: map[Place]int{opl: 1}, backFrom: map[Place]int{opl: 1}, atEnd: map[Place]int{dag: 2}})
	checkFlow(t, r.Teams[2].FlowCounts, flowWant{people: 1, movedOn: 1,
		atStart: map[Place]int{dag: 1}, movedTo: map[Place]int{reg: 1}, atEnd: map[Place]int{reg: 1}})
	checkFlow(t, r.FlowCounts, flowWant{people: 4, movedOn: 2, steppedBack: 1,
		atStart: map[Place]int{dag: 3, wep: 1}, movedTo: map[Place]int{opl: 1, reg: 1},
		backFrom: map[Place]int{opl: 1}, atEnd: map[Place]int{dag: 2, wep: 1, reg: 1}})

	// A team nobody is in gives an empty report, not an error, and still
	// lists the teams that exist.
	r, err = s.FlowReport(FlowQuery{From: q1.From, To: q1.To, Teams: []string{"Oost"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.People != 0 || len(r.Teams) != 0 || len(r.KnownTeams) != 2 {
		t.Errorf("team without clients: %+v", r)
	}
	if Count(r.AtStart, PlaceUnknown) != 0 || len(r.AtStart) != len(Places())+1 || len(r.MovedTo) != len(Places())-1 {
		t.Errorf("count lists have the wrong shape: %+v", r.FlowCounts)
	}
}

func TestFlowReportInvalidQuery(t *testing.T) {
	s := flowStore(t, []flowSpec{{name: "A", places: dag}})
	for _, c := range []struct {
		q    FlowQuery
		want string
	}{
		{FlowQuery{From: "", To: "2025-03-31"}, "from"},
		{FlowQuery{From: "2025-01-01", To: "31-03-2025"}, "to"},
		{FlowQuery{From: "2025-02-30", To: "2025-03-31"}, "from"},
		{FlowQuery{From: "2025-04-01", To: "2025-03-31"}, "after"},
		{FlowQuery{From: "2025-01-01", To: "2025-03-31", Teams: []string{"Noord", " "}}, "team 2 is blank"},
	} {
		_, err := s.FlowReport(c.q)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want ErrInvalid saying %q", c.q, err, c.want)
		}
	}
	// One day is a period.
	if _, err := s.FlowReport(FlowQuery{From: "2025-03-31", To: "2025-03-31"}); err != nil {
		t.Errorf("a one-day period: %v", err)
	}
}

func TestQuarterOf(t *testing.T) {
	for day, want := range map[string][2]string{
		"2025-01-01": {"2025-01-01", "2025-03-31"},
		"2025-03-31": {"2025-01-01", "2025-03-31"},
		"2025-05-17": {"2025-04-01", "2025-06-30"},
		"2025-09-30": {"2025-07-01", "2025-09-30"},
		"2024-11-02": {"2024-10-01", "2024-12-31"},
		"2024-12-31": {"2024-10-01", "2024-12-31"},
	} {
		d, _ := time.Parse(time.DateOnly, day)
		if from, to := QuarterOf(d); from != want[0] || to != want[1] {
			t.Errorf("QuarterOf(%s) = %s, %s; want %s, %s", day, from, to, want[0], want[1])
		}
	}
}
