package store

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrMerged: a dossier that was merged into another already, or a merge
// of a dossier into itself.
var ErrMerged = fmt.Errorf("%w: merged already", ErrInvalid)

// MergeResult says what a merge moved.
type MergeResult struct {
	Ops       int // ops written into the dossier kept
	Conflicts int // texts kept side by side as a conflict
	Noted     int // values of the dossier gone that differed and went into merged_from
}

// MergeClients moves the dossier gone into keep: the same person entered
// twice (on two laptops before a sync). It writes, in one transaction,
// new ops in keep that carry gone's values, and records the merge in both:
// merged_from on keep, merged_into on gone, and gone withdrawn (the
// tombstone of Withdraw, so it can be seen and undone, and its own history
// stays). Nothing is lost (docs/merge.md, "Merging two dossiers"):
//   - checklist ticks are unioned: an item ticked in gone is ticked in keep;
//   - texts (answers, notes, comments, the closing note) that keep lacks are
//     copied; texts that differ become a conflict in keep, both kept;
//   - agreements, contacts, journal entries, moves, indications and
//     arrangements are copied under their own ids (ids are unique), removed
//     ones stay removed, so the route history holds both dossiers' moves;
//   - the record and step statuses: keep's value stays when it has one;
//     gone's value fills it when not; a differing value of gone is written
//     into keep's merged_from line, with gone's id.
func (s *Store) MergeClients(keep, gone string) (MergeResult, error) {
	var res MergeResult
	if keep == gone {
		return res, ErrMerged
	}
	kkey, err := idKey(keep)
	if err != nil {
		return res, err
	}
	gkey, err := idKey(gone)
	if err != nil {
		return res, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		kh, err := s.dossierHeads(tx, kkey)
		if err != nil {
			return err
		}
		gh, err := s.dossierHeads(tx, gkey)
		if err != nil {
			return err
		}
		if len(kh) == 0 {
			return fmt.Errorf("client %s: %w", keep, ErrNotFound)
		}
		if len(gh) == 0 {
			return fmt.Errorf("client %s: %w", gone, ErrNotFound)
		}
		kc := project(keep, len(s.checklist), kh)
		gc := project(gone, len(s.checklist), gh)
		if gc.MergedInto.Value != "" || kc.MergedInto.Value != "" {
			return ErrMerged
		}
		have := make(map[string][]Head, len(kh))
		for _, f := range kh {
			have[f.Field] = f.Heads
		}
		var changes []Change
		var noted []string
		for _, f := range gh {
			p, k, err := ParseField(f.Field)
			if err != nil {
				return err
			}
			if p.Entity == "" && (f.Field == "exists" || f.Field == "merged_into") {
				continue
			}
			mine := have[f.Field]
			if p.Entity != "" && p.Entity != "step" {
				// An entity of gone: keep has no field of that id.
				changes = append(changes, copyHeads(f.Field, k, f.Heads, mine)...)
				continue
			}
			switch {
			case k == KindText:
				cs := copyHeads(f.Field, k, f.Heads, mine)
				if len(cs) > 0 && hasValue(mine) {
					res.Conflicts += len(cs)
				}
				changes = append(changes, cs...)
			case k == KindBool && p.Sub == "check":
				if resolve(k, f.Heads).Value == "1" && resolve(k, mine).Value != "1" {
					changes = append(changes, Set(f.Field, "1"))
				}
			default:
				v := resolve(k, f.Heads).Value
				switch mv := resolve(k, mine).Value; {
				case v == "" || v == mv:
				case mv == "":
					changes = append(changes, Set(f.Field, v))
				default:
					noted = append(noted, f.Field+"="+v)
				}
			}
		}
		line := gone + " " + gc.Name.Value
		if len(noted) > 0 {
			line += ": " + strings.Join(noted, "; ")
		}
		from := resolve(KindText, have["merged_from"]).Value
		if from != "" {
			from += "\n"
		}
		changes = append(changes, Set("merged_from", from+line))
		made, err := s.commit(tx, keep, changes)
		if err != nil {
			return err
		}
		if _, err := s.commit(tx, gone, []Change{Set("merged_into", keep), Withdraw()}); err != nil {
			return err
		}
		res.Ops, res.Noted = len(made), len(noted)
		return nil
	})
	if err != nil {
		return MergeResult{}, fmt.Errorf("merge %s into %s: %w", gone, keep, err)
	}
	return res, nil
}

func hasValue(hs []Head) bool {
	for _, h := range hs {
		if h.Value != "" {
			return true
		}
	}
	return false
}

// copyHeads are the changes that put the values of heads (gone's) into
// a field whose heads are mine (keep's): a value keep holds already is
// skipped; into an empty field the first value is set; every other value
// becomes a head of its own beside keep's (a conflict for texts, where
// both are kept; for other kinds the newest shows and the rest stays in
// history).
func copyHeads(field string, k Kind, heads, mine []Head) []Change {
	if k != KindText {
		v := resolve(k, heads).Value
		if v == resolve(k, mine).Value {
			return nil
		}
		return []Change{Set(field, v)}
	}
	seen := map[string]bool{}
	for _, h := range mine {
		seen[h.Value] = true
	}
	empty := !hasValue(mine)
	var out []Change
	// Oldest first, so a conflict copied from gone keeps its order.
	for i := len(heads) - 1; i >= 0; i-- {
		v := heads[i].Value
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		if empty {
			out = append(out, Set(field, v))
			empty = false
			continue
		}
		out = append(out, Edit(field, v, nil))
	}
	return out
}
