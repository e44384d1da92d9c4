package server

import (
	"encoding/binary"
	"encoding/json"
	"sync"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// A device that does not hold the region's method gets its file in the
// answer (SyncResponse.MethodFile, some 30 KB of YAML for the default
// method): after an admin loads a new method, every device of the region
// gets it at its next sync, and a device that sends no method_hash gets
// it every time. Encoding the file as a JSON string and compressing it
// cost the server more than the rest of such an answer: in the
// 200-device burst, where every answer carried it, a quarter of the
// burst's CPU (docs/benchmarks.md). methodWire keeps the file as answers
// carry it, worked out once: its JSON, and that JSON as a zstd frame for
// compact pages (zstdPage).
type methodWire struct {
	file string // the file, as SyncResponse.MethodFile holds it
	json []byte // json.Marshal(file)
	once sync.Once
	zstd []byte // json as one zstd frame, made at the first page that needs it
}

func newMethodWire(file string) *methodWire {
	b, err := json.Marshal(file)
	if err != nil {
		return nil // a string always encodes
	}
	return &methodWire{file: file, json: b}
}

// jsonOf returns the JSON of the method file r carries, when it is the
// one w holds, else nil.
func (w *methodWire) jsonOf(r *protocol.SyncResponse) []byte {
	if w == nil || r.MethodFile == "" || r.MethodFile != w.file {
		return nil
	}
	return w.json
}

// frame returns the method file's JSON as a zstd frame.
func (w *methodWire) frame() []byte {
	w.once.Do(func() { w.zstd = zstdEncoder().EncodeAll(w.json, nil) })
	return w.zstd
}

// pageWithMethod appends to dst the compact page of r and ops, as
// protocol.AppendPage writes it, with the method file's JSON (mj, the
// encoding of r.MethodFile) copied in instead of encoded again. It
// returns the page and where mj sits in it. SyncResponse's fields are
// encoded in their order and MethodFile is the last of them, so its
// JSON is the field before the closing brace
// (TestPageWithMethodIsAppendPage).
func pageWithMethod(dst []byte, r *protocol.SyncResponse, mj []byte, ops []store.Op) (page []byte, at int, err error) {
	head := *r
	head.Ops, head.MethodFile = nil, ""
	rest, err := json.Marshal(&head)
	if err != nil {
		return dst, 0, err
	}
	const key = `,"method_file":`
	mp := metaBufs.Get().(*[]byte)
	defer metaBufs.Put(mp)
	meta := append((*mp)[:0], rest[:len(rest)-1]...) // without its '}'
	meta = append(meta, key...)
	at = len(meta)
	meta = append(append(meta, mj...), '}')
	*mp = meta
	start := len(dst)
	page = protocol.AppendPageMeta(dst, meta, ops)
	at += start + 4 + len(binary.AppendUvarint(nil, uint64(len(meta)))) // magic, meta's length
	return page, at, nil
}

// metaBufs pools the answer fields' JSON of pages with the method file.
var metaBufs = sync.Pool{New: func() any { return new([]byte) }}

// zstdPage appends page compressed to dst, as zstd frames one after the
// other: zstd data is one or more frames, decoded one after the other
// into one output (RFC 8878, section 3.1), so any zstd decoder reads it
// as the page. Two parts of a page go as frames of their own: the
// method file's JSON (n bytes, at at; at < 0 when the page has none), as
// the frame made once (methodWire.frame), and the ids' random bits
// (protocol.PageRandomSpan), stored as they are (rawFrame): compressing
// them made them no smaller, but cost more than half of zstd's time on
// a settled device's page. The rest is compressed at the level of the
// page's size (zstdFor), the method file's JSON not counted.
func (w *methodWire) zstdPage(dst, page []byte, at, n int) []byte {
	if at < 0 {
		n = 0
	}
	enc := zstdFor(len(page) - n)
	compress := func(dst, b []byte) []byte {
		if len(b) == 0 {
			return dst
		}
		return enc.EncodeAll(b, dst)
	}
	rs, re, ok := protocol.PageRandomSpan(page)
	if !ok || re-rs < rawSpanMin || at >= 0 && at+n > rs {
		rs, re = len(page), len(page) // no span stored apart
	}
	rest := page[:rs]
	if at >= 0 {
		dst = compress(dst, page[:at])
		dst = append(dst, w.frame()...)
		rest = page[at+n : rs]
	}
	dst = compress(dst, rest)
	if rs == len(page) {
		return dst
	}
	dst = rawFrame(dst, page[rs:re])
	return compress(dst, page[re:])
}

// rawSpanMin is the least span of random bits zstdPage stores in a frame
// of its own: a frame costs some 10 bytes more on the wire and another
// call of the compressor.
const rawSpanMin = 512

// rawFrame appends b to dst as one zstd frame of raw (stored) blocks
// (RFC 8878, 3.1.1): the magic number; a frame header descriptor saying
// a single segment, a 4-byte content size, no checksum, no dictionary;
// the content size; then blocks of at most 128 KiB, each a 3-byte header
// (last block flag, type 0 raw, size) and its bytes. A single-segment
// frame's window is its content size, so every decoder that takes a
// frame of that size takes this one. b is shorter than 4 GiB (a page is
// at most a few MB).
func rawFrame(dst, b []byte) []byte {
	dst = append(dst, 0x28, 0xb5, 0x2f, 0xfd) // 0xFD2FB528, little-endian
	dst = append(dst, 2<<6|1<<5)              // FCS 4 bytes, single segment
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(b)))
	for {
		n := min(len(b), rawBlockMax)
		h := uint32(n) << 3 // block type 0: raw
		if n == len(b) {
			h |= 1 // the last block
		}
		dst = append(dst, byte(h), byte(h>>8), byte(h>>16))
		dst = append(dst, b[:n]...)
		if b = b[n:]; len(b) == 0 && h&1 != 0 {
			return dst
		}
	}
}

// rawBlockMax is zstd's largest block (Block_Maximum_Size).
const rawBlockMax = 128 << 10
