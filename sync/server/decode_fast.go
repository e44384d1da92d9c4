package server

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// The fast path of decodeSyncRequest. A sync request is read whole (the
// body reader already stops at protocol.MaxRequestBytes) and scanned once
// by fastSyncRequest, which accepts only the plain shape a device sends:
// the protocol's exact field names, each at most once, numbers as plain
// digits, no nulls but push's, no erased map. Anything else, and anything
// the detailed decoder (readSyncRequest) would refuse, makes it give up,
// and the detailed decoder reads the same bytes and says what is wrong in
// the same words as before. What the fast path accepts, the detailed one
// decodes to the same request (FuzzDecodeSyncRequest holds both to that).
// It exists for the CPU of a burst: encoding/json's Token and reflection
// per op cost ~14 ms of a 200-device burst (docs/benchmarks.md).

// bodyBufs pools the buffers request bodies are read into; buffers grown
// past maxPooledBody by a large push are left to the collector.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

const maxPooledBody = 256 << 10

// readBody reads r to its end into buf. It returns what it read and the
// reader's error (nil at the end of the body).
func readBody(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// errAfter is a reader that fails with err: after the bytes read before
// a body reader's error, the detailed decoder meets that error where it
// would have met it reading the body itself.
type errAfter struct{ err error }

func (e errAfter) Read([]byte) (int, error) { return 0, e.err }

// fastDec scans one request body.
type fastDec struct {
	b    []byte
	i    int
	prev []fastStr // scratch for an op's prev
	ops  []store.Op
}

// fastStr is a JSON string: raw, the bytes between its quotes, when they
// need no unescaping (most strings); s when they did.
type fastStr struct {
	raw   []byte
	s     string
	plain bool
}

func (f fastStr) len() int {
	if f.plain {
		return len(f.raw)
	}
	return 0
}

func (d *fastDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (d *fastDec) next(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string. A string with escapes is unquoted by encoding/json
// itself; one with bytes that are not UTF-8 (which encoding/json would
// replace) or control characters (a syntax error) makes the scan give up.
func (d *fastDec) str() (fastStr, bool) {
	if !d.next('"') {
		return fastStr{}, false
	}
	start := d.i
	esc, ascii := false, true
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			raw := d.b[start:j]
			if esc {
				var s string
				if json.Unmarshal(d.b[start-1:j+1], &s) != nil {
					return fastStr{}, false
				}
				return fastStr{s: s}, true
			}
			if !ascii && !utf8.Valid(raw) {
				return fastStr{}, false
			}
			return fastStr{raw: raw, plain: true}, true
		case c == '\\':
			esc = true
			j++
		case c < 0x20:
			return fastStr{}, false
		case c >= 0x80:
			ascii = false
		}
	}
	return fastStr{}, false
}

// key reads an object key and its colon; keys with escapes give up.
func (d *fastDec) key() ([]byte, bool) {
	k, ok := d.str()
	if !ok || !k.plain || !d.next(':') {
		return nil, false
	}
	return k.raw, true
}

// digits reads a number written as plain digits, as encoding/json reads
// it into an unsigned integer; a sign, fraction, exponent or overflow
// gives up.
func (d *fastDec) digits() (uint64, bool) {
	d.ws()
	start := d.i
	var n uint64
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		c := uint64(d.b[d.i] - '0')
		if n > (1<<64-1-c)/10 {
			return 0, false
		}
		n = n*10 + c
		d.i++
	}
	if d.i == start || (d.i-start > 1 && d.b[start] == '0') {
		return 0, false
	}
	return n, true
}

// more reads the comma or the closing delimiter after a member or an
// element: more reports whether another follows, ok whether the JSON is
// as the fast path wants it.
func (d *fastDec) more(end byte) (more, ok bool) {
	d.ws()
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case ',':
			d.i++
			return true, true
		case end:
			d.i++
			return false, true
		}
	}
	return false, false
}

