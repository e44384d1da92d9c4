package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// fakeClock is a settable clock, so expiry is tested without sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// env is a server on a temp file behind a real HTTP server on 127.0.0.1.
type env struct {
	t     testing.TB
	srv   *Server
	http  *httptest.Server
	clock *fakeClock
	admin *Admin
	path  string
}

func newEnv(t *testing.T) *env { return newEnvTB(t) }

func newEnvTB(t testing.TB) *env {
	t.Helper()
	clock := &fakeClock{t: t0}
	path := filepath.Join(t.TempDir(), "server.db")
	srv, err := Open(path, Options{Now: clock.Now, NoSync: true})
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &env{t: t, srv: srv, http: hs, clock: clock, admin: srv.Admin("tester", ChannelCLI), path: path}
	t.Cleanup(func() {
		e.http.Close()
		if st := e.srv.Store(); st != nil {
			if err := st.Check(); err != nil {
				t.Errorf("server store inconsistent: %v", err)
			}
		}
		e.srv.Close()
	})
	return e
}

// restart closes the server and opens its file again, as a restarted
// `brug serve` would: what it kept in memory is gone.
func (e *env) restart() {
	e.t.Helper()
	e.http.Close()
	e.must(e.srv.Close())
	srv, err := Open(e.path, Options{Now: e.clock.Now, NoSync: true})
	e.must(err)
	e.srv, e.http, e.admin = srv, httptest.NewServer(srv.Handler()), srv.Admin("tester", ChannelCLI)
}

