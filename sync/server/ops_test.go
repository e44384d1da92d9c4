package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/brug-nl/brug/sync/protocol"
)

// TestHealthzFailsWhenStoreCannotWrite: /healthz writes to the file (at
// most once per healthEvery) and answers 503 when that fails, where a
// read alone still answered.
func TestHealthzFailsWhenStoreCannotWrite(t *testing.T) {
	clock := &fakeClock{t: t0}
	path := filepath.Join(t.TempDir(), "server.db")
	srv, err := Open(path, Options{Now: clock.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", protocol.PathHealth, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get(); code != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if v, err := srv.PublicURL(); err != nil || v != "" {
		t.Fatalf("public url of a new file: %q %v", v, err)
	}
	var at string
	_ = srv.db.View(func(tx Tx) error { at = string(rawBucket(t, tx, bServer).Get([]byte(kHealth))); return nil })
	if at == "" {
		t.Fatal("the health check wrote nothing")
	}
	// The store stops taking writes (as with a full disk: here closed).
	if err := srv.st.Close(); err != nil {
		t.Fatal(err)
	}
	// Within healthEvery the cached answer stands: no write per probe.
	clock.Add(healthEvery / 2)
	if code, _ := get(); code != 200 {
		t.Fatalf("healthz within %v of the last check: %d, want the cached 200", healthEvery, code)
	}
	clock.Add(healthEvery)
	code, body := get()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store cannot write") {
		t.Fatalf("healthz of a store that cannot write: %d %q", code, body)
	}
}

// TestMetricsOffTheAPI: /metrics is not on the public API unless a
// metrics token is set, and then only for its bearer.
func TestMetricsOffTheAPI(t *testing.T) {
	e := newEnv(t)
	if a := e.raw("GET", protocol.PathMetrics, nil, nil); a.status != http.StatusNotFound {
		t.Fatalf("/metrics on the API without a token: %d", a.status)
	}
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", protocol.PathMetrics, nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "brug_syncs_total") {
		t.Fatalf("metrics handler: %d %.200q", rec.Code, rec.Body.String())
	}

	path := filepath.Join(t.TempDir(), "token.db")
	srv, err := Open(path, Options{NoSync: true, MetricsToken: "s3cret-metrics"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"Bearer s3cret-metric", 401}, {"Bearer s3cret-metricsX", 401}, {"Bearer s3cret-metrics", 200}} {
		req := httptest.NewRequest("GET", protocol.PathMetrics, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("/metrics with %q: %d, want %d", c.auth, rec.Code, c.want)
		}
	}
}

// TestClientAddrTrustedProxies: X-Forwarded-For counts only from a
// trusted proxy, and then the right-most hop that is not a trusted proxy
// is the client.
func TestClientAddrTrustedProxies(t *testing.T) {
	var prefixes []netip.Prefix
	for _, v := range []string{"127.0.0.1", "10.0.0.0/8"} {
		p, err := ParseTrustedProxy(v)
		if err != nil {
			t.Fatal(err)
		}
		prefixes = append(prefixes, p)
	}
	if _, err := ParseTrustedProxy("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix was taken")
	}
	logs := &lockedBuffer{}
	path := filepath.Join(t.TempDir(), "server.db")
	srv, err := Open(path, Options{NoSync: true, TrustedProxies: prefixes, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	plain, err := Open(filepath.Join(t.TempDir(), "plain.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()

	for _, c := range []struct {
		srv    *Server
		remote string
		xff    []string
		want   string
	}{
		// No trusted proxies: the header is ignored, from anywhere.
		{plain, "127.0.0.1:4000", []string{"203.0.113.7"}, "127.0.0.1"},
		// An untrusted client forging the header is logged as itself.
		{srv, "198.51.100.9:4000", []string{"10.0.0.1"}, "198.51.100.9"},
		// A trusted proxy: the right-most untrusted hop, whatever the
		// client wrote to the left of it.
		{srv, "127.0.0.1:4000", []string{"6.6.6.6, 203.0.113.7, 10.0.0.5"}, "203.0.113.7"},
		{srv, "127.0.0.1:4000", []string{"6.6.6.6", "203.0.113.7"}, "203.0.113.7"},
		{srv, "127.0.0.1:4000", []string{"[::1]", "203.0.113.7, 10.1.1.1"}, "203.0.113.7"},
		// Only trusted hops: the left-most of them.
		{srv, "127.0.0.1:4000", []string{"10.0.0.9, 10.0.0.5"}, "10.0.0.9"},
		// A broken hop ends the walk at the last good one.
		{srv, "127.0.0.1:4000", []string{"203.0.113.7, garbage, 10.0.0.5"}, "10.0.0.5"},
		// A trusted proxy that sent no header.
		{srv, "127.0.0.1:4000", nil, "127.0.0.1"},
	} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = c.remote
		for _, v := range c.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := c.srv.clientAddr(req); got != c.want {
			t.Errorf("from %s with %q: client %q, want %q", c.remote, c.xff, got, c.want)
		}
	}

	// Over a real connection to 127.0.0.1, the request log has it.
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	req, _ := http.NewRequest("GET", hs.URL+protocol.PathHealth, nil)
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
	res, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	hs.Close() // the log line is written before the answer ends; Close waits for the handler
	if out := logs.String(); !strings.Contains(out, "remote=203.0.113.7") {
		t.Errorf("request log lacks the forwarded client:\n%s", out)
	}
}

// TestInvitePublicURL: the public URL kept in the file comes with every
// invite, also after the file is opened again (brug admin in its own
// process).
func TestInvitePublicURL(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	e.user("anna", protocol.RoleCoach, "Noord")
	if resp := e.admin.Do(AdminRequest{Cmd: CmdInvite, User: "anna"}); resp.Error != "" || resp.URL != "" || resp.Code == "" {
		t.Fatalf("invite without a public URL: %+v", resp)
	}
	for _, bad := range []string{"", "brug.example.nl", "ftp://x", "https://", "https://x/?a=b", "https://u:p@x"} {
		if err := e.srv.SetPublicURL(bad); err == nil {
			t.Errorf("public URL %q taken", bad)
		}
	}
	e.must(e.srv.SetPublicURL("https://brug.example.nl/"))
	e.restart()
	resp := e.admin.Do(AdminRequest{Cmd: CmdInvite, User: "anna"})
	if resp.Error != "" || resp.URL != "https://brug.example.nl" {
		t.Fatalf("invite after SetPublicURL and a restart: %+v", resp)
	}
}

// lockedBuffer is a bytes.Buffer for a logger in handler goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
