package protocol

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/brug-nl/brug/store"
)

// The compact page (docs/sync.md, "Compact pages"). An initial pull is
// hundreds of thousands of ops, and JSON repeats in every op what its
// neighbours hold too: the dossier's id, the field's name, the device and
// author, the key names, and UUIDs as 36 characters of text. A client that
// asks for it (Accept: MediaTypeOps) gets its answer in this form instead:
// the SyncResponse's other fields as JSON, then its ops column by column,
// each column in one run of bytes so that the compressor sees like next to
// like. JSON stays the default and the documented form for other programs.

// MediaTypeOps is the media type of a compact sync answer.
const MediaTypeOps = "application/vnd.brug.ops+binary"

// pageMagic starts every compact answer: "brug ops, version 1".
var pageMagic = [4]byte{'B', 'O', 'P', 1}

// dictMax is the longest string a page's dictionaries keep: a longer one
// (a note, an answer text) seldom repeats, and would only cost memory.
const dictMax = 64

// Column indexes, in the order the columns follow each other.
const (
	colDossier = iota // runs: count, then the dossier's id
	colID             // per op: the id's tag (and its time against the HLC)
	colIDBits         // the 74 random bits of UUIDv7s, packed
	colIDBytes        // UUIDs that are no v7, ids that are no UUID
	colHLC            // per op: milliseconds against the op before, counter
	colField          // dictionary references to the field with its UUIDs cut out
	colFieldText
	colFieldIDs // the UUIDs cut out of fields
	colDevice
	colDeviceText
	colAuthor
	colAuthorText
	colValue
	colValueText
	colPrev // per op: count, then per prev a back reference or an id
	numCols
)

// AppendPage appends the compact form of a sync answer to dst: r's fields
// but Ops as JSON, then ops (r.Ops is not read).
func AppendPage(dst []byte, r *SyncResponse, ops []store.Op) ([]byte, error) {
	head := *r
	head.Ops = nil
	meta, err := json.Marshal(&head)
	if err != nil {
		return dst, err
	}
	return AppendPageMeta(dst, meta, ops), nil
}

// AppendPageMeta is AppendPage given the answer's fields but Ops already
// as their JSON (meta, what json.Marshal makes of the SyncResponse
// without ops): a server that sends the same large field in many answers
// (the region's method file) encodes it once.
func AppendPageMeta(dst, meta []byte, ops []store.Op) []byte {
	dst = append(dst, pageMagic[:]...)
	dst = binary.AppendUvarint(dst, uint64(len(meta)))
	dst = append(dst, meta...)
	return AppendOps(dst, ops)
}

// PageRandomSpan returns where, in a compact page made by AppendPage,
// the columns of ids' random bits and of other ids' bytes lie (from the
// first one's length to the second one's last byte): the 74 random bits
// of every UUIDv7 and the bytes of other UUIDs, which no compressor makes
// smaller. A server may send that span stored rather than compressed
// (about 40% of a settled device's page; docs/sync.md, "Compact pages").
// ok is false for bytes that are no such page.
func PageRandomSpan(page []byte) (start, end int, ok bool) {
	if len(page) < len(pageMagic) || [4]byte(page[:4]) != pageMagic {
		return 0, 0, false
	}
	i := len(pageMagic)
	skip := func() bool { // a length and that many bytes
		n, k := binary.Uvarint(page[i:])
		if k <= 0 || n > uint64(len(page)-i-k) {
			return false
		}
		i += k + int(n)
		return true
	}
	if !skip() { // the answer's fields
		return 0, 0, false
	}
	_, k := binary.Uvarint(page[i:]) // the number of ops
	if k <= 0 {
		return 0, 0, false
	}
	i += k
	for c := range colIDBytes + 1 {
		if c == colIDBits {
			start = i
		}
		if !skip() {
			return 0, 0, false
		}
	}
	return start, i, true
}

// DecodePage decodes a compact sync answer made by AppendPage.
func DecodePage(b []byte) (SyncResponse, error) {
	r, ops, err := DecodePageHead(b)
	if err != nil {
		return r, err
	}
	return r, DecodePageOps(&r, ops)
}

