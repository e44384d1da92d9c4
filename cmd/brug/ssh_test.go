package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

var sshRE = regexp.MustCompile(`SSH voor coördinatoren op (\S+) \(hostsleutel (\S+), vingerafdruk (\S+)\)`)

func sshSigner(t *testing.T) gossh.Signer {
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

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sshRun runs one command over SSH with stdin and returns its output (both
// streams) and exit status.
func sshRun(t *testing.T, addr string, signer gossh.Signer, hostKey gossh.PublicKey, stdin, cmd string) (string, int) {
	t.Helper()
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "whoever", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.FixedHostKey(hostKey),
	})
	if err != nil {
		t.Fatalf("ssh %s: %v", cmd, err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out := &lockedBuf{}
	sess.Stdout, sess.Stderr, sess.Stdin = out, out, strings.NewReader(stdin)
	err = sess.Run(cmd)
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitStatus()
	}
	t.Fatalf("ssh %s: %v", cmd, err)
	return "", 0
}

// TestServeSSHAdmin: brug serve listens for SSH with a host key it keeps;
// an admin whose key was added with brug admin key add runs the same admin
// commands over SSH, audited with channel ssh; others may not.
func TestServeSSHAdmin(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "region.db")
	s := startServe(t, h, db)
	m := waitOutput(t, s.stderr, sshRE, s.done)
	addr, keyPath, fingerprint := m[1], m[2], m[3]
	pem, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatalf("host key file: %v", err)
	}
	if fi, _ := os.Stat(keyPath); fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("host key file mode %v: readable by others", fi.Mode())
	}
	host, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	if gossh.FingerprintSHA256(host.PublicKey()) != fingerprint {
		t.Errorf("serve shows fingerprint %s, the key is %s", fingerprint, gossh.FingerprintSHA256(host.PublicKey()))
	}

	root, cor := sshSigner(t), sshSigner(t)
	rootPub := filepath.Join(dir, "root.pub")
	if err := os.WriteFile(rootPub, gossh.MarshalAuthorizedKey(root.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"team", "add", "Noord"},
		{"team", "add", "Zuid"},
		{"user", "add", "root", "--role", "admin"},
		{"user", "add", "cor", "--role", "coordinator", "--team", "Noord"},
		{"key", "add", "root", rootPub},
	} {
		if r := h.runTok(nil, append([]string{"--db", db, "admin"}, args...)...); r.code != exitOK {
			t.Fatalf("admin %v:\n%v", args, r)
		}
	}

	out, code := sshRun(t, addr, root, host.PublicKey(), "", "admin user list")
	if code != 0 || !regexp.MustCompile(`cor\s+coordinator\s+actief\s+Noord`).MatchString(out) {
		t.Errorf("admin user list over ssh: exit %d\n%s", code, out)
	}
	corKey := string(gossh.MarshalAuthorizedKey(cor.PublicKey()))
	out, code = sshRun(t, addr, root, host.PublicKey(), corKey, "admin key add cor -")
	if code != 0 || !strings.Contains(out, gossh.FingerprintSHA256(cor.PublicKey())) {
		t.Errorf("key add over ssh: exit %d\n%s", code, out)
	}
	out, code = sshRun(t, addr, root, host.PublicKey(), "", "admin key add cor /etc/passwd")
	if code != exitError || !strings.Contains(out, "standaardinvoer") {
		t.Errorf("key add with a server path over ssh: exit %d\n%s", code, out)
	}
	out, code = sshRun(t, addr, root, host.PublicKey(), "", "admin user add x --role nope")
	if code != exitUsage || !strings.Contains(out, "nope") {
		t.Errorf("a bad role over ssh: exit %d\n%s", code, out)
	}
	// cor's key now logs in, but admin commands are not for coordinators.
	out, code = sshRun(t, addr, cor, host.PublicKey(), "", "admin user list")
	if code != 1 || !strings.Contains(out, "cor is coordinator") {
		t.Errorf("admin command as a coordinator: exit %d\n%s", code, out)
	}
	// Coordinators get the flow report of their own teams over SSH.
	out, code = sshRun(t, addr, cor, host.PublicKey(), "", "report --from 2026-01-01 --to 2026-12-31 --format csv")
	if code != 0 || !strings.HasPrefix(out, "section,place,count\n") || !strings.Contains(out, "people,,0") {
		t.Errorf("report over ssh: exit %d\n%s", code, out)
	}
	out, code = sshRun(t, addr, cor, host.PublicKey(), "", "report --from 2026-01-01 --to 2026-12-31 --team Zuid")
	if code != exitError || !strings.Contains(out, "geen van de gevraagde teams is een van jouw teams (jouw teams: Noord)") {
		t.Errorf("report on another team over ssh: exit %d\n%s", code, out)
	}
	out, code = sshRun(t, addr, cor, host.PublicKey(), "", "report --format pdf")
	if code != exitUsage || !strings.Contains(out, "--format moet md of csv zijn") {
		t.Errorf("a bad report flag over ssh: exit %d\n%s", code, out)
	}
	r := h.runTok(nil, "--db", db, "admin", "audit", "--user", "root")
	if r.code != exitOK || !regexp.MustCompile(`ssh\s+root\s+key add`).MatchString(r.stdout) {
		t.Errorf("the key added over ssh is not audited with channel ssh:\n%v", r)
	}
	r = h.runTok(nil, "--db", db, "admin", "key", "list")
	if r.code != exitOK || !strings.Contains(r.stdout, "root") || !strings.Contains(r.stdout, "cor") {
		t.Errorf("key list:\n%v", r)
	}

	// After a restart the host key is the same.
	s.stop()
	s2 := startServe(t, h, db)
	m2 := waitOutput(t, s2.stderr, sshRE, s2.done)
	if m2[3] != fingerprint {
		t.Errorf("the host key changed across a restart: %s, then %s", fingerprint, m2[3])
	}
	if _, code := sshRun(t, m2[1], root, host.PublicKey(), "", "admin team list"); code != 0 {
		t.Errorf("admin team list after a restart: exit %d", code)
	}
}

