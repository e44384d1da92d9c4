package store

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Change is one field to set in a user action.
type Change struct {
	Field string
	Value string
	// Seen lists the heads the user saw before changing the field. With
	// UseSeen false the field's current heads are replaced (the right thing
	// for a toggle or a pick); an editor that opened a text earlier passes
	// the heads it showed, so a text that arrived meanwhile becomes a
	// conflict instead of being overwritten.
	Seen    []string
	UseSeen bool
}

// Set is a change that replaces the field's current value.
func Set(field, value string) Change { return Change{Field: field, Value: value} }

// Edit is a change that replaces the heads the user saw.
func Edit(field, value string, seen []string) Change {
	return Change{Field: field, Value: value, Seen: seen, UseSeen: true}
}

// Commit makes one op per change on dossier and applies them all in one
// transaction: ops appended, heads, state, indexes and outbox updated. It is
// the one write path for every user action. A change equal to the field's
// only head is skipped, so pressing save twice makes one op.
func (s *Store) Commit(dossier string, changes ...Change) ([]Op, error) {
	var made []Op
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		made, err = s.commit(tx, dossier, changes)
		return err
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}

func (s *Store) commit(tx *bolt.Tx, dossier string, changes []Change) ([]Op, error) {
	dkey, err := idKey(dossier)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if b := tx.Bucket(bErased); b != nil && b.Get(dkey) != nil {
		return nil, fmt.Errorf("commit: %w", ErrErased)
	}
	if err := s.checkWritable(tx, dkey, dossier); err != nil {
		return nil, err
	}
	w := s.newWriter(tx)
	fields := make([]string, len(changes))
	for i, ch := range changes {
		fields[i] = ch.Field
	}
	w.expect(dkey, fields)
	var made []Op
	for _, ch := range changes {
		heads, err := w.heads(cat(dkey, []byte(ch.Field)))
		if err != nil {
			return nil, err
		}
		prev, same := ChangePrev(ch, heads)
		if same {
			continue
		}
		op := Op{ID: NewID(), Dossier: dossier, Field: ch.Field, Value: ch.Value,
			HLC: s.clock.Next(), Device: s.device, Author: s.author, Prev: prev}
		if err := ValidateOp(op, s.method); err != nil {
			return nil, fmt.Errorf("set %s: %w", ch.Field, err)
		}
		if _, err := w.apply(op, s.hook == nil); err != nil {
			return nil, err
		}
		made = append(made, op)
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	if s.hook != nil && len(made) > 0 {
		if err := s.hook(&Tx{s: s, tx: tx}, made); err != nil {
			return nil, err
		}
	}
	return made, nil
}

// ChangePrev is what an op made for ch replaces, given its field's heads
// now: the heads the user saw (Edit) or all of them (Set). same reports a
// change equal to the field's only head, which makes no op, so pressing
// save twice makes one op. Every path that makes ops from changes (the
// store's Commit, the server's sessions over its storage) asks this.
func ChangePrev(ch Change, heads []Head) (prev []string, same bool) {
	prev = ch.Seen
	if !ch.UseSeen {
		prev = make([]string, 0, len(heads))
		for _, h := range heads {
			prev = append(prev, h.ID)
		}
	}
	same = len(heads) == 1 && heads[0].Value == ch.Value && len(prev) == 1 && prev[0] == heads[0].ID
	return prev, same
}

// NewClient holds what the new-client form asks.
type NewClient struct {
	Name        string
	BirthYear   string
	Team        string
	Coaches     string
	Places      []Place
	Benefit     string
	RouteTarget Place
}

// Validate says what is wrong with the form, field by field (keys are the
// field names), or nil.
func (n NewClient) Validate() map[string]error {
	errs := map[string]error{}
	if strings.TrimSpace(n.Name) == "" {
		errs["name"] = fmt.Errorf("%w: a name is required", ErrInvalid)
	}
	check := func(field, value string) {
		p, k, _ := ParseField(field)
		if err := ValidateValue(p, k, value); err != nil {
			errs[field] = err
		}
	}
	check("name", n.Name)
	check("birthyear", n.BirthYear)
	if errs["birthyear"] == nil {
		if err := checkBirthYear(n.BirthYear); err != nil {
			errs["birthyear"] = err
		}
	}
	check("team", n.Team)
	check("coaches", n.Coaches)
	check("places", joinPlaces(n.Places))
	check("benefit", n.Benefit)
	check("route_target", string(n.RouteTarget))
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func joinPlaces(ps []Place) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// CreateClient creates a dossier from the form, in one transaction.
func (s *Store) CreateClient(n NewClient) (string, error) {
	if err := n.Check(); err != nil {
		return "", err
	}
	id := NewID()
	if _, err := s.Commit(id, n.Changes()...); err != nil {
		return "", fmt.Errorf("create client: %w", err)
	}
	return id, nil
}

// Check is the first of Validate's errors, in the form's order, or nil.
func (n NewClient) Check() error {
	if errs := n.Validate(); errs != nil {
		for _, f := range []string{"name", "birthyear", "team", "coaches", "places", "benefit", "route_target"} {
			if errs[f] != nil {
				return errs[f]
			}
		}
	}
	return nil
}

// Changes are the changes that create a client from the form.
func (n NewClient) Changes() []Change {
	changes := []Change{Set("exists", "1"), Set("name", strings.TrimSpace(n.Name))}
	for _, f := range []struct{ field, value string }{
		{"birthyear", n.BirthYear}, {"team", n.Team}, {"coaches", n.Coaches},
		{"places", joinPlaces(n.Places)}, {"benefit", n.Benefit}, {"route_target", string(n.RouteTarget)},
	} {
		if f.value != "" {
			changes = append(changes, Set(f.field, f.value))
		}
	}
	return append(changes, Set("step/1/status", string(StepActive)))
}

// ToggleCheck ticks or unticks a checklist item. The op records who and
// when.
func (s *Store) ToggleCheck(dossier string, step int, item string) (Op, error) {
	field := FieldCheck(step, item)
	var op Op
	err := s.db.Update(func(tx *bolt.Tx) error {
		dkey, err := idKey(dossier)
		if err != nil {
			return err
		}
		hs, err := s.readHeads(tx, cat(dkey, []byte(field)))
		if err != nil {
			return err
		}
		ops, err := s.commit(tx, dossier, []Change{ToggleChange(field, hs)})
		if err == nil && len(ops) == 1 {
			op = ops[0]
		}
		return err
	})
	if err != nil {
		return Op{}, fmt.Errorf("toggle %s: %w", field, err)
	}
	return op, nil
}

// ToggleChange is the change that ticks the checklist item field whose
// heads are hs, or unticks it when it is ticked.
func ToggleChange(field string, hs []Head) Change {
	next := "1"
	if resolve(KindBool, hs).Value == "1" {
		next = "0"
	}
	return Set(field, next)
}

// AddEntity creates an agreement, contact, journal entry, move, indication
// or arrangement with the given fields, in one transaction, and returns its
// id.
func (s *Store) AddEntity(dossier, kind string, fields map[string]string) (string, error) {
	id := NewID()
	changes, err := EntityChanges(kind, id, fields)
	if err != nil {
		return "", err
	}
	if _, err := s.Commit(dossier, changes...); err != nil {
		return "", fmt.Errorf("add %s: %w", kind, err)
	}
	return id, nil
}

// EntityChanges are the changes that create entity id of kind with
// fields (empty ones left out).
func EntityChanges(kind, id string, fields map[string]string) ([]Change, error) {
	if _, ok := entityFields[kind]; !ok {
		return nil, fmt.Errorf("%w entity kind %q", ErrInvalid, kind)
	}
	changes := []Change{Set(EntityField(kind, id, "exists"), "1")}
	for _, f := range sortedKeys(fields) {
		if fields[f] != "" {
			changes = append(changes, Set(EntityField(kind, id, f), fields[f]))
		}
	}
	return changes, nil
}

// RemoveEntity tombstones an entity; RestoreEntity undoes that. Removing
// the latest move on the route also puts the client back where that move
// started, in the same transaction, so the current place stays true.
func (s *Store) RemoveEntity(dossier, kind, id string) error {
	return s.setExists(dossier, kind, id, false)
}

// RestoreEntity undoes a RemoveEntity (and, for the latest move, sets the
// current place to where it went again).
func (s *Store) RestoreEntity(dossier, kind, id string) error {
	return s.setExists(dossier, kind, id, true)
}

func (s *Store) setExists(dossier, kind, id string, exists bool) error {
	var c *Client
	if kind == EntityMove {
		var err error
		if c, err = s.Client(dossier); err != nil {
			return err
		}
	}
	_, err := s.Commit(dossier, ExistsChanges(c, kind, id, exists)...)
	return err
}

// ExistsChanges are the changes that remove (exists false) or restore
// entity id of kind: for the latest move on the route also the current
// place, back to where the move started or again where it went. c is the
// dossier as it is; only a move needs it.
func ExistsChanges(c *Client, kind, id string, exists bool) []Change {
	value := "0"
	if exists {
		value = "1"
	}
	changes := []Change{Set(EntityField(kind, id, "exists"), value)}
	if kind == EntityMove && c != nil {
		// The latest move among those that will remain after this change.
		var before, target *Move
		for i := range c.Moves {
			m := &c.Moves[i]
			if m.ID == id {
				target = m
				continue
			}
			if !m.Removed && (before == nil || m.Date.Value >= before.Date.Value) {
				before = m
			}
		}
		if target != nil && (before == nil || target.Date.Value >= before.Date.Value) {
			if exists {
				changes = append(changes, Set("places", target.To.Value))
			} else {
				changes = append(changes, Set("places", target.From.Value))
			}
		}
	}
	return changes
}

// RecordMove records a move on the route (forward or a step back) and sets
// the client's current places to the destination, in one transaction.
func (s *Store) RecordMove(dossier string, to []Place, date, reason string) (string, error) {
	return s.RecordMoveEmployer(dossier, to, date, reason, "")
}

// RecordMoveEmployer is RecordMove naming the employer of the place the
// move goes to (CheckMoveEmployer; "" names none).
func (s *Store) RecordMoveEmployer(dossier string, to []Place, date, reason, employer string) (string, error) {
	if err := CheckMoveEmployer(to, employer); err != nil {
		return "", fmt.Errorf("record move: %w", err)
	}
	c, err := s.Client(dossier)
	if err != nil {
		return "", err
	}
	id := NewID()
	changes, err := MoveChanges(c, id, to, date, reason, employer)
	if err != nil {
		return "", err
	}
	if _, err := s.Commit(dossier, changes...); err != nil {
		return "", fmt.Errorf("record move: %w", err)
	}
	return id, nil
}

// MoveChanges are the changes that record move id of dossier c (as it
// is) to places to, and set its current places to them.
func MoveChanges(c *Client, id string, to []Place, date, reason, employer string) ([]Change, error) {
	if len(to) == 0 {
		return nil, fmt.Errorf("%w: a move needs at least one place to go to", ErrInvalid)
	}
	dest := joinPlaces(to)
	changes := []Change{
		Set(MoveField(id, "exists"), "1"),
		Set(MoveField(id, "from"), c.Places.Value),
		Set(MoveField(id, "to"), dest),
		Set(MoveField(id, "date"), date),
		Set("places", dest),
	}
	if reason != "" {
		changes = append(changes, Set(MoveField(id, "reason"), reason))
	}
	if employer = strings.TrimSpace(employer); employer != "" {
		changes = append(changes, Set(MoveField(id, "employer"), employer))
	}
	return changes, nil
}

// Resolve settles a conflict: value replaces every current head of field.
func (s *Store) Resolve(dossier, field, value string) error {
	_, err := s.Commit(dossier, Set(field, value))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", field, err)
	}
	return nil
}

// ApplyRemote applies ops made elsewhere (by sync). Ops already known are
// skipped; it returns how many were new. Ops are checked for shape only:
// the server checks them against the method and access rules. Nothing is
// queued in the outbox.
func (s *Store) ApplyRemote(ops []Op) (int, error) {
	for _, op := range ops {
		if err := ValidateOp(op, nil); err != nil {
			return 0, fmt.Errorf("remote op %s: %w", op.ID, err)
		}
	}
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		w := s.newWriter(tx)
		w.expectOps(ops)
		erased := tx.Bucket(bErased)
		for _, op := range ops {
			if erased != nil {
				if dk, _ := idKey(op.Dossier); erased.Get(dk) != nil {
					return fmt.Errorf("remote op %s: %w", op.ID, ErrErased)
				}
			}
			ok, err := w.apply(op, false)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return w.finish()
	})
	if err != nil {
		return 0, err
	}
	for _, op := range ops {
		s.clock.Observe(op.HLC)
	}
	return n, nil
}
