package client

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// fakeServer is a small in-memory /v1 server that pins the client's side
// of the protocol: it needs a bearer token, a gzipped body, numbers
// accepted ops once each, pages pulls, and can refuse ops, drop or erase
// dossiers and cut a connection mid-answer.
type fakeServer struct {
	t     *testing.T
	mu    sync.Mutex
	token string
	log   []store.Op     // accepted ops; seq = index+1
	known map[string]int // op id -> times pushed
	// forbidden dossiers: pushes for them are refused.
	forbidden map[string]bool
	// drop and erase are sent once, to the next sync.
	drop, erase []string
	// cutAfter > 0 cuts the connection of the cutAfter-th sync request
	// after the request was fully handled (the ops stored).
	cutAfter int
	requests int
	// authCode is the protocol.Error code of a refused token ("" for
	// "unauthorized").
	authCode string
	pushes   []int // ops per push
	limits   []int // the page size each sync asked for
	gzipIn   bool  // every sync body was gzipped
	gzipOut  int   // answers sent gzipped
	pageSize int   // ops per pull page unless the client asks fewer
	// accepts holds each sync request's Accept header: the fake, like a
	// server from before compact pages, answers JSON whatever it says.
	accepts []string
	// compact makes the fake answer compact pages to a client that asks
	// for them; the ops of the badOps-th sync request's answer are then
	// sent damaged (its fields whole).
	compact bool
	badOps  int
	// onRequest, when set, runs as the nth sync request is handled,
	// before its answer is made (under mu).
	onRequest func(n int, req protocol.SyncRequest)
}

func newFake(t *testing.T) (*fakeServer, *httptest.Server) {
	t.Helper()
	f := &fakeServer{t: t, token: "tok-1", known: map[string]int{}, forbidden: map[string]bool{}, gzipIn: true, pageSize: protocol.DefaultPullOps}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+protocol.PathSync, f.sync)
	mux.HandleFunc("POST "+protocol.PathEnroll, f.enroll)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeServer) body(w http.ResponseWriter, r *http.Request, v any) bool {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, "bad gzip", http.StatusBadRequest)
			return false
		}
		rd = zr
	} else {
		f.gzipIn = false
	}
	if err := json.NewDecoder(rd).Decode(v); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return false
	}
	return true
}

func (f *fakeServer) enroll(w http.ResponseWriter, r *http.Request) {
	var req protocol.EnrollRequest
	if !f.body(w, r, &req) {
		return
	}
	if req.Code != "CODE-1" {
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(protocol.Error{Code: "code", Message: "the code is unknown, used or expired"})
		return
	}
	json.NewEncoder(w).Encode(protocol.EnrollResponse{Token: f.token, DeviceID: "dev-" + req.DeviceName, User: "tester", Role: protocol.RoleCoach, Teams: []string{"Noord"}})
}

func (f *fakeServer) sync(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		code := f.authCode
		if code == "" {
			code = protocol.ErrorUnauthorized
		}
		json.NewEncoder(w).Encode(protocol.Error{Code: code, Message: "refused device"})
		return
	}
	f.requests++
	f.accepts = append(f.accepts, r.Header.Get("Accept"))
	var req protocol.SyncRequest
	if !f.body(w, r, &req) {
		return
	}
	f.pushes = append(f.pushes, len(req.Push))
	f.limits = append(f.limits, req.Limit)
	if f.onRequest != nil {
		f.onRequest(f.requests, req)
	}
	var resp protocol.SyncResponse
	for _, op := range req.Push {
		if f.forbidden[op.Dossier] {
			resp.Refused = append(resp.Refused, protocol.Refusal{ID: op.ID, Code: protocol.RefuseForbidden, Reason: "not your team"})
			continue
		}
		if f.known[op.ID] == 0 {
			f.log = append(f.log, op)
		}
		f.known[op.ID]++
		resp.Accepted = append(resp.Accepted, op.ID)
	}
	resp.Drop, resp.Erased = f.drop, f.erase
	f.drop, f.erase = nil, nil
	limit := f.pageSize
	if req.Limit > 0 && req.Limit < limit {
		limit = req.Limit
	}
	from := int(req.Cursor)
	to := min(len(f.log), from+limit)
	if from < to {
		resp.Ops = f.log[from:to]
	}
	resp.Cursor = uint64(max(from, to))
	resp.More = to < len(f.log)

	b, _ := json.Marshal(resp)
	if f.cutAfter > 0 && f.requests == f.cutAfter {
		// Send headers and half the body, then break the connection.
		hj, ok := w.(http.Hijacker)
		if !ok {
			f.t.Fatal("no hijacker")
		}
		conn, buf, _ := hj.Hijack()
		writeHalf(buf, b)
		conn.Close()
		return
	}
	if f.compact && strings.HasPrefix(r.Header.Get("Accept"), protocol.MediaTypeOps) {
		ops := resp.Ops
		resp.Ops = nil
		cb, err := protocol.AppendPage(nil, &resp, ops)
		if err != nil {
			f.t.Error(err)
		}
		if f.requests == f.badOps { // the answer's fields whole, its ops cut short
			cb = cb[:len(cb)-len(protocol.AppendOps(nil, ops))+5]
		}
		w.Header().Set("Content-Type", protocol.MediaTypeOps)
		w.Write(cb)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		f.gzipOut++
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(b)
		zw.Close()
		return
	}
	w.Write(b)
}

func writeHalf(buf *bufio.ReadWriter, b []byte) {
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
	buf.WriteString("Content-Length: " + itoa(len(b)) + "\r\n\r\n")
	buf.Write(b[:len(b)/2])
	buf.Flush()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// times reports how often the server stored each op (must be 1).
func (f *fakeServer) stored() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, op := range f.log {
		out[op.ID]++
	}
	return out
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// openStore opens a replica on a fresh file and checks it on cleanup.
func openStore(t *testing.T, author string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{Author: author, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("kept state differs from rebuilt state: %v", err)
		}
		st.Close()
	})
	return st
}

// syncerFor returns a syncer of st on the server at url with token tok.
func syncerFor(st Store, url, tok string) *Syncer {
	toks := &MemoryStore{}
	toks.Set(url, tok)
	clock := t0
	return &Syncer{Store: st, URL: url, Tokens: toks, Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
}

func mkClient(t *testing.T, st *store.Store, name string) string {
	t.Helper()
	id, err := st.CreateClient(store.NewClient{Name: name, Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func outbox(t *testing.T, st *store.Store) int {
	t.Helper()
	s, err := st.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return s.Outbox
}

// sameOps fails unless a and b hold the same set of ops.
func sameOps(t *testing.T, a, b *store.Store) {
	t.Helper()
	sa, _ := a.Summaries()
	sb, _ := b.Summaries()
	if len(sa) != len(sb) {
		t.Fatalf("replicas differ: %d and %d dossiers", len(sa), len(sb))
	}
	for _, s := range sa {
		oa, err := a.Ops(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		ob, err := b.Ops(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(oa) != len(ob) {
			t.Fatalf("dossier %s: %d and %d ops", s.ID, len(oa), len(ob))
		}
		for i := range oa {
			if oa[i].ID != ob[i].ID {
				t.Fatalf("dossier %s: op %d differs", s.ID, i)
			}
		}
	}
}