// openSSH is the ssh binary and the files it needs to log in to a brug
// serve on 127.0.0.1 as one user, checking the server's host key.
type openSSH struct {
	bin, dir, key, knownHosts, host, port string
}

func newOpenSSH(t *testing.T, addr string, signer gossh.Signer, priv ed25519.PrivateKey, host gossh.PublicKey) *openSSH {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no ssh client on this machine (install openssh-client): skipping the test with a real ssh client")
	}
	dir := t.TempDir()
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	o := &openSSH{bin: bin, dir: dir, key: filepath.Join(dir, "id_ed25519"), knownHosts: filepath.Join(dir, "known_hosts")}
	if err := os.WriteFile(o.key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	o.host, o.port, err = net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, host)
	if err := os.WriteFile(o.knownHosts, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return o
}

// command is the start of an ssh command line (up to the host) that logs
// in with this key only, trusts only the server's host key and reads no
// user configuration.
func (o *openSSH) command(port bool) string {
	p := ""
	if port {
		p = " -p " + o.port
	}
	return fmt.Sprintf("%s -F /dev/null -i %s -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -o LogLevel=ERROR%s %s",
		o.bin, o.key, o.knownHosts, p, o.host)
}

// shell runs line with sh in o.dir, as a user types it, and returns its
// output (both streams) and exit status.
func (o *openSSH) shell(t *testing.T, line string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	cmd.Dir = o.dir
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("sh -c %s: %v\n%s", line, err, out)
	return "", 0
}

// readmeSSHLines are README.md's ssh command lines for an admin, in the
// "Running the server" section, as written there.
func readmeSSHLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "## Running the server")
	if !ok {
		t.Fatal("README.md has no section Running the server")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var lines []string
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "ssh -p 2222 brug.regio-noord.nl admin") || strings.HasPrefix(l, "ssh -p 2222 brug.regio-noord.nl 'admin") {
			lines = append(lines, l)
		}
	}
	if len(lines) < 4 {
		t.Fatalf("README.md's Running the server has %d ssh admin lines, want 4:\n%s", len(lines), section)
	}
	return lines
}

