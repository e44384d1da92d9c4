package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// TestAdminMigrate: `brug admin migrate` copies a region a laptop synced
// with from its file to PostgreSQL, refuses the file while brug serve
// holds it, says so when run again on a complete copy, refuses bad input
// with a clear message (Dutch, and English with --lang en), and completes
// a copy whose process was killed (kill -9 of the real binary, stopped at
// the audit log by a lock the test holds).
func TestAdminMigrate(t *testing.T) {
	dsn := pgtest.DB(t)
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	master := filepath.Join(t.TempDir(), "pg-master.key")
	a := func(args ...string) result {
		t.Helper()
		return h.runTok(nil, append([]string{"--db", db, "admin"}, args...)...)
	}
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	r := a("invite", "anna")
	m := codeRE.FindStringSubmatch(r.stdout)
	if r.code != exitOK || m == nil {
		t.Fatalf("invite:\n%v", r)
	}
	s := startServe(t, h, db, "--ssh-addr", "")
	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	expect(t, "login", h.runTok(tokens, "--db", laptop, "login", s.url, m[1], "--adopt"), exitOK)
	expect(t, "sync", h.runTok(tokens, "--db", laptop, "sync"), exitOK)

	mig := func(args ...string) result {
		t.Helper()
		return h.runTok(nil, append([]string{"admin", "migrate", "--from", db, "--to", dsn, "--master-key", master}, args...)...)
	}
	expect(t, "migrate while served", mig(), exitError, "is in gebruik")
	s.stop()

	first := mig()
	if strings.Contains(first.stdout+first.stderr, "«") {
		t.Errorf("a kind or stage without a text:\n%v", first)
	}
	expect(t, "migrate", first, exitOK, "De regio is gekopieerd", "ops ", "auditlog ", "SSH-sleutels ", "gelijk")
	if r := mig("--lang", "en"); strings.Contains(r.stdout+r.stderr, "«") {
		t.Errorf("a kind or stage without a text:\n%v", r)
	}
	expect(t, "migrate again", mig(), exitOK, "De kopie was al compleet en klopt; er is niets veranderd.")
	expect(t, "migrate again en", mig("--lang", "en"), exitOK, "nothing was changed")
	expect(t, "audit verify on the copy", h.runTok(nil, "admin", "--store", dsn, "--master-key", master, "audit", "verify"), exitOK, "Het auditlog klopt")

	// Bad input.
	en := func(args ...string) result {
		t.Helper()
		return h.runTok(nil, append([]string{"--lang", "en", "admin", "migrate"}, args...)...)
	}
	expect(t, "no --to", en("--from", db), exitUsage, "Give --from FILE")
	expect(t, "a file as --to", en("--from", db, "--to", "/tmp/x.db", "--master-key", master), exitUsage, `--to "/tmp/x.db": give a PostgreSQL database`)
	expect(t, "a URL as --from", en("--from", dsn, "--to", dsn, "--master-key", master), exitUsage, "a copy goes from a bbolt file")
	expect(t, "no master key", en("--from", db, "--to", dsn), exitUsage, "A region in PostgreSQL needs a master key")
	expect(t, "the file's master key missing", en("--from", db, "--to", dsn, "--master-key", master, "--from-master-key", db+".nokey"), exitError, "are wrapped by a master key, but "+db+".nokey is not there")
	expect(t, "no file", en("--from", db+".nope", "--to", dsn, "--master-key", master), exitError, "There is no server file at")
	expect(t, "wrong URL", en("--from", db, "--to", "postgres://nobody@127.0.0.1:1/nothing?connect_timeout=5", "--master-key", master), exitError, "Cannot open postgres://nobody@127.0.0.1:1/nothing")
	foreign := pgtest.DB(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE clients (id int)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	expect(t, "not a brug database", en("--from", db, "--to", foreign, "--master-key", master), exitError, "is not a brug database: it holds other tables (1, such as clients)")
	expect(t, "another region", en("--from", laptop, "--to", dsn, "--master-key", master), exitError)

	// kill -9 mid-copy, then run again.
	bin := brugBinary(t)
	dsn2 := pgtest.DB(t)
	master2 := filepath.Join(t.TempDir(), "pg-master2.key")
	pre, err := server.OpenTarget(dsn2, "", &store.Encryption{Keyring: store.KeyFile{Name: master2}}) // the schema, so the test can lock a table of it
	if err != nil {
		t.Fatal(err)
	}
	pre.Close()
	lock, err := pgx.Connect(ctx, dsn2)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close(ctx)
	ltx, err := lock.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ltx.Exec(ctx, "LOCK TABLE audit IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	// Another connection polls: inside a transaction pg_stat_activity is
	// one snapshot.
	poll, err := pgx.Connect(ctx, dsn2)
	if err != nil {
		t.Fatal(err)
	}
	defer poll.Close(ctx)
	cmd := exec.Command(bin, "admin", "migrate", "--from", db, "--to", dsn2, "--master-key", master2, "--batch", "1")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "BRUG_LANG=nl")
	var stderr syncBuffer
	cmd.Stderr, cmd.Stdout = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var waiting bool
		err := poll.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO audit%')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the copy ended (%v) before it reached the audit log:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Signal(syscall.SIGQUIT) // its goroutines, in stderr
			<-exited
			t.Fatalf("the copy never reached the audit log:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the database, not synchronising
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if !regexp.MustCompile(`ops: \S+ van`).MatchString(stderr.String()) {
		t.Errorf("the copy printed no progress before it was killed:\n%s", stderr.String())
	}
	if err := ltx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r = h.runTok(nil, "admin", "migrate", "--from", db, "--to", dsn2, "--master-key", master2)
	expect(t, "migrate after kill -9", r, exitOK, "De onderbroken kopie is afgemaakt")
	if strings.Contains(r.stdout, "VERSCHILT") {
		t.Errorf("a kind differs after the run that completed the copy:\n%s", r.stdout)
	}
}