// DecodePageHead decodes the fields of a compact sync answer but its ops
// (its cursor, more, drops...), which come first, and returns the rest of
// b, the ops, for DecodePageOps: a client that pulls pages ahead asks for
// the next page before it decodes the ops of this one.
func DecodePageHead(b []byte) (SyncResponse, []byte, error) {
	var r SyncResponse
	if len(b) < len(pageMagic) || [4]byte(b[:4]) != pageMagic {
		return r, nil, errors.New("compact page: not a brug ops page (bad magic)")
	}
	b = b[4:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return r, nil, errors.New("compact page: bad length of the answer's fields")
	}
	meta := b[k : k+int(n)]
	if err := json.Unmarshal(meta, &r); err != nil {
		return r, nil, fmt.Errorf("compact page: the answer's fields: %w", err)
	}
	if r.Ops != nil {
		return r, nil, errors.New("compact page: ops among the answer's fields")
	}
	return r, b[k+int(n):], nil
}

// DecodePageOps decodes the ops DecodePageHead left (ops) into r.
func DecodePageOps(r *SyncResponse, ops []byte) error {
	_, err := DecodePageOpsKeyed(r, ops, false)
	return err
}

// DecodePageOpsKeyed is DecodePageOps; with keys it returns, per op of
// r.Ops, the ids it read as bytes (store.IDKeys, for Import.AddKeyed):
// Canonical for an op whose id, dossier and prevs all came as UUIDs,
// whose text it wrote from those bytes. An id sent as text gives its op
// no keys: the import parses and checks it as it would any op.
func DecodePageOpsKeyed(r *SyncResponse, ops []byte, keys bool) ([]store.IDKeys, error) {
	decoded, ks, err := decodeOps(ops, keys)
	if err != nil {
		return nil, err
	}
	if len(decoded) > 0 {
		r.Ops = decoded // none reads as JSON reads an answer without "ops"
	}
	return ks, nil
}

// AppendOps appends the columnar encoding of ops to dst: the number of
// ops, then each column as its length and its bytes (all integers are
// unsigned varints, signed ones zigzagged). DecodeOps gives back exactly
// ops (a Prev of length 0 comes back nil).
func AppendOps(dst []byte, ops []store.Op) []byte {
	e := encoders.Get().(*encoder)
	defer e.release()
	index := e.index
	var lastMs, lastCtr uint64
	run := 0
	for i := range ops {
		op := &ops[i]
		if i == 0 || op.Dossier != ops[i-1].Dossier {
			if i > 0 {
				e.uv(colDossier, uint64(run))
				e.dossier(ops[i-1].Dossier)
			}
			run = 0
		}
		run++
		ms := uint64(op.HLC >> 16)
		e.id(colID, op.ID, ms)
		// The counter is written only when it is not the one expected:
		// the one after the op before's in the same millisecond, else 0.
		ctr := uint64(op.HLC & 0xffff)
		v := zigzag(int64(ms-lastMs)) << 1
		if ctr != expectedCtr(ms, lastMs, lastCtr) {
			v |= 1
		}
		e.uv(colHLC, v)
		if v&1 != 0 {
			e.uv(colHLC, ctr)
		}
		lastMs, lastCtr = ms, ctr
		// The op's index, before the field, which may name the op itself;
		// an id seen before keeps its first op's (firstOf), a page's ids
		// are all but never repeated: one write to the map, not a read
		// and a write.
		seen := len(index)
		index[op.ID] = i
		if len(index) == seen {
			index[op.ID] = firstOf(ops[:i], op.ID)
		}
		e.field(op.Field, i, ms, index)
		e.str(&e.device, colDevice, op.Device)
		e.str(&e.author, colAuthor, op.Author)
		e.str(&e.value, colValue, op.Value)
		e.uv(colPrev, uint64(len(op.Prev)))
		for _, p := range op.Prev {
			if j, ok := index[p]; ok && j < i {
				e.uv(colPrev, uint64(i-j))
				continue
			}
			e.uv(colPrev, 0)
			e.id(colPrev, p, ms)
		}
	}
	if e.nacc > 0 {
		e.cols[colIDBits] = append(e.cols[colIDBits], byte(e.acc))
	}
	if run > 0 {
		e.uv(colDossier, uint64(run))
		e.dossier(ops[len(ops)-1].Dossier)
	}
	dst = binary.AppendUvarint(dst, uint64(len(ops)))
	for c := range e.cols {
		dst = binary.AppendUvarint(dst, uint64(len(e.cols[c])))
		dst = append(dst, e.cols[c]...)
	}
	return dst
}

