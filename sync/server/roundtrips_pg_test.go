package server

import (
	"fmt"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/pgstore"
)

// On PostgreSQL every question to the database is a round trip, and a
// push or pull that asks per op (or per dossier) is many times slower
// than one that asks per page. These tests count the statements the
// server sends (pgstore's DB.Queries) for two sizes of the same work and
// hold the cost of each op (or dossier) more: a change that goes back to
// asking per op fails them. That the answers stay the same is held by
// the whole suite running on both backends (BRUG_TEST_STORE=postgres),
// heads_test.go, ops_test.go and sync_test.go in particular.

// pgQueries counts the statements of the server's PostgreSQL storage; the
// test skips on other backends.
func pgQueries(t *testing.T, e *env) func() uint64 {
	t.Helper()
	pg, ok := e.srv.Storage().(*pgstore.Storage)
	if !ok {
		t.Skipf("counts PostgreSQL round trips; the backend is %s (run with BRUG_TEST_STORE=postgres)", testBackend)
	}
	return pg.DB().Queries
}

// A push of n ops to a dossier, each editing a field and naming the
// field's last op in prev (as a laptop's edits do), costs at most
// maxPerOp statements per op beyond a fixed cost per push and dossier.
func TestPostgresRoundTripsPerPushedOp(t *testing.T) {
	const maxPerOp = 0.1 // the op's insert (with what its prev replaces) and its number go with the next statement (pgstore/txconn.go)
	e := newEnv(t)
	queries := pgQueries(t, e)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	dossier, ops := anna.create("Noord", "Jan")
	anna.sync(ops...)
	last := map[string]string{"name": ops[1].ID}
	push := func(n int) uint64 {
		t.Helper()
		var ops []store.Op
		for i := range n {
			f := []string{"name", "coaches", "closed_note", "merged_from"}[i%4]
			var prev []string
			if p := last[f]; p != "" {
				prev = []string{p}
			}
			op := anna.op(dossier, f, fmt.Sprintf("v%d", i), prev...)
			last[f] = op.ID
			ops = append(ops, op)
		}
		before := queries()
		resp := anna.sync(ops...)
		if len(resp.Accepted) != n || len(resp.Refused) != 0 {
			t.Fatalf("push of %d: accepted %d, rejected %+v", n, len(resp.Accepted), resp.Refused)
		}
		return queries() - before
	}
	small, big := push(4), push(44)
	perOp := float64(big-small) / 40
	t.Logf("push of 4 ops: %d statements; of 44: %d; %.2f per op", small, big, perOp)
	if perOp > maxPerOp {
		t.Errorf("a pushed op costs %.2f statements, want at most %.2f", perOp, maxPerOp)
	}
	for f, id := range last {
		hs, err := e.heads(dossier, f)
		if err != nil || len(hs) != 1 || hs[0].ID != id {
			t.Errorf("heads of %s: %+v, %v; want the last op %s", f, hs, err, id)
		}
	}
}

// A pull of pages with d dossiers costs at most maxPerDossier
// statements per dossier beyond a fixed cost per page.
func TestPostgresRoundTripsPerPulledPage(t *testing.T) {
	const maxPerDossier = 0.1
	e := newEnv(t)
	queries := pgQueries(t, e)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	total := 0 // ops of the team's dossiers
	pull := func(n int) uint64 {
		t.Helper()
		var ops []store.Op
		for i := range n {
			_, o := anna.create("Noord", fmt.Sprintf("client %d", i))
			ops = append(ops, o...)
		}
		anna.sync(ops...)
		total += len(ops)
		bram := e.user(fmt.Sprintf("bram%d", n), protocol.RoleCoach, "Noord")
		// Two pages: the second holds the first's dossiers (a pull asks
		// of those whether they were erased).
		before := queries()
		pages := 1
		for resp, _, _ := bram.try(total/2 + 1); resp.More; resp, _, _ = bram.try(total/2 + 1) {
			if pages++; pages > 3 {
				t.Fatalf("pull of %d dossiers takes more than 3 pages", n)
			}
		}
		if pages != 2 {
			t.Fatalf("pull of %d dossiers took %d pages, want 2", n, pages)
		}
		got := 0
		for _, ops := range bram.have {
			got += len(ops)
		}
		if got < len(ops) {
			t.Fatalf("pull of %d dossiers brought %d ops, want at least %d", n, got, len(ops))
		}
		return queries() - before
	}
	small := pull(4)
	big := pull(40)
	perDossier := float64(big-small) / 40 // the second pull has 44 dossiers
	t.Logf("pull of 4 dossiers: %d statements; of 44: %d; %.2f per dossier", small, big, perDossier)
	if perDossier > maxPerDossier {
		t.Errorf("a pulled dossier costs %.2f statements, want at most %.2f", perDossier, maxPerDossier)
	}
}

