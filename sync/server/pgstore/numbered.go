package pgstore

import (
	"fmt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// NumberedOps gives the ops numbered in (after, upto] with their
// dossier's team now and their JSON, with one query (and one on the key
// store for the keys of dossiers not cached): what a server's index of
// recent ops takes in of the ops other processes numbered since its last
// sync (storage.NumberedReader). upto is a last number read under the
// write lock: every number up to it was given by a transaction that has
// committed (docs/postgres.md, "Sequence"), so this statement, later in
// the same READ COMMITTED transaction, sees all of them.
func (tx *Tx) NumberedOps(after, upto uint64, fn func(storage.NumberedOp) error) error {
	if upto <= after {
		return nil
	}
	type row struct {
		seq                 int64
		op, dossier, sealed []byte
		team                string
	}
	var rs []row
	var block, op, dossier, sealed []byte
	var seq int64
	var team string
	err := tx.eachRow([]any{&seq, blockBytes{&block, &op}, blockBytes{&block, &dossier}, &team, blockBytes{&block, &sealed}}, func() error {
		rs = append(rs, row{seq, op, dossier, sealed, team})
		return nil
	}, `SELECT o.seq, o.op_id, o.dossier, COALESCE(t.team, ''), l.op FROM ops o
		LEFT JOIN oplog l ON l.dossier = o.dossier AND l.op_id = o.op_id
		LEFT JOIN dossier_team t ON t.dossier = o.dossier
		WHERE o.seq > $1 AND o.seq <= $2 ORDER BY o.seq`, int64(after), int64(upto))
	if err != nil {
		return err
	}
	var dks [][]byte
	seen := map[string]bool{}
	for _, r := range rs {
		if len(r.op) != 16 || len(r.dossier) != 16 {
			return fmt.Errorf("number %d: %w: keys of %d and %d bytes", r.seq, store.ErrDamaged, len(r.op), len(r.dossier))
		}
		if !seen[string(r.dossier)] {
			seen[string(r.dossier)] = true
			dks = append(dks, r.dossier)
		}
	}
	if err := tx.s.prefetchKeys(tx.ctx, dks); err != nil {
		return err
	}
	lkey := make([]byte, 32)
	for _, r := range rs {
		copy(lkey, r.dossier)
		copy(lkey[16:], r.op)
		if r.sealed == nil {
			return fmt.Errorf("op %x numbered %d: %w", lkey, r.seq, store.ErrNotFound)
		}
		json, err := tx.openOpJSON(nil, lkey, r.sealed)
		if err != nil {
			return err
		}
		if err := fn(storage.NumberedOp{Seq: uint64(r.seq), Op: string(r.op), Dossier: string(r.dossier), Team: r.team, JSON: json}); err != nil {
			return err
		}
	}
	return nil
}
