package store

import (
	"fmt"
	"slices"

	"github.com/brug-nl/brug/store/method"
)

// Folding a dossier whose op log lives elsewhere: a server that keeps
// its log in another engine (sync/server on PostgreSQL) derives the
// dossier and its list summary with the store's own projection and
// summary, from the dossier's head ops, as Client and Summaries do here.

// Checklist is the number of checklist items of each step of m, what
// Summarise needs of the method (nil for a nil method).
func Checklist(m *method.Method) []int {
	if m == nil {
		return nil
	}
	out := make([]int, 0, len(m.Steps))
	for _, st := range m.Steps {
		out = append(out, len(st.Checklist))
	}
	return out
}

// FoldHeads derives dossier id from its head ops (the ops of the dossier
// that no op of it names in its prev), in any order, as Client derives
// it from the log: each field's heads merged by the merge rule, then
// projected. A dossier without ops is ErrNotFound.
func FoldHeads(id string, heads []Op, checklist []int) (*Client, error) {
	if len(heads) == 0 {
		return nil, fmt.Errorf("client %s: %w", id, ErrNotFound)
	}
	byField := map[string][]Op{}
	for _, op := range heads {
		byField[op.Field] = append(byField[op.Field], op)
	}
	fields := make([]string, 0, len(byField))
	for f := range byField {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	all := make([]fieldHeads, 0, len(fields))
	for _, f := range fields {
		hs, _ := mergeField(nil, byField[f], noneReplaced)
		all = append(all, fieldHeads{Field: f, Heads: hs})
	}
	return project(id, len(checklist), all), nil
}

// Summarise is the list summary of c (Summaries' entry for it), given
// the checklist sizes of the method (Checklist).
func Summarise(c *Client, checklist []int) Summary { return summarise(c, checklist) }
