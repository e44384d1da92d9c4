package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// A pull page holds thousands of ops; an initial pull of a region hundreds
// of thousands. Encoding each op with encoding/json was most of a pull's
// time, so the store writes each op's JSON straight from its binary log
// form (store.Tx.OpJSON, byte for byte what json.Marshal makes of the op),
// the server splices those in as they are and only encodes the small rest
// of the answer. The answer is built in the write
// transaction but written to the network after the commit, so a slow
// device never holds the write lock.

// writers pools the buffered gzip writers of answers: a gzip writer
// carries about a megabyte of compressor state, which 200 devices syncing
// at once would otherwise allocate afresh each time.
type writers struct{ pool sync.Pool }

type answerWriter struct {
	gz *gzip.Writer
	bw *bufio.Writer
}

func (p *writers) get(w io.Writer, compress bool) *answerWriter {
	aw, _ := p.pool.Get().(*answerWriter)
	if aw == nil {
		gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		aw = &answerWriter{gz: gz, bw: bufio.NewWriterSize(io.Discard, 32<<10)}
	}
	if compress {
		aw.gz.Reset(w)
		aw.bw.Reset(aw.gz)
	} else {
		aw.bw.Reset(w)
	}
	return aw
}

func (p *writers) put(aw *answerWriter) {
	aw.gz.Reset(io.Discard)
	aw.bw.Reset(io.Discard)
	p.pool.Put(aw)
}

// writeAnswer answers 200 with a sync response, gzipped when the client
// accepts it. The JSON is that of protocol.SyncResponse, field for field;
// a client that asks for the compact page gets that when the answer holds
// enough ops for it to pay (compact.go).
func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, a *answer) {
	if a.count() >= compactMinOps && acceptsOps(r) && s.writeCompact(w, r, a) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept-Encoding")
	gz := acceptsGzip(r)
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
	}
	aw := s.writers.get(w, gz)
	defer s.writers.put(aw)
	if err := encodeAnswer(aw.bw, a); err != nil {
		return // the device went away; it will sync again
	}
	if err := aw.bw.Flush(); err != nil || !gz {
		return
	}
	_ = aw.gz.Close()
}

// encodeAnswer writes a as protocol.SyncResponse's JSON, with a's ops
// spliced in as they are, and a newline as json.Encoder ends a value.
func encodeAnswer(bw *bufio.Writer, a *answer) error {
	sep := byte('{')
	field := func(name string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		bw.WriteByte(sep)
		sep = ','
		bw.WriteString(`"` + name + `":`)
		_, err = bw.Write(b)
		return err
	}
	r := &a.SyncResponse
	if len(r.Accepted) > 0 {
		if err := field("accepted", r.Accepted); err != nil {
			return err
		}
	}
	if len(r.Refused) > 0 {
		if err := field("refused", r.Refused); err != nil {
			return err
		}
	}
	if a.count() > 0 {
		bw.WriteByte(sep)
		sep = ','
		bw.WriteString(`"ops":[`)
		for i, op := range a.ops {
			if i > 0 {
				bw.WriteByte(',')
			}
			if _, err := bw.Write(op); err != nil {
				return err
			}
		}
		// Decoded ops (a compact page's, answered in JSON after all):
		// json.Marshal makes the JSON the log's would have been.
		for i := range a.hist {
			if i > 0 || len(a.ops) > 0 {
				bw.WriteByte(',')
			}
			b, err := json.Marshal(&a.hist[i])
			if err != nil {
				return err
			}
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		bw.WriteByte(']')
	}
	if len(r.Drop) > 0 {
		if err := field("drop", r.Drop); err != nil {
			return err
		}
	}
	if len(r.Erased) > 0 {
		if err := field("erased", r.Erased); err != nil {
			return err
		}
	}
	bw.WriteByte(sep)
	bw.WriteString(`"cursor":`)
	bw.WriteString(strconv.FormatUint(r.Cursor, 10))
	sep = ','
	if r.More {
		bw.WriteString(`,"more":true`)
	}
	if len(r.Teams) > 0 {
		if err := field("teams", r.Teams); err != nil {
			return err
		}
	}
	if !r.ServerTime.IsZero() {
		if err := field("server_time", r.ServerTime); err != nil {
			return err
		}
	}
	if len(r.Receipts) > 0 {
		if err := field("receipts", r.Receipts); err != nil {
			return err
		}
	}
	if r.Epoch != "" {
		if err := field("epoch", r.Epoch); err != nil {
			return err
		}
	}
	if r.Resend {
		bw.WriteString(`,"resend":true`)
	}
	if r.Method != nil {
		if err := field("method", r.Method); err != nil {
			return err
		}
	}
	if r.MethodFile != "" && a.methodJSON != nil {
		bw.WriteString(`,"method_file":`) // never the first field: cursor is written
		bw.Write(a.methodJSON)
	} else if r.MethodFile != "" {
		if err := field("method_file", r.MethodFile); err != nil {
			return err
		}
	}
	_, err := bw.WriteString("}\n")
	return err
}

// earlyMaxOps is the most ops an answer prepared early in a group
// (preparedAnswer) holds: a settled device's catch-up of a burst is some
// 200. A larger answer (a page of an initial pull) in a group is written
// by its request as before, so that a preparer, which serves a whole
// group, never holds one for long nor keeps a large page in memory until
// the commit. A sync alone in its transaction (an initial pull's pages)
// has its answer prepared whatever its size, in a goroutine of its own,
// while its transaction commits (groupCommitter.solo).
const earlyMaxOps = 1000

// preparedAnswer is an answer written ahead into memory (headers and
// body, exactly as writeAnswer writes them), while the group commit that
// must precede it runs (group.go, groupCall.prep); its request sends it
// once the transaction committed.
type preparedAnswer struct {
	header http.Header
	body   *bytes.Buffer
	pool   *sync.Pool // where body goes back once sent
}

// preparedBodies pools the bodies of answers prepared early: a burst's
// answers are some 5 KB each, freed as soon as sent. largeBodies pools
// those of a sync alone in its transaction, a page of an initial pull
// (some 400 KB compressed), apart, so that a burst's answers do not hold
// them.
var (
	preparedBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	largeBodies    = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

func (p *preparedAnswer) Header() http.Header         { return p.header }
func (p *preparedAnswer) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *preparedAnswer) WriteHeader(int)             {} // writeAnswer answers 200 only

// prepareAnswer writes a as writeAnswer would to w for r, into memory; it
// returns nil for an answer too large to hold in a group (earlyMaxOps;
// solo says the sync had its transaction alone).
func (s *Server) prepareAnswer(r *http.Request, a *answer, solo bool) *preparedAnswer {
	pool := &preparedBodies
	if a.count() > earlyMaxOps {
		if !solo {
			return nil
		}
		pool = &largeBodies
	}
	p := &preparedAnswer{header: http.Header{}, body: pool.Get().(*bytes.Buffer), pool: pool}
	p.body.Reset()
	s.writeAnswer(p, r, a)
	return p
}

// send writes the prepared answer to w, whose header the handler has not
// touched (handleSync sets none before its answer).
func (p *preparedAnswer) send(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	_, _ = w.Write(p.body.Bytes()) // the device went away: it will sync again
	if p.body.Cap() <= 64<<10 || p.pool == &largeBodies && p.body.Cap() <= 8<<20 {
		p.pool.Put(p.body)
	}
	p.body = nil
}
