package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
)

// TestServeKeepsFolderMode: serve makes its SSH host key without changing
// the mode of the database's folder (wish's key generator chmodded it to
// 0700, locking out the group the operator gave it), and writes the key
// files with mode 0600.
func TestServeKeepsFolderMode(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	db := filepath.Join(dir, "region.db")
	s := startServe(t, h, db)
	key := db + ".ssh_host_ed25519"
	eventually(t, "host key "+key, func() bool { _, err := os.Stat(key); return err == nil })
	s.stop()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("the folder's mode is %o after serve, want 755", fi.Mode().Perm())
	}
	for _, p := range []string{key, key + ".pub"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, fi.Mode().Perm())
		}
	}
}

// getStatus GETs url (on 127.0.0.1) with an optional bearer token and
// returns status and body.
func getStatus(t *testing.T, url, token string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var metricsRE = regexp.MustCompile(`event=metrics_listening url=(http://\S+)`)

// TestServeLogFormatAndLevel: --log-format json makes every line of
// standard error a JSON record, start-up lines included; --log-level
// warn drops the info records; wrong values are usage errors.
func TestServeLogFormatAndLevel(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	s := startServe(t, h, db, "--log-format", "json")
	eventually(t, "ssh start-up record", func() bool { return strings.Contains(s.stderr.String(), `"event":"ssh_listening"`) })
	// A token a client sends is never logged.
	if code, _ := getStatus(t, s.url+"/v1/sync", "tok-DO-NOT-LOG-1234"); code == http.StatusOK {
		t.Errorf("sync with a made-up token: %d", code)
	}
	getStatus(t, s.url+"/healthz", "")
	s.stop()
	events := map[string]bool{}
	requests := 0
	out := s.stderr.String()
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q (%v)", line, err)
		}
		if ev, ok := rec["event"].(string); ok {
			events[ev] = true
		}
		if rec["msg"] == "request" {
			requests++
		}
	}
	for _, ev := range []string{"listening", "metrics_listening", "ssh_listening", "stopping", "stopped"} {
		if !events[ev] {
			t.Errorf("no %q record:\n%s", ev, out)
		}
	}
	if requests != 2 {
		t.Errorf("%d request records, want 2:\n%s", requests, out)
	}
	if !strings.Contains(out, `"fingerprint":"SHA256:`) {
		t.Errorf("the host key's fingerprint is not a field:\n%s", out)
	}
	if strings.Contains(out, "DO-NOT-LOG") {
		t.Errorf("a token is in the log:\n%s", out)
	}

	// At warn, only the plain-HTTP warning (served on all addresses) is
	// left; it names the address, so the test can reach the server.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errb := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"--db", db, "serve", "--addr", "0.0.0.0:0", "--ssh-addr", "", "--metrics-addr", "off", "--log-level", "warn"}, h.netEnv(io.Discard, errb, nil))
	}()
	m := waitOutput(t, errb, regexp.MustCompile(`level=WARN .*event=plain_http addr=\S+:(\d+)`), done)
	if code, _ := getStatus(t, "http://127.0.0.1:"+m[1]+"/healthz", ""); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errb)
	}
	if out := errb.String(); strings.Contains(out, "level=INFO") || strings.Contains(out, "luistert op") {
		t.Errorf("info records at --log-level warn:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, `--log-format is text of json, niet "xml"`},
		{[]string{"--log-level", "loud"}, `--log-level is debug, info, warn of error, niet "loud"`},
		{[]string{"--trusted-proxy", "10.0.0.0/33"}, `--trusted-proxy "10.0.0.0/33" is geen CIDR-bereik`},
		{[]string{"--public-url", "brug.example.nl"}, `--public-url "brug.example.nl" is geen adres`},
	} {
		r := h.runTok(nil, append([]string{"--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "", "--metrics-addr", "off"}, tc.args...)...)
		expect(t, strings.Join(tc.args, " "), r, exitUsage, tc.want)
	}
}

// TestServeTrustedProxy: the request log takes the client from
// X-Forwarded-For only when the peer is a --trusted-proxy.
func TestServeTrustedProxy(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		// Attack: a client writes the header itself to hide behind
		// another address; without trusted proxies it is ignored.
		{nil, "remote=127.0.0.1"},
		{[]string{"--trusted-proxy", "10.0.0.0/8"}, "remote=127.0.0.1"},
		// The proxy on 127.0.0.1 is trusted: the right-most hop it did
		// not add itself is the client, not what the client wrote.
		{[]string{"--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "10.0.0.0/8"}, "remote=203.0.113.7"},
	} {
		db := filepath.Join(t.TempDir(), "region.db")
		s := startServe(t, h, db, tc.extra...)
		if code, _ := getStatus(t, s.url+"/healthz", "", "X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.5"); code != 200 {
			t.Fatalf("healthz: %d", code)
		}
		s.stop()
		out := s.stderr.String()
		if !strings.Contains(out, "path=/healthz") || !strings.Contains(out, tc.want) || strings.Contains(out, "6.6.6.6") {
			t.Errorf("%v: want %s in the request log:\n%s", tc.extra, tc.want, out)
		}
	}
}

// TestServeMetricsListener: /metrics is on --metrics-addr, not on the
// API's address unless --metrics-token is given, and then only to its
// bearer.
func TestServeMetricsListener(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	s := startServe(t, h, db)
	m := waitOutput(t, s.stderr, metricsRE, s.done)
	if code, body := getStatus(t, m[1], ""); code != 200 || !strings.Contains(body, "brug_syncs_total") {
		t.Fatalf("metrics listener: %d %.200q", code, body)
	}
	if code, body := getStatus(t, strings.TrimSuffix(m[1], "/metrics")+"/healthz", ""); code != 200 || body != "ok\n" {
		t.Errorf("healthz on the metrics listener: %d %q", code, body)
	}
	if code, _ := getStatus(t, s.url+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("/metrics on the API listener: %d, want 404", code)
	}
	s.stop()

	s = startServe(t, h, db, "--metrics-token", "m-token-42", "--metrics-addr", "off")
	for tok, want := range map[string]int{"": 401, "m-token-4": 401, "m-token-42": 200} {
		if code, _ := getStatus(t, s.url+"/metrics", tok); code != want {
			t.Errorf("/metrics on the API with token %q: %d, want %d", tok, code, want)
		}
	}
	s.stop()
	if out := s.stderr.String(); metricsRE.MatchString(out) || strings.Contains(out, "m-token-42") {
		t.Errorf("metrics listener despite off, or the token logged:\n%s", out)
	}

	// An address given on purpose that is taken is an error.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	r := h.runTok(nil, "--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "", "--metrics-addr", busy.Addr().String())
	expect(t, "busy metrics address", r, exitError, "Kies een ander adres met --metrics-addr")
}

// TestServePublicURLInvite: with --public-url, brug admin invite prints
// the whole login command, through the admin socket, on the file after
// the server stopped, and over SSH; the printed line works as written.
func TestServePublicURLInvite(t *testing.T) {
	h := newHarness(t)
	region := filepath.Join(t.TempDir(), "region.db")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	// Without a public URL: today's text, with URL as a placeholder.
	expect(t, "invite", a("invite", "anna"), exitOK, "Aanmelden met: brug login URL ")

	// Learn a free address, then serve on it with that public URL.
	s := startServe(t, h, region)
	url := s.url
	s.stop()
	s = startServe(t, h, region, "--addr", strings.TrimPrefix(url, "http://"), "--public-url", url+"/")
	if s.url != url {
		t.Fatalf("serve moved from %s to %s", url, s.url)
	}
	loginRE := regexp.MustCompile(`(?m)^brug login (\S+) (\S+)$`)
	r := a("invite", "anna")
	lm := loginRE.FindStringSubmatch(r.stdout)
	if r.code != exitOK || lm == nil || lm[1] != url || !strings.HasPrefix(r.stdout, lm[2]+"\n") {
		t.Fatalf("invite through the socket lacks `brug login %s CODE`:\n%v", url, r)
	}
	expect(t, "invite text", r, exitOK, "(voor anna; werkt één keer, tot ", "Aanmelden met:")

	// The printed command, as written, enrols a laptop; neither the code
	// nor the token reaches the server's log.
	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	args := append([]string{"--db", laptop}, strings.Fields(lm[0])[1:]...)
	expect(t, "login as printed", h.runTok(tokens, append(args, "--adopt")...), exitOK, "Aangemeld bij "+url)
	expect(t, "sync", h.runTok(tokens, "--db", laptop, "sync"), exitOK)
	token, err := tokens.Get(url)
	if err != nil || token == "" {
		t.Fatalf("no token: %v", err)
	}
	s.stop()
	if out := s.stderr.String(); strings.Contains(out, token) || strings.Contains(out, lm[2]) {
		t.Errorf("a token or code is in the server's log:\n%s", out)
	}

	// On the file itself, after the server stopped, in English.
	r = h.runTok(nil, "--lang", "en", "--db", region, "admin", "invite", "anna")
	if m := loginRE.FindStringSubmatch(r.stdout); r.code != exitOK || m == nil || m[1] != url {
		t.Fatalf("invite on the file lacks the public URL:\n%v", r)
	}
	expect(t, "invite in English", r, exitOK, "(for anna; works once, until ")

	// Over SSH: the same admin command tree on the running server's Admin.
	srv, err := server.Open(region, server.Options{Now: func() time.Time { return cliNow }, Encryption: serverEncryption(region, os.Getenv)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var out, errb bytes.Buffer
	code, _ := sshAdmin(context.Background(), srv.Admin("root", server.ChannelSSH), []string{"invite", "anna"}, "nl", nil, &out, &errb)
	if m := loginRE.FindStringSubmatch(out.String()); code != exitOK || m == nil || m[1] != url {
		t.Fatalf("invite over SSH: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
