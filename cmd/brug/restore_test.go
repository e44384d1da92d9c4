package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

// The restore story with real processes: the brug binary serves, laptops
// log in and sync with it, an admin backs the server up through the
// running server's socket, and the server's file is put back from the
// backup (and, in a second round, from a raw cp of the stopped file).

// restoreRun runs brug with a home folder of its own per user (each laptop
// keeps its device token in its user's config folder).
type restoreRun struct {
	t    *testing.T
	bin  string
	root string
}

func newRestoreRun(t *testing.T) *restoreRun {
	return &restoreRun{t: t, bin: brugBinary(t), root: t.TempDir()}
}

// env is the environment of brug run as user.
func (b *restoreRun) env(user string) []string {
	home := filepath.Join(b.root, user)
	return []string{
		"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-bus"), // no keyring: tokens go to a 0600 file
		"PATH=" + os.Getenv("PATH"), "LANG=C", "TERM=dumb", "BRUG_USER=" + user,
		"BRUG_PASSPHRASE=" + testPassphrase,
	}
}

// run runs brug to the end and returns its stdout; a failure fails the test.
func (b *restoreRun) run(user string, args ...string) string {
	b.t.Helper()
	cmd := exec.Command(b.bin, args...)
	cmd.Env = b.env(user)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		b.t.Fatalf("brug %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// restoreServe is a running `brug serve`.
type restoreServe struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// serve starts `brug serve` on db at addr and waits until it listens.
func (b *restoreRun) serve(db, addr string) *restoreServe {
	b.t.Helper()
	cmd := exec.Command(b.bin, "--db", db, "serve", "--addr", addr, "--ssh-addr", "")
	cmd.Env = b.env("admin-os")
	p := &restoreServe{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	b.t.Cleanup(func() { p.stop(b.t) })
	deadline := time.Now().Add(20 * time.Second)
	for !regexp.MustCompile(`luistert op http://`).MatchString(p.stderr.String()) {
		select {
		case err := <-p.done:
			p.done <- err
			b.t.Fatalf("brug serve ended before listening: %v\n%s", err, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("brug serve does not listen:\n%s", p.stderr)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	sock := server.AdminSocketPath(db)
	for !isSocket(sock) {
		if time.Now().After(deadline) {
			b.t.Fatalf("no admin socket %s:\n%s", sock, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

// stop ends brug serve with SIGTERM and waits for it.
func (p *restoreServe) stop(t *testing.T) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Errorf("brug serve did not stop on SIGTERM:\n%s", p.stderr)
		<-p.done
	}
}

// restoreAddr is a loopback address nothing listens on, for a server that
// must come back on the same address after a restart.
func restoreAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func restoreCopy(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// restoreStore opens a laptop's file while no brug runs on it.
func restoreStore(t *testing.T, path, user string, fn func(*store.Store)) {
	t.Helper()
	st, err := openTestStore(path, store.Options{Author: user})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

func restoreNote(t *testing.T, path, user, dossier string) string {
	t.Helper()
	var note string
	restoreStore(t, path, user, func(st *store.Store) {
		c, err := st.Client(dossier)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		note = c.Steps[0].Note.Value
	})
	return note
}

func restoreErased(t *testing.T, path, user, dossier string) bool {
	t.Helper()
	var erased bool
	restoreStore(t, path, user, func(st *store.Store) { erased = st.Erased(dossier) })
	return erased
}

// A server put back from a backup lost what laptops sent after it: the
// laptop said "sent", the others never got it, and an erased dossier came
// back. After the restore the laptops' next sync sends it all again and
// makes the erasure again; the same for a raw cp of the stopped file.
func TestRestoreStoryWithRealProcesses(t *testing.T) {
	b := newRestoreRun(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "region.db")
	anna, bert := filepath.Join(dir, "anna.db"), filepath.Join(dir, "bert.db")
	b.run("admin-os", "--db", db, "admin", "team", "add", "Noord")
	codes := map[string]string{}
	for _, u := range []string{"anna", "bert"} {
		b.run("admin-os", "--db", db, "admin", "user", "add", u, "--role", "coach", "--team", "Noord")
		line, _, _ := strings.Cut(b.run("admin-os", "--db", db, "admin", "invite", u), "\n")
		codes[u] = strings.TrimSpace(line)
	}
	addr := restoreAddr(t)
	url := "http://" + addr
	srv := b.serve(db, addr)
	b.run("anna", "--db", anna, "login", url, codes["anna"])
	b.run("bert", "--db", bert, "login", url, codes["bert"])

	var id, gone string
	restoreStore(t, anna, "anna", func(st *store.Store) {
		var err error
		if id, err = st.CreateClient(store.NewClient{Name: "Anna de Vries", Team: "Noord"}); err != nil {
			t.Fatal(err)
		}
		if gone, err = st.CreateClient(store.NewClient{Name: "Wordt Gewist", Team: "Noord"}); err != nil {
			t.Fatal(err)
		}
	})
	b.run("anna", "--db", anna, "sync")
	b.run("bert", "--db", bert, "sync")

	// The backup, through the running server's socket.
	backup := filepath.Join(dir, "backups", "region-backup.db")
	if err := os.MkdirAll(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	if out := b.run("admin-os", "--db", db, "admin", "backup", backup); !strings.Contains(out, backup) {
		t.Errorf("backup says %q", out)
	}
	// After the backup: one change, and an erasure that anna's laptop makes.
	restoreStore(t, anna, "anna", func(st *store.Store) {
		if _, err := st.Commit(id, store.Edit("step/1/note", "na de back-up", nil)); err != nil {
			t.Fatal(err)
		}
	})
	if out := b.run("anna", "--db", anna, "sync"); !strings.Contains(out, "1 wijziging verstuurd") {
		t.Fatalf("anna's sync: %q", out)
	}
	b.run("admin-os", "--db", db, "admin", "erase", gone, "--yes")
	b.run("anna", "--db", anna, "sync")
	if !restoreErased(t, anna, "anna", gone) {
		t.Fatal("anna's laptop did not erase the dossier")
	}

	// Restore: stop, put the backup back, start.
	srv.stop(t)
	restoreCopy(t, backup, db)
	srv = b.serve(db, addr)
	if out := b.run("anna", "--db", anna, "sync"); !strings.Contains(out, "teruggezet uit een back-up") {
		t.Errorf("anna's sync after the restore does not say so: %q", out)
	}
	b.run("bert", "--db", bert, "sync")
	if got := restoreNote(t, bert, "bert", id); got != "na de back-up" {
		t.Errorf("bert's note after the restore is %q; the change was lost", got)
	}
	if !restoreErased(t, bert, "bert", gone) {
		t.Error("the dossier erased after the backup is back on bert's laptop")
	}

	// A raw copy of the stopped file, a change, and that copy put back.
	srv.stop(t)
	raw := filepath.Join(dir, "backups", "raw.db")
	restoreCopy(t, db, raw)
	srv = b.serve(db, addr)
	restoreStore(t, anna, "anna", func(st *store.Store) {
		c, err := st.Client(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Commit(id, store.Edit("step/1/note", "na de ruwe kopie", []string{c.Steps[0].Note.OpID})); err != nil {
			t.Fatal(err)
		}
	})
	b.run("anna", "--db", anna, "sync")
	srv.stop(t)
	restoreCopy(t, raw, db)
	srv = b.serve(db, addr)
	b.run("anna", "--db", anna, "sync")
	b.run("bert", "--db", bert, "sync")
	if got := restoreNote(t, bert, "bert", id); got != "na de ruwe kopie" {
		t.Errorf("bert's note after the restore of the raw copy is %q; the change was lost", got)
	}
	srv.stop(t)

	// The server holds both changes and not the erased dossier.
	s, err := server.Open(db, server.Options{Encryption: serverEncryption(db, os.Getenv)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Store().Erased(gone) {
		t.Error("the server holds the dossier erased after the backup")
	}
	c, err := s.Store().Client(id)
	if err != nil || c.Steps[0].Note.Value != "na de ruwe kopie" {
		t.Errorf("the server's note is %+v (%v)", c.Steps[0].Note, err)
	}
	sc := bufio.NewScanner(strings.NewReader(srv.stderr.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Wordt Gewist") || strings.Contains(sc.Text(), "na de") {
			t.Errorf("the server's log holds dossier content: %s", sc.Text())
		}
	}
}