// firstOf is the index of the first op of ops whose id is id (one is).
func firstOf(ops []store.Op, id string) int {
	for j := range ops {
		if ops[j].ID == id {
			return j
		}
	}
	return len(ops)
}

type encoder struct {
	cols                             [numCols][]byte
	fieldDict, device, author, value dict
	index                            map[string]int // op id -> its first op's index
	acc                              uint64         // bits not yet in colIDBits
	nacc                             uint
	lastFieldID                      string // the UUID last cut out of a field
	tmpl                             []byte // the field template being written
	ids                              []string
}

// encoders pools AppendOps's encoders: a server writes a page for every
// device that syncs (200 at once in a burst), and each page's columns
// and five maps were allocated afresh, then grown op by op.
var encoders = sync.Pool{New: func() any {
	e := &encoder{index: map[string]int{}}
	e.fieldDict.init()
	e.device.init()
	e.author.init()
	e.value.init()
	return e
}}

// release empties e, keeping its memory, and returns it to the pool;
// an encoder that grew past a large page's size is left to the collector.
// Nothing of a page stays in it: the maps are cleared (their keys are the
// page's strings) and the columns' bytes are overwritten by the next page.
func (e *encoder) release() {
	size := 0
	for c := range e.cols {
		size += cap(e.cols[c])
		e.cols[c] = e.cols[c][:0]
	}
	if size > 4<<20 || len(e.index) > 1<<14 {
		return
	}
	clear(e.index)
	clear(e.fieldDict.ids)
	clear(e.device.ids)
	clear(e.author.ids)
	clear(e.value.ids)
	for _, d := range []*dict{&e.fieldDict, &e.device, &e.author, &e.value} {
		d.last, d.hasLast = "", false
	}
	clear(e.ids[:cap(e.ids)])
	e.acc, e.nacc, e.lastFieldID, e.tmpl, e.ids = 0, 0, "", e.tmpl[:0], e.ids[:0]
	encoders.Put(e)
}

// bits appends the n low bits of v to colIDBits (n <= 56). The whole
// bytes of the accumulator (at most 7: fewer than 8 bits wait in it, so
// it holds at most 63) go at once: its 8 bytes are appended and the
// column cut back to the whole ones; the bytes past its end are written
// again by the next append.
func (e *encoder) bits(v uint64, n uint) {
	e.acc |= v << e.nacc
	e.nacc += n
	if k := e.nacc / 8; k > 0 {
		col := e.cols[colIDBits]
		e.cols[colIDBits] = binary.LittleEndian.AppendUint64(col, e.acc)[:len(col)+int(k)]
		e.acc >>= 8 * k
		e.nacc -= 8 * k
	}
}

// fieldUUID writes a UUID cut out of a field of op i: 0 for the UUID cut
// out last, 2+k for the id of op i-k, else 1 and the id.
func (e *encoder) fieldUUID(s string, i int, ms uint64, index map[string]int) {
	switch j, ok := index[s]; {
	case s == e.lastFieldID:
		e.uv(colFieldIDs, 0)
	case ok:
		e.uv(colFieldIDs, uint64(2+i-j))
	default:
		e.uv(colFieldIDs, 1)
		e.id(colFieldIDs, s, ms)
	}
	e.lastFieldID = s
}

