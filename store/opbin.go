package store

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The log's op encoding (schema 5). An op's log key is its dossier id and
// its op id (16 bytes each), so the value repeats neither:
//
//		fmtOp  flags  [id]  [dossier]  field  value  hlc  device  author  prev
//
//	  - flags: bit 0: the op id follows as a string, bit 1: the dossier id
//	    does (ids not in the canonical lower-case UUID form, which the key
//	    alone would not give back exactly).
//	  - field: a count of its "/"-separated segments, then each segment as
//	    a varint v: v&3 == 0: the word fieldWords[v>>2]; 1: a canonical
//	    UUID, 16 bytes follow; 2: text of v>>2 bytes; 3: the decimal v>>2.
//	  - value, author: a length and the bytes.
//	  - hlc: zigzag varint of the HLC minus the op id's UUIDv7 milliseconds
//	    (shifted as in an HLC): a few bytes when the op was made where its
//	    id was.
//	  - device and each prev: a marker byte 16 and the 16 bytes of a
//	    canonical UUID, or 0 and a string.
//	  - prev: a count, then the ids.
//
// The op's JSON (the sync format, Tx.OpJSON) is built from this form byte
// for byte as json.Marshal writes an Op. A value starting with '{' is an
// op in JSON, as schema 4 kept it; decodeOp reads both.
const fmtOp byte = 2

const (
	opFlagID      = 1
	opFlagDossier = 2
)

// fieldWords are the words of field paths stored as one byte. Append
// only: the position is the stored code.
var fieldWords = []string{
	"exists", "name", "birthyear", "team", "coaches", "places", "benefit", "route_target",
	"step", "status", "note", "comment", "check", "answer",
	EntityAgreement, EntityContact, EntityJournal, EntityMove, EntityIndication, EntityArrangement,
	"what", "role", "org", "person", "due", "done", "phone", "email",
	"kind", "date", "place", "text", "from", "to", "reason", "until", "value",
}

var fieldWordCode = func() map[string]uint64 {
	m := make(map[string]uint64, len(fieldWords))
	for i, w := range fieldWords {
		m[w] = uint64(i)
	}
	return m
}()

func (e *enc) cid(s string) {
	if u, ok := CanonicalID(s); ok {
		e.byte(16)
		e.b = append(e.b, u[:]...)
		return
	}
	e.byte(0)
	e.string(s)
}

func (e *enc) field(f string) {
	e.uint(uint64(strings.Count(f, "/") + 1))
	for {
		seg, rest, more := strings.Cut(f, "/")
		e.segment(seg)
		if !more {
			return
		}
		f = rest
	}
}

func (e *enc) segment(seg string) {
	if c, ok := fieldWordCode[seg]; ok {
		e.uint(c << 2)
		return
	}
	if u, ok := CanonicalID(seg); ok {
		e.uint(1)
		e.b = append(e.b, u[:]...)
		return
	}
	if n, ok := plainNumber(seg); ok {
		e.uint(n<<2 | 3)
		return
	}
	e.uint(uint64(len(seg))<<2 | 2)
	e.b = append(e.b, seg...)
}