// strings reads an array of strings; null elements give up (encoding/json
// would leave them "").
func (d *fastDec) strings(dst []fastStr) ([]fastStr, bool) {
	if !d.next('[') {
		return nil, false
	}
	if d.next(']') {
		return dst, true
	}
	for {
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		dst = append(dst, s)
		more, ok := d.more(']')
		if !ok {
			return nil, false
		}
		if !more {
			return dst, true
		}
	}
}

// null consumes a null if one comes next.
func (d *fastDec) null() bool {
	d.ws()
	if bytes.HasPrefix(d.b[d.i:], []byte("null")) {
		d.i += 4
		return true
	}
	return false
}

// The fields of an op, as bits of what an op has shown.
const (
	opID = 1 << iota
	opDossier
	opField
	opValue
	opHLC
	opDevice
	opAuthor
	opPrev
)

// op reads one pushed op. Its strings share one allocation, and its
// device, author and dossier are the previous op's strings when they are
// the same, as in a device's push they mostly are.
func (d *fastDec) op(last *store.Op) (store.Op, bool) {
	var op store.Op
	if !d.next('{') {
		return op, false
	}
	var f [6]fastStr // id, dossier, field, value, device, author
	seen := 0
	d.prev = d.prev[:0]
	prevNull := false
	if !d.next('}') {
		for {
			k, ok := d.key()
			if !ok {
				return op, false
			}
			bit, slot := 0, -1
			switch string(k) {
			case "id":
				bit, slot = opID, 0
			case "dossier":
				bit, slot = opDossier, 1
			case "field":
				bit, slot = opField, 2
			case "value":
				bit, slot = opValue, 3
			case "device":
				bit, slot = opDevice, 4
			case "author":
				bit, slot = opAuthor, 5
			case "hlc":
				bit = opHLC
			case "prev":
				bit = opPrev
			default:
				return op, false
			}
			if seen&bit != 0 {
				return op, false
			}
			seen |= bit
			switch {
			case slot >= 0:
				if f[slot], ok = d.str(); !ok {
					return op, false
				}
			case bit == opHLC:
				h, ok := d.digits()
				if !ok {
					return op, false
				}
				op.HLC = store.HLC(h)
			default: // prev
				if d.null() {
					prevNull = true
				} else if d.prev, ok = d.strings(d.prev); !ok {
					return op, false
				}
			}
			more, ok := d.more('}')
			if !ok {
				return op, false
			}
			if !more {
				break
			}
		}
	}
	if seen&opValue == 0 {
		return op, false // the detailed decoder says it is required
	}
	// Strings equal to the last op's are shared, not copied again.
	if last != nil {
		if f[1].plain && string(f[1].raw) == last.Dossier {
			f[1] = fastStr{s: last.Dossier}
		}
		if f[4].plain && string(f[4].raw) == last.Device {
			f[4] = fastStr{s: last.Device}
		}
		if f[5].plain && string(f[5].raw) == last.Author {
			f[5] = fastStr{s: last.Author}
		}
	}
	n := 0
	for _, s := range f {
		n += s.len()
	}
	for _, s := range d.prev {
		n += s.len()
	}
	var all string
	if n > 0 {
		var sb strings.Builder
		sb.Grow(n)
		for _, s := range f {
			if s.plain {
				sb.Write(s.raw)
			}
		}
		for _, s := range d.prev {
			if s.plain {
				sb.Write(s.raw)
			}
		}
		all = sb.String()
	}
	take := func(s fastStr) string {
		if !s.plain {
			return s.s
		}
		v := all[:len(s.raw)]
		all = all[len(s.raw):]
		return v
	}
	op.ID = take(f[0])
	op.Dossier = take(f[1])
	op.Field = take(f[2])
	op.Value = take(f[3])
	op.Device = take(f[4])
	op.Author = take(f[5])
	if seen&opPrev != 0 && !prevNull {
		op.Prev = make([]string, len(d.prev))
		for i, s := range d.prev {
			op.Prev[i] = take(s)
		}
	}
	return op, true
}