// field writes op i's field: a reference to its template (the field with
// each path segment that is a UUID replaced by a 0 byte) and the UUIDs.
func (e *encoder) field(f string, i int, ms uint64, index map[string]int) {
	var tb []byte
	tb, e.ids = template(f, e.tmpl[:0], e.ids[:0])
	e.tmpl = tb
	flag := uint64(0)
	n, ok := e.fieldDict.ids[f]
	if e.ids != nil {
		flag = 1
		n, ok = e.fieldDict.ids[string(tb)] // no copy for a lookup
	}
	if ok {
		e.uv(colField, n<<1|flag)
	} else {
		tmpl := f
		if e.ids != nil {
			tmpl = string(tb)
		}
		e.uv(colField, uint64(len(e.fieldDict.ids))<<1|flag)
		e.uv(colField, uint64(len(tmpl)))
		e.cols[colFieldText] = append(e.cols[colFieldText], tmpl...)
		if len(tmpl) <= dictMax {
			e.fieldDict.ids[tmpl] = uint64(len(e.fieldDict.ids))
		}
	}
	for _, u := range e.ids {
		e.fieldUUID(u, i, ms, index)
	}
}

// template cuts the UUIDs (in canonical form) out of a field's path
// segments, leaving a 0 byte for each; it appends the template to b and
// the UUIDs to ids, and returns ids nil when there are none, or when the
// field holds a 0 byte itself (then the field is its own template).
func template(f string, b []byte, ids []string) ([]byte, []string) {
	if len(f) < 36 || strings.IndexByte(f, 0) >= 0 {
		return b, nil
	}
	last := 0 // f[last:] is not in b yet
	for start := 0; start <= len(f); {
		end := strings.IndexByte(f[start:], '/')
		if end < 0 {
			end = len(f)
		} else {
			end += start
		}
		if _, ok := parseUUID(f[start:end]); ok {
			b = append(b, f[last:start]...)
			b = append(b, 0)
			ids = append(ids, f[start:end])
			last = end
		}
		start = end + 1
	}
	if len(ids) == 0 {
		return b, nil
	}
	return append(b, f[last:]...), ids
}

// dict is a page's dictionary of one column's strings: a reference is
// the string's number; the next free number says a literal follows.
type dict struct {
	ids map[string]uint64
	// last is the string str wrote last when the dictionary holds it,
	// and its number: a page's ops come in runs of one device, author,
	// often one value, and comparing with the last is cheaper than
	// hashing into the map.
	last    string
	lastN   uint64
	hasLast bool
}

func (d *dict) init() { d.ids = map[string]uint64{} }

func (e *encoder) uv(c int, v uint64) { e.cols[c] = binary.AppendUvarint(e.cols[c], v) }

// str writes s to the dictionary column c (and its text column c+1).
func (e *encoder) str(d *dict, c int, s string) {
	if d.hasLast && s == d.last {
		e.uv(c, d.lastN)
		return
	}
	if n, ok := d.ids[s]; ok {
		e.uv(c, n)
		d.last, d.lastN, d.hasLast = s, n, true
		return
	}
	n := uint64(len(d.ids))
	e.uv(c, n)
	e.uv(c, uint64(len(s)))
	e.cols[c+1] = append(e.cols[c+1], s...)
	if len(s) <= dictMax {
		d.ids[s] = n
		d.last, d.lastN, d.hasLast = s, n, true
	} else {
		d.hasLast = false // a literal again next time
	}
}

// Id tags, in the low two bits of an id's first varint.
const (
	tagV7   = 0 // a UUIDv7: its milliseconds against the op's; bytes 6-8 high, 9-15 rand
	tagUUID = 1 // another UUID in canonical form: 16 bytes rand
	tagText = 2 // any other string: its length; its bytes rand
)

