package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// wireRequest is one request a test server saw: its path, the token it
// carried and the bytes of its body.
type wireRequest struct {
	path, token string
	body        int
}

// wipeRegion is a real server on 127.0.0.1 that records every request.
type wipeRegion struct {
	srv   *server.Server
	admin *server.Admin
	url   string
	mu    sync.Mutex
	seen  []wireRequest
	// intercept, when set, may handle a request instead of the server
	// (given its body); it reports whether it did.
	intercept func(w http.ResponseWriter, req *http.Request, body []byte, next http.Handler) bool
}

func newWipeRegion(t *testing.T) *wipeRegion {
	t.Helper()
	srv, err := server.Open(filepath.Join(t.TempDir(), "server.db"), server.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	r := &wipeRegion{srv: srv, admin: srv.Admin("beheer", server.ChannelCLI)}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// The bytes that reached the server, whether it reads them or not.
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(strings.NewReader(string(b)))
		r.mu.Lock()
		r.seen = append(r.seen, wireRequest{req.URL.Path, strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "), len(b)})
		intercept := r.intercept
		r.mu.Unlock()
		if intercept != nil && intercept(w, req, b, h) {
			return
		}
		h.ServeHTTP(w, req)
	}))
	r.url = hs.URL
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	if _, err := r.admin.AddTeam("Noord"); err != nil {
		t.Fatal(err)
	}
	return r
}

// requests returns what was seen with token since the i-th request.
func (r *wipeRegion) requests(token string, since int) []wireRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []wireRequest
	for _, q := range r.seen[since:] {
		if q.token == token {
			out = append(out, q)
		}
	}
	return out
}

func (r *wipeRegion) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// wipeLaptop is an enrolled laptop whose Wipe closes its store and
// removes its file, as brug's does.
type wipeLaptop struct {
	path   string
	st     *store.Store
	toks   *client.MemoryStore
	syncer *client.Syncer
	wipes  int
}

func (r *wipeRegion) laptop(t *testing.T, user string) *wipeLaptop {
	t.Helper()
	if _, err := r.admin.AddUser(user, protocol.RoleCoach, []string{"Noord"}); err != nil {
		t.Fatal(err)
	}
	code, _, err := r.admin.Invite(user)
	if err != nil {
		t.Fatal(err)
	}
	l := &wipeLaptop{path: filepath.Join(t.TempDir(), user+".db"), toks: &client.MemoryStore{}}
	if l.st, err = store.Open(l.path, store.Options{Author: user, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.st.Close() })
	if _, err := client.Enroll(context.Background(), nil, l.st, l.toks, r.url, code, user+"-laptop"); err != nil {
		t.Fatal(err)
	}
	l.syncer = &client.Syncer{Store: l.st, Tokens: l.toks, Wipe: func() error {
		l.wipes++
		if err := l.st.Close(); err != nil {
			return err
		}
		return os.Remove(l.path)
	}}
	return l
}

func (l *wipeLaptop) device(t *testing.T) string {
	t.Helper()
	id, err := l.st.Meta(client.MetaDevice)
	if err != nil || len(id) == 0 {
		t.Fatalf("no device id: %v", err)
	}
	return string(id)
}

