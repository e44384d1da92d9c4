package store

import (
	"fmt"
	"strings"
)

// MatchClients returns the clients of all that a name query matches, by
// FindClient's rule: the names equal to the query when there are any
// (exact is then true), else the names containing it; removed clients
// never. Case and accents do not count (FoldName). They keep all's order.
func MatchClients(all []Summary, query string) (matches []Summary, exact bool) {
	q := FoldName(strings.TrimSpace(query))
	var partial []Summary
	for _, sm := range all {
		if sm.Removed {
			continue
		}
		switch n := FoldName(sm.Name); {
		case n == q:
			matches = append(matches, sm)
		case strings.Contains(n, q):
			partial = append(partial, sm)
		}
	}
	if len(matches) > 0 {
		return matches, true
	}
	return partial, false
}

// AmbiguousError is FindClient's answer when a name matches more than one
// client: the candidates, so that callers can list them.
type AmbiguousError struct {
	Query      string
	Exact      bool      // the candidates bear the query as their whole name
	Candidates []Summary // in the store's order (by id)
}

// Error says how many bear the name, or names the first few that contain
// it, and what to give instead.
func (e *AmbiguousError) Error() string {
	if e.Exact {
		return fmt.Sprintf("client %q: %v (%d); use the id", e.Query, ErrAmbiguous, len(e.Candidates))
	}
	names := make([]string, 0, 5)
	for i, sm := range e.Candidates {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, sm.Name)
	}
	return fmt.Sprintf("client %q: %v: %s; give more of the name or the id", e.Query, ErrAmbiguous, strings.Join(names, ", "))
}

// Is makes errors.Is(err, ErrAmbiguous) hold.
func (e *AmbiguousError) Is(target error) bool { return target == ErrAmbiguous }