// id writes an id to column c: a UUIDv7 in canonical form (lowercase,
// with hyphens) as its milliseconds against ms and its other 10 bytes.
func (e *encoder) id(c int, s string, ms uint64) {
	u, ok := parseUUID(s)
	switch {
	case ok && u[6]>>4 == 7 && u[8]>>6 == 2:
		t := uint64(u[0])<<40 | uint64(u[1])<<32 | uint64(u[2])<<24 | uint64(u[3])<<16 | uint64(u[4])<<8 | uint64(u[5])
		e.uv(c, zigzag(int64(t-ms))<<2|tagV7)
		// 74 random bits: not the version (4 bits) nor the variant (2).
		e.bits(uint64(u[6]&0x0f)|uint64(u[7])<<4|uint64(u[8]&0x3f)<<12, 18)
		e.bits(uint64(u[9])|uint64(u[10])<<8|uint64(u[11])<<16|uint64(u[12])<<24|uint64(u[13])<<32|uint64(u[14])<<40|uint64(u[15])<<48, 56)
	case ok:
		e.uv(c, tagUUID)
		e.cols[colIDBytes] = append(e.cols[colIDBytes], u[:]...)
	default:
		e.uv(c, uint64(len(s))<<2|tagText)
		e.cols[colIDBytes] = append(e.cols[colIDBytes], s...)
	}
}

// dossier writes a dossier id to the dossier column: tag 1 and 16 bytes
// for a UUID in canonical form, else tag 2 and the string.
func (e *encoder) dossier(s string) {
	if u, ok := parseUUID(s); ok {
		e.uv(colDossier, tagUUID)
		e.cols[colDossier] = append(e.cols[colDossier], u[:]...)
		return
	}
	e.uv(colDossier, uint64(len(s))<<2|tagText)
	e.cols[colDossier] = append(e.cols[colDossier], s...)
}

// parseUUID reads a UUID in the canonical form formatUUID writes, and
// only that form (upper case is kept as text), so that every id comes
// back as the same string.
func parseUUID(s string) ([16]byte, bool) { return store.CanonicalID(s) }

func formatUUID(u []byte) string {
	var b [36]byte
	return string(appendUUID(b[:0], u))
}

// appendUUID appends the canonical text of the 16 bytes u.
func appendUUID(dst, u []byte) []byte {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return append(dst, b[:]...)
}

