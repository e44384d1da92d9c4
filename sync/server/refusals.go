package server

import (
	"encoding/binary"
	"time"

	"github.com/brug-nl/brug/store"
)

// bRefused remembers which pushed ops were refused, per dossier, for the
// coordinators' team overview: dossier id (16) + op id (16) -> unix
// seconds (8 BE) + refusal code. The reason stays with the device that
// pushed the op; codes and ids hold no dossier content.
const bRefused = "x_refused"

// refusalWindow is how far back the team overview counts refused ops.
const refusalWindow = 30 * 24 * time.Hour

type refusalRecord struct {
	time time.Time
	code string
}

// recordRefusal notes a refused op of a known dossier. An op refused
// again (a device that pushes it once more) is counted once.
func recordRefusal(tx *store.Tx, op store.Op, code string, now time.Time) error {
	if !store.ValidID(op.Dossier) || !store.ValidID(op.ID) || !tx.Exists(op.Dossier) {
		return nil // nothing to show it with; the device keeps the reason
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(code)), uint64(now.Unix()))
	return bucket(tx, bRefused).Put(append(dkey(op.Dossier), dkey(op.ID)...), append(v, code...))
}

// eachRefusal calls fn for every remembered refusal.
func eachRefusal(tx *store.Tx, fn func(dossier string, r refusalRecord)) error {
	return bucket(tx, bRefused).ForEach(func(k, v []byte) error {
		if len(k) != 32 || len(v) < 8 {
			return nil
		}
		fn(idString(k[:16]), refusalRecord{time: time.Unix(int64(binary.BigEndian.Uint64(v)), 0), code: string(v[8:])})
		return nil
	})
}
