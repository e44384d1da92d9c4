package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	gossh "golang.org/x/crypto/ssh"
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
	if code != exitError || !strings.Contains(out, "none of the teams asked for is one of yours") {
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