// expectedCtr is the HLC counter an op is expected to have: the one after
// the op before's in the same millisecond, else 0.
func expectedCtr(ms, lastMs, lastCtr uint64) uint64 {
	if ms == lastMs {
		return lastCtr + 1
	}
	return 0
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

// DecodeOps decodes what AppendOps wrote, and nothing else: every count
// and length is checked against the bytes that are left, so bad input
// gives an error, never a panic, and allocates at most about 20 times its
// own size (an op's struct for its 7 bytes at least; a real page's ops
// take about 4 times; with the keys of DecodePageOpsKeyed about 30).
func DecodeOps(b []byte) ([]store.Op, error) {
	ops, _, err := decodeOps(b, false)
	return ops, err
}

// decodeOps is DecodeOps; withKeys, it returns the ops' keys too
// (DecodePageOpsKeyed).
func decodeOps(b []byte, withKeys bool) ([]store.Op, []store.IDKeys, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, nil, errors.New("compact page: bad op count")
	}
	// Every op takes at least one byte of the id column.
	if n > uint64(len(b)) {
		return nil, nil, fmt.Errorf("compact page: %d ops in %d bytes", n, len(b))
	}
	b = b[k:]
	var d decoder
	for c := range d.cols {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, nil, fmt.Errorf("compact page: bad length of column %d", c)
		}
		d.cols[c] = column{b: b[k : k+int(l)]}
		b = b[k+int(l):]
	}
	if len(b) != 0 {
		return nil, nil, errors.New("compact page: data after the last column")
	}
	if n == 0 {
		return []store.Op{}, nil, nil
	}
	// Every op takes at least a byte of each of these columns: so the ops
	// allocated here take at most 128/7 times the page's bytes.
	for _, c := range []int{colID, colHLC, colField, colDevice, colAuthor, colValue, colPrev} {
		if n > uint64(len(d.cols[c].b)) {
			return nil, nil, fmt.Errorf("compact page: %d ops, column %d holds %d bytes", n, c, len(d.cols[c].b))
		}
	}
	ops := make([]store.Op, n)
	var keys []store.IDKeys
	var idIsUUID []bool // per op: its id came as a UUID (keys[i].ID)
	if withKeys {
		keys = make([]store.IDKeys, n)
		idIsUUID = make([]bool, n)
	}
	var dkey [16]byte
	dossierIsUUID := false
	// The texts as strings once; each op's strings share them.
	texts := [numCols]string{}
	for _, c := range []int{colFieldText, colDeviceText, colAuthorText, colValueText} {
		texts[c] = string(d.cols[c].b)
	}
	var dossier string
	run := uint64(0)
	var lastMs, lastCtr uint64
	for i := range ops {
		op := &ops[i]
		if run == 0 {
			if run = d.uv(colDossier); run == 0 || run > n-uint64(i) {
				return nil, nil, fmt.Errorf("compact page: bad run of dossier at op %d", i)
			}
			dossier, dkey, dossierIsUUID = d.dossier()
		}
		run--
		op.Dossier = dossier
		// The id's time is against the HLC: read the HLC first.
		idv := d.uv(colID)
		v := d.uv(colHLC)
		ms := lastMs + uint64(unzigzag(v>>1))
		if ms > 1<<48-1 {
			return nil, nil, fmt.Errorf("compact page: bad time at op %d", i)
		}
		ctr := expectedCtr(ms, lastMs, lastCtr)
		if v&1 != 0 {
			ctr = d.uv(colHLC)
		}
		if ctr > 0xffff {
			return nil, nil, fmt.Errorf("compact page: bad counter at op %d", i)
		}
		lastMs, lastCtr = ms, ctr
		op.HLC = store.HLC(ms<<16 | ctr)
		var idKey [16]byte
		var idOK bool
		op.ID, idKey, idOK = d.idKey(idv, ms)
		op.Field = d.field(ops, i, ms, texts[colFieldText])
		op.Device = d.str(&d.device, colDevice, texts[colDeviceText])
		op.Author = d.str(&d.author, colAuthor, texts[colAuthorText])
		op.Value = d.str(&d.value, colValue, texts[colValueText])
		np := d.uv(colPrev)
		if np > uint64(len(d.cols[colPrev].b)) {
			return nil, nil, fmt.Errorf("compact page: %d prevs at op %d", np, i)
		}
		canon := idOK && dossierIsUUID
		var prevKeys [][16]byte
		if np > 0 {
			op.Prev = d.list(int(np))
			if withKeys {
				prevKeys = d.keyList(int(np))
			}
			for j := range op.Prev {
				ref := d.uv(colPrev)
				if ref == 0 {
					var pk [16]byte
					var ok bool
					op.Prev[j], pk, ok = d.idKey(d.uv(colPrev), ms)
					if withKeys {
						prevKeys[j], canon = pk, canon && ok
					}
					continue
				}
				if ref > uint64(i) {
					return nil, nil, fmt.Errorf("compact page: prev of op %d refers past the start", i)
				}
				op.Prev[j] = ops[i-int(ref)].ID
				if withKeys {
					prevKeys[j], canon = keys[i-int(ref)].ID, canon && idIsUUID[i-int(ref)]
				}
			}
		}
		if withKeys {
			keys[i] = store.IDKeys{ID: idKey, Dossier: dkey, Prev: prevKeys, Canonical: canon}
			idIsUUID[i] = idOK
		}
		if d.err != nil {
			return nil, nil, fmt.Errorf("compact page: op %d: %w", i, d.err)
		}
	}
	if run != 0 {
		return nil, nil, errors.New("compact page: a dossier's run goes past the last op")
	}
	if d.acc != 0 { // the bits that fill the last byte are 0
		return nil, nil, errors.New("compact page: stray bits after the last id")
	}
	for c := range d.cols {
		if len(d.cols[c].b) != 0 {
			return nil, nil, fmt.Errorf("compact page: %d bytes left in column %d", len(d.cols[c].b), c)
		}
	}
	return ops, keys, nil
}

type column struct{ b []byte }