// push reads the push array (or null) into d.ops.
func (d *fastDec) push() ([]store.Op, bool) {
	if d.null() {
		return nil, true
	}
	if !d.next('[') {
		return nil, false
	}
	if d.next(']') {
		return nil, true
	}
	d.ops = d.ops[:0]
	for {
		if len(d.ops) == protocol.MaxPushOps {
			return nil, false
		}
		var last *store.Op
		if len(d.ops) > 0 {
			last = &d.ops[len(d.ops)-1]
		}
		op, ok := d.op(last)
		if !ok {
			return nil, false
		}
		d.ops = append(d.ops, op)
		more, ok := d.more(']')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	return append([]store.Op(nil), d.ops...), true
}

// The top-level fields, as bits.
const (
	reqPush = 1 << iota
	reqCursor
	reqLimit
	reqEpoch
	reqMethodHash
	reqConfirmErased
	reqConfirmDropped
)

// fastDecs pools the scanners' scratch slices.
var fastDecs = sync.Pool{New: func() any { return new(fastDec) }}

// fastSyncRequest decodes b if it has the plain shape and is a request
// the detailed decoder accepts; ok is false otherwise.
func fastSyncRequest(b []byte) (req protocol.SyncRequest, ok bool) {
	d := fastDecs.Get().(*fastDec)
	d.b, d.i = b, 0
	req, ok = d.request()
	clear(d.ops) // no strings of this request stay reachable from the pool
	d.b, d.ops = nil, d.ops[:0]
	fastDecs.Put(d)
	if !ok {
		return protocol.SyncRequest{}, false
	}
	return req, true
}

func (d *fastDec) request() (req protocol.SyncRequest, ok bool) {
	if !d.next('{') {
		return req, false
	}
	seen := 0
	if !d.next('}') {
		for {
			k, ok := d.key()
			if !ok {
				return req, false
			}
			bit := 0
			switch string(k) {
			case "push":
				bit = reqPush
				req.Push, ok = d.push()
			case "cursor":
				bit = reqCursor
				req.Cursor, ok = d.digits()
			case "limit":
				bit = reqLimit
				var n uint64
				n, ok = d.digits()
				ok = ok && n <= protocol.MaxPullOps
				req.Limit = int(n)
			case "epoch":
				bit = reqEpoch
				req.Epoch, ok = d.plainString(64)
			case "method_hash":
				bit = reqMethodHash
				req.MethodHash, ok = d.plainString(64)
			case "confirm_erased":
				bit = reqConfirmErased
				req.ConfirmErased, ok = d.stringSlice()
			case "confirm_dropped":
				bit = reqConfirmDropped
				req.ConfirmDropped, ok = d.stringSlice()
			}
			if bit == 0 || !ok || seen&bit != 0 {
				return req, false
			}
			seen |= bit
			more, ok := d.more('}')
			if !ok {
				return req, false
			}
			if !more {
				break
			}
		}
	}
	d.ws()
	if d.i != len(d.b) {
		return req, false
	}
	if len(req.ConfirmErased)+len(req.ConfirmDropped) > protocol.MaxConfirmations {
		return req, false
	}
	return req, true
}

// plainString reads a string of at most max bytes.
func (d *fastDec) plainString(max int) (string, bool) {
	s, ok := d.str()
	if !ok {
		return "", false
	}
	v := s.s
	if s.plain {
		v = string(s.raw)
	}
	return v, len(v) <= max
}

// stringSlice reads an array of strings or null.
func (d *fastDec) stringSlice() ([]string, bool) {
	if d.null() {
		return nil, true
	}
	ss, ok := d.strings(nil)
	if !ok {
		return nil, false
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.s
		if s.plain {
			out[i] = string(s.raw)
		}
	}
	return out, true
}
