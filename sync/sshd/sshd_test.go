package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// waitLimit bounds every wait for the server; tests wait for events (text
// on the screen, a session's end), never for time to pass.
const waitLimit = 20 * time.Second

// region is a sync server with its HTTP API and its SSH server on
// 127.0.0.1: teams Noord and Zuid, coordinator cor (Noord), coach anna
// (Noord, with an enrolled laptop), coach zoe (Zuid) and admin root, each
// with a key; a Noord client "Noor Jansen" and a Zuid client "Zeger
// Zuidema" made on laptops and synced.
type region struct {
	t       *testing.T
	srv     *server.Server
	admin   *server.Admin
	addr    string
	hostKey string
	keys    map[string]gossh.Signer
	anna    *laptop
	noord   string
	zuid    string
	d       *Server // the SSH server newRegion started
}

type laptop struct {
	st     *store.Store
	syncer *client.Syncer
}

func (l *laptop) sync(t *testing.T) {
	t.Helper()
	if _, err := l.syncer.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newRegion(t *testing.T, opt Options) *region {
	t.Helper()
	dir := t.TempDir()
	srv, err := server.Open(regionPath(t, dir), server.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	r := &region{t: t, srv: srv, admin: srv.Admin("tester", server.ChannelCLI), hostKey: filepath.Join(dir, "ssh", "host_ed25519"), keys: map[string]gossh.Signer{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, team := range []string{"Noord", "Zuid"} {
		_, err := r.admin.AddTeam(team)
		must(err)
	}
	for _, u := range []struct{ name, role, team string }{
		{"cor", protocol.RoleCoordinator, "Noord"}, {"anna", protocol.RoleCoach, "Noord"},
		{"zoe", protocol.RoleCoach, "Zuid"}, {"root", protocol.RoleAdmin, ""},
	} {
		var teams []string
		if u.team != "" {
			teams = []string{u.team}
		}
		_, err := r.admin.AddUser(u.name, u.role, teams)
		must(err)
		r.keys[u.name] = newSigner(t)
		_, err = r.admin.AddKeys(u.name, gossh.MarshalAuthorizedKey(r.keys[u.name].PublicKey()))
		must(err)
	}
	r.anna = r.enrol(hs.URL, "anna")
	zoe := r.enrol(hs.URL, "zoe")
	r.noord, err = r.anna.st.CreateClient(store.NewClient{Name: "Noor Jansen", Team: "Noord", Places: []store.Place{store.PlaceDagbesteding}})
	must(err)
	_, err = r.anna.st.Commit(r.noord, store.Set("step/1/status", "done"))
	must(err)
	r.anna.sync(t)
	r.zuid, err = zoe.st.CreateClient(store.NewClient{Name: "Zeger Zuidema", Team: "Zuid", Places: []store.Place{store.PlaceDagbesteding}})
	must(err)
	zoe.sync(t)

	opt.HostKeyPath = r.hostKey
	if opt.Admin == nil {
		opt.Admin = listUsers
	}
	d := r.start(opt)
	r.d = d
	t.Cleanup(func() {
		d.Close()
		hs.Close()
		if st := srv.Store(); st != nil {
			if err := st.Check(); err != nil {
				t.Errorf("server store inconsistent: %v", err)
			}
		}
		srv.Close()
	})
	return r
}

// listUsers stands in for the CLI's admin commands: "user list" only.
func listUsers(_ context.Context, a *server.Admin, args []string, _ string, _ io.Reader, out, errOut io.Writer) (int, string) {
	if strings.Join(args, " ") != "user list" {
		fmt.Fprintln(errOut, "unknown")
		return 2, "admin"
	}
	us, err := a.Users()
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1, "admin user list"
	}
	for _, u := range us {
		fmt.Fprintln(out, u.Name, u.Role)
	}
	return 0, "admin user list"
}

// start runs an SSH server on a fresh 127.0.0.1 port.
func (r *region) start(opt Options) *Server {
	r.t.Helper()
	d, err := New(r.srv, opt)
	if err != nil {
		r.t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.t.Fatal(err)
	}
	r.addr = l.Addr().String()
	go d.Serve(l)
	return d
}

func (r *region) enrol(url, user string) *laptop {
	r.t.Helper()
	code, _, err := r.admin.Invite(user)
	if err != nil {
		r.t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(r.t.TempDir(), user+".db"), store.Options{Author: user, NoSync: true})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		if err := st.Check(); err != nil {
			r.t.Errorf("%s: %v", user, err)
		}
		st.Close()
	})
	toks := &client.MemoryStore{}
	if _, err := client.Enroll(context.Background(), nil, st, toks, url, code, user+"-laptop"); err != nil {
		r.t.Fatal(err)
	}
	return &laptop{st: st, syncer: &client.Syncer{Store: st, Tokens: toks}}
}

// dial connects as user with auth.
func (r *region) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", r.addr, &gossh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: waitLimit,
	})
}