// TestREADMESSHAdminCommandsWithOpenSSH runs README's ssh admin lines
// literally, through sh and the real ssh client, against brug serve: the
// quoted team name arrives as one argument, cor's key is read from
// standard input, and the invite prints a code. The server logs each
// command's path, exit code and duration, never its arguments. A quote
// left open gets a clear error in the session's language.
func TestREADMESSHAdminCommandsWithOpenSSH(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "region.db")
	s := startServe(t, h, db)
	m := waitOutput(t, s.stderr, sshRE, s.done)
	addr, keyPath := m[1], m[2]
	pemHost, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	host, err := gossh.ParsePrivateKey(pemHost)
	if err != nil {
		t.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	beheer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	o := newOpenSSH(t, addr, beheer, priv, host.PublicKey())
	pub := filepath.Join(dir, "beheer.pub")
	if err := os.WriteFile(pub, gossh.MarshalAuthorizedKey(beheer.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"team", "add", "Team Noord"},
		{"user", "add", "beheer", "--role", "admin"},
		{"key", "add", "beheer", pub},
	} {
		if r := h.runTok(nil, append([]string{"--db", db, "admin"}, args...)...); r.code != exitOK {
			t.Fatalf("admin %v:\n%v", args, r)
		}
	}
	cor := sshSigner(t)
	if err := os.WriteFile(filepath.Join(o.dir, "cor.pub"), gossh.MarshalAuthorizedKey(cor.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}

	var invite string
	for _, line := range readmeSSHLines(t) {
		run := strings.Replace(line, "ssh -p 2222 brug.regio-noord.nl", o.command(true), 1)
		out, code := o.shell(t, run)
		if code != 0 {
			t.Errorf("%s\nexit %d:\n%s", line, code, out)
		}
		if strings.Contains(line, "invite") {
			invite = out
		}
	}
	r := h.runTok(nil, "--db", db, "admin", "user", "list")
	for _, want := range []string{`anna\s+coach\s+actief\s+Team Noord`, `cor\s+coordinator\s+actief\s+Team Noord`} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("after README's ssh lines, user list does not match %s:\n%s", want, r.stdout)
		}
	}
	if !regexp.MustCompile(`[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}`).MatchString(invite) {
		t.Errorf("admin invite over ssh printed no code:\n%s", invite)
	}
	// cor's key, added over ssh from standard input, logs in.
	if out, code := sshRun(t, addr, cor, host.PublicKey(), "", "report --format csv"); code != 0 {
		t.Errorf("cor's key added over ssh: exit %d\n%s", code, out)
	}

	// The line as a shell user might first write it: their shell takes
	// the quotes away, so the server gets two words; it says how to quote.
	out, code := o.shell(t, o.command(true)+` admin user add ben --role coach --team "Team Noord"`)
	if code != exitUsage || !strings.Contains(out, "zet de hele opdracht tussen enkele aanhalingstekens") {
		t.Errorf("a name whose quotes the shell removed: exit %d\n%s", code, out)
	}

	// An unclosed quote is refused before anything runs, in the
	// session's language.
	before := h.runTok(nil, "--db", db, "admin", "team", "list").stdout
	out, code = o.shell(t, o.command(true)+` 'admin team add "Team Zuid'`)
	if code != 2 || !strings.Contains(out, "aanhalingsteken in de opdracht wordt niet gesloten") {
		t.Errorf("an unclosed quote: exit %d\n%s", code, out)
	}
	out, code = o.shell(t, o.command(true)+` -o SetEnv=BRUG_LANG=en 'admin team add "Team Zuid'`)
	if code != 2 || !strings.Contains(out, "a quote in the command is not closed") {
		t.Errorf("an unclosed quote in English: exit %d\n%s", code, out)
	}
	if after := h.runTok(nil, "--db", db, "admin", "team", "list").stdout; after != before {
		t.Errorf("a refused command changed the teams:\n%s\nthen\n%s", before, after)
	}

	// The log: one line per command with its path, code and duration;
	// no argument (names of people or teams) in it.
	for _, want := range []string{
		`msg="ssh command" .*user=beheer .*command="admin user add" code=0 duration=\S+`,
		`msg="ssh command" .*user=beheer .*command="admin key add" code=0 duration=\S+`,
		`msg="ssh command" .*user=beheer .*command="admin invite" code=0 duration=\S+`,
		`msg="ssh command" .*user=cor .*command=report code=0 duration=\S+`,
		`msg="ssh command" .*user=beheer .*command=- code=2 duration=\S+`,
	} {
		waitOutput(t, s.stderr, regexp.MustCompile(want), s.done)
	}
	for _, l := range strings.Split(s.stderr.String(), "\n") {
		if strings.Contains(l, "ssh command") && (strings.Contains(l, "anna") || strings.Contains(l, "ben") || strings.Contains(l, "Noord") || strings.Contains(l, "Zuid")) {
			t.Errorf("an ssh command's arguments are in the log: %s", l)
		}
	}
}

// sshRegion is a running brug serve with its SSH address and host key,
// and an SSH key (root, its public half in the file rootPub) for the
// caller to register.
type sshRegion struct {
	srv        *serving
	db, addr   string
	host, root gossh.Signer
	rootPub    string
}

// startSSHServe starts brug serve on a fresh file and waits for its SSH
// listener.
func startSSHServe(t *testing.T, h *harness) sshRegion {
	t.Helper()
	dir := t.TempDir()
	x := sshRegion{db: filepath.Join(dir, "region.db"), rootPub: filepath.Join(dir, "root.pub")}
	x.srv = startServe(t, h, x.db)
	m := waitOutput(t, x.srv.stderr, sshRE, x.srv.done)
	x.addr = m[1]
	pem, err := os.ReadFile(m[2])
	if err != nil {
		t.Fatal(err)
	}
	if x.host, err = gossh.ParsePrivateKey(pem); err != nil {
		t.Fatal(err)
	}
	x.root = sshSigner(t)
	if err := os.WriteFile(x.rootPub, gossh.MarshalAuthorizedKey(x.root.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	return x
}
