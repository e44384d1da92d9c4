package server

import (
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Compact pages (docs/sync.md, "Compact pages"): a client that sends
// Accept: application/vnd.brug.ops+binary gets its sync answer in the
// columnar form of protocol.AppendPage, compressed with zstd when it
// accepts zstd (else gzip), when the answer holds at least compactMinOps
// ops. Every other client and answer gets the JSON it always got. The
// histories of dossiers that come into view (most of an initial pull) are
// read from the log as ops (storage.OpsReader, answer.hist) when the
// backend can; other ops are read back from their JSON (store.Tx.OpJSON).

// compactMinOps is the fewest ops an answer holds for the server to send
// it as a compact page: a smaller answer (a push's, a settled device's
// catch-up) is a few hundred bytes either way, and its JSON with shorter
// headers is smaller still. The client takes either.
const compactMinOps = 64

// zstdEncoder compresses compact answers. EncodeAll may be called by
// many syncs at once; it keeps at most two compressors' state, each with
// a 1 MiB window (a page of 5,000 ops is some 350 KB; a larger window
// made no page smaller on the 10,000-client region, but kept 16 MiB of
// history per compressor).
var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(2),
		zstd.WithWindowSize(1<<20), zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err) // only for bad options
	}
	return enc
})

// zstdSmallPage is the largest page, in bytes before compression, that
// is compressed with zstdFastEncoder: a settled device's answer in a burst
// (some 200 ops, about 20 KB), where zstd's default level cost the server
// a fifth of a burst's CPU. The pages of an initial pull (up to 10,000
// ops, several hundred KB) keep the default level, which makes the pull
// smaller on the wire.
const zstdSmallPage = 64 << 10

// zstdFastEncoder compresses pages of up to zstdSmallPage bytes, at
// zstd's fastest level (a window of 64 KiB holds the whole page).
var zstdFastEncoder = sync.OnceValue(func() *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2),
		zstd.WithWindowSize(zstdSmallPage), zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err) // only for bad options
	}
	return enc
})

// zstdFor is the encoder for a page of n bytes.
func zstdFor(n int) *zstd.Encoder {
	if n <= zstdSmallPage {
		return zstdFastEncoder()
	}
	return zstdEncoder()
}

// pageBufs pools the buffers compact answers are built in; putBuf keeps
// none over 8 MiB (a page of long texts), so the pool holds little.
var pageBufs = sync.Pool{New: func() any { return new([]byte) }}

func putBuf(b *[]byte) {
	if cap(*b) <= 8<<20 {
		pageBufs.Put(b)
	}
}

// acceptsOps reports whether the request's Accept header names the
// compact page's media type (with a q other than 0).
func acceptsOps(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == protocol.MediaTypeOps && !qZero(params["q"]) {
				return true
			}
		}
	}
	return false
}

// qZero reports whether a q parameter says "not acceptable".
func qZero(q string) bool {
	if q == "" {
		return false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
	return err == nil && f == 0
}

// acceptsEncoding reports whether Accept-Encoding names enc with a q
// other than 0.
func acceptsEncoding(r *http.Request, enc string) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, param, _ := strings.Cut(strings.TrimSpace(part), ";")
			k, q, _ := strings.Cut(strings.ReplaceAll(param, " ", ""), "=")
			if strings.EqualFold(strings.TrimSpace(name), enc) && (k != "q" || !qZero(q)) {
				return true
			}
		}
	}
	return false
}

// decodeAnswerOps appends to dst the answer's ops, read back from their
// JSON or taken as the index of recent ops holds them decoded (a.dec),
// and then those it holds decoded (a.hist).
func decodeAnswerOps(a *answer, dst []store.Op) ([]store.Op, error) {
	if len(a.ops) == 0 {
		return a.hist, nil // the page does not change them
	}
	dst = slices.Grow(dst[:0], a.count())
	for i, raw := range a.ops {
		if i < len(a.dec) && a.dec[i] != nil {
			dst = append(dst, *a.dec[i])
			continue
		}
		op, err := decodeOpJSON(raw)
		if err != nil {
			return nil, err
		}
		dst = append(dst, op)
	}
	return append(dst, a.hist...), nil
}

// decodeOpJSON reads an op back from its JSON (store.Tx.OpJSON, or
// json.Marshal of a pushed op). The op's strings share raw: its owner (an
// answer, the index of recent ops) never changes it.
func decodeOpJSON(raw []byte) (store.Op, error) {
	var op store.Op
	if len(raw) == 0 {
		return op, nil
	}
	if op, n, ok := store.ScanOpJSON(unsafe.String(&raw[0], len(raw))); ok && n == len(raw) {
		return op, nil
	}
	err := json.Unmarshal(raw, &op)
	return op, err
}

// opSlices pools the ops of the compact pages being written: a settled
// device's catch-up of some 200 ops is 25 KB of structs, made for every
// answer of a burst. putOps keeps none of over 16,384 ops (a page of long
// catch-ups), and clears what it keeps, so that the pool holds no
// answer's strings.
var opSlices = sync.Pool{New: func() any { return new([]store.Op) }}

func putOps(p *[]store.Op) {
	if cap(*p) > 16384 {
		return
	}
	clear((*p)[:cap(*p)])
	*p = (*p)[:0]
	opSlices.Put(p)
}

// writeCompact answers 200 with a's compact page; ok is false, with
// nothing written, when the ops could not be read (the caller answers
// with JSON then).
func (s *Server) writeCompact(w http.ResponseWriter, r *http.Request, a *answer) bool {
	ops := a.hist
	var err error
	if len(a.ops) > 0 {
		p := opSlices.Get().(*[]store.Op)
		defer putOps(p)
		ops, err = decodeAnswerOps(a, *p)
		*p = ops
	}
	if err != nil {
		s.log.Error("compact page: an op of the log does not decode; answering with JSON", "err", err)
		return false
	}
	bp := pageBufs.Get().(*[]byte)
	defer putBuf(bp)
	page, at, mj := []byte(nil), -1, s.methodWire.jsonOf(&a.SyncResponse)
	if mj != nil {
		page, at, err = pageWithMethod((*bp)[:0], &a.SyncResponse, mj, ops)
	} else {
		page, err = protocol.AppendPage((*bp)[:0], &a.SyncResponse, ops)
	}
	if err != nil {
		s.log.Error("compact page", "err", err)
		return false
	}
	*bp = page
	h := w.Header()
	h.Set("Content-Type", protocol.MediaTypeOps)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept, Accept-Encoding")
	switch {
	case acceptsEncoding(r, "zstd"):
		zp := pageBufs.Get().(*[]byte)
		defer putBuf(zp)
		*zp = s.methodWire.zstdPage((*zp)[:0], page, at, len(mj))
		h.Set("Content-Encoding", "zstd")
		h.Set("Content-Length", strconv.Itoa(len(*zp)))
		_, _ = w.Write(*zp)
	case acceptsEncoding(r, "gzip"):
		h.Set("Content-Encoding", "gzip")
		aw := s.writers.get(w, true)
		defer s.writers.put(aw)
		if _, err := aw.bw.Write(page); err != nil {
			return true // the device went away; it will sync again
		}
		if aw.bw.Flush() == nil {
			_ = aw.gz.Close()
		}
	default:
		h.Set("Content-Length", strconv.Itoa(len(page)))
		_, _ = w.Write(page)
	}
	return true
}