func (r *region) login(user string) *gossh.Client {
	r.t.Helper()
	c, err := r.dial(user, gossh.PublicKeys(r.keys[user]))
	if err != nil {
		r.t.Fatalf("ssh login as %s: %v", user, err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// screen is an app session: keys in, everything the app wrote, with its
// escape sequences stripped, out.
type screen struct {
	t    *testing.T
	conn *gossh.Client
	sess *gossh.Session
	in   io.Writer
	mu   sync.Mutex
	out  bytes.Buffer
	more chan struct{} // signalled when output arrives
	done chan error    // the session's end
}

func (r *region) app(user string, w, h int, env ...string) *screen {
	r.t.Helper()
	conn := r.login(user)
	sess, err := conn.NewSession()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if err := sess.Setenv(k, v); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		r.t.Fatal(err)
	}
	s := &screen{t: r.t, conn: conn, sess: sess, more: make(chan struct{}, 1), done: make(chan error, 1)}
	s.in, err = sess.StdinPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	sess.Stdout = s
	sess.Stderr = s
	if err := sess.Shell(); err != nil {
		r.t.Fatal(err)
	}
	go func() { s.done <- sess.Wait() }()
	r.t.Cleanup(func() { sess.Close() })
	return s
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.out.Write(p)
	s.mu.Unlock()
	select {
	case s.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

// text is what the app wrote so far, without escape sequences.
func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.out.String())
}

// mark forgets what was written so far, so that waits see only what
// comes next.
func (s *screen) mark() {
	s.mu.Lock()
	s.out.Reset()
	s.mu.Unlock()
}

// waitFor waits until the app has written want.
func (s *screen) waitFor(want string) {
	s.t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for !strings.Contains(s.text(), want) {
		select {
		case <-s.more:
		case err := <-s.done:
			s.done <- err
			if !strings.Contains(s.text(), want) {
				s.t.Fatalf("session ended (%v) without showing %q; it showed:\n%s", err, want, s.text())
			}
		case <-deadline.C:
			s.t.Fatalf("the app did not show %q; it showed:\n%s", want, s.text())
		}
	}
}

func (s *screen) keys(k string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, k); err != nil {
		s.t.Fatal(err)
	}
}

// end waits for the session to end and returns its exit error.
func (s *screen) end() error {
	s.t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(waitLimit):
		s.t.Fatalf("the session did not end; it showed:\n%s", s.text())
		return nil
	}
}

func TestUnknownKeyIsRefusedBeforeASession(t *testing.T) {
	r := newRegion(t, Options{})
	before, _ := r.admin.Audit(server.AuditFilter{})
	_, err := r.dial("cor", gossh.PublicKeys(newSigner(t)))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("an unknown key logged in: %v", err)
	}
	// Logging in as another user's name does not help: the key decides.
	c, err := r.dial("zoe", gossh.PublicKeys(r.keys["cor"]))
	if err != nil {
		t.Fatalf("cor's key with the name zoe: %v", err)
	}
	out, _ := runCommand(t, c, "admin user list")
	if !strings.Contains(out, "cor is coordinator") {
		t.Errorf("the session did not run as the key's owner: %q", out)
	}
	// A removed key is refused from then on.
	if err := r.admin.RemoveKey(gossh.FingerprintSHA256(r.keys["anna"].PublicKey())); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dial("anna", gossh.PublicKeys(r.keys["anna"])); err == nil {
		t.Error("a removed key still logs in")
	}
	after, _ := r.admin.Audit(server.AuditFilter{})
	for _, a := range after[len(before):] {
		if a.Channel == server.ChannelSSH && a.Action != server.ActionKeyRefused && a.Action != server.ActionAdminRefused {
			t.Errorf("a refused login left an audit record other than its refusal: %+v", a)
		}
	}
}