// plainNumber is seg as a number when it is one written as
// strconv.FormatUint writes it (no sign, no leading zero) and fits in 32
// bits.
func plainNumber(seg string) (uint64, bool) {
	if seg == "" || len(seg) > 10 || (seg[0] == '0' && len(seg) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n <= math.MaxUint32
}

// idMillisHLC is the HLC of the wall-clock time in a UUIDv7 key, with
// counter 0 (for any other 16 bytes, some number: the encoding only needs
// the same one on both sides).
func idMillisHLC(key []byte) uint64 {
	return uint64(key[0])<<56 | uint64(key[1])<<48 | uint64(key[2])<<40 | uint64(key[3])<<32 | uint64(key[4])<<24 | uint64(key[5])<<16
}

// encodeOp is the schema 5 log value of op, whose log key is lkey.
func encodeOp(lkey []byte, op *Op, a *actorTable) []byte {
	return appendOp(make([]byte, 0, opSizeHint(op)), lkey, op, a.number(op.Device, op.Author))
}

// opSizeHint is about the length of op's log value.
func opSizeHint(op *Op) int {
	return 48 + len(op.Field) + len(op.Value) + len(op.Author) + 17*len(op.Prev)
}

// isIDString reports whether s is idString(k), without making it.
func isIDString(k []byte, s string) bool {
	if len(s) != 36 {
		return false
	}
	var b [36]byte
	const hex = "0123456789abcdef"
	j := 0
	for i, x := range k[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[x>>4], hex[x&15]
		j += 2
	}
	return string(b[:]) == s
}

// appendOp appends encodeOp's value to dst; actor is the number of op's
// device and author.
func appendOp(dst, lkey []byte, op *Op, actor uint64) []byte {
	return appendOpCached(dst, lkey, op, actor, nil)
}

// fieldCache keeps the encodings of the fields a goroutine encoded: of
// a field shorter than a UUID, so with none in it (name,
// step/3/check/c2), the whole; of a field with an id as its second
// segment (journal/<id>/text, contact/<id>/role), what comes before and
// after the id's 16 bytes, by the segments around it. So the few hundred
// fields of a method that every dossier repeats are split and looked up
// once. A goroutine encoding many ops (the import's preparers) keeps one;
// nil keeps nothing.
type fieldCache struct {
	whole map[string][]byte
	ided  map[[2]string]idField
}

// idField is the encoding of an entity's field with its id left out:
// head (the segment count, the first segment, the id's marker), then the
// id's 16 bytes, then tail.
type idField struct{ head, tail []byte }

// fieldCacheMax bounds each map of a fieldCache: a method has a few
// hundred fields, a server that sends odd ones should not make it grow.
const fieldCacheMax = 4096

func newFieldCache() *fieldCache {
	return &fieldCache{whole: map[string][]byte{}, ided: map[[2]string]idField{}}
}

// appendField appends the encoding of field f (enc.field's).
func (fc *fieldCache) appendField(dst []byte, f string) []byte {
	if fc == nil {
		e := enc{b: dst}
		e.field(f)
		return e.b
	}
	if len(f) < 36 {
		if b, ok := fc.whole[f]; ok {
			return append(dst, b...)
		}
		e := enc{b: dst}
		e.field(f)
		if len(fc.whole) < fieldCacheMax {
			fc.whole[strings.Clone(f)] = slices.Clone(e.b[len(dst):])
		}
		return e.b
	}
	// entity/<id>/rest: the id a canonical UUID, which enc.segment
	// writes as the marker 1 and its 16 bytes (no word is 36 bytes).
	i := strings.IndexByte(f, '/')
	if i < 0 || len(f) <= i+37 || f[i+37] != '/' {
		e := enc{b: dst}
		e.field(f)
		return e.b
	}
	u, ok := CanonicalID(f[i+1 : i+37])
	if !ok {
		e := enc{b: dst}
		e.field(f)
		return e.b
	}
	k := [2]string{f[:i], f[i+37:]}
	t, ok := fc.ided[k]
	if !ok {
		h := enc{}
		h.uint(uint64(strings.Count(f, "/") + 1))
		h.segment(f[:i])
		h.uint(1)
		tl := enc{}
		for rest := f[i+38:]; ; {
			seg, r, more := strings.Cut(rest, "/")
			tl.segment(seg)
			if !more {
				break
			}
			rest = r
		}
		t = idField{head: h.b, tail: tl.b}
		if len(fc.ided) < fieldCacheMax {
			fc.ided[[2]string{strings.Clone(k[0]), strings.Clone(k[1])}] = t
		}
	}
	dst = append(dst, t.head...)
	dst = append(dst, u[:]...)
	return append(dst, t.tail...)
}

// appendOpCached is appendOp with field encodings from fc.
func appendOpCached(dst, lkey []byte, op *Op, actor uint64, fc *fieldCache) []byte {
	return appendOpKeyed(dst, lkey, op, actor, fc, false, nil)
}

// appendOpKeyed is appendOpCached for an op whose ids are at hand as
// keys: with canon, op.ID and op.Dossier are the canonical text of
// lkey's halves and prevs (when not nil) op.Prev's 16 bytes, each the
// canonical text's (Import.AddKeyed), so none is compared or parsed again.
// It writes what appendOpCached writes.
func appendOpKeyed(dst, lkey []byte, op *Op, actor uint64, fc *fieldCache, canon bool, prevs [][16]byte) []byte {
	e := enc{b: dst}
	e.opStartKeyed(fmtOp, lkey, op, fc, canon)
	e.uint(actor)
	if !canon || prevs == nil {
		e.opPrevs(op)
		return e.b
	}
	e.uint(uint64(len(prevs)))
	for i := range prevs {
		e.byte(16) // enc.cid of a canonical id
		e.b = append(e.b, prevs[i][:]...)
	}
	return e.b
}

// opStart writes an op's form up to its actor: the format byte f, the
// flags, the ids the key does not give, field (its encoding from fc, which
// may be nil), value and HLC.
func (e *enc) opStart(f byte, lkey []byte, op *Op, fc *fieldCache) {
	e.opStartKeyed(f, lkey, op, fc, false)
}

// opStartKeyed is opStart; with canon, op.ID and op.Dossier are known to
// be the canonical text of lkey's halves.
func (e *enc) opStartKeyed(f byte, lkey []byte, op *Op, fc *fieldCache, canon bool) {
	e.byte(f)
	var flags byte
	if !canon && !isIDString(lkey[16:32], op.ID) {
		flags |= opFlagID
	}
	if !canon && !isIDString(lkey[:16], op.Dossier) {
		flags |= opFlagDossier
	}
	e.byte(flags)
	if flags&opFlagID != 0 {
		e.string(op.ID)
	}
	if flags&opFlagDossier != 0 {
		e.string(op.Dossier)
	}
	e.b = fc.appendField(e.b, op.Field)
	e.string(op.Value)
	d := uint64(op.HLC) - idMillisHLC(lkey[16:32])
	e.uint(d<<1 ^ uint64(int64(d)>>63))
}

// opPrevs writes an op's prevs, the end of its form.
func (e *enc) opPrevs(op *Op) {
	e.uint(uint64(len(op.Prev)))
	for _, p := range op.Prev {
		e.cid(p)
	}
}

// opView is a decoded log value whose strings still point into it.
type opView struct {
	id, dossier []byte // nil: from the key
	field       []byte // as encoded
	value       []byte
	hlc         HLC
	actor       uint64
	prevs       []byte // as encoded
	nprev       uint64
	// inline: an op body (opbody.go), whose device (devID, 16 bytes, or
	// devText) and author are written out instead of actor.
	inline         bool
	devID, devText []byte
	author         []byte
}

// viewOp reads a schema 5 log value or an op body (opbody.go).
func viewOp(lkey, b []byte) (opView, error) {
	var v opView
	if len(lkey) != 32 {
		return v, fmt.Errorf("read op: key %x: %w", lkey, errCorrupt)
	}
	d := dec{b: b}
	switch d.byte() {
	case fmtOp:
	case fmtOpBody:
		v.inline = true
	default:
		d.fail()
	}
	flags := d.byte()
	if flags&^(opFlagID|opFlagDossier) != 0 {
		d.fail()
	}
	if flags&opFlagID != 0 {
		v.id = d.raw(d.uint())
	}
	if flags&opFlagDossier != 0 {
		v.dossier = d.raw(d.uint())
	}
	start := d.b
	d.skipField()
	if d.err == nil {
		v.field = start[:len(start)-len(d.b)]
	}
	v.value = d.raw(d.uint())
	z := d.uint()
	v.hlc = HLC(idMillisHLC(lkey[16:32]) + (z>>1 ^ -(z & 1)))
	if v.inline {
		v.devID, v.devText = d.cidRaw()
		v.author = d.raw(d.uint())
	} else {
		v.actor = d.uint()
	}
	v.nprev = d.uint()
	if v.nprev > uint64(len(d.b)) {
		d.fail()
	}
	start = d.b
	for i := uint64(0); i < v.nprev && d.err == nil; i++ {
		d.cidRaw()
	}
	if d.err == nil {
		v.prevs = start[:len(start)-len(d.b)]
	}
	return v, d.done("op")
}

func (d *dec) cidRaw() (id, s []byte) {
	switch d.byte() {
	case 16:
		return d.raw(16), nil
	case 0:
		return nil, d.raw(d.uint())
	}
	d.fail()
	return nil, nil
}

func (d *dec) skipField() {
	n := d.uint()
	if n == 0 || n > uint64(len(d.b)) {
		d.fail()
		return
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		v := d.uint()
		switch v & 3 {
		case 0:
			if v>>2 >= uint64(len(fieldWords)) {
				d.fail()
			}
		case 1:
			if v != 1 {
				d.fail()
			}
			d.raw(16)
		case 2:
			d.raw(v >> 2)
		case 3:
			if v>>2 >= 1<<32 {
				d.fail()
			}
		}
	}
}

// appendField appends the text of an encoded field (checked by skipField).
func appendField(dst, f []byte) []byte {
	d := dec{b: f}
	n := d.uint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		if i > 0 {
			dst = append(dst, '/')
		}
		v := d.uint()
		switch v & 3 {
		case 0:
			dst = append(dst, fieldWords[v>>2]...)
		case 1:
			dst = appendID(dst, d.raw(16))
		case 2:
			dst = append(dst, d.raw(v>>2)...)
		case 3:
			dst = strconv.AppendUint(dst, v>>2, 10)
		}
	}
	return dst
}

