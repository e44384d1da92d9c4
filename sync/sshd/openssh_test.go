package sshd

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brug-nl/brug/sync/server"
)

// TestOpenSSHClientWithUnknownKeyIsAudited: OpenSSH's own client, with a
// key the server does not know, is refused, and the refusal reaches the
// audit log with the fingerprint OpenSSH itself shows for that key.
func TestOpenSSHClientWithUnknownKeyIsAudited(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("no OpenSSH client (ssh) on PATH; TestRefusedKeysAreAudited covers the refusal with Go's client")
	}
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("no ssh-keygen on PATH")
	}
	r := newRegion(t, Options{})
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	out, err := exec.Command(keygen, "-l", "-E", "sha256", "-f", key+".pub").Output()
	if err != nil {
		t.Fatalf("ssh-keygen -l: %v", err)
	}
	fields := strings.Fields(string(out)) // "256 SHA256:... comment (ED25519)"
	if len(fields) < 2 {
		t.Fatalf("ssh-keygen -l printed %q", out)
	}
	fp := fields[1]
	host, port, _ := net.SplitHostPort(r.addr)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, sshBin, "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile="+filepath.Join(dir, "known_hosts"),
		"-o", "PreferredAuthentications=publickey", "-p", port, "root@"+host, "admin", "user", "list")
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("OpenSSH with an unknown key: %v: %s", err, out)
	}
	got := r.waitAudit("refused", 1)
	if got[0].Action != server.ActionKeyRefused || got[0].Detail != "key "+fp || got[0].Remote != "127.0.0.1" {
		t.Errorf("audit after OpenSSH's refused login: %+v, want one key refused record of %s", got, fp)
	}
}
