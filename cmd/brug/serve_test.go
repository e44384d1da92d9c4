package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
)

// syncBuffer is a bytes.Buffer safe for a command writing in one
// goroutine while the test reads in another.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// netEnv is the harness's fake environment with device tokens in tokens
// (never the OS keyring).
func (h *harness) netEnv(out, errw io.Writer, tokens client.TokenStore) env {
	return env{
		stdout:  out,
		stderr:  errw,
		getenv:  func(k string) string { return h.env[k] },
		goos:    "linux",
		home:    func() (string, error) { return h.home, nil },
		osUser:  func() string { return "osuser" },
		now:     func() time.Time { return cliNow },
		tempDir: h.tempDir,
		runTUI: func(tea.Model) error {
			h.t.Error("a sync command started the app")
			return nil
		},
		build:       buildInfo{Version: "v1.2.3"},
		tokens:      func() (client.TokenStore, error) { return tokens, nil },
		stdin:       strings.NewReader(h.stdin),
		interactive: func() bool { return h.tty },
	}
}

// runTok runs the command tree in-process with tokens as the token store.
func (h *harness) runTok(tokens client.TokenStore, args ...string) result {
	h.t.Helper()
	if tokens == nil {
		tokens = &client.FileStore{Dir: h.t.TempDir()}
	}
	var out, errb bytes.Buffer
	code := run(args, h.netEnv(&out, &errb, tokens))
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// serving is a `brug serve` running in-process until stop.
type serving struct {
	t      *testing.T
	url    string
	db     string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
	code   int
	once   sync.Once
}

var listeningRE = regexp.MustCompile(`luistert op (https?://\S+) `)

// startServe runs `brug --db db serve --addr 127.0.0.1:0 extra...` and
// waits until it says where it listens.
func startServe(t *testing.T, h *harness, db string, extra ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{t: t, db: db, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	args := append([]string{"--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, extra...)
	e := h.netEnv(io.Discard, s.stderr, &client.MemoryStore{})
	go func() { s.done <- runContext(ctx, args, e) }()
	t.Cleanup(func() { s.stop() })
	m := waitOutput(t, s.stderr, listeningRE, s.done)
	s.url = m[1]
	if !slices.Contains(extra, "--ssh-addr") {
		sshServing(t, s)
	}
	return s
}

var sshListeningRE = regexp.MustCompile(`(?:SSH voor coördinatoren op|SSH for coordinators on) (\S+) `)

// sshServing waits until the SSH server answers with its banner, which it
// sends once its accept loop runs: charmbracelet/ssh's Shutdown races with
// a Serve that has not reached that loop yet (the race detector finds it
// in tests that stop a server right after it started).
func sshServing(t *testing.T, s *serving) {
	t.Helper()
	m := waitOutput(t, s.stderr, sshListeningRE, s.done)
	conn, err := net.DialTimeout("tcp", m[1], 10*time.Second)
	if err != nil {
		t.Fatalf("ssh %s: %v", m[1], err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	banner := make([]byte, 4)
	if _, err := io.ReadFull(conn, banner); err != nil || string(banner) != "SSH-" {
		t.Fatalf("ssh %s: no banner (%q, %v)", m[1], banner, err)
	}
}

// stop ends the server as SIGINT would and waits for it to return.
func (s *serving) stop() int {
	s.once.Do(func() {
		s.cancel()
		select {
		case s.code = <-s.done:
		case <-time.After(30 * time.Second):
			s.t.Fatalf("brug serve did not stop:\n%s", s.stderr)
		}
	})
	return s.code
}

// waitOutput polls w until re matches, with a deadline; a command that
// ends first fails the test.
func waitOutput(t *testing.T, w *syncBuffer, re *regexp.Regexp, done <-chan int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(w.String()); m != nil {
			return m
		}
		select {
		case code := <-done:
			t.Fatalf("brug serve exited with %d before printing %q:\n%s", code, re, w)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within the deadline:\n%s", re, w)
		}
		time.Sleep(5 * time.Millisecond) // polling, not synchronisation
	}
}

// eventually polls cond with a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within the deadline: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func isSocket(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

func TestServeHealthzAndShutdown(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	s := startServe(t, h, db)
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || strings.HasSuffix(s.url, ":0") {
		t.Fatalf("serve reports %q, not its real address", s.url)
	}
	resp, err := http.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("/healthz: %d %q", resp.StatusCode, body)
	}
	if strings.Contains(s.stderr.String(), "Let op") {
		t.Errorf("plain-HTTP warning on loopback:\n%s", s.stderr)
	}
	sock := server.AdminSocketPath(db)
	eventually(t, "admin socket "+sock, func() bool { return isSocket(sock) })

	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("admin socket left behind after shutdown: %v", err)
	}
	out := s.stderr.String()
	for _, want := range []string{"brug serve stopt", "brug serve is gestopt."} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	// The request log is English and structured.
	if !strings.Contains(out, "path=/healthz") {
		t.Errorf("no request log line for /healthz:\n%s", out)
	}
	// The file is free again.
	if r := h.runTok(nil, "--db", db, "admin", "user", "list"); r.code != exitOK {
		t.Fatalf("file still held after serve stopped:\n%v", r)
	}
}

func TestServeWarnsAboutPlainHTTPOnNetwork(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errb := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, []string{"--db", db, "serve", "--addr", "0.0.0.0:0", "--ssh-addr", ""}, h.netEnv(io.Discard, errb, nil))
	}()
	waitOutput(t, errb, listeningRE, done)
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errb)
	}
	out := errb.String()
	if !strings.Contains(out, "Let op: brug serve spreekt onversleuteld HTTP op ") || !strings.Contains(out, "--tls-cert") {
		t.Fatalf("no plain-HTTP warning:\n%s", out)
	}
	if i, j := strings.Index(out, "Let op"), strings.Index(out, "luistert op"); i > j {
		t.Errorf("the warning comes after the listening line:\n%s", out)
	}

	// In English with --lang en.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	errb2 := &syncBuffer{}
	done2 := make(chan int, 1)
	go func() {
		done2 <- runContext(ctx2, []string{"--lang", "en", "--db", db, "serve", "--addr", "0.0.0.0:0", "--ssh-addr", ""}, h.netEnv(io.Discard, errb2, nil))
	}()
	waitOutput(t, errb2, regexp.MustCompile(`listening on (http://\S+) `), done2)
	cancel2()
	<-done2
	if !strings.Contains(errb2.String(), "Warning: brug serve speaks plain HTTP") {
		t.Fatalf("no English warning:\n%s", errb2)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// and returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "brug test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeTLS(t *testing.T) {
	h := newHarness(t)
	certFile, keyFile, pool := selfSigned(t)
	db := filepath.Join(t.TempDir(), "region.db")
	s := startServe(t, h, db, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
		t.Fatalf("TLS server reports %q", s.url)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("/healthz over TLS: %d, tls %v", resp.StatusCode, resp.TLS != nil)
	}
	// Plain HTTP to the TLS port gets no answer from the API.
	if resp, err := http.Get("http" + strings.TrimPrefix(s.url, "https") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("the TLS server answered plain HTTP")
		}
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, s.stderr)
	}
}

