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

// zstdPage appends page compressed to dst: as one zstd frame, or, when
// the method file's JSON (n bytes, at at) is in it, as three: the page
// before it, the file's frame made once (methodWire.frame), the page
// after it. Zstandard data is one or more frames, decoded one after the
// other into one output (RFC 8878, section 3.1); any zstd decoder reads
// it as the page.
func (w *methodWire) zstdPage(dst, page []byte, at, n int) []byte {
	if at < 0 {
		return zstdFor(len(page)).EncodeAll(page, dst)
	}
	head, tail := page[:at], page[at+n:]
	dst = zstdFor(len(head)).EncodeAll(head, dst)
	dst = append(dst, w.frame()...)
	return zstdFor(len(tail)).EncodeAll(tail, dst)
}