// appendID appends the canonical text form of a 16-byte id.
func appendID(dst, k []byte) []byte {
	const hex = "0123456789abcdef"
	for i, x := range k {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[x>>4], hex[x&15])
	}
	return dst
}

// decodeOp reads the log value of the op whose log key is lkey: the
// schema 5 form, or JSON as schema 4 kept it.
func decodeOp(lkey, b []byte, a *actorTable) (Op, error) {
	var op Op
	if len(b) > 0 && b[0] == '{' {
		err := json.Unmarshal(b, &op)
		if err != nil {
			err = fmt.Errorf("read op: %w", err)
		}
		return op, err
	}
	v, err := viewOp(lkey, b)
	if err != nil {
		return op, err
	}
	if v.id != nil {
		op.ID = string(v.id)
	} else {
		op.ID = idString(lkey[16:32])
	}
	if v.dossier != nil {
		op.Dossier = string(v.dossier)
	} else {
		op.Dossier = idString(lkey[:16])
	}
	op.Field = fieldString(v.field)
	op.Value = string(v.value)
	op.HLC = v.hlc
	if v.inline {
		if v.devID != nil {
			op.Device = idString(v.devID)
		} else {
			op.Device = string(v.devText)
		}
		op.Author = string(v.author)
	} else {
		ak, _, ok := a.get(v.actor)
		if !ok {
			return Op{}, fmt.Errorf("read op: actor %d unknown: %w", v.actor, errCorrupt)
		}
		op.Device, op.Author = ak.device, ak.author
	}
	if v.nprev > 0 {
		op.Prev = make([]string, 0, v.nprev)
		d := dec{b: v.prevs}
		for range v.nprev {
			id, s := d.cidRaw()
			if id != nil {
				op.Prev = append(op.Prev, idString(id))
			} else {
				op.Prev = append(op.Prev, string(s))
			}
		}
	}
	return op, nil
}

