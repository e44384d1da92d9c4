package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// AckAndSetMeta is Ack and a SetMeta for each setting of meta in one
// transaction: the last writes of a sync (the pushed ops the server
// answered for, the cursor, when it ended) cost one commit and its fsync
// instead of one each. Either all of it is written or none; unknown ids
// are ignored, as Ack ignores them.
func (s *Store) AckAndSetMeta(opIDs []string, meta map[string][]byte) error {
	done, err := ackKeys(opIDs)
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(meta))
	sealed := make([][]byte, len(names))
	for i, name := range names {
		if !strings.HasPrefix(name, "x_") {
			return fmt.Errorf("%w meta name %q: must start with x_", ErrInvalid, name)
		}
		if sealed[i], err = s.sealFor(nil, meta[name]); err != nil {
			return err
		}
	}
	if len(done) == 0 && len(names) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if len(done) > 0 {
			if err := ackTx(tx, done); err != nil {
				return err
			}
		}
		b := tx.Bucket(bMeta)
		for i, name := range names {
			if err := b.Put([]byte(name), sealed[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
