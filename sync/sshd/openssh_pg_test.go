//go:build unix

package sshd

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

// TestOpenSSHOnPostgres: a coordinator logs in with OpenSSH's own
// client to a region kept in PostgreSQL, sees their team's client and
// not another team's, and signs a step off in the app; the coach's laptop
// receives the sign-off on its next sync, and the session's change is in
// the audit log. (SSH sessions on PostgreSQL read and write through the
// server's storage, sync/server/opview.go.)
func TestOpenSSHOnPostgres(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client (ssh) on PATH; TestSignOffOverSSHReachesTheCoach with BRUG_TEST_STORE=postgres covers it with Go's client")
	}
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("no ssh-keygen on PATH")
	}
	t.Setenv("BRUG_TEST_STORE", "postgres")
	r := newRegion(t, Options{})
	if r.srv.Store() != nil {
		t.Fatal("the region is not in PostgreSQL: it has the bbolt op-log store")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.admin.AddKeys("cor", pub); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(r.addr)
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, sshBin, "-t", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile="+filepath.Join(dir, "known_hosts"),
		"-o", "PreferredAuthentications=publickey", "-p", port, "cor@"+host)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=", "TERM=xterm-256color")
	// OpenSSH asks for the remote terminal's size from its own: a pty.
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	s := &screen{t: t, in: tty, more: make(chan struct{}, 1), done: make(chan error, 1)}
	copied := make(chan struct{})
	go func() { io.Copy(s, tty); close(copied) }() // ends with an error when ssh exits
	go func() { err := cmd.Wait(); <-copied; s.done <- err }()

	s.waitFor("Noor Jansen")
	s.waitFor("op de server (ssh)")
	if strings.Contains(s.text(), "Zeger Zuidema") {
		t.Errorf("cor sees a client of another team:\n%s", s.text())
	}
	s.keys("B")
	s.waitFor("wacht op beoordeling")
	s.keys("\r")
	s.waitFor("Checklist")
	s.keys("A")
	s.waitFor("aftekenen?")
	s.keys("j")
	s.waitFor("is afgetekend")
	s.keys("q")
	if err := s.end(); err != nil {
		t.Errorf("quit: %v\n%s", err, s.text())
	}

	r.anna.sync(t)
	c, err := r.anna.st.Client(r.noord)
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Steps[0].Status; st.Value != string(store.StepSignedOff) || st.By != "cor" {
		t.Errorf("on anna's laptop step 1 is %q by %q, want signed-off by cor", st.Value, st.By)
	}
	entries, err := r.admin.Audit(server.AuditFilter{Dossier: "Noor Jansen"}) // by name: through the storage too
	if err != nil {
		t.Fatal(err)
	}
	var opened, changed bool
	for _, a := range entries {
		opened = opened || a.Action == server.ActionOpen && a.Channel == server.ChannelSSH && a.User == "cor"
		changed = changed || a.Action == server.ActionChange && a.Channel == server.ChannelSSH && a.User == "cor" && strings.HasPrefix(a.Detail, "1 ops: step/1/status")
	}
	if !opened || !changed {
		t.Errorf("the session's open and sign-off are not both audited: %+v", entries)
	}
}
