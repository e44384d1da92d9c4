package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/brug-nl/brug/store"
)

// The op log as SSH sessions and admin commands read and write it
// through the server's storage (storage.Tx), for a backend without the
// laptop store's code (PostgreSQL: Server.opStore answers ErrNoOpStore).
// It gives what they take from *store.Store, with the store's own code
// wherever it can: a dossier is its head ops (HeadKeys, DossierJSON)
// folded by store.FoldHeads and summarised by store.Summarise; an action's
// changes come from the store's change builders (store.NewClient.Changes,
// store.ToggleChange, store.EntityChanges, store.ExistsChanges,
// store.MoveChanges); ops are made as store.Store's commit makes them
// (prev = the field's heads, a no-op skipped, store.ValidateOp, an HLC,
// the author) and applied, judged and recorded by the caller's hook (the
// session's or the team rename's) in one write transaction. Nothing is
// cached beyond a transaction but the server's device id, which never
// changes once written, so several server processes on one database see
// each other's writes.

// settingDevice names the setting that holds the device id of the ops
// the server makes without the op-log store.
const settingDevice = "ops_device"

// logDevice is the device id of the ops the server makes: the op-log
// store's when there is one, else one kept in the settings (made once).
type logDevice struct {
	mu sync.Mutex
	id string
}

func (s *Server) opDevice(tx Tx) (string, error) {
	if s.st != nil {
		return s.st.Device(), nil
	}
	s.device.mu.Lock()
	defer s.device.mu.Unlock()
	if s.device.id != "" {
		return s.device.id, nil
	}
	b, err := tx.Setting(settingDevice)
	if err != nil {
		return "", err
	}
	id := string(b)
	if !store.ValidID(id) {
		// Made in a write transaction: under the backend's write lock, so
		// two processes agree on one. Not remembered yet: the transaction
		// may roll back; the next one reads it once it is committed.
		id = store.NewID()
		return id, tx.SetSetting(settingDevice, []byte(id))
	}
	s.device.id = id
	return id, nil
}

