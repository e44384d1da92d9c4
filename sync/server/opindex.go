package server

import (
	"github.com/google/uuid"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// The store keys ops by dossier and op id, so by itself it would store an
// op id twice, once per dossier it is pushed for. the sequence knows every
// numbered op's dossier (Sequence.OpDossier), so a push can refuse an id already stored in
// another dossier (idElsewhere); assignSeq fills it in the transaction
// that numbers the op.

// idElsewhere reports whether op's id belongs to a stored op of another
// dossier.
func idElsewhere(tx Tx, op store.Op) bool {
	// The keys as dkey makes them, parsed onto the stack: the policy
	// asks this of every op of a push.
	id, dossier := uuid.MustParse(op.ID), uuid.MustParse(op.Dossier)
	d, ok := tx.OpDossier(string(id[:]))
	return ok && d != string(dossier[:])
}

// bindReplica binds a device that has not pushed before to the replica id
// its ops carry, taken from the first op of its first push that passed the
// checks run before the transaction and names the token's user as author;
// from then on an op with another device id is refused (RefuseDevice). A
// device names itself in its ops, so the server learns the id rather than
// choosing it; what it prevents is one token pushing ops under several
// device ids, such as another laptop's.
func bindReplica(tx Tx, d *Device, u User, ops []store.Op, pre []*protocol.Refusal) error {
	if d.Replica != "" {
		return nil
	}
	for i, op := range ops {
		if pre[i] == nil && op.Author == u.Name {
			d.Replica = op.Device
			return tx.PutDevice(*d)
		}
	}
	return nil
}
