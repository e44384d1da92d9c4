package server

import (
	"bytes"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// The store keys ops by dossier and op id, so by itself it would store an
// op id twice, once per dossier it is pushed for. bOpDossier knows every
// numbered op's dossier, so a push can refuse an id already stored in
// another dossier (idElsewhere); assignSeq fills it in the transaction
// that numbers the op.

// idElsewhere reports whether op's id belongs to a stored op of another
// dossier.
func idElsewhere(tx *store.Tx, op store.Op) bool {
	d := bucket(tx, bOpDossier).Get(dkey(op.ID))
	return d != nil && !bytes.Equal(d, dkey(op.Dossier))
}

// fillOpDossier fills bOpDossier from x_seq once, for a file written
// before it existed: one walk of the numbers at the first open, marked
// done by the bucket's sequence.
func fillOpDossier(tx *store.Tx) error {
	b := bucket(tx, bOpDossier)
	if b.Sequence() != 0 {
		return nil
	}
	c := bucket(tx, bSeq).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 32 {
			if err := b.Put(bytes.Clone(v[:16]), bytes.Clone(v[16:])); err != nil {
				return err
			}
		}
	}
	return b.SetSequence(1)
}

// bindReplica binds a device that has not pushed before to the replica id
// its ops carry, taken from the first op of its first push that passed the
// checks run before the transaction and names the token's user as author;
// from then on an op with another device id is refused (RefuseDevice). A
// device names itself in its ops, so the server learns the id rather than
// choosing it; what it prevents is one token pushing ops under several
// device ids, such as another laptop's.
func bindReplica(tx *store.Tx, d *Device, u User, ops []store.Op, pre []*protocol.Refusal) error {
	if d.Replica != "" {
		return nil
	}
	for i, op := range ops {
		if pre[i] == nil && op.Author == u.Name {
			d.Replica = op.Device
			return putJSON(tx, bucket(tx, bDevices), []byte(d.ID), *d)
		}
	}
	return nil
}