// headOps reads a dossier's head ops.
func headOps(tx Tx, dk []byte) ([]store.Op, error) {
	keys, err := tx.HeadKeys(dk, nil)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	raws, err := tx.DossierJSON(dk, func(k []byte) bool {
		_, found := slices.BinarySearchFunc(keys, k, bytes.Compare)
		return found
	}, nil)
	if err != nil {
		return nil, err
	}
	ops := make([]store.Op, 0, len(raws))
	for _, raw := range raws {
		var op store.Op
		if err := json.Unmarshal(raw, &op); err != nil {
			return nil, fmt.Errorf("dossier %s: %w: %v", idString(dk), store.ErrDamaged, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// clientIn is the dossier as store.Store.Client gives it.
func (s *Server) clientIn(tx Tx, id string) (*store.Client, error) {
	if err := store.CheckID(id); err != nil {
		return nil, err
	}
	ops, err := headOps(tx, dkey(id))
	if err != nil {
		return nil, err
	}
	return store.FoldHeads(id, ops, store.Checklist(s.method))
}

// headsBatch is a backend that reads many dossiers' head ops at once
// (pgstore.Tx.HeadOps); dks in key order.
type headsBatch interface {
	HeadOps(dks [][]byte, fn func(dk []byte, ops []store.Op) error) error
}

// eachHeads calls fn with each dossier of dks (keys, sorted, without
// repeats) that has ops, in that order, and its head ops.
func eachHeads(tx Tx, dks [][]byte, fn func(dk []byte, ops []store.Op) error) error {
	if hb, ok := tx.(headsBatch); ok {
		return hb.HeadOps(dks, fn)
	}
	for _, dk := range dks {
		ops, err := headOps(tx, dk)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			continue
		}
		if err := fn(dk, ops); err != nil {
			return err
		}
	}
	return nil
}

// summariesIn are the list summaries of the dossiers dks (keys, sorted
// and without repeats), as store.Store.Summaries gives them; dossiers
// without ops are left out.
func (s *Server) summariesIn(tx Tx, dks [][]byte) ([]store.Summary, error) {
	checklist := store.Checklist(s.method)
	var out []store.Summary
	err := eachHeads(tx, dks, func(dk []byte, ops []store.Op) error {
		c, err := store.FoldHeads(idString(dk), ops, checklist)
		if err != nil {
			return err
		}
		out = append(out, store.Summarise(c, checklist))
		return nil
	})
	return out, err
}

// teamSource walks the dossiers of teams (by the team index) for the
// store's reports (store.FlowReportOf, store.PlacementsOf), in tx.
func (s *Server) teamSource(tx Tx, teams []string) store.DossierSource {
	return func(fn func(store.Summary, func() ([]store.Op, error)) error) error {
		set := map[string]bool{}
		for _, team := range teams {
			if err := tx.TeamDossiers(team, func(dk string) error { set[dk] = true; return nil }); err != nil {
				return err
			}
		}
		dks := make([][]byte, 0, len(set))
		for dk := range set {
			dks = append(dks, []byte(dk))
		}
		slices.SortFunc(dks, bytes.Compare)
		checklist := store.Checklist(s.method)
		return eachHeads(tx, dks, func(dk []byte, ops []store.Op) error {
			c, err := store.FoldHeads(idString(dk), ops, checklist)
			if err != nil {
				return err
			}
			return fn(store.Summarise(c, checklist), func() ([]store.Op, error) { return ops, nil })
		})
	}
}

// allSummaries are the summaries of every dossier (store.Store.Summaries).
func (s *Server) allSummaries(tx Tx) ([]store.Summary, error) {
	var dks [][]byte
	if err := tx.Dossiers(func(dk []byte) error { dks = append(dks, dk); return nil }); err != nil {
		return nil, err
	}
	return s.summariesIn(tx, dks)
}

// summaries reads every dossier's summary: the op-log store's, or the
// storage's.
func (s *Server) summaries() ([]store.Summary, error) {
	if st, err := s.opStore(); err == nil {
		return st.Summaries()
	}
	var all []store.Summary
	err := s.db.View(func(tx Tx) (err error) {
		all, err = s.allSummaries(tx)
		return err
	})
	return all, err
}

// client reads a dossier: through the op-log store, or the storage.
func (s *Server) client(id string) (*store.Client, error) {
	if st, err := s.opStore(); err == nil {
		return st.Client(id)
	}
	var c *store.Client
	err := s.db.View(func(tx Tx) (err error) {
		c, err = s.clientIn(tx, id)
		return err
	})
	return c, err
}

// dossierOps is every op of a dossier, as store.Store.Ops gives them.
func (s *Server) dossierOps(id string) ([]store.Op, error) {
	if st, err := s.opStore(); err == nil {
		return st.Ops(id)
	}
	if err := store.CheckID(id); err != nil {
		return nil, err
	}
	var out []store.Op
	err := s.db.View(func(tx Tx) error {
		raws, err := tx.DossierJSON(dkey(id), func([]byte) bool { return true }, nil)
		if err != nil {
			return err
		}
		for _, raw := range raws {
			var op store.Op
			if err := json.Unmarshal(raw, &op); err != nil {
				return fmt.Errorf("dossier %s: %w: %v", id, store.ErrDamaged, err)
			}
			out = append(out, op)
		}
		return nil
	})
	store.SortOps(out)
	return out, err
}

// findClient is store.Store.FindClient: an id of a dossier there is, or
// an unambiguous (part of a) name.
func (s *Server) findClient(query string) (string, error) {
	if st, err := s.opStore(); err == nil {
		return st.FindClient(query)
	}
	if store.ValidID(query) {
		if _, err := s.client(query); err != nil {
			return "", err
		}
		return query, nil
	}
	all, err := s.summaries()
	if err != nil {
		return "", err
	}
	return store.FindIn(all, query)
}

// commitIn makes one op per change on dossier, as store.Store.Commit
// does, applies them in tx and hands them to hook (which judges and
// records them, and may refuse them: the caller's transaction then rolls
// back).
func (s *Server) commitIn(tx Tx, author string, hook func(Tx, []store.Op) error, dossier string, changes []store.Change) ([]store.Op, error) {
	if err := store.CheckID(dossier); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if tx.Erased(dossier) {
		return nil, fmt.Errorf("commit: %w", store.ErrErased)
	}
	device, err := s.opDevice(tx)
	if err != nil {
		return nil, err
	}
	// Past every value of the dossier, as the op-log store's clock is
	// (it has seen every op it applied): another process may have
	// applied them.
	all, err := headOps(tx, dkey(dossier))
	if err != nil {
		return nil, err
	}
	for _, op := range all {
		s.clock.Observe(op.HLC)
	}
	var made []store.Op
	for _, ch := range changes {
		heads, err := tx.Heads(dossier, ch.Field)
		if err != nil {
			return nil, err
		}
		prev, same := store.ChangePrev(ch, heads)
		if same {
			continue
		}
		op := store.Op{ID: store.NewID(), Dossier: dossier, Field: ch.Field, Value: ch.Value,
			HLC: s.clock.Next(), Device: device, Author: author, Prev: prev}
		if err := store.ValidateOp(op, s.method); err != nil {
			return nil, fmt.Errorf("set %s: %w", ch.Field, err)
		}
		if _, err := tx.ApplyJSON(op, nil); err != nil {
			return nil, err
		}
		made = append(made, op)
	}
	if hook != nil && len(made) > 0 {
		if err := hook(tx, made); err != nil {
			return nil, err
		}
	}
	return made, nil
}

// commit runs commitIn in a write transaction of its own.
func (s *Server) commit(author string, hook func(Tx, []store.Op) error, dossier string, changes ...store.Change) ([]store.Op, error) {
	var made []store.Op
	err := s.db.Update(func(tx Tx) (err error) {
		made, err = s.commitIn(tx, author, hook, dossier, changes)
		return err
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}