// waitAudit polls the audit log until it holds n records of action, or
// fails the test at waitLimit: a refused login is recorded when its
// connection closes on the server, after the client has given up.
func (r *region) waitAudit(action string, n int) []server.AuditEntry {
	r.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		got, err := r.admin.Audit(server.AuditFilter{Action: action})
		if err != nil {
			r.t.Fatal(err)
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				r.t.Fatalf("want %d %q records, got %d: %+v", n, action, len(got), got)
			}
			return got
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

// TestRefusedKeysAreAudited: someone offering keys the server does not
// know (a scanner, a former colleague's old key) is refused during
// authentication, and the admin sees the key's fingerprint and where it
// came from in the audit log. A scanner retrying the same key is recorded
// once a minute, its repeats counted, so it cannot flood the log. A user
// whose client offers an unknown key before their registered one logs in
// and leaves no refusal.
func TestRefusedKeysAreAudited(t *testing.T) {
	r := newRegion(t, Options{})
	other := newSigner(t)
	c, err := r.dial("cor", gossh.PublicKeys(other, r.keys["cor"]))
	if err != nil {
		t.Fatalf("cor with another key first: %v", err)
	}
	if out, code := runCommand(t, c, "admin user list"); code != 1 {
		t.Fatalf("cor's session: %d %q", code, out)
	}
	c.Close()
	stranger := newSigner(t)
	for range 3 {
		if _, err := r.dial("root", gossh.PublicKeys(stranger)); err == nil {
			t.Fatal("an unknown key logged in")
		}
	}
	fp := gossh.FingerprintSHA256(stranger.PublicKey())
	got := r.waitAudit(server.ActionKeyRefused, 1)
	if g := got[0]; g.Detail != "key "+fp || g.Remote != "127.0.0.1" || g.User != "" || g.Channel != server.ChannelSSH {
		t.Errorf("unknown key: %+v, want key %s from 127.0.0.1", g, fp)
	}
	// A disabled user's key is refused too, and names the user.
	if err := r.admin.DisableUser("zoe"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dial("zoe", gossh.PublicKeys(r.keys["zoe"])); err == nil {
		t.Fatal("a disabled user logged in")
	}
	got = r.waitAudit(server.ActionKeyRefused, 2)
	if g := got[1]; g.User != "zoe" || !strings.Contains(g.Detail, gossh.FingerprintSHA256(r.keys["zoe"].PublicKey())) {
		t.Errorf("disabled user's key: %+v", g)
	}
	for _, g := range got {
		if strings.Contains(g.Detail, gossh.FingerprintSHA256(other.PublicKey())) {
			t.Errorf("a login that succeeded with its second key left a refusal of its first: %+v", g)
		}
	}
}

func TestPasswordAndKeyboardInteractiveAreRefused(t *testing.T) {
	r := newRegion(t, Options{})
	if _, err := r.dial("cor", gossh.Password("geheim")); err == nil {
		t.Error("password login was accepted")
	}
	ki := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		return []string{"geheim"}, nil
	})
	if _, err := r.dial("cor", ki); err == nil {
		t.Error("keyboard-interactive login was accepted")
	}
}

// runCommand runs a command without a terminal and returns its standard
// output and error together, and its exit status.
func runCommand(t *testing.T, c *gossh.Client, cmd string) (string, int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	// One writer for both streams, locked: the client copies them in two
	// goroutines (a bare bytes.Buffer would lose output).
	out := &lockedBuffer{}
	sess.Stdout, sess.Stderr = out, out
	err = sess.Run(cmd)
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitStatus()
	}
	t.Fatalf("run %q: %v", cmd, err)
	return "", 0
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAdminCommandsAreForAdminsOnly(t *testing.T) {
	r := newRegion(t, Options{})
	out, code := runCommand(t, r.login("root"), "admin user list")
	if code != 0 || !strings.Contains(out, "anna coach") || !strings.Contains(out, "cor coordinator") {
		t.Errorf("admin user list as root: %d %q", code, out)
	}
	out, code = runCommand(t, r.login("cor"), "admin user list")
	if code != 1 || !strings.Contains(out, "cor is coordinator") {
		t.Errorf("admin user list as a coordinator: %d %q", code, out)
	}
	// The refused attempt is in the audit log: who, and the command's
	// name only (its arguments may name a client).
	runCommand(t, r.login("anna"), "admin erase Noor --yes")
	refused, err := r.admin.Audit(server.AuditFilter{Action: server.ActionAdminRefused})
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 2 || refused[0].User != "cor" || refused[0].Detail != "admin user list (role coordinator)" ||
		refused[1].User != "anna" || refused[1].Detail != "admin erase (role coach)" || refused[1].Channel != server.ChannelSSH {
		t.Errorf("admin refusals in the audit log: %+v", refused)
	}
	out, code = runCommand(t, r.login("cor"), "rm -rf /")
	if code != 2 || !strings.Contains(out, `onbekende opdracht "rm"`) {
		t.Errorf("an unknown command: %d %q", code, out)
	}
	// Without a terminal and a command there is nothing to run.
	out, code = runCommand(t, r.login("cor"), "")
	if code != 1 || !strings.Contains(out, "ssh -t") {
		t.Errorf("no terminal: %d %q", code, out)
	}
}

