package store

import (
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Employers (issue 11): a route move to volunteering, a work-experience
// place, beschut werk, a banenafspraak job or regular work can name its
// employer (move/ID/employer: the organisation's name in the region's
// register, or a name not in it yet). The employer view lists per
// employer the people placed there now and before; the flow report
// breaks its moves on down by employer (FlowReport.Employers).

// Placement is one person's time at an employer: the move that took them
// there, the places it names, since when, and until when (the day of
// their next move; "" while they are there now).
type Placement struct {
	Dossier string  `json:"dossier"`
	Name    string  `json:"name"`
	Team    string  `json:"team"`
	Places  []Place `json:"places"`
	Since   string  `json:"since"`
	Until   string  `json:"until,omitempty"`
}

// Current reports whether the person is placed there now.
func (p Placement) Current() bool { return p.Until == "" }

// EmployerPlacements are the people placed with one employer: Now those
// there now, Before those who left, each newest first.
type EmployerPlacements struct {
	Employer string      `json:"employer"`
	Now      []Placement `json:"now"`
	Before   []Placement `json:"before"`
}

// employerKey groups the names a move's employer was written as: case,
// accents and spaces around do not count.
func employerKey(name string) string { return FoldName(strings.TrimSpace(name)) }

// placementsOf gives one client's placements from its counting moves (in
// date order): a move naming an employer starts one, the next move ends it.
func placementsOf(sm Summary, moves []Move) []placementAt {
	var out []placementAt
	for i, m := range moves {
		name := strings.TrimSpace(m.Employer.Value)
		if name == "" {
			continue
		}
		p := Placement{Dossier: sm.ID, Name: sm.Name, Team: sm.Team, Since: m.Date.Value}
		for _, pl := range SplitList(m.To.Value) {
			p.Places = append(p.Places, Place(pl))
		}
		if i+1 < len(moves) {
			p.Until = moves[i+1].Date.Value
		}
		out = append(out, placementAt{p, name})
	}
	return out
}

// placementAt is a placement with the employer's name as its move wrote it.
type placementAt struct {
	Placement
	employer string
}

// Placements lists per employer the people placed there now and before,
// for the clients of teams (all clients when teams is empty), employers
// by name. An employer written in two ways that differ only in case or
// accents is one, under the way it was written last.
func (s *Store) Placements(teams []string) ([]EmployerPlacements, error) {
	return placements(teams, func(fn func(Summary, func() (flowDossier, error)) error) error {
		return s.db.View(func(tx *bolt.Tx) error {
			return s.eachSummary(tx, func(sm Summary) error {
				return fn(sm, func() (flowDossier, error) { return s.flowClient(tx, sm.ID) })
			})
		})
	})
}

// PlacementsOf is Placements over the dossiers of src.
func PlacementsOf(teams []string, src DossierSource) ([]EmployerPlacements, error) {
	return placements(teams, src.flows())
}

func placements(teams []string, each func(fn func(Summary, func() (flowDossier, error)) error) error) ([]EmployerPlacements, error) {
	byKey := map[string]*EmployerPlacements{}
	last := map[string]string{} // key -> the day the name was last written
	err := each(func(sm Summary, flow func() (flowDossier, error)) error {
		if sm.Removed || len(teams) > 0 && !slices.Contains(teams, sm.Team) {
			return nil
		}
		fc, err := flow()
		if err != nil || !fc.exists {
			return err
		}
		for _, pe := range placementsOf(sm, flowMoves(fc.moves)) {
			p, name := pe.Placement, pe.employer
			k := employerKey(name)
			e := byKey[k]
			if e == nil {
				e = &EmployerPlacements{Employer: name}
				byKey[k] = e
			}
			if p.Since >= last[k] {
				e.Employer, last[k] = name, p.Since
			}
			if p.Current() {
				e.Now = append(e.Now, p)
			} else {
				e.Before = append(e.Before, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("placements: %w", err)
	}
	out := make([]EmployerPlacements, 0, len(byKey))
	for _, e := range byKey {
		newest := func(a, b Placement) int {
			if c := strings.Compare(b.Since, a.Since); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		}
		slices.SortFunc(e.Now, newest)
		slices.SortFunc(e.Before, newest)
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b EmployerPlacements) int {
		return strings.Compare(employerKey(a.Employer), employerKey(b.Employer))
	})
	return out, nil
}

// EmployerFlow is the flow report's part for one employer: of the people
// in scope, how many moved on to a place with it in the period (MovedOn),
// and how many were placed with it when the period ended (AtEnd).
type EmployerFlow struct {
	Employer string `json:"employer"`
	MovedOn  int    `json:"moved_on"`
	AtEnd    int    `json:"at_end"`
}

// employerTally counts EmployerFlow by employerKey.
type employerTally struct {
	names map[string]string
	moved map[string]int
	atEnd map[string]int
}

func newEmployerTally() *employerTally {
	return &employerTally{names: map[string]string{}, moved: map[string]int{}, atEnd: map[string]int{}}
}

// add counts one person's counting moves (in date order) for the period
// from..to: each employer a forward move in the period named counts them
// once, and the employer of the last move up to the end, if it names one.
func (t *employerTally) add(moves []Move, from, to string) {
	seen := map[string]bool{}
	end := ""
	for _, m := range moves {
		d := m.Date.Value
		if d > to {
			break
		}
		name := strings.TrimSpace(m.Employer.Value)
		end = name
		if name == "" || d < from || !m.forward() {
			continue
		}
		k := employerKey(name)
		t.names[k] = name
		if !seen[k] {
			seen[k] = true
			t.moved[k]++
		}
	}
	if end != "" {
		k := employerKey(end)
		if _, ok := t.names[k]; !ok {
			t.names[k] = end
		}
		t.atEnd[k]++
	}
}

// flows is the tally by employer name.
func (t *employerTally) flows() []EmployerFlow {
	var out []EmployerFlow
	for k, name := range t.names {
		out = append(out, EmployerFlow{Employer: name, MovedOn: t.moved[k], AtEnd: t.atEnd[k]})
	}
	slices.SortFunc(out, func(a, b EmployerFlow) int {
		return strings.Compare(employerKey(a.Employer), employerKey(b.Employer))
	})
	return out
}
