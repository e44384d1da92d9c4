package store

import (
	"bytes"
	"fmt"
	"unsafe"
)

// DossierOps appends to dst the ops of a dossier (dkey is its 16-byte id)
// whose log key keep accepts, in key order: the ops DossierJSON gives as
// JSON, decoded straight from the log's own encoding instead. A server
// building a compact pull page (sync/protocol.AppendPage) needs the ops,
// not their JSON; going through the JSON cost it about 2 µs per op. The
// ops' strings are fresh, safe after the transaction: the ops of the
// dossier share one string of its id, and each op's other strings share
// one allocation.
func (tx *Tx) DossierOps(dkey []byte, keep func(key []byte) bool, dst []Op) ([]Op, error) {
	if len(dkey) != 16 {
		return dst, fmt.Errorf("dossier key of %d bytes: %w", len(dkey), ErrInvalid)
	}
	dossier := idString(dkey)
	c := tx.tx.Bucket(bOps).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		if len(k) != 32 || !keep(k) {
			continue
		}
		plain, err := tx.s.openFor(k[:16], v)
		if err != nil {
			return dst, fmt.Errorf("op %x: %w", k, err)
		}
		op, err := decodeOpShared(k, plain, tx.s.actors, dossier)
		if err != nil {
			return dst, fmt.Errorf("op %x: %w", k, err)
		}
		dst = append(dst, op)
	}
	return dst, nil
}

// decodeOpShared is decodeOp with fewer allocations: the op's dossier is
// dossier (the text form of lkey[:16]) unless the value names another
// form, and its id, field, value and prevs are cut from one string.
func decodeOpShared(lkey, b []byte, a *actorTable, dossier string) (Op, error) {
	if len(b) > 0 && b[0] == '{' {
		return decodeOp(lkey, b, a) // schema 4
	}
	v, err := viewOp(lkey, b)
	if err != nil {
		return Op{}, err
	}
	ak, _, ok := a.get(v.actor)
	if !ok {
		return Op{}, fmt.Errorf("read op: actor %d unknown: %w", v.actor, errCorrupt)
	}
	op := Op{HLC: v.hlc, Device: ak.device, Author: ak.author, Dossier: dossier}
	if v.dossier != nil {
		op.Dossier = string(v.dossier)
	}
	// Everything goes into buf first; the strings are cut from it once it
	// no longer grows.
	buf := make([]byte, 0, 36+len(v.id)+2*len(v.field)+len(v.value)+3*len(v.prevs))
	if v.id != nil {
		buf = append(buf, v.id...)
	} else {
		buf = appendID(buf, lkey[16:32])
	}
	idEnd := len(buf)
	word := len(v.field) == 2 && v.field[0] == 1 && v.field[1]&3 == 0
	if word {
		op.Field = fieldWords[v.field[1]>>2]
	} else {
		buf = appendField(buf, v.field)
	}
	fieldEnd := len(buf)
	buf = append(buf, v.value...)
	valueEnd := len(buf)
	var ends [8]int
	prevEnds := ends[:0]
	if v.nprev > 0 {
		d := dec{b: v.prevs}
		for range v.nprev {
			id, s := d.cidRaw()
			if id != nil {
				buf = appendID(buf, id)
			} else {
				buf = append(buf, s...)
			}
			prevEnds = append(prevEnds, len(buf))
		}
	}
	var s string
	if len(buf) > 0 {
		s = unsafe.String(&buf[0], len(buf)) // buf is not written again
	}
	op.ID = s[:idEnd]
	if !word {
		op.Field = s[idEnd:fieldEnd]
	}
	op.Value = s[fieldEnd:valueEnd]
	if len(prevEnds) > 0 {
		op.Prev = make([]string, len(prevEnds))
		start := valueEnd
		for i, end := range prevEnds {
			op.Prev[i] = s[start:end]
			start = end
		}
	}
	return op, nil
}