func TestCoordinatorSeesOnlyTheirTeamsAndOpensAreAudited(t *testing.T) {
	r := newRegion(t, Options{})
	s := r.app("cor", 100, 30)
	s.waitFor("Noor Jansen")
	s.waitFor("op de server (ssh)")
	if strings.Contains(s.text(), "Zeger Zuidema") {
		t.Errorf("cor sees a client of another team:\n%s", s.text())
	}
	s.keys("\r") // open the selected (only) client
	s.waitFor("Stappen")
	s.keys("q")
	if err := s.end(); err != nil {
		t.Errorf("quitting the app: %v", err)
	}
	opens, err := r.admin.Audit(server.AuditFilter{Dossier: r.noord})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range opens {
		if a.Action == server.ActionOpen && a.Channel == server.ChannelSSH && a.User == "cor" {
			found = true
		}
	}
	if !found {
		t.Errorf("opening the client over ssh was not audited: %+v", opens)
	}
}

func TestResizeRerenders(t *testing.T) {
	r := newRegion(t, Options{})
	s := r.app("cor", 40, 10, "LANG=en_GB.UTF-8")
	s.waitFor("Make the window larger")
	s.mark()
	if err := s.sess.WindowChange(30, 120); err != nil {
		t.Fatal(err)
	}
	s.waitFor("Noor Jansen")
	s.waitFor("Clients")
}

func TestIdleSessionEnds(t *testing.T) {
	r := newRegion(t, Options{Idle: 300 * time.Millisecond})
	s := r.app("cor", 100, 30)
	s.waitFor("Noor Jansen")
	if err := s.end(); err != nil {
		t.Errorf("idle end: %v", err)
	}
	if !strings.Contains(s.text(), "je sessie is gesloten na 300ms zonder toetsaanslag; alles is bewaard") {
		t.Errorf("no idle message:\n%s", s.text())
	}
	en := r.app("cor", 100, 30, "BRUG_LANG=en")
	en.waitFor("Noor Jansen")
	if err := en.end(); err != nil {
		t.Errorf("idle end: %v", err)
	}
	if !strings.Contains(en.text(), "your session was closed after 300ms without a keystroke; everything was saved") {
		t.Errorf("no English idle message:\n%s", en.text())
	}
}

func TestIdleDurationInWords(t *testing.T) {
	for _, c := range []struct {
		d          time.Duration
		lang, want string
	}{
		{DefaultIdle, "nl", "15 minuten"}, {DefaultIdle, "en", "15 minutes"},
		{time.Minute, "nl", "1 minuut"}, {time.Minute, "en", "1 minute"},
		{90 * time.Second, "nl", "1m30s"},
	} {
		if got := duration(c.d, c.lang); got != c.want {
			t.Errorf("duration(%v, %s) = %q, want %q", c.d, c.lang, got, c.want)
		}
	}
}

// TestShutdownSaysWhy: a server shutdown ends the running apps; each
// session says why, in its language, before it closes, and ends with
// status 0.
func TestShutdownSaysWhy(t *testing.T) {
	r := newRegion(t, Options{})
	nl := r.app("cor", 100, 30)
	en := r.app("cor", 100, 30, "LANG=en_GB.UTF-8")
	nl.waitFor("Noor Jansen")
	en.waitFor("Noor Jansen")
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		stopped <- r.d.Shutdown(ctx)
	}()
	for _, c := range []struct {
		s    *screen
		want string
	}{
		{nl, "de server stopt; je werk is bewaard"},
		{en, "the server is stopping; your work was saved"},
	} {
		if err := c.s.end(); err != nil {
			t.Errorf("session ended by shutdown: %v", err)
		}
		if !strings.Contains(c.s.text(), c.want) {
			t.Errorf("the session did not say %q before closing:\n%s", c.want, c.s.text())
		}
		c.s.conn.Close() // as ssh does when its session ended
	}
	if err := <-stopped; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestAdminGetsNoApp(t *testing.T) {
	r := newRegion(t, Options{})
	s := r.app("root", 100, 30)
	if err := s.end(); err == nil {
		t.Error("an admin's app session ended without an error status")
	}
	if !strings.Contains(s.text(), "openen geen dossiers") {
		t.Errorf("admin app session said:\n%s", s.text())
	}
}

