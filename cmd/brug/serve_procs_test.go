package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// TestServeTwoProcessesPostgres runs two real `brug serve --store
// postgres://...` processes (the built binary) on one database, with a
// laptop logged in at each, and `brug admin --store` beside them: a
// laptop's clients reach the other laptop through the other process; a
// client made later reaches the other laptop at its next sync, though its
// process had settled its view; a coach the admin moves to another team
// loses the old team's clients at his next sync. (Erasures across
// processes: sync/synctest's TestPostgresTwoProcesses; `brug admin erase`
// on PostgreSQL needs the op-log store for now.)
func TestServeTwoProcessesPostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	bin := brugBinary(t)
	h := newHarness(t)
	master := filepath.Join(t.TempDir(), "master.key")
	// The admin is the binary too: the servers' clock is the real one,
	// and an enrolment code made on the harness's clock would have expired.
	home := t.TempDir()
	a := func(args ...string) result {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"admin", "--store", dsn, "--master-key", master}, args...)...)
		cmd.Env = binEnv(home)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		_ = cmd.Run()
		return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	}
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "team add", a("team", "add", "Zuid"), exitOK)
	codes := map[string]string{}
	for _, u := range []string{"anna", "bert"} {
		expect(t, "user add", a("user", "add", u, "--role", "coach", "--team", "Noord"), exitOK)
		r := a("invite", u)
		m := codeRE.FindStringSubmatch(r.stdout)
		if r.code != exitOK || m == nil {
			t.Fatalf("invite %s:\n%v", u, r)
		}
		codes[u] = m[1]
	}
	urlA := startServeBinary(t, bin, dsn, master)
	urlB := startServeBinary(t, bin, dsn, master)

	// anna on A brings two clients; bert on B receives them.
	annaTok, bertTok := &client.MemoryStore{}, &client.MemoryStore{}
	anna, _ := laptopWithClients(t, "Noord", [2]string{"Noor Hazelhoef", "1990"}, [2]string{"Gijs Weg", "1985"})
	expect(t, "login anna at A", h.runTok(annaTok, "--db", anna, "login", urlA, codes["anna"], "--adopt"), exitOK, "als anna")
	expect(t, "sync anna", h.runTok(annaTok, "--db", anna, "sync"), exitOK, "Gesynchroniseerd met "+urlA)
	bert := filepath.Join(t.TempDir(), "bert.db")
	expect(t, "login bert at B", h.runTok(bertTok, "--db", bert, "login", urlB, codes["bert"]), exitOK, "als bert")
	expect(t, "sync bert", h.runTok(bertTok, "--db", bert, "sync"), exitOK, "Gesynchroniseerd met "+urlB)
	for _, name := range []string{"Noor Hazelhoef", "Gijs Weg"} {
		expect(t, "bert has "+name, h.runTok(bertTok, "--db", bert, "export", name), exitOK, name)
	}
	// Both settle: a second sync each finds nothing to change.
	expect(t, "sync anna", h.runTok(annaTok, "--db", anna, "sync"), exitOK)
	expect(t, "sync bert", h.runTok(bertTok, "--db", bert, "sync"), exitOK)

	// anna makes a new client and syncs with A: bert, whose view B had
	// settled, receives it at his next sync with B.
	addClient(t, anna, "anna", "Mira Nieuw", "Noord")
	expect(t, "sync anna", h.runTok(annaTok, "--db", anna, "sync"), exitOK)
	expect(t, "sync bert", h.runTok(bertTok, "--db", bert, "sync"), exitOK)
	expect(t, "bert has the new client", h.runTok(bertTok, "--db", bert, "export", "Mira Nieuw"), exitOK, "Mira Nieuw")

	// The admin moves bert to Zuid: his next sync takes Noord's clients.
	expect(t, "member add", a("team", "member", "add", "Zuid", "bert"), exitOK)
	expect(t, "member remove", a("team", "member", "remove", "Noord", "bert"), exitOK)
	expect(t, "sync bert", h.runTok(bertTok, "--db", bert, "sync"), exitOK)
	if r := h.runTok(nil, "--db", bert, "export", "Noor"); r.code == exitOK {
		t.Errorf("bert, moved to Zuid, still holds Noord's client after a sync on B:\n%v", r)
	}
}

// startServeBinary runs the brug binary as `brug serve` on the database
// and returns the URL it listens on; the process is stopped (SIGTERM,
// then SIGKILL) when the test ends.
func startServeBinary(t *testing.T, bin, dsn, master string) string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, "serve", "--store", dsn, "--master-key", master, "--addr", "127.0.0.1:0", "--metrics-addr", "off")
	cmd.Env = binEnv(home)
	stderr := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		_ = cmd.Wait()
		done <- cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return waitOutput(t, stderr, listeningRE, done)[1]
}

// addClient makes a client on a laptop file, as the app would.
func addClient(t *testing.T, laptop, author, name, team string) {
	t.Helper()
	st, err := openTestStore(laptop, store.Options{Author: author, NoSync: true, Now: func() time.Time { return cliNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateClient(store.NewClient{Name: name, Team: team}); err != nil {
		t.Fatal(err)
	}
}

// binEnv is the environment of the brug binary in these tests: a home of
// its own (no configuration file of the machine's user), Dutch.
func binEnv(home string) []string {
	return append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "LANG=nl_NL.UTF-8", "LC_ALL=", "LC_MESSAGES=", "BRUG_USER=tester")
}