// The later pages of an initial pull cost at most maxPerPage statements
// each: the wipe check's read, the BEGIN's pipeline, the erasures among
// the dossiers held, the page's histories, the writes (the page's number,
// its view entries, its receipts' deletion, its audit entry and the
// epoch's mark, together) and the COMMIT. Such a page takes the device's
// view as the page before left it (heldView), and walks no log: its
// cursor is the last number. It was 11 before those.
func TestPostgresRoundTripsPerLaterPage(t *testing.T) {
	const maxPerPage = 6
	e := newEnv(t)
	queries := pgQueries(t, e)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	var ops []store.Op
	for i := range 40 {
		_, o := anna.create("Noord", fmt.Sprintf("client %d", i))
		ops = append(ops, o...)
	}
	anna.sync(ops...)
	bram := e.user("bram", protocol.RoleCoach, "Noord")
	if resp, _, _ := bram.try(12); !resp.More {
		t.Fatal("the pull took one page")
	}
	pages := 1
	for more := true; more; pages++ {
		before := queries()
		resp, status, perr := bram.try(12)
		if status != 200 {
			t.Fatalf("page %d: status %d: %s", pages+1, status, perr.Message)
		}
		n := queries() - before
		t.Logf("page %d: %d statements", pages+1, n)
		if n > maxPerPage {
			t.Errorf("page %d cost %d statements, want at most %d", pages+1, n, maxPerPage)
		}
		more = resp.More
	}
	if len(bram.have) != 40 || pages < 5 {
		t.Fatalf("bram holds %d dossiers after %d pages", len(bram.have), pages)
	}
}

// A one-field sync, as BenchmarkOneFieldSync makes it: a settled coach
// pushes one edit, and a settled colleague pulls it. Each costs at most
// maxPush and maxPull statements (BEGIN and COMMIT included).
func TestPostgresRoundTripsPerSync(t *testing.T) {
	const maxPush, maxPull = 3, 3 // 32 and 25 before the fixed statements were cut, then 12 and 8
	e := newEnv(t)
	queries := pgQueries(t, e)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	bram := e.user("bram", protocol.RoleCoach, "Noord")
	dossier, ops := anna.create("Noord", "Jan")
	anna.syncAll(ops...)
	bram.syncAll()
	last := ops[1].ID
	for i := range 3 {
		anna.syncAll()
		bram.syncAll()
		op := anna.op(dossier, "name", fmt.Sprintf("Jan %d", i), last)
		last = op.ID
		before := queries()
		resp := anna.sync(op)
		push := queries() - before
		if len(resp.Accepted) != 1 {
			t.Fatalf("push: accepted %d, refused %+v", len(resp.Accepted), resp.Refused)
		}
		before = queries()
		resp = bram.sync()
		pull := queries() - before
		if len(resp.Ops) != 1 || resp.Ops[0].ID != op.ID {
			t.Fatalf("pull: %d ops, want the edit", len(resp.Ops))
		}
		t.Logf("sync %d: push %d statements, pull %d", i, push, pull)
		if i > 0 && (push > maxPush || pull > maxPull) {
			t.Errorf("a one-field sync costs %d statements to push and %d to pull, want at most %d and %d", push, pull, maxPush, maxPull)
		}
	}
}

// A sync's requests without a body, GET /v1/device and GET /v1/register,
// each read the device's token once, in one statement: for /v1/register
// on a shared storage with the count of changes that says whether the
// register is still the one cached (two statements before, and 3 when
// the check of a wipe order and the authentication asked the same in two
// read transactions; /v1/device took 2 then).
func TestPostgresRoundTripsPerStatusRequest(t *testing.T) {
	e := newEnv(t)
	queries := pgQueries(t, e)
	e.teams("Noord")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	anna.syncAll()
	for _, c := range []struct {
		path string
		max  uint64
	}{{protocol.PathDevice, 1}, {protocol.PathRegister, 1}} {
		for i := range 3 {
			before := queries()
			if status, perr := e.get(c.path, anna.token, nil); status != 200 {
				t.Fatalf("GET %s: %d %s", c.path, status, perr.Message)
			}
			if n := queries() - before; i > 0 && n > c.max { // the first reads the register into the cache
				t.Errorf("GET %s costs %d statements, want at most %d", c.path, n, c.max)
			}
		}
	}
}