func TestServeBadInput(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "region.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve"}, exitUsage, "Geef het bestand van de server met --db"},
		{[]string{"--db", db, "serve", "--tls-cert", "x.pem"}, exitUsage, "--tls-cert en --tls-key allebei"},
		{[]string{"--db", db, "serve", "--tls-cert", filepath.Join(dir, "no.pem"), "--tls-key", filepath.Join(dir, "no.key")}, exitError, "Kan het TLS-certificaat niet laden"},
		{[]string{"--db", db, "serve", "--addr", "127.0.0.1:99999"}, exitError, "Kies een ander adres met --addr"},
		{[]string{"--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "127.0.0.1:99999"}, exitError, "Kies een ander adres met --ssh-addr"},
		{[]string{"--db", db, "serve", "--ssh-idle", "10s"}, exitUsage, "--ssh-idle moet minstens een minuut zijn"},
		{[]string{"--db", db, "serve", "--gc-percent", "0"}, exitUsage, "--gc-percent moet een geheel getal van minstens 1 zijn, niet 0"},
		{[]string{"--db", db, "serve", "--memory-limit", "veel"}, exitUsage, `--memory-limit moet een grootte van minstens 16MiB zijn, zoals 256MiB`},
		// "12" meant as 12GiB would set a limit of 12 bytes: a server whose
		// collector never stops, so it is refused, not taken.
		{[]string{"--db", db, "serve", "--memory-limit", "12"}, exitUsage, `niet "12"`},
		{[]string{"--lang", "en", "--db", db, "serve", "--memory-limit", "256MB"}, exitUsage, `--memory-limit must be a size of at least 16MiB, such as 256MiB or 2GiB (B, KiB, MiB, GiB, TiB), or off; not "256MB"`},
		{[]string{"--lang", "en", "serve"}, exitUsage, "Give the server's file with --db"},
	} {
		r := h.runTok(nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: want exit %d and %q:\n%v", tc.args, tc.code, tc.want, r)
		}
	}

	// A second server on the same file is refused with what to do.
	s := startServe(t, h, db)
	r := h.runTok(nil, "--db", db, "serve", "--addr", "127.0.0.1:0", "--ssh-addr", "127.0.0.1:0")
	if r.code != exitError || !strings.Contains(r.stderr, "draait er al een brug serve op?") {
		t.Errorf("second serve on one file:\n%v", r)
	}
	s.stop()
}

// TestServeLogsRewriteProgress: brug serve encrypting a plain file on open
// (or upgrading an older one) logs how far it is, every tenth, with counts
// only: its stderr is a log, not a terminal for a bar.
func TestServeLogsRewriteProgress(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	srv, err := server.Open(db, server.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, h, db)
	if code := s.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, s.stderr)
	}
	out := s.stderr.String()
	if !strings.Contains(out, "event=encrypt_progress") || !strings.Contains(out, "percent=100") {
		t.Fatalf("no progress of the encryption in the log:\n%s", out)
	}

	// The upgrade's callback, played: one line per tenth passed.
	var buf bytes.Buffer
	p := logProgress(slog.New(slog.NewTextHandler(&buf, nil)), "bijwerken", "upgrade_progress")
	for _, d := range []int64{0, 3, 9, 10, 55, 56, 99, 100} {
		p(d, 100)
	}
	got := strings.Count(buf.String(), "event=upgrade_progress")
	if got != 5 || !strings.Contains(buf.String(), "done=55 total=100 percent=50") {
		t.Errorf("%d progress lines:\n%s", got, buf.String())
	}
}
