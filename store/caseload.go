package store

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// RowError says which client of a CreateClients call was refused.
type RowError struct {
	Row   int    // index into the slice given to CreateClients
	Field string // the NewClient field ("name", "birthyear", ...)
	Err   error
}

func (e *RowError) Error() string { return fmt.Sprintf("client %d: %s: %v", e.Row, e.Field, e.Err) }

// Unwrap returns the reason.
func (e *RowError) Unwrap() error { return e.Err }

// CreateClients creates a client for each form, all in one transaction:
// either every client is written or, when any is refused or the process
// dies halfway, none is. Every form is validated first (a *RowError names
// the first bad one). It returns the new ids in the order of ns.
func (s *Store) CreateClients(ns []NewClient) ([]string, error) {
	for i, n := range ns {
		if errs := n.Validate(); errs != nil {
			for _, f := range []string{"name", "birthyear", "team", "coaches", "places", "benefit", "route_target"} {
				if errs[f] != nil {
					return nil, &RowError{Row: i, Field: f, Err: errs[f]}
				}
			}
		}
	}
	ids := make([]string, len(ns))
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, n := range ns {
			ids[i] = NewID()
			if _, err := s.commit(tx, ids[i], n.Changes()); err != nil {
				return &RowError{Row: i, Field: "", Err: err}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create clients: %w", err)
	}
	return ids, nil
}

// DupKey is what makes two clients likely the same person: the name with
// case, accents and spacing folded (FoldName) and the birth year.
func DupKey(name, birthYear string) string {
	return NameKey(name) + "|" + strings.TrimSpace(birthYear)
}

// Person is a client as the duplicate check sees it.
type Person struct {
	ID, Name, BirthYear, Team string
}

// Key is the person's DupKey.
func (p Person) Key() string { return DupKey(p.Name, p.BirthYear) }

// PeopleNamed returns the clients that are not withdrawn whose folded
// name (DupKey's name part) is one of names, with their birth year. Only
// those clients are read whole; the rest is matched on the list.
func (s *Store) PeopleNamed(names map[string]bool) ([]Person, error) {
	all, err := s.Summaries()
	if err != nil {
		return nil, err
	}
	var out []Person
	for _, sm := range all {
		if sm.Removed || !names[NameKey(sm.Name)] {
			continue
		}
		c, err := s.Client(sm.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Person{ID: c.ID, Name: c.Name.Value, BirthYear: c.BirthYear.Value, Team: c.Team.Value})
	}
	return out, nil
}

// NameKey is the name part of DupKey: the name folded for matching.
func NameKey(name string) string { return spacedOnce(FoldName(name)) }

// DupKeyFolded is DupKey of a name already folded (FoldName(name)), for
// a caller that has the folded name at hand (the list).
func DupKeyFolded(folded, birthYear string) string {
	return spacedOnce(folded) + "|" + strings.TrimSpace(birthYear)
}

// spacedOnce is s with its words (strings.Fields) joined by one space;
// s itself when it is so already (ASCII, no other white space, no space
// at either end or twice), which most names are.
func spacedOnce(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') || c != ' ' && asciiSpace(c) {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

func asciiSpace(c byte) bool { return c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' }

// DuplicatePair is two clients that are likely the same person: the same
// folded name and birth year (both may be without a birth year).
type DuplicatePair struct {
	A, B Person
}

// Duplicates lists the likely duplicates among the clients that are not
// withdrawn, sorted by name: every pair with the same DupKey. Everything
// a replica holds is visible to its user, so pairs across teams are
// listed too (Person.Team tells them apart).
func (s *Store) Duplicates() ([]DuplicatePair, error) {
	all, err := s.Summaries()
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, sm := range all {
		if !sm.Removed {
			count[NameKey(sm.Name)]++
		}
	}
	names := map[string]bool{}
	for n, k := range count {
		if k > 1 {
			names[n] = true
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	people, err := s.PeopleNamed(names)
	if err != nil {
		return nil, err
	}
	sort.Slice(people, func(i, j int) bool {
		if people[i].Name != people[j].Name {
			return people[i].Name < people[j].Name
		}
		return people[i].ID < people[j].ID
	})
	byKey := map[string][]Person{}
	var keys []string
	for _, p := range people {
		k := p.Key()
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], p)
	}
	var out []DuplicatePair
	for _, k := range keys {
		g := byKey[k]
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				out = append(out, DuplicatePair{A: g[i], B: g[j]})
			}
		}
	}
	return out, nil
}