func TestHostKeyPersistsAcrossRestarts(t *testing.T) {
	r := newRegion(t, Options{})
	seen := func() gossh.PublicKey {
		var key gossh.PublicKey
		c, err := gossh.Dial("tcp", r.addr, &gossh.ClientConfig{
			User: "cor", Auth: []gossh.AuthMethod{gossh.PublicKeys(r.keys["cor"])},
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { key = k; return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		return key
	}
	first := seen()
	d := r.start(Options{HostKeyPath: r.hostKey})
	t.Cleanup(func() { d.Close() })
	if second := seen(); !bytes.Equal(first.Marshal(), second.Marshal()) {
		t.Error("the host key changed across a restart")
	}
}

// TestSignOffOverSSHReachesTheCoach: the coordinator signs off a step from
// the review queue over SSH; the coach's laptop has it after its next sync,
// authored by the coordinator.
func TestSignOffOverSSHReachesTheCoach(t *testing.T) {
	r := newRegion(t, Options{})
	s := r.app("cor", 100, 30)
	s.waitFor("Noor Jansen")
	s.keys("B")
	s.waitFor("wacht op beoordeling") // "1 stap wacht op beoordeling"
	s.keys("\r")
	s.waitFor("Checklist")
	s.keys("A")
	s.waitFor("aftekenen?")
	s.keys("j")
	s.waitFor("is afgetekend")
	r.anna.sync(t)
	c, err := r.anna.st.Client(r.noord)
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Steps[0].Status; st.Value != string(store.StepSignedOff) || st.By != "cor" {
		t.Errorf("on anna's laptop step 1 is %q by %q, want signed-off by cor", st.Value, st.By)
	}
	s.keys("q")
	if err := s.end(); err != nil {
		t.Errorf("quit: %v", err)
	}
}

// TestSendBackDraftSurvivesTheSession: a coordinator typing a send-back
// comment when the server stops finds it again in their next session,
// after being told why the session ended; it is theirs only, and sending
// it back removes it.
func TestSendBackDraftSurvivesTheSession(t *testing.T) {
	r := newRegion(t, Options{})
	const comment = "Het bewijs van inschrijving ontbreekt nog"
	openSendBack := func(s *screen) {
		s.waitFor("Noor Jansen")
		s.keys("B")
		s.waitFor("wacht op beoordeling")
		s.keys("\r")
		s.waitFor("Checklist")
		s.keys("T")
		s.waitFor("Waarom gaat stap 1")
	}
	s := r.app("cor", 100, 30)
	openSendBack(s)
	s.keys(comment)
	s.waitFor("inschrijving ontbreekt nog")
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		stopped <- r.d.Shutdown(ctx)
	}()
	if err := s.end(); err != nil {
		t.Errorf("session ended by shutdown: %v", err)
	}
	s.waitFor("de server stopt; je werk is bewaard")
	s.conn.Close()
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	// Not shown to others: anna, a coach of the same team, has no draft
	// of it; the SSH log does not hold it either.
	anna, err := r.srv.Session("anna", server.ChannelSSH, "t")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := anna.Draft(r.noord, 1); err != nil || d != "" {
		t.Errorf("anna reads cor's draft: %q, %v", d, err)
	}

	d := r.start(Options{HostKeyPath: r.hostKey})
	t.Cleanup(func() { d.Close() })
	s = r.app("cor", 100, 30)
	openSendBack(s)
	s.waitFor("Je concept van de vorige keer staat er weer")
	s.waitFor("inschrijving ontbreekt nog")
	s.keys("\x13") // ctrl+s sends back
	s.waitFor("is teruggestuurd met je opmerking")
	r.anna.sync(t)
	c, err := r.anna.st.Client(r.noord)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Steps[0].Comment.Value; got != comment {
		t.Errorf("the comment on anna's laptop is %q, want the draft %q", got, comment)
	}
	cor, err := r.srv.Session("cor", server.ChannelSSH, "t")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := cor.Draft(r.noord, 1); err != nil || d != "" {
		t.Errorf("the draft is still there after sending it back: %q, %v", d, err)
	}
	s.keys("q")
	if err := s.end(); err != nil {
		t.Errorf("quit: %v", err)
	}
}
