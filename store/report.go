package store

import (
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The flow report: for a period and some teams, where people stood at the
// start, how many moved on and to what, and how many stepped back. The
// counting rules are written down in docs/report.md; the comments below
// summarise them where they are applied.

// FlowQuery asks for a flow report.
type FlowQuery struct {
	// From and To bound the period, both days included (YYYY-MM-DD).
	From string `json:"from"`
	To   string `json:"to"`
	// Teams limits the report to clients whose current team is one of
	// these; empty means every client, with or without a team.
	Teams []string `json:"teams,omitempty"`
}

// Validate checks the query: both dates are days, From is not after To and
// no team is blank. Errors wrap ErrInvalid.
func (q FlowQuery) Validate() error {
	from, err := time.Parse(time.DateOnly, q.From)
	if err != nil {
		return fmt.Errorf("%w flow query: from %q is not a date YYYY-MM-DD", ErrInvalid, q.From)
	}
	to, err := time.Parse(time.DateOnly, q.To)
	if err != nil {
		return fmt.Errorf("%w flow query: to %q is not a date YYYY-MM-DD", ErrInvalid, q.To)
	}
	if from.After(to) {
		return fmt.Errorf("%w flow query: from %s is after to %s", ErrInvalid, q.From, q.To)
	}
	for i, t := range q.Teams {
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("%w flow query: team %d is blank", ErrInvalid, i+1)
		}
	}
	return nil
}

// PlaceUnknown stands for "no place recorded" in the counts of where people
// stood (FlowCounts.AtStart and AtEnd). It is not a place on the route.
const PlaceUnknown Place = "unknown"

// PlaceCount is how many people one count of a flow report puts at a place.
type PlaceCount struct {
	Place Place `json:"place"`
	Count int   `json:"count"`
}

// FlowCounts are the counts of a flow report, for all people in scope or
// for one team. Every person in scope is counted exactly once in AtStart
// and once in AtEnd; once in MovedTo when they moved on, and once in
// SteppedBackFrom when they stepped back. So the counts of AtStart and of
// AtEnd each add up to People, those of MovedTo to MovedOn and those of
// SteppedBackFrom to SteppedBack.
type FlowCounts struct {
	// People is how many people the report is about: existing clients of
	// the teams who were known at or before the end of the period.
	People int `json:"people"`
	// MovedOn is how many of them made at least one forward move in the
	// period.
	MovedOn int `json:"moved_on"`
	// SteppedBack is how many of them made at least one step back in the
	// period.
	SteppedBack int `json:"stepped_back"`
	// AtStart is where people stood when the period began (or when they
	// came in during it), by the furthest of their places; every place in
	// route order, then PlaceUnknown.
	AtStart []PlaceCount `json:"at_start"`
	// MovedTo is, for the people who moved on, the furthest place a
	// forward move in the period took them to; the places after
	// dagbesteding, in route order.
	MovedTo []PlaceCount `json:"moved_to"`
	// SteppedBackFrom is, for the people who stepped back, the furthest
	// place a step back in the period started from; every place in route
	// order.
	SteppedBackFrom []PlaceCount `json:"stepped_back_from"`
	// AtEnd is where people stood when the period ended, as AtStart.
	AtEnd []PlaceCount `json:"at_end"`
}

// Count returns the count for place p in list, 0 when p is not in it.
func Count(list []PlaceCount, p Place) int {
	for _, pc := range list {
		if pc.Place == p {
			return pc.Count
		}
	}
	return 0
}

// TeamFlow is the flow of one team; Team is "" for clients without a team.
type TeamFlow struct {
	Team string `json:"team"`
	FlowCounts
}

// FlowReport answers a FlowQuery: the counts for everybody in scope, the
// same per team, and the teams that exist, so that a caller can offer
// them or say which exist when asked for one that does not.
type FlowReport struct {
	Query FlowQuery `json:"query"`
	FlowCounts
	// Teams breaks the counts down by team, sorted by team name; only
	// teams with people in scope appear.
	Teams []TeamFlow `json:"teams"`
	// KnownTeams are the teams of all existing clients, whatever the
	// query, sorted. A team asked for that is not among them has no
	// clients: the report then counts nobody for it, without an error.
	KnownTeams []string `json:"known_teams"`
	// Employers breaks the people in scope down by the employer their
	// moves named (issue 11; employers.go), by name; only employers with
	// someone moved on to them in the period or placed there at its end.
	Employers []EmployerFlow `json:"employers,omitempty"`
}

// flowTally accumulates FlowCounts with places as slice indexes: the rank
// of a place, or unknownIdx for no place.
type flowTally struct {
	people, movedOn, steppedBack    int
	atStart, atEnd, movedTo, backFr []int
}

// unknownIdx is the tally index of "no place", after every place.
func unknownIdx() int { return len(places) }

func newFlowTally() *flowTally {
	n := len(places) + 1
	return &flowTally{atStart: make([]int, n), atEnd: make([]int, n), movedTo: make([]int, n), backFr: make([]int, n)}
}