// The decoded ops' ids, fields with UUIDs and prev lists are cut from
// blocks the decoder shares out (blockBytes, blockStrings), not allocated
// one by one: a page of 10,000 ops made some 30,000 small allocations.
// Nothing writes to a block's part once given out.
const (
	blockBytes   = 64 << 10
	blockStrings = 4 << 10
)

// keep copies b into the decoder's text block and returns it as a string.
func (d *decoder) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(d.text)-len(d.text) < len(b) {
		d.text = make([]byte, 0, max(blockBytes, len(b)))
	}
	start := len(d.text)
	d.text = append(d.text, b...)
	return unsafe.String(&d.text[start], len(b))
}

// uuid is the canonical text of the 16 bytes u, as formatUUID makes it.
func (d *decoder) uuid(u []byte) string {
	var b [36]byte
	return d.keep(appendUUID(b[:0], u))
}

// list returns n empty strings of the decoder's block, with capacity n.
func (d *decoder) list(n int) []string {
	if cap(d.strs)-len(d.strs) < n {
		d.strs = make([]string, 0, max(blockStrings, n))
	}
	start := len(d.strs)
	d.strs = d.strs[:start+n]
	return d.strs[start : start+n : start+n]
}

// keyList returns n zero keys of the decoder's block, with capacity n.
func (d *decoder) keyList(n int) [][16]byte {
	if cap(d.keys)-len(d.keys) < n {
		d.keys = make([][16]byte, 0, max(blockStrings, n))
	}
	start := len(d.keys)
	d.keys = d.keys[:start+n]
	return d.keys[start : start+n : start+n]
}

type decoder struct {
	cols                             [numCols]column
	fieldDict, device, author, value []string
	err                              error
	acc                              uint64 // bits read from colIDBits, not yet used
	nacc                             uint
	lastFieldID                      string
	scratch                          []byte     // a field being built
	text                             []byte     // the block keep copies into
	strs                             []string   // the block list cuts from
	keys                             [][16]byte // the block keyList cuts from
}

// bits reads n bits (n <= 56) of colIDBits.
func (d *decoder) bits(n uint) uint64 {
	for d.nacc < n {
		b := d.take(colIDBits, 1)
		if b == nil {
			return 0
		}
		d.acc |= uint64(b[0]) << d.nacc
		d.nacc += 8
	}
	v := d.acc & (1<<n - 1)
	d.acc >>= n
	d.nacc -= n
	return v
}

// field reads op i's field (encoder.field).
func (d *decoder) field(ops []store.Op, i int, ms uint64, text string) string {
	v := d.uv(colField)
	if d.err != nil {
		return ""
	}
	tmpl := d.strRef(v>>1, &d.fieldDict, colField, text)
	if v&1 == 0 || d.err != nil {
		return tmpl
	}
	b := d.scratch[:0]
	for rest := tmpl; ; {
		cut := strings.IndexByte(rest, 0)
		if cut < 0 {
			b = append(b, rest...)
			break
		}
		b = append(b, rest[:cut]...)
		rest = rest[cut+1:]
		var u string
		switch ref := d.uv(colFieldIDs); {
		case ref == 0:
			u = d.lastFieldID
			if u == "" {
				d.fail("a field names the UUID before the first")
			}
		case ref == 1:
			u = d.id(d.uv(colFieldIDs), ms)
			if _, ok := parseUUID(u); !ok && d.err == nil {
				d.fail("a field's UUID is no UUID")
			}
		case ref-2 > uint64(i):
			d.fail("a field refers past the start")
		default:
			u = ops[i-int(ref-2)].ID
			if _, ok := parseUUID(u); !ok {
				d.fail("a field refers to an id that is no UUID")
			}
		}
		if d.err != nil {
			return ""
		}
		d.lastFieldID = u
		b = append(b, u...)
	}
	d.scratch = b
	return d.keep(b)
}

func (d *decoder) fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, a...)
	}
}

func (d *decoder) uv(c int) uint64 {
	v, k := binary.Uvarint(d.cols[c].b)
	if k <= 0 {
		d.fail("column %d: bad or missing number", c)
		d.cols[c].b = nil
		return 0
	}
	d.cols[c].b = d.cols[c].b[k:]
	return v
}