// fieldString is the text of an encoded field; the common one-word fields
// are not allocated.
func fieldString(f []byte) string {
	if len(f) == 2 && f[0] == 1 && f[1]&3 == 0 {
		return fieldWords[f[1]>>2]
	}
	var buf [64]byte
	return string(appendField(buf[:0], f))
}

// opFieldIs reports whether the log value b (schema 5) is an op on the
// field whose encoding is want, without decoding the rest.
func opFieldIs(b, want []byte) bool {
	rest, ok := opFieldStart(b)
	return ok && len(rest) >= len(want) && string(rest[:len(want)]) == string(want)
}

// opFieldStart is what follows the ids in the log value b (schema 5):
// the op's encoded field and the rest of the op; false when b is not an
// op of that form.
func opFieldStart(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != fmtOp {
		return nil, false
	}
	if b[1]&(opFlagID|opFlagDossier) == 0 {
		return b[2:], true
	}
	d := dec{b: b[2:]}
	if b[1]&opFlagID != 0 {
		d.raw(d.uint())
	}
	if b[1]&opFlagDossier != 0 {
		d.raw(d.uint())
	}
	return d.b, d.err == nil
}

// fieldSpan is the encoded field rest (what opFieldStart gives) starts
// with; false when it does not parse.
func fieldSpan(rest []byte) ([]byte, bool) {
	d := dec{b: rest}
	d.skipField()
	if d.err != nil {
		return nil, false
	}
	return rest[:len(rest)-len(d.b)], true
}

// encodedField is the encoding of a field, as opFieldIs compares it.
func encodedField(f string) []byte {
	e := enc{}
	e.field(f)
	return e.b
}