func (t *flowTally) add(pf personFlow) {
	t.people++
	t.atStart[pf.start]++
	t.atEnd[pf.end]++
	if pf.movedTo >= 0 {
		t.movedOn++
		t.movedTo[pf.movedTo]++
	}
	if pf.backFrom >= 0 {
		t.steppedBack++
		t.backFr[pf.backFrom]++
	}
}

func (t *flowTally) counts() FlowCounts {
	list := func(a []int, from int, unknown bool) []PlaceCount {
		out := make([]PlaceCount, 0, len(a))
		for i := from; i < len(places); i++ {
			out = append(out, PlaceCount{Place: places[i], Count: a[i]})
		}
		if unknown {
			out = append(out, PlaceCount{Place: PlaceUnknown, Count: a[unknownIdx()]})
		}
		return out
	}
	return FlowCounts{
		People: t.people, MovedOn: t.movedOn, SteppedBack: t.steppedBack,
		AtStart:         list(t.atStart, 0, true),
		MovedTo:         list(t.movedTo, 1, false),
		SteppedBackFrom: list(t.backFr, 0, false),
		AtEnd:           list(t.atEnd, 0, true),
	}
}

// personFlow is one person's part of a flow report, places as tally
// indexes; movedTo and backFrom are -1 when the person did not move on or
// step back in the period.
type personFlow struct {
	start, end, movedTo, backFrom int
}

// placeIdx is the tally index of a list of places: the rank of the
// furthest place in it, or unknownIdx() when it names no known place.
func placeIdx(list string) int {
	if r := maxRank(list); r >= 0 {
		return r
	}
	return unknownIdx()
}

// forward reports whether a move goes forward on the route: its furthest
// destination lies further than its furthest origin and beyond
// dagbesteding. A move into dagbesteding from no recorded place is an
// entry, not a move on; a move that keeps the furthest place (dagbesteding
// and werkervaringsplaats to werkervaringsplaats alone) is neither forward
// nor back.
func (m Move) forward() bool {
	to := maxRank(m.To.Value)
	return to > 0 && to > maxRank(m.From.Value)
}

// flowMoves keeps the moves that count: not removed and dated. They stay in
// date order (Client.Moves is sorted by date, ties by id).
func flowMoves(all []Move) []Move {
	out := make([]Move, 0, len(all))
	for _, m := range all {
		if !m.Removed && m.Date.Value != "" {
			out = append(out, m)
		}
	}
	return out
}

// flowOf applies the counting rules to one client: current is the client's
// places now, moves its counting moves in date order, from and to the
// period.
//
// The place at a moment is the destination of the last move dated before
// it; without such a move it is the client's earliest known place: where
// their first move started, or, without moves, their places now.
func flowOf(current string, moves []Move, from, to string) personFlow {
	earliest := current
	if len(moves) > 0 {
		earliest = moves[0].From.Value
	}
	start, end := earliest, earliest
	pf := personFlow{movedTo: -1, backFrom: -1}
	for _, m := range moves {
		d := m.Date.Value
		if d < from {
			start = m.To.Value
		}
		if d > to {
			break
		}
		end = m.To.Value
		if d < from {
			continue
		}
		switch {
		case m.forward():
			pf.movedTo = max(pf.movedTo, maxRank(m.To.Value))
		case m.Back():
			pf.backFrom = max(pf.backFrom, backOrigin(m.From.Value))
		}
	}
	pf.start, pf.end = placeIdx(start), placeIdx(end)
	return pf
}

// backOrigin is the furthest rank of a step back's origin. A step back
// always starts from a known place (it goes to a lower rank), so the rank
// is at least 0.
func backOrigin(list string) int { return max(0, maxRank(list)) }

// entryDay is the day a client came in: the earlier of the day their
// dossier was created (created, the day of its current "exists" value, in
// UTC) and the day of their first dated move (history recorded afterwards).
func entryDay(created string, moves []Move) string {
	if len(moves) > 0 && (created == "" || moves[0].Date.Value < created) {
		return moves[0].Date.Value
	}
	return created
}

// FlowReport counts the flow of people over the places of the route in a
// period, for the chosen teams (see FlowQuery and docs/report.md). It
// reads every client's list summary and only the heads of its moves, in
// one read transaction.
func (s *Store) FlowReport(q FlowQuery) (FlowReport, error) {
	if err := q.Validate(); err != nil {
		return FlowReport{}, err
	}
	return flowReport(q, func(fn func(Summary, func() (flowDossier, error)) error) error {
		return s.db.View(func(tx *bolt.Tx) error {
			return s.eachSummary(tx, func(sm Summary) error {
				return fn(sm, func() (flowDossier, error) { return s.flowClient(tx, sm.ID) })
			})
		})
	})
}

// DossierSource walks dossiers kept elsewhere for a report: it calls fn
// with each dossier's list summary, in id order, and a reader of the
// dossier's head ops (the ops no op of it names in its prev), until fn
// returns an error.
type DossierSource func(fn func(sm Summary, heads func() ([]Op, error)) error) error

