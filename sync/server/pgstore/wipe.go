package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/brug-nl/brug/sync/server/storage"
)

var _ storage.WipeReader = (*Storage)(nil)

// WipeMarked reads the devices of the token hashes whose records carry a
// wipe order, by hash (storage.WipeReader). It is one statement with no
// transaction around it (a statement alone sees one snapshot): one round
// trip for the check of a wipe order of a whole burst of syncs, where a
// read transaction per sync, with its BEGIN and COMMIT and the token's
// whole authentication, cost 200 of them (issue 14, docs/postgres.md).
// The filter is on the key alone: a device's record has "wipe" exactly
// when Device.Wipe is set (omitzero); the server judges the rest.
func (s *Storage) WipeMarked(hashes [][]byte) (map[string]storage.Device, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	ctx := context.Background()
	rows, err := s.db.Data.Query(ctx, `SELECT t.hash, d.rec FROM unnest($1::bytea[]) AS h(h)
		JOIN tokens t ON t.hash = h.h JOIN devices d ON d.id = t.device WHERE d.rec ? 'wipe'`, hashes)
	if err != nil {
		return nil, fmt.Errorf("pgstore: the wipe orders of %d tokens: %w", len(hashes), err)
	}
	defer rows.Close()
	var out map[string]storage.Device
	for rows.Next() {
		var h, rec []byte
		if err := rows.Scan(&h, &rec); err != nil {
			return nil, fmt.Errorf("pgstore: the wipe orders: %w", err)
		}
		var d storage.Device
		if err := json.Unmarshal(rec, &d); err != nil {
			return nil, fmt.Errorf("pgstore: the device of a wipe order: %w", err)
		}
		if out == nil {
			out = map[string]storage.Device{}
		}
		out[string(h)] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: the wipe orders: %w", err)
	}
	return out, nil
}
