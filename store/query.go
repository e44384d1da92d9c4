package store

import (
	"bytes"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// Summaries returns the list summary of every dossier, removed ones
// included (the list hides them).
func (s *Store) Summaries() ([]Summary, error) {
	var out []Summary
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		out, err = s.allSummaries(tx)
		return err
	})
	return out, err
}

// Client returns the dossier, projected from the heads of its fields.
func (s *Store) Client(id string) (*Client, error) {
	dkey, err := idKey(id)
	if err != nil {
		return nil, err
	}
	var c *Client
	err = s.db.View(func(tx *bolt.Tx) error {
		all, err := s.dossierHeads(tx, dkey)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return fmt.Errorf("client %s: %w", id, ErrNotFound)
		}
		c = project(id, len(s.checklist), all)
		return nil
	})
	return c, err
}

// Heads returns the current heads of a field, newest first.
func (s *Store) Heads(dossier, field string) ([]Head, error) {
	dkey, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	var hs []Head
	err = s.db.View(func(tx *bolt.Tx) error {
		var err error
		hs, err = s.readHeads(tx, cat(dkey, []byte(field)))
		return err
	})
	return hs, err
}

// Ops returns every op of a dossier, in causal (HLC) order. It is what an
// export or a history view reads.
func (s *Store) Ops(dossier string) ([]Op, error) {
	dkey, err := idKey(dossier)
	if err != nil {
		return nil, err
	}
	var out []Op
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOps).Cursor()
		for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
			op, err := s.openOp(k, v)
			if err != nil {
				return err
			}
			out = append(out, op)
		}
		return nil
	})
	sortOps(out)
	return out, err
}

// History returns the ops on one field, oldest first.
func (s *Store) History(dossier, field string) ([]Op, error) {
	all, err := s.Ops(dossier)
	if err != nil {
		return nil, err
	}
	var out []Op
	for _, op := range all {
		if op.Field == field {
			out = append(out, op)
		}
	}
	return out, nil
}

// SortOps puts ops in the order Ops gives them: causal (HLC), ties by id.
func SortOps(ops []Op) { sortOps(ops) }

func sortOps(ops []Op) {
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].HLC != ops[j].HLC {
			return ops[i].HLC < ops[j].HLC
		}
		return ops[i].ID < ops[j].ID
	})
}

// FindClient resolves an id or an unambiguous (part of a) name to a client
// id. An exact name match wins over partial ones. When several clients
// match, the error is an *AmbiguousError carrying them (errors.Is(err,
// ErrAmbiguous) holds).
func (s *Store) FindClient(query string) (string, error) {
	if ValidID(query) {
		if _, err := s.Client(query); err != nil {
			return "", err
		}
		return query, nil
	}
	all, err := s.Summaries()
	if err != nil {
		return "", err
	}
	return FindIn(all, query)
}

// FindIn is FindClient's choice among the summaries all for a query that
// is not an id.
func FindIn(all []Summary, query string) (string, error) {
	matches, exact := MatchClients(all, query)
	switch {
	case len(matches) == 1:
		return matches[0].ID, nil
	case len(matches) > 1:
		return "", &AmbiguousError{Query: query, Exact: exact, Candidates: matches}
	}
	return "", fmt.Errorf("client %q: %w", query, ErrNotFound)
}

// Outbox returns up to limit ops made here and not yet acknowledged, oldest
// first, with their outbox sequence numbers.
func (s *Store) Outbox(limit int) ([]Op, []uint64, error) {
	var ops []Op
	var seqs []uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		all := tx.Bucket(bOps)
		c := tx.Bucket(bOutbox).Cursor()
		for k, v := c.First(); k != nil && len(ops) < limit; k, v = c.Next() {
			if len(v) != 32 {
				return fmt.Errorf("read outbox op: %w: an entry of %d bytes", ErrDamaged, len(v))
			}
			op, err := s.openOp(v, all.Get(v))
			if err != nil {
				return fmt.Errorf("read outbox op: %w", err)
			}
			ops = append(ops, op)
			seqs = append(seqs, beUint64(k))
		}
		return nil
	})
	return ops, seqs, err
}

// Stats counts what the file holds.
type Stats struct {
	Ops, Clients, Outbox int
}

// OutboxLen counts the ops made here that wait for a server.
func (s *Store) OutboxLen() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bOutbox).Stats().KeyN
		return nil
	})
	return n, err
}

// Stats returns counts of ops, clients and waiting outbox ops. It reads the
// list summaries and the outbox, not the log.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		st.Ops = int(tx.Bucket(bOps).Sequence())
		st.Outbox = tx.Bucket(bOutbox).Stats().KeyN
		// One summary per dossier: count the chunks' entries, unread.
		var err error
		st.Clients, err = s.countSummaries(tx)
		return err
	})
	return st, err
}