// flows is what the reports read of each dossier of src.
func (src DossierSource) flows() func(fn func(Summary, func() (flowDossier, error)) error) error {
	return func(fn func(Summary, func() (flowDossier, error)) error) error {
		return src(func(sm Summary, heads func() ([]Op, error)) error {
			return fn(sm, func() (flowDossier, error) {
				ops, err := heads()
				if err != nil {
					return flowDossier{}, err
				}
				ops = slices.DeleteFunc(ops, func(op Op) bool { return !flowField(op.Field) })
				byField := map[string][]Op{}
				for _, op := range ops {
					byField[op.Field] = append(byField[op.Field], op)
				}
				fhs := make([]fieldHeads, 0, len(byField))
				for _, f := range sortedKeys(byField) {
					hs, _ := mergeField(nil, byField[f], noneReplaced)
					fhs = append(fhs, fieldHeads{Field: f, Heads: hs})
				}
				return flowOfHeads(sm.ID, fhs), nil
			})
		})
	}
}

// FlowReportOf is FlowReport over the dossiers of src.
func FlowReportOf(q FlowQuery, src DossierSource) (FlowReport, error) {
	if err := q.Validate(); err != nil {
		return FlowReport{}, err
	}
	return flowReport(q, src.flows())
}

// flowReport counts the report of q (valid) over the dossiers each walks.
func flowReport(q FlowQuery, each func(fn func(Summary, func() (flowDossier, error)) error) error) (FlowReport, error) {
	want := map[string]bool{}
	for _, t := range q.Teams {
		want[t] = true
	}
	q.Teams = slices.Clone(q.Teams)
	all := newFlowTally()
	teams := map[string]*flowTally{}
	known := map[string]bool{}
	employers := newEmployerTally()
	err := each(func(sm Summary, flow func() (flowDossier, error)) error {
		if sm.Removed {
			return nil
		}
		if sm.Team != "" {
			known[sm.Team] = true
		}
		if len(want) > 0 && !want[sm.Team] {
			return nil
		}
		fc, err := flow()
		if err != nil {
			return err
		}
		if !fc.exists {
			return nil
		}
		moves := flowMoves(fc.moves)
		if day := entryDay(fc.created, moves); day == "" || day > q.To {
			return nil // came in after the period
		}
		pf := flowOf(sm.Places, moves, q.From, q.To)
		all.add(pf)
		employers.add(moves, q.From, q.To)
		t := teams[sm.Team]
		if t == nil {
			t = newFlowTally()
			teams[sm.Team] = t
		}
		t.add(pf)
		return nil
	})
	if err != nil {
		return FlowReport{}, fmt.Errorf("flow report: %w", err)
	}
	r := FlowReport{Query: q, FlowCounts: all.counts(), Teams: []TeamFlow{}, KnownTeams: sortedKeys(known), Employers: employers.flows()}
	for _, name := range sortedKeys(teams) {
		r.Teams = append(r.Teams, TeamFlow{Team: name, FlowCounts: teams[name].counts()})
	}
	return r, nil
}

// flowDossier is what the report needs of one dossier.
type flowDossier struct {
	exists  bool
	created string // the day of the current "exists" value, UTC
	moves   []Move // in date order, removed ones included
}

// flowClient reads what the report needs of one dossier: whether it exists
// and since when, and its moves: the heads of "exists" and of the fields
// under "move/".
func (s *Store) flowClient(tx *bolt.Tx, id string) (flowDossier, error) {
	var fd flowDossier
	dkey, err := idKey(id)
	if err != nil {
		return fd, err
	}
	fhs, err := s.headsWhere(tx, dkey, flowField)
	if err != nil {
		return fd, fmt.Errorf("client %s: %w", id, err)
	}
	return flowOfHeads(id, fhs), nil
}

// flowField reports whether the reports read field: "exists" and the
// fields of moves.
func flowField(f string) bool { return f == "exists" || strings.HasPrefix(f, EntityMove+"/") }

// flowOfHeads is what the reports need of dossier id, from the heads of
// its flowFields.
func flowOfHeads(id string, fhs []fieldHeads) flowDossier {
	var fd flowDossier
	var moves []fieldHeads
	for _, fh := range fhs {
		if fh.Field == "exists" {
			v := resolve(KindBool, fh.Heads)
			fd.exists, fd.created = v.Value == "1", v.At.UTC().Format(time.DateOnly)
			continue
		}
		moves = append(moves, fh)
	}
	if !fd.exists {
		return fd
	}
	if len(moves) > 0 {
		fd.moves = project(id, 0, moves).Moves
	}
	return fd
}

// QuarterOf returns the first and last day of the calendar quarter day
// falls in, as YYYY-MM-DD. The CLI and the report screen default to the
// current quarter up to today.
func QuarterOf(day time.Time) (from, to string) {
	y, m, _ := day.Date()
	first := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	return first.Format(time.DateOnly), first.AddDate(0, 3, -1).Format(time.DateOnly)
}
