package server

import (
	"time"

	"github.com/brug-nl/brug/store"
)

// The server remembers which pushed ops were refused, per dossier, for
// the coordinators' team overview (storage.Refusals): the time (in
// seconds) and the refusal code. The reason stays with the device that
// pushed the op; codes and ids hold no dossier content.

// refusalWindow is how far back the team overview counts refused ops.
const refusalWindow = 30 * 24 * time.Hour

type refusalRecord struct {
	time time.Time
	code string
}

// recordRefusal notes a refused op of a known dossier. An op refused
// again (a device that pushes it once more) is counted once.
func recordRefusal(tx Tx, op store.Op, code string, now time.Time) error {
	if !store.ValidID(op.Dossier) || !store.ValidID(op.ID) || !tx.Exists(op.Dossier) {
		return nil // nothing to show it with; the device keeps the reason
	}
	return tx.PutRefusal(string(dkey(op.Dossier)), string(dkey(op.ID)), now, code)
}

// eachRefusal calls fn for every remembered refusal.
func eachRefusal(tx Tx, fn func(dossier string, r refusalRecord)) error {
	return tx.EachRefusal(func(dk string, at time.Time, code string) error {
		fn(idString([]byte(dk)), refusalRecord{time: at, code: code})
		return nil
	})
}