func (e *env) must(err error) {
	e.t.Helper()
	if errors.Is(err, ErrNoOpStore) {
		e.t.Skipf("needs the op-log store, which the %s backend has not yet: %v", testBackend, err)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// team adds teams.
func (e *env) teams(names ...string) {
	e.t.Helper()
	for _, n := range names {
		_, err := e.admin.AddTeam(n)
		e.must(err)
	}
}

// device is a test replica: an enrolled token, its received ops and its
// cursor.
type device struct {
	e      *env
	user   string
	token  string
	id     string
	name   string // the op Device field
	cursor uint64
	hlc    store.HLC
	have   map[string]map[string]store.Op // dossier -> op id -> op
	erased map[string]bool
}

// user adds a user and enrols one device for them.
func (e *env) user(name, role string, teams ...string) *device {
	e.t.Helper()
	_, err := e.admin.AddUser(name, role, teams)
	e.must(err)
	return e.enrol(name)
}

// enrol enrols another device of an existing user.
func (e *env) enrol(name string) *device {
	e.t.Helper()
	code, _, err := e.admin.Invite(name)
	e.must(err)
	var resp protocol.EnrollResponse
	status, _ := e.post(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: name + "-laptop"}, &resp)
	if status != 200 {
		e.t.Fatalf("enrol %s: status %d", name, status)
	}
	return &device{e: e, user: name, token: resp.Token, id: resp.DeviceID, name: "dev-" + name, hlc: store.MakeHLC(t0, 0), have: map[string]map[string]store.Op{}, erased: map[string]bool{}}
}

// post sends v as JSON and decodes a 200 answer into out; it returns the
// status and, for errors, the decoded protocol.Error.
func (e *env) post(path, token string, v any, out any) (int, protocol.Error) {
	e.t.Helper()
	b, err := json.Marshal(v)
	e.must(err)
	return e.postRaw(path, token, b, "", out)
}

func (e *env) postRaw(path, token string, body []byte, encoding string, out any) (int, protocol.Error) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.http.URL+path, bytes.NewReader(body))
	e.must(err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := e.http.Client().Do(req)
	e.must(err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	e.must(err)
	var perr protocol.Error
	if res.StatusCode != 200 {
		if err := json.Unmarshal(raw, &perr); err != nil {
			e.t.Fatalf("%s: status %d with a body that is not a protocol.Error: %q", path, res.StatusCode, raw)
		}
		if perr.Message == "" {
			e.t.Fatalf("%s: status %d without a message", path, res.StatusCode)
		}
		return res.StatusCode, perr
	}
	if out != nil {
		e.must(json.Unmarshal(raw, out))
	}
	return res.StatusCode, perr
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

// op makes an op as this device would.
func (d *device) op(dossier, field, value string, prev ...string) store.Op {
	d.hlc++
	return store.Op{ID: store.NewID(), Dossier: dossier, Field: field, Value: value, HLC: d.hlc, Device: d.name, Author: d.user, Prev: prev}
}

// create makes the ops of a new dossier in team.
func (d *device) create(team, name string) (string, []store.Op) {
	id := store.NewID()
	return id, []store.Op{d.op(id, "exists", "1"), d.op(id, "name", name), d.op(id, "team", team)}
}

// sync does one round trip and applies the answer like a client; it fails
// the test on a non-200 status.
func (d *device) sync(push ...store.Op) protocol.SyncResponse {
	d.e.t.Helper()
	resp, status, perr := d.try(0, push...)
	if status != 200 {
		d.e.t.Fatalf("sync of %s: status %d: %s", d.user, status, perr.Message)
	}
	return resp
}

// try does one round trip with a pull limit and applies a 200 answer.
func (d *device) try(limit int, push ...store.Op) (protocol.SyncResponse, int, protocol.Error) {
	d.e.t.Helper()
	var resp protocol.SyncResponse
	status, perr := d.e.post(protocol.PathSync, d.token, protocol.SyncRequest{Push: push, Cursor: d.cursor, Limit: limit}, &resp)
	if status == 200 {
		d.apply(resp)
	}
	return resp, status, perr
}

func (d *device) apply(resp protocol.SyncResponse) {
	for _, id := range resp.Drop {
		delete(d.have, id)
	}
	for _, id := range resp.Erased {
		delete(d.have, id)
		d.erased[id] = true
	}
	for _, op := range resp.Ops {
		if d.have[op.Dossier] == nil {
			d.have[op.Dossier] = map[string]store.Op{}
		}
		d.have[op.Dossier][op.ID] = op
	}
	d.cursor = resp.Cursor
}

// syncAll syncs until no page is left.
func (d *device) syncAll(push ...store.Op) {
	d.e.t.Helper()
	resp := d.sync(push...)
	for i := 0; resp.More; i++ {
		if i > 10000 {
			d.e.t.Fatal("paging does not end")
		}
		resp = d.sync()
	}
}

func (e *env) stats() store.Stats {
	e.t.Helper()
	if c, ok := e.srv.db.(counter); ok && e.srv.Store() == nil {
		ops, dossiers, err := c.Counts()
		e.must(err)
		return store.Stats{Ops: ops, Clients: dossiers}
	}
	st, err := e.srv.Store().Stats()
	e.must(err)
	return st
}

func (e *env) auditAll() []AuditEntry {
	e.t.Helper()
	out, err := e.admin.Audit(AuditFilter{})
	e.must(err)
	return out
}

// get sends a GET without a body and decodes a 200 answer into out; it
// returns the status and, for errors, the decoded protocol.Error.
func (e *env) get(path, token string, out any) (int, protocol.Error) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.http.URL+path, nil)
	e.must(err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.http.Client().Do(req)
	e.must(err)
	defer res.Body.Close()
	var perr protocol.Error
	if res.StatusCode != 200 {
		e.must(json.NewDecoder(res.Body).Decode(&perr))
		return res.StatusCode, perr
	}
	if out != nil {
		e.must(json.NewDecoder(res.Body).Decode(out))
	}
	return res.StatusCode, perr
}

// opStoreOf is the server's op-log store; a test that needs it skips on a
// backend that has none (PostgreSQL, for now).
func opStoreOf(t testing.TB, srv *Server) *store.Store {
	t.Helper()
	st := srv.Store()
	if st == nil {
		t.Skipf("needs the op-log store, which the %s backend has not yet", testBackend)
	}
	return st
}

// checkStore checks the op-log store's consistency, where there is one.
func checkStore(srv *Server) error {
	if st := srv.Store(); st != nil {
		return st.Check()
	}
	return nil
}

// heads reads a field's heads through the storage.
func (e *env) heads(dossier, field string) (hs []store.Head, err error) {
	e.t.Helper()
	err = e.srv.db.View(func(tx Tx) error {
		hs, err = tx.Heads(dossier, field)
		return err
	})
	return hs, err
}

// erased reports through the storage whether a dossier was erased.
func (e *env) erased(dossier string) bool { return erasedIn(e.t, e.srv, dossier) }

func erasedIn(t testing.TB, srv *Server, dossier string) bool {
	t.Helper()
	var gone bool
	if err := srv.db.View(func(tx Tx) error { gone = tx.Erased(dossier); return nil }); err != nil {
		t.Fatal(err)
	}
	return gone
}

// counter is a backend that counts its ops and dossiers itself
// (pgstore.Storage.Counts).
type counter interface {
	Counts() (ops, dossiers int, err error)
}

// onlyBolt skips a test of what only the bbolt file has (its bytes, its
// lock, copies of it) on other backends.
func onlyBolt(t testing.TB, what string) {
	t.Helper()
	if testBackend != "bolt" {
		t.Skipf("%s; the backend is %s", what, testBackend)
	}
}
