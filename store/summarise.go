package store

// Bringing a summary up to date from the fields a transaction changed.
//
// Most ops change fields the list summary does not show: a step's note or
// comment, an answer, a contact, a journal entry. Deriving the summary
// again means reading every head of the dossier; for such ops the summary
// can be brought up to date from the changed fields' heads alone, because
// they reach it through two numbers only: LastChange (the newest head of
// any field) and Conflicts (the fields whose value is in conflict).
// summariseChanges does that, and declines (so the caller derives the
// whole summary) whenever it cannot be sure: a field the summary shows, a
// step beyond the summary's steps, a removed client, or a head that may
// have been the newest one leaving without a newer one coming.
// Store.Check, which the store's tests run after every test, compares the
// result with a summary derived from scratch.

// fieldChange is a field's heads before a transaction's first op on it and
// after its last.
type fieldChange struct {
	before, after []Head
}

// summaryNeutral reports whether a field reaches the summary only through
// LastChange and Conflicts, for a summary of steps steps.
func summaryNeutral(p FieldPath, steps int) bool {
	switch p.Entity {
	case "":
		switch p.Name {
		case "exists", "name", "team", "places", "birthyear":
			return false
		}
		return true
	case "step":
		n := p.Step()
		return n >= 1 && n <= steps && p.Sub != "check" && !(p.Sub == "" && p.Name == "status")
	case EntityContact, EntityJournal, EntityMove, EntityIndication, EntityArrangement:
		return true
	}
	return false
}

// conflicted is resolve(k, heads).Conflict() without building the value.
func conflicted(k Kind, heads []Head) int {
	if k == KindText && len(heads) > 1 {
		return 1
	}
	return 0
}

// summariseChanges brings the summary of dossier id up to date from the
// changes of its fields, when it can (see above); it reports whether it
// did.
func (s *Store) summariseChanges(sb *summaryBatch, id string, changes map[string]*fieldChange) (bool, error) {
	if len(changes) == 0 {
		return false, nil
	}
	dkey, err := idKey(id)
	if err != nil {
		return false, err
	}
	sm, ok, err := sb.get(dkey)
	if err != nil || !ok || sm.Removed {
		return false, err
	}
	last, conflicts := sm.LastChange, sm.Conflicts
	newestLeft := false // a head as new as LastChange was replaced
	var added HLC       // the newest head that came
	for field, ch := range changes {
		p, k, err := ParseField(field)
		if err != nil || !summaryNeutral(p, len(sm.Progress)) {
			return false, nil
		}
		conflicts += conflicted(k, ch.after) - conflicted(k, ch.before)
		for _, h := range ch.before {
			if headIndex(ch.after, h.ID) < 0 && h.HLC >= last {
				newestLeft = true
			}
		}
		for _, h := range ch.after {
			if headIndex(ch.before, h.ID) < 0 && h.HLC > added {
				added = h.HLC
			}
		}
	}
	switch {
	case added >= last:
		last = added
	case newestLeft:
		return false, nil // the newest head left; which is newest now is unknown
	}
	sm.LastChange, sm.Conflicts = last, conflicts
	return true, sb.put(dkey, &sm)
}