func (l *wipeLaptop) token(t *testing.T) string {
	t.Helper()
	url, err := l.st.Meta(client.MetaURL)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := l.toks.Get(string(url))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestRemoteWipeSendsNothingAndDestroysTheFile: a laptop revoked with a
// wipe order learns it with its first request, which carries no body,
// wipes itself and reports it; nothing of its outbox reaches the server
// (checked on the wire and in the server's file), its file is gone, its
// token too, and the server audits the order, the telling and the wipe.
// A laptop revoked without the order is refused as before and keeps its
// file.
func TestRemoteWipeSendsNothingAndDestroysTheFile(t *testing.T) {
	r := newWipeRegion(t)
	piet, kees := r.laptop(t, "piet"), r.laptop(t, "kees")
	id, err := piet.st.CreateClient(store.NewClient{Name: "Anna de Vries", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*wipeLaptop{piet, kees} {
		if _, err := l.syncer.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Offline work the server must never see.
	secret, err := piet.st.CreateClient(store.NewClient{Name: "Geheim Dossier", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	edit, err := piet.st.Commit(id, store.Set("step/1/note", "nog niet verstuurd"))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := piet.st.OutboxLen(); n == 0 {
		t.Fatal("nothing waits in piet's outbox")
	}
	pietTok, keesTok := piet.token(t), kees.token(t)
	if err := r.admin.WipeDevice(piet.device(t)); err != nil {
		t.Fatal(err)
	}
	if err := r.admin.RevokeDevice(kees.device(t)); err != nil {
		t.Fatal(err)
	}

	from := r.count()
	_, err = piet.syncer.Sync(context.Background())
	if !errors.Is(err, client.ErrWiped) {
		t.Fatalf("sync of a laptop ordered wiped: %v, want ErrWiped", err)
	}
	got := r.requests(pietTok, from)
	want := []wireRequest{{protocol.PathDevice, pietTok, 0}, {protocol.PathWiped, pietTok, 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("the wiped laptop sent %+v, want only %+v", got, want)
	}
	if piet.wipes != 1 {
		t.Fatalf("Wipe ran %d times", piet.wipes)
	}
	if _, err := os.Stat(piet.path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the laptop's file is still there: %v", err)
	}
	if _, err := piet.toks.Get(r.url); !errors.Is(err, client.ErrNoToken) {
		t.Fatalf("the token is still kept: %v", err)
	}
	if _, err := r.srv.Store().Client(secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the server holds the dossier made offline: %v", err)
	}
	ops, err := r.srv.Store().Ops(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.ID == edit[0].ID {
			t.Fatal("the server holds the edit piet never synced")
		}
	}
	// A second Sync does nothing more.
	if _, err := piet.syncer.Sync(context.Background()); !errors.Is(err, client.ErrWiped) || len(r.requests(pietTok, from)) != 2 {
		t.Fatalf("a sync after the wipe: %v, %d requests", err, len(r.requests(pietTok, from)))
	}

	ds, err := r.admin.Devices("piet")
	if err != nil || len(ds) != 1 || ds[0].Wipe.IsZero() || ds[0].WipeTold.IsZero() || ds[0].Wiped.IsZero() || ds[0].Revoked.IsZero() {
		t.Fatalf("piet's device record: %+v, %v", ds, err)
	}
	log, err := r.admin.Audit(server.AuditFilter{User: "piet"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, a := range []string{server.ActionWipeTold, server.ActionWiped} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit of piet lacks %q: %v", a, actions)
		}
	}
	if all, _ := r.admin.Audit(server.AuditFilter{Action: server.ActionWipeOrdered}); len(all) != 1 || all[0].User != "beheer" {
		t.Errorf("the order is not audited once, as the admin's: %+v", all)
	}

	// Revoked without --wipe: refused as before, the file and its work kept.
	from = r.count()
	_, err = kees.syncer.Sync(context.Background())
	if !errors.Is(err, client.ErrRevoked) || errors.Is(err, client.ErrWipeOrdered) || errors.Is(err, client.ErrWiped) {
		t.Fatalf("sync of a revoked laptop: %v, want ErrRevoked", err)
	}
	if kees.wipes != 0 {
		t.Fatal("a laptop revoked without --wipe was wiped")
	}
	if got := r.requests(keesTok, from); len(got) != 1 || got[0].path != protocol.PathDevice {
		t.Fatalf("a revoked laptop sent %+v", got)
	}
	if _, err := kees.st.Client(id); err != nil {
		t.Fatalf("kees's work is gone: %v", err)
	}
}

// TestWipeOrderWithoutAHookSendsNothing: a Syncer that cannot wipe stops
// at the order with ErrWipeOrdered, sends nothing and keeps its file.
func TestWipeOrderWithoutAHookSendsNothing(t *testing.T) {
	r := newWipeRegion(t)
	piet := r.laptop(t, "piet")
	piet.syncer.Wipe = nil
	if _, err := piet.st.CreateClient(store.NewClient{Name: "Anna", Team: "Noord"}); err != nil {
		t.Fatal(err)
	}
	tok := piet.token(t)
	if err := r.admin.WipeDevice(piet.device(t)); err != nil {
		t.Fatal(err)
	}
	from := r.count()
	if _, err := piet.syncer.Sync(context.Background()); !errors.Is(err, client.ErrWipeOrdered) {
		t.Fatalf("sync: %v, want ErrWipeOrdered", err)
	}
	if got := r.requests(tok, from); len(got) != 1 || got[0].path != protocol.PathDevice {
		t.Fatalf("sent %+v", got)
	}
	if n, _ := piet.st.OutboxLen(); n == 0 {
		t.Fatal("the outbox was emptied")
	}
}
