package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// TestServeStorePostgres: `brug admin --store postgres://...` sets up a
// region in a PostgreSQL database, `brug serve --store postgres://...`
// serves it, and laptops log in and sync through it: one's client
// reaches the other. The admin commands that read dossiers work on the
// database while it serves (export, erase and candidates by name,
// retention, team rename), and backup points to PostgreSQL's own tools.
// SSH needs a host key file there (asking for SSH without one is
// refused; sync/sshd's TestOpenSSHOnPostgres holds a session); the
// connection string's password never shows in the logs; a --store that
// is no database and a key store that is a file are refused.
func TestServeStorePostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	h := newHarness(t)
	master := filepath.Join(t.TempDir(), "master.key")
	a := func(args ...string) result {
		t.Helper()
		return h.runTok(nil, append([]string{"admin", "--store", dsn, "--master-key", master}, args...)...)
	}
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bert", "--role", "coach", "--team", "Noord"), exitOK)
	codes := map[string]string{}
	for _, u := range []string{"anna", "bert"} {
		r := a("invite", u)
		m := codeRE.FindStringSubmatch(r.stdout)
		if r.code != exitOK || m == nil {
			t.Fatalf("invite %s:\n%v", u, r)
		}
		codes[u] = m[1]
	}
	if fi, err := os.Stat(master); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the master key was not made readable by its owner only: %v %v", fi, err)
	}

	// Refusals: SSH asked for without a host key, a --store that is no
	// database, a file as the key store, no master key.
	expect(t, "serve with ssh", h.runTok(nil, "serve", "--store", dsn, "--master-key", master, "--ssh-addr", "127.0.0.1:0"), exitUsage, "heeft voor SSH een hostsleutel nodig: geef --ssh-host-key BESTAND")
	expect(t, "bad store", h.runTok(nil, "serve", "--store", "mysql://x"), exitUsage, `--store "mysql://x": geef bolt`)
	expect(t, "file key store", a("--key-store", "/tmp/x.keys", "team", "list"), exitUsage, "sleutelopslag ook een database")
	expect(t, "no master key", h.runTok(nil, "--lang", "en", "admin", "--store", dsn, "team", "list"), exitUsage, "A region in PostgreSQL needs a master key")

	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{t: t, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	hostKey := filepath.Join(t.TempDir(), "ssh_host_ed25519")
	args := []string{"serve", "--store", dsn, "--master-key", master, "--addr", "127.0.0.1:0", "--metrics-addr", "off",
		"--ssh-addr", "127.0.0.1:0", "--ssh-host-key", hostKey}
	go func() { s.done <- runContext(ctx, args, h.netEnv(io.Discard, s.stderr, &client.MemoryStore{})) }()
	t.Cleanup(func() { s.stop() })
	s.url = waitOutput(t, s.stderr, listeningRE, s.done)[1]
	// SSH starts as on a file, with the host key given.
	if m := waitOutput(t, s.stderr, sshRE, s.done); m[2] != hostKey {
		t.Errorf("SSH's host key is %s, want %s", m[2], hostKey)
	}

	tokens := &client.MemoryStore{}
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	expect(t, "login anna", h.runTok(tokens, "--db", laptop, "login", s.url, codes["anna"], "--adopt"), exitOK, "als anna")
	expect(t, "sync anna", h.runTok(tokens, "--db", laptop, "sync"), exitOK, "Gesynchroniseerd met "+s.url)

	bertTokens := &client.MemoryStore{}
	laptop2 := filepath.Join(t.TempDir(), "laptop2.db")
	expect(t, "login bert", h.runTok(bertTokens, "--db", laptop2, "login", s.url, codes["bert"]), exitOK, "als bert")
	expect(t, "sync bert", h.runTok(bertTokens, "--db", laptop2, "sync"), exitOK, "ontvangen.")
	expect(t, "bert has the client", h.runTok(bertTokens, "--db", laptop2, "export", "Noor"), exitOK, "Noor Hazelhoef")

	// The admin commands that read dossiers, on the database while it
	// serves.
	expect(t, "admin export by name", a("export", "Hazel", "--format", "json"), exitOK, `"Noor Hazelhoef"`)
	expect(t, "admin retention", a("retention"), exitOK, "Geen gesloten dossiers over hun bewaartermijn.")
	expect(t, "admin team rename", a("team", "rename", "Noord", "Noord-West"), exitOK, `heet nu "Noord-West"; 1 dossiers zijn meeverhuisd`)
	expect(t, "admin erase, candidates", a("erase", "Noor"), exitUsage, "Gevonden: Noor Hazelhoef, team Noord-West")
	expect(t, "admin backup", a("backup", filepath.Join(t.TempDir(), "b.db")), exitError, "pg_dump van de database en van de sleuteldatabase")
	expect(t, "admin backup, English", h.runTok(nil, "--lang", "en", "admin", "--store", dsn, "--master-key", master, "backup", "/tmp/b.db"), exitError, "is backed up with PostgreSQL's own tools: pg_dump")
	expect(t, "admin erase by name", a("erase", "Noor", "--yes"), exitOK, "Noor Hazelhoef (team Noord-West")

	// What the server logged names the database without its password.
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != "" && bytes.Contains([]byte(s.stderr.String()), []byte(cfg.Password)) {
		t.Errorf("the server logged the database's password:\n%s", s.stderr.String())
	}
	if s.stop(); s.code != exitOK {
		t.Fatalf("serve exited %d:\n%s", s.code, s.stderr.String())
	}
}

// TestPostgresCausesInDutch: PostgreSQL's refusals are said by their
// SQLSTATE in Dutch (here 3D000, a database that does not exist), with
// none of pgx's English on the screen.
func TestPostgresCausesInDutch(t *testing.T) {
	dsn := pgtest.DB(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/geen_database"
	h := newHarness(t)
	master := filepath.Join(t.TempDir(), "master.key")
	r := h.runTok(nil, "admin", "--store", u.String(), "--master-key", master, "team", "list")
	expect(t, "a missing database", r, exitError, "de database bestaat niet; maak hem met createdb")
	if w := englishText.FindString(strings.ReplaceAll(r.stderr, u.Redacted(), "")); w != "" {
		t.Errorf("English %q on a Dutch screen:\n%v", w, r)
	}
}