// take returns the next n bytes of column c, or nil after recording an
// error when fewer are left.
func (d *decoder) take(c int, n uint64) []byte {
	if n > uint64(len(d.cols[c].b)) {
		d.fail("column %d: %d bytes wanted, %d left", c, n, len(d.cols[c].b))
		d.cols[c].b = nil
		return nil
	}
	v := d.cols[c].b[:n]
	d.cols[c].b = d.cols[c].b[n:]
	return v
}

// str reads a dictionary reference or literal from column c; the text
// column's bytes are text (as one string) from the start.
func (d *decoder) str(dict *[]string, c int, text string) string {
	return d.strRef(d.uv(c), dict, c, text)
}

// strRef is str for a reference n read already.
func (d *decoder) strRef(n uint64, dict *[]string, c int, text string) string {
	if n < uint64(len(*dict)) {
		return (*dict)[n]
	}
	if n != uint64(len(*dict)) {
		d.fail("column %d: reference %d past the dictionary's %d", c, n, len(*dict))
		return ""
	}
	l := d.uv(c)
	off := len(text) - len(d.cols[c+1].b)
	if d.take(c+1, l) == nil && l != 0 {
		return ""
	}
	s := text[off : off+int(l)]
	if len(s) <= dictMax {
		*dict = append(*dict, s)
	}
	return s
}

// id reads an id whose first varint is v, relative to the op's time ms.
func (d *decoder) id(v, ms uint64) string {
	s, _, _ := d.idKey(v, ms)
	return s
}

// idKey is id, and the id's 16 bytes when it came as a UUID (ok).
func (d *decoder) idKey(v, ms uint64) (s string, u [16]byte, ok bool) {
	switch v & 3 {
	case tagV7:
		t := ms + uint64(unzigzag(v>>2))
		if t > 1<<48-1 {
			d.fail("an id's time is out of range")
			return "", u, false
		}
		a, r := d.bits(18), d.bits(56)
		if d.err != nil {
			return "", u, false
		}
		u[0], u[1], u[2], u[3], u[4], u[5] = byte(t>>40), byte(t>>32), byte(t>>24), byte(t>>16), byte(t>>8), byte(t)
		u[6], u[7], u[8] = 0x70|byte(a&0x0f), byte(a>>4), 0x80|byte(a>>12)
		for k := range 7 {
			u[9+k] = byte(r >> (8 * k))
		}
		return d.uuid(u[:]), u, true
	case tagUUID:
		if v != tagUUID {
			d.fail("bad UUID tag")
			return "", u, false
		}
		b := d.take(colIDBytes, 16)
		if b == nil {
			return "", u, false
		}
		if b[6]>>4 == 7 && b[8]>>6 == 2 {
			d.fail("a UUIDv7 sent as another UUID")
			return "", u, false
		}
		return d.uuid(b), [16]byte(b), true
	case tagText:
		b := d.take(colIDBytes, v>>2)
		if b == nil && v>>2 != 0 {
			return "", u, false
		}
		if _, ok := parseUUID(string(b)); ok {
			d.fail("a UUID sent as text")
			return "", u, false
		}
		return string(b), u, false
	}
	d.fail("bad id tag %d", v&3)
	return "", u, false
}

// dossier reads a dossier id, and its 16 bytes when it came as a UUID (ok).
func (d *decoder) dossier() (s string, u [16]byte, ok bool) {
	v := d.uv(colDossier)
	switch {
	case v == tagUUID:
		if b := d.take(colDossier, 16); b != nil {
			return d.uuid(b), [16]byte(b), true
		}
	case v&3 == tagText:
		b := d.take(colDossier, v>>2)
		if b == nil && v>>2 != 0 {
			return "", u, false
		}
		if _, ok := parseUUID(string(b)); ok {
			d.fail("a UUID dossier sent as text")
			return "", u, false
		}
		return string(b), u, false
	default:
		d.fail("bad dossier tag %d", v&3)
	}
	return "", u, false
}
