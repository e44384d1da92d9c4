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
// dossier share one string of its id, and the ops the transaction
// decodes have their other strings cut from shared blocks of 64 KiB.
func (tx *Tx) DossierOps(dkey []byte, keep func(key []byte) bool, dst []Op) ([]Op, error) {
	if len(dkey) != 16 {
		return dst, fmt.Errorf("dossier key of %d bytes: %w", len(dkey), ErrInvalid)
	}
	if tx.arena == nil {
		tx.arena = &opArena{}
	}
	dossier := idString(dkey)
	// A plain file's values are read where they are (the arena copies
	// what it keeps), not copied by the codec first.
	_, plainFile := tx.s.codec.(PlainCodec)
	plainFile = plainFile && tx.s.crypt == nil
	c := tx.tx.Bucket(bOps).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		if len(k) != 32 || !keep(k) {
			continue
		}
		plain := v
		if !plainFile {
			var err error
			if plain, err = tx.s.openFor(k[:16], v); err != nil {
				return dst, fmt.Errorf("op %x: %w", k, err)
			}
		}
		op, err := tx.arena.decode(k, plain, tx.s.actors, dossier)
		if err != nil {
			return dst, fmt.Errorf("op %x: %w", k, err)
		}
		dst = append(dst, op)
	}
	return dst, nil
}

// opArena gives decoded ops' strings and prev lists out of shared blocks
// that are never written again once given out.
type opArena struct {
	scratch []byte
	text    []byte
	strs    []string
	// The last device and author an op body (opbody.go) named, as read
	// and as the strings given out: a dossier's ops come from a few.
	haveActor, devIsID    bool
	dev, author           []byte
	devString, authString string
}

const arenaBlock = 64 << 10

// string copies b into the arena and returns it as a string.
func (a *opArena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.text)-len(a.text) < len(b) {
		a.text = make([]byte, 0, max(arenaBlock, len(b)))
	}
	start := len(a.text)
	a.text = append(a.text, b...)
	return unsafe.String(&a.text[start], len(b))
}

// actor gives the device and author an op body names, as strings of the
// arena (those of the op before when they are the same).
func (a *opArena) actor(v opView) (device, author string) {
	isID, dev := v.devID != nil, v.devText
	if isID {
		dev = v.devID
	}
	if !a.haveActor || isID != a.devIsID || !bytes.Equal(dev, a.dev) || !bytes.Equal(v.author, a.author) {
		if isID {
			a.devString = a.string(appendID(a.scratch[:0], v.devID))
		} else {
			a.devString = a.string(v.devText)
		}
		a.authString = a.string(v.author)
		a.dev, a.author = append(a.dev[:0], dev...), append(a.author[:0], v.author...)
		a.haveActor, a.devIsID = true, isID
	}
	return a.devString, a.authString
}

// list returns a slice of n strings of the arena, its capacity n.
func (a *opArena) list(n int) []string {
	if cap(a.strs)-len(a.strs) < n {
		a.strs = make([]string, 0, max(arenaBlock/16, n))
	}
	start := len(a.strs)
	a.strs = a.strs[:start+n]
	return a.strs[start : start+n : start+n]
}

// decode is decodeOp with fewer allocations: the op's dossier is dossier
// (the text form of lkey[:16]) unless the value names another form, and
// its id, field, value and prevs are cut from one string of the arena.
func (a *opArena) decode(lkey, b []byte, actors *actorTable, dossier string) (Op, error) {
	if len(b) > 0 && b[0] == '{' {
		return decodeOp(lkey, b, actors) // schema 4
	}
	v, err := viewOp(lkey, b)
	if err != nil {
		return Op{}, err
	}
	op := Op{HLC: v.hlc, Dossier: dossier}
	if v.inline {
		op.Device, op.Author = a.actor(v)
	} else {
		ak, _, ok := actors.get(v.actor)
		if !ok {
			return Op{}, fmt.Errorf("read op: actor %d unknown: %w", v.actor, errCorrupt)
		}
		op.Device, op.Author = ak.device, ak.author
	}
	if v.dossier != nil {
		op.Dossier = string(v.dossier)
	}
	// The op's texts go into scratch first, then into the arena at once.
	buf := a.scratch[:0]
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
	a.scratch = buf
	s := a.string(buf)
	op.ID = s[:idEnd]
	if !word {
		op.Field = s[idEnd:fieldEnd]
	}
	op.Value = s[fieldEnd:valueEnd]
	if len(prevEnds) > 0 {
		op.Prev = a.list(len(prevEnds))
		start := valueEnd
		for i, end := range prevEnds {
			op.Prev[i] = s[start:end]
			start = end
		}
	}
	return op, nil
}