// appendOpJSON appends what json.Marshal makes of the op whose schema 5
// log value b has the log key lkey.
func appendOpJSON(dst, lkey, b []byte, a *actorTable) ([]byte, error) {
	v, err := viewOp(lkey, b)
	if err != nil {
		return dst, err
	}
	var actorJSON []byte
	if !v.inline {
		var ok bool
		if _, actorJSON, ok = a.get(v.actor); !ok {
			return dst, fmt.Errorf("read op: actor %d unknown: %w", v.actor, errCorrupt)
		}
	}
	dst = append(dst, `{"id":`...)
	if v.id != nil {
		dst = appendJSONString(dst, v.id)
	} else {
		dst = append(dst, '"')
		dst = appendID(dst, lkey[16:32])
		dst = append(dst, '"')
	}
	dst = append(dst, `,"dossier":`...)
	if v.dossier != nil {
		dst = appendJSONString(dst, v.dossier)
	} else {
		dst = append(dst, '"')
		dst = appendID(dst, lkey[:16])
		dst = append(dst, '"')
	}
	dst = append(dst, `,"field":`...)
	var buf [96]byte
	dst = appendJSONString(dst, appendField(buf[:0], v.field))
	dst = append(dst, `,"value":`...)
	dst = appendJSONString(dst, v.value)
	dst = append(dst, `,"hlc":`...)
	dst = strconv.AppendUint(dst, uint64(v.hlc), 10)
	if v.inline {
		dst = append(dst, `,"device":`...)
		if v.devID != nil {
			dst = append(dst, '"')
			dst = appendID(dst, v.devID)
			dst = append(dst, '"')
		} else {
			dst = appendJSONString(dst, v.devText)
		}
		dst = append(dst, `,"author":`...)
		dst = appendJSONString(dst, v.author)
	} else {
		dst = append(dst, actorJSON...)
	}
	if v.nprev > 0 {
		dst = append(dst, `,"prev":[`...)
		d := dec{b: v.prevs}
		for i := range v.nprev {
			if i > 0 {
				dst = append(dst, ',')
			}
			id, s := d.cidRaw()
			if id != nil {
				dst = append(dst, '"')
				dst = appendID(dst, id)
				dst = append(dst, '"')
			} else {
				dst = appendJSONString(dst, s)
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// appendJSONString appends s as encoding/json writes a string: text that
// needs no escape as it is, anything else through encoding/json itself.
func appendJSONString(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendJSONSlow(dst, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return appendJSONSlow(dst, s)
		}
		i += size
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func appendJSONSlow(dst, s []byte) []byte {
	b, _ := json.Marshal(string(s)) // a string always marshals
	return append(dst, b...)
}

// OpBinary returns the op whose log key is key (dossier id + op id) in
// the log's own encoding (schema 5, see DecodeOpBinary), opened by the
// codec: a copy, safe after the transaction. It returns ErrNotFound when
// the log lacks the op.
func (tx *Tx) OpBinary(key []byte) ([]byte, error) {
	raw := tx.tx.Bucket(bOps).Get(key)
	if raw == nil {
		return nil, fmt.Errorf("op %x: %w", key, ErrNotFound)
	}
	return tx.s.openFor(key[:16], raw)
}

// DecodeOpBinary reads an op in the log's encoding (OpBinary) whose log
// key is key. The encoding names the op's device and author by a number
// of this file's own, so it is read through the store that wrote it.
func (tx *Tx) DecodeOpBinary(key, b []byte) (Op, error) { return decodeOp(key, b, tx.s.actors) }

// LogKey is the log key of an op: its dossier's id and its own, 16 bytes
// each.
func LogKey(op *Op) ([]byte, error) {
	k, err := idKey(op.ID)
	if err != nil {
		return nil, err
	}
	dk, err := idKey(op.Dossier)
	if err != nil {
		return nil, err
	}
	return logKey(dk, k), nil
}

// sealOp encodes op (log key lkey) for the log and seals it for its
// dossier.
func (s *Store) sealOp(lkey []byte, op *Op) ([]byte, error) {
	return s.sealFor(lkey[:16], encodeOp(lkey, op, s.actors))
}

// openOp opens and decodes a log value (bbolt memory or not) of log key
// lkey.
func (s *Store) openOp(lkey, raw []byte) (Op, error) {
	plain, err := s.openFor(lkey[:16], raw)
	if err != nil {
		return Op{}, fmt.Errorf("read op: %w", err)
	}
	return decodeOp(lkey, plain, s.actors)
}
