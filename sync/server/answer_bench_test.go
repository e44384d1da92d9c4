package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// discardWriter is an http.ResponseWriter that keeps the headers and counts
// the bytes.
type discardWriter struct {
	h http.Header
	n int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkSettledAnswer: writing one answer of a settled device in the
// 200-device burst (BenchmarkConcurrentDevices200/visit): 195 ops, ten
// each of 20 devices of its team, as a compact page in zstd, the way the
// app asks. json: the ops as the file's catch-up gives them, read back
// from their JSON; index: as the index of recent ops gives them, decoded
// when they were pushed. Reported: the bytes on the wire (wire-B) and
// the page before compression (page-B).
// settledAnswer is the answer of a settled device in the 200-device
// burst (BenchmarkConcurrentDevices200/visit): 195 ops, ten each of 20
// devices of its team, held decoded as the index of recent ops holds
// them (a.dec), and the ten ids of its own push accepted.
func settledAnswer() answer {
	hlc := store.MakeHLC(time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC), 0)
	a := answer{compact: true}
	for dev := range 20 {
		device, dossier, author := store.NewID(), store.NewID(), fmt.Sprintf("coach%03d", dev*5)
		for j := range 10 {
			hlc++
			op := store.Op{ID: store.NewID(), Dossier: dossier, Field: fmt.Sprintf("step/%d/note", j%6+1), Prev: []string{store.NewID()},
				Value: fmt.Sprintf("Notitie 3 van %s", author), HLC: hlc, Device: device, Author: author}
			raw, err := json.Marshal(op)
			if err != nil {
				panic(err)
			}
			dec, err := decodeOpJSON(raw)
			if err != nil {
				panic(err)
			}
			a.ops = append(a.ops, raw)
			a.dec = append(a.dec, &dec)
		}
	}
	a.ops, a.dec = a.ops[:195], a.dec[:195]
	for range 10 {
		a.Accepted = append(a.Accepted, store.NewID())
	}
	a.Cursor, a.Teams, a.ServerTime = 1<<20, []string{"Team Noord"}, time.Now().UTC()
	return a
}

func BenchmarkSettledAnswer(b *testing.B) {
	a := settledAnswer()
	req := httptest.NewRequest(http.MethodPost, protocol.PathSync, nil)
	req.Header.Set("Accept", protocol.MediaTypeOps+", application/json;q=0.5")
	req.Header.Set("Accept-Encoding", "zstd, gzip")
	s := &Server{}
	for _, c := range []struct {
		name string
		dec  []*store.Op
	}{{"json", nil}, {"index", a.dec}} {
		b.Run(c.name, func(b *testing.B) {
			a := a
			a.dec = c.dec
			w := &discardWriter{h: http.Header{}}
			for b.Loop() {
				clear(w.h)
				w.n = 0
				s.writeAnswer(w, req, &a)
			}
			ops, err := decodeAnswerOps(&a, nil)
			if err != nil {
				b.Fatal(err)
			}
			page, err := protocol.AppendPage(nil, &a.SyncResponse, ops)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(w.n), "wire-B")
			b.ReportMetric(float64(len(page)), "page-B")
		})
	}
}
