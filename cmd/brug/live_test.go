//go:build linux

package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
)

// runAppDuring starts the app on path (brug --db path) and calls during
// while it runs: the app holds the file's lock and serves its socket.
func (h *harness) runAppDuring(path string, during func()) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := run([]string{"--db", path}, env{
		stdout: &out, stderr: &errb,
		getenv:  func(k string) string { return h.env[k] },
		goos:    "linux",
		home:    func() (string, error) { return h.home, nil },
		osUser:  func() string { return "osuser" },
		now:     func() time.Time { return cliNow },
		tempDir: h.tempDir,
		runTUI: func(tea.Model) error {
			h.tuiRuns++
			during()
			return nil
		},
	})
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// TestExportWhileTheAppIsOpen: with the app open on the file (its lock
// held), brug export and brug report read through the app's socket; the
// socket is the user's only and goes when the app ends.
func TestExportWhileTheAppIsOpen(t *testing.T) {
	path, sums := demoDB(t, 12)
	h := newHarness(t)
	want := h.run("--db", path, "export", sums[0].ID)
	wantReport := h.run("--db", path, "report")
	if want.code != exitOK || wantReport.code != exitOK {
		t.Fatalf("export or report of the closed file:\n%v\n%v", want, wantReport)
	}
	sock := liveSocketPath(path)
	ran := false
	r := h.runAppDuring(path, func() {
		ran = true
		fi, err := os.Lstat(sock)
		if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
			t.Errorf("the app's socket: %v %v, want a socket of mode 0600", fi, err)
		}
		if filepath.Dir(sock) != filepath.Dir(path) {
			t.Errorf("socket %s is not beside %s", sock, path)
		}
		got := h.run("--db", path, "export", sums[0].ID)
		if got.code != exitOK || withoutReads(got.stdout) != withoutReads(want.stdout) {
			t.Errorf("export while the app is open:\n%v", got)
		}
		out := filepath.Join(t.TempDir(), "d.json")
		got = h.run("--db", path, "export", sums[0].Name, "--format", "json", "--out", out)
		if b, err := os.ReadFile(out); got.code != exitOK || err != nil || !bytes.Contains(b, []byte(sums[0].ID)) {
			t.Errorf("export --out while the app is open: %v\n%v", err, got)
		}
		if fi, err := os.Stat(out); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("export file mode %v, want 0600", fi.Mode().Perm())
		}
		got = h.run("--db", path, "report")
		if got.code != exitOK || got.stdout != wantReport.stdout {
			t.Errorf("report while the app is open:\n%v\nwant:\n%v", got, wantReport)
		}
		got = h.run("--db", path, "export", "Niemand Bestaat")
		if got.code != exitError || !strings.Contains(got.stderr, "Niemand Bestaat") {
			t.Errorf("an unknown client through the app:\n%v", got)
		}
	})
	if r.code != exitOK || !ran {
		t.Fatalf("app:\n%v", r)
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket outlives the app: %v", err)
	}
	// Every export is in the read log: the one of the closed file and the
	// two the app answered (these went unlogged at first).
	s, err := openTestStore(path, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reads, err := s.ReadsOf(sums[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	exports := 0
	for _, e := range reads {
		if e.Action == store.ReadExport {
			exports++
		}
	}
	if exports != 3 {
		t.Errorf("%d exports in the read log, want 3: %+v", exports, reads)
	}
}

// TestLiveAsksThePassphrase: a file locked with a passphrase is read
// through the app only by a caller that knows the passphrase too.
func TestLiveAsksThePassphrase(t *testing.T) {
	const pass = "een lange goede zin"
	path := filepath.Join(t.TempDir(), "brug.db")
	s, err := store.Open(path, store.Options{Author: "test", NoSync: true,
		Encryption: &store.Encryption{Passphrase: []byte(pass), Argon2: &store.Argon2Params{Time: 1, Memory: 64, Threads: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyMode() != "passphrase" {
		t.Fatalf("key mode %q", s.KeyMode())
	}
	id, err := s.CreateClient(store.NewClient{Name: "Noor Hazelhoef"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.env["BRUG_KEYRING"] = "off"
	h.env["BRUG_PASSPHRASE"] = pass
	r := h.runAppDuring(path, func() {
		delete(h.env, "BRUG_PASSPHRASE")
		if got := h.run("--db", path, "export", id); got.code != exitError || !strings.Contains(got.stderr, "BRUG_PASSPHRASE") || got.stdout != "" {
			t.Errorf("export without the passphrase:\n%v", got)
		}
		if got := h.run("--db", path, "report"); got.code != exitError || !strings.Contains(got.stderr, "BRUG_PASSPHRASE") || got.stdout != "" {
			t.Errorf("report without the passphrase:\n%v", got)
		}
		h.env["BRUG_PASSPHRASE"] = "een lange foute zin"
		if got := h.run("--db", path, "export", id); got.code != exitError || !strings.Contains(got.stderr, "opent "+path+" niet") || got.stdout != "" {
			t.Errorf("export with a wrong passphrase:\n%v", got)
		}
		h.env["BRUG_PASSPHRASE"] = pass
		if got := h.run("--db", path, "export", id); got.code != exitOK || !strings.Contains(got.stdout, "Noor Hazelhoef") {
			t.Errorf("export with the passphrase:\n%v", got)
		}
		// In a terminal the unlock screen asks, as often as it takes.
		delete(h.env, "BRUG_PASSPHRASE")
		got, screens := h.runTyped([]string{"fout", pass}, "--db", path, "export", id)
		if got.code != exitOK || screens != 1 || !strings.Contains(got.stdout, "Noor Hazelhoef") {
			t.Errorf("export after typing the passphrase (%d screens):\n%v", screens, got)
		}
	})
	if r.code != exitOK {
		t.Fatalf("app:\n%v", r)
	}
}

// TestLiveStaleSocket: a socket left by a crashed app is neither trusted
// nor in the way: export opens the file itself, and the next app replaces
// it. Something else in the socket's place is left alone.
func TestLiveStaleSocket(t *testing.T) {
	path, sums := demoDB(t, 3)
	sock := liveSocketPath(path)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // as a crash leaves it: the file, nobody listening
	if _, err := os.Lstat(sock); err != nil {
		t.Fatalf("the stale socket: %v", err)
	}
	h := newHarness(t)
	if got := h.run("--db", path, "export", sums[0].ID); got.code != exitOK || !strings.Contains(got.stdout, sums[0].Name) {
		t.Fatalf("export beside a stale socket:\n%v", got)
	}
	r := h.runAppDuring(path, func() {
		if got := h.run("--db", path, "export", sums[0].ID); got.code != exitOK || !strings.Contains(got.stdout, sums[0].Name) {
			t.Errorf("export through an app that replaced a stale socket:\n%v", got)
		}
	})
	if r.code != exitOK {
		t.Fatalf("app:\n%v", r)
	}
	// A regular file where the socket goes: the app serves none and
	// leaves it; export says to close the app, as without the socket.
	if err := os.WriteFile(sock, []byte("not mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = h.runAppDuring(path, func() {
		if got := h.run("--db", path, "export", sums[0].ID); got.code != exitError || !strings.Contains(got.stderr, "Sluit de andere brug eerst") {
			t.Errorf("export with no socket served:\n%v", got)
		}
	})
	if b, err := os.ReadFile(sock); r.code != exitOK || err != nil || string(b) != "not mine" {
		t.Errorf("the file in the socket's place: %q %v\n%v", b, err, r)
	}
}

// TestCheckLiveUID: only the app's own user gets an answer; a real
// connection of this process passes the check.
func TestCheckLiveUID(t *testing.T) {
	if err := checkLiveUID(1000, 1000); err != nil {
		t.Errorf("same uid refused: %v", err)
	}
	if err := checkLiveUID(1001, 1000); err == nil {
		t.Error("another uid let in")
	}
	if err := checkLiveUID(0, 1000); err == nil {
		t.Error("root's uid let in to another user's app")
	}
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		done <- livePeer(c)
	}()
	c, err := net.Dial("unix", filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := <-done; err != nil {
		t.Errorf("own process refused: %v", err)
	}
}
