package synctest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// Teams of every test region.
const (
	teamNoord = "Noord"
	teamZuid  = "Zuid"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// seeds returns how many seeds a randomised test runs: normal in a full
// run, short with -short, or BRUG_SYNCTEST_SEEDS when set (to hunt for a
// failure with many more).
func seeds(normal, short int) int {
	if v, err := strconv.Atoi(os.Getenv("BRUG_SYNCTEST_SEEDS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() {
		return short
	}
	return normal
}

// runSeeds runs body once per seed as a subtest named seed=N, and on
// failure logs the command that runs that seed alone.
func runSeeds(t *testing.T, n int, body func(t *testing.T, seed uint64)) {
	for seed := range uint64(n) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("reproduce: go test -race ./sync/synctest/ -run '^%s$' -v", t.Name())
				}
			})
			body(t, seed)
		})
	}
}

// fakeNow is a wall clock for one replica that starts at start and moves
// a second per reading, so timestamps never depend on the machine's speed.
func fakeNow(start time.Time) func() time.Time {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

// openServer opens a server file on path with fsync off.
func openServer(t testing.TB, path string) *server.Server {
	t.Helper()
	srv, err := server.Open(path, server.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open server %s: %v", path, err)
	}
	return srv
}

// TestMain stops the PostgreSQL cluster the tests may start.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// regionPath is where a fresh test region is kept: a bbolt file, or with
// BRUG_TEST_STORE=postgres a database of pgtest's cluster.
func regionPath(t testing.TB) string {
	t.Helper()
	switch b := os.Getenv("BRUG_TEST_STORE"); b {
	case "", "bolt":
		return filepath.Join(t.TempDir(), "server.db")
	case "postgres":
		return pgtest.DB(t)
	default:
		t.Fatalf("BRUG_TEST_STORE=%s: no such backend; have bolt, postgres", b)
		return ""
	}
}

// startServer runs a fresh server with the test teams on 127.0.0.1 and
// checks on cleanup that its kept state equals the state rebuilt from the
// log (where it has an op-log store of its own: the bbolt file).
func startServer(t testing.TB) (*server.Server, *httptest.Server, *server.Admin) {
	t.Helper()
	return startServerAt(t, regionPath(t))
}

// startServerAt is startServer on the region at path.
func startServerAt(t testing.TB, path string) (*server.Server, *httptest.Server, *server.Admin) {
	t.Helper()
	srv := openServer(t, path)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		if st := srv.Store(); st != nil {
			if err := st.Check(); err != nil {
				t.Errorf("server: kept state differs from the state rebuilt from the log: %v", err)
			}
		}
		srv.Close()
	})
	admin := srv.Admin("tester", server.ChannelCLI)
	addTeams(t, admin)
	return srv, hs, admin
}

// addTeams creates the test teams on a fresh server.
func addTeams(t testing.TB, admin *server.Admin) {
	t.Helper()
	for _, team := range []string{teamNoord, teamZuid} {
		if _, err := admin.AddTeam(team); err != nil {
			t.Fatal(err)
		}
	}
}

// replica is one coach's laptop: a store on its own file, enrolled with
// the server through the real /v1/enroll, synced by a client.Syncer.
type replica struct {
	name  string
	team  string
	st    *store.Store
	sync  *client.Syncer
	full  bool // enrolled at the start: receives whole histories, never a snapshot
	quiet int  // steps left offline (a partition); 0 means online
}

// newReplica adds a coach of team, opens a store for them and enrols it at
// enrolURL with a fresh code; syncs go to syncURL (a proxy, or "" for the
// enrolment address) over hc. The store is checked against a rebuild from
// its log when the test ends.
func newReplica(t *testing.T, admin *server.Admin, enrollURL, syncURL string, hc *http.Client, name, team string, now func() time.Time) *replica {
	t.Helper()
	if _, err := admin.AddUser(name, protocol.RoleCoach, []string{team}); err != nil {
		t.Fatal(err)
	}
	code, _, err := admin.Invite(name)
	if err != nil {
		t.Fatal(err)
	}
	return enrolReplica(t, enrollURL, syncURL, hc, name, team, code, now)
}

// enrolReplica opens a store and enrols it with an existing code.
func enrolReplica(t *testing.T, enrollURL, syncURL string, hc *http.Client, name, team, code string, now func() time.Time) *replica {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), name+".db"), store.Options{Author: name, NoSync: true, Now: now, Encryption: &store.Encryption{Keyring: store.KeyFile{Dir: t.TempDir()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("%s: kept state differs from the state rebuilt from the log: %v", name, err)
		}
		st.Close()
	})
	toks := &client.MemoryStore{}
	if _, err := client.Enroll(context.Background(), hc, st, toks, enrollURL, code, name+"-laptop"); err != nil {
		t.Fatalf("enrol %s: %v", name, err)
	}
	sy := &client.Syncer{Store: st, HTTP: hc, Tokens: toks}
	if syncURL != "" && syncURL != enrollURL {
		tok, err := toks.Get(enrollURL)
		if err != nil {
			t.Fatal(err)
		}
		if err := toks.Set(syncURL, tok); err != nil {
			t.Fatal(err)
		}
		sy.URL = syncURL
	}
	return &replica{name: name, team: team, st: st, sync: sy, full: true}
}

// moved reports whether a sync changed anything on either side.
func moved(r client.Result) bool {
	return r.Pushed+r.Pulled+r.Refused+r.Dropped+r.Erased > 0
}

// workload makes random user actions on replicas, the way coaches work:
// scalar and text fields of a few steps, so that replicas often edit the
// same field concurrently, agreements and journal entries, conflict
// resolutions, and (when transfers is set) moves of a dossier to the other
// team. It remembers every op it made.
type workload struct {
	t         *testing.T
	rng       *rand.Rand
	transfers bool
	made      map[string]store.Op // every op made on any replica, by id
	n         int                 // numbers texts, so each is unique
}

func newWorkload(t *testing.T, rng *rand.Rand, transfers bool) *workload {
	return &workload{t: t, rng: rng, transfers: transfers, made: map[string]store.Op{}}
}

var (
	names    = []string{"Anna de Vries", "Bram Jansen", "Cor van Dijk", "Dewi Bakker", "Emre Yilmaz"}
	statuses = []store.StepStatus{store.StepOpen, store.StepActive, store.StepDone}
	dues     = []string{"2026-11-20", "2026-12-01", "2027-01-15", ""}
)

func (w *workload) record(ops ...store.Op) {
	for _, op := range ops {
		if _, dup := w.made[op.ID]; dup {
			w.t.Fatalf("op id %s made twice", op.ID)
		}
		w.made[op.ID] = op
	}
}

func (w *workload) text(r *replica) string {
	w.n++
	return fmt.Sprintf("%s schrijft %d", r.name, w.n)
}

func (w *workload) commit(r *replica, dossier string, changes ...store.Change) {
	w.t.Helper()
	ops, err := r.st.Commit(dossier, changes...)
	if err != nil {
		w.t.Fatalf("%s: commit on %s: %v", r.name, dossier, err)
	}
	w.record(ops...)
}

// create makes a new dossier of r's team and records its ops.
func (w *workload) create(r *replica) string {
	w.t.Helper()
	id, err := r.st.CreateClient(store.NewClient{Name: names[w.rng.IntN(len(names))], Team: r.team, BirthYear: "1990"})
	if err != nil {
		w.t.Fatalf("%s: create client: %v", r.name, err)
	}
	ops, err := r.st.Ops(id)
	if err != nil {
		w.t.Fatal(err)
	}
	w.record(ops...)
	return id
}

// edit writes a text field the way the editor does: it names the heads
// the user saw. Now and then the user saw only some of them (the editor
// was opened before a sync brought another text), which leaves a conflict.
func (w *workload) edit(r *replica, dossier, field string) {
	w.t.Helper()
	hs, err := r.st.Heads(dossier, field)
	if err != nil {
		w.t.Fatal(err)
	}
	var seen []string
	for _, h := range hs {
		if w.rng.IntN(4) != 0 {
			seen = append(seen, h.ID)
		}
	}
	w.commit(r, dossier, store.Edit(field, w.text(r), seen))
}

// act makes one random user action on r.
func (w *workload) act(r *replica) {
	w.t.Helper()
	sums, err := r.st.Summaries()
	if err != nil {
		w.t.Fatal(err)
	}
	if len(sums) == 0 || w.rng.IntN(25) == 0 {
		w.create(r)
		return
	}
	d := sums[w.rng.IntN(len(sums))].ID
	step := 1 + w.rng.IntN(2)
	item := 1 + w.rng.IntN(3)
	switch k := w.rng.IntN(100); {
	case k < 12:
		w.commit(r, d, store.Set("name", names[w.rng.IntN(len(names))]))
	case k < 22:
		w.commit(r, d, store.Set(fmt.Sprintf("step/%d/status", step), string(statuses[w.rng.IntN(len(statuses))])))
	case k < 36:
		op, err := r.st.ToggleCheck(d, step, fmt.Sprintf("c%d", item))
		if err != nil {
			w.t.Fatal(err)
		}
		w.record(op)
	case k < 56:
		w.edit(r, d, fmt.Sprintf("step/%d/answer/q%d", step, item))
	case k < 66:
		w.edit(r, d, fmt.Sprintf("step/%d/note", step))
	case k < 74:
		id := store.NewID()
		w.commit(r, d, store.Set("agreement/"+id+"/exists", "1"),
			store.Set("agreement/"+id+"/what", w.text(r)),
			store.Set("agreement/"+id+"/due", dues[w.rng.IntN(len(dues))]))
	case k < 86:
		c, err := r.st.Client(d)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(c.Agreements) == 0 {
			w.edit(r, d, "step/1/note")
			return
		}
		a := "agreement/" + c.Agreements[w.rng.IntN(len(c.Agreements))].ID
		switch w.rng.IntN(4) {
		case 0:
			w.commit(r, d, store.Set(a+"/done", strconv.Itoa(w.rng.IntN(2))))
		case 1:
			w.commit(r, d, store.Set(a+"/exists", strconv.Itoa(w.rng.IntN(2))))
		default:
			w.edit(r, d, a+"/what")
		}
	case k < 91:
		id := store.NewID()
		w.commit(r, d, store.Set("journal/"+id+"/exists", "1"), store.Set("journal/"+id+"/kind", "bezoek"),
			store.Set("journal/"+id+"/text", w.text(r)))
	case k < 97:
		c, err := r.st.Client(d)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(c.Conflicts) == 0 {
			w.edit(r, d, "step/2/note")
			return
		}
		// Resolve: a text whose prev names every head.
		w.commit(r, d, store.Set(c.Conflicts[w.rng.IntN(len(c.Conflicts))], w.text(r)))
	default:
		if !w.transfers {
			w.commit(r, d, store.Set("name", names[w.rng.IntN(len(names))]))
			return
		}
		to := teamZuid
		if r.team == teamZuid {
			to = teamNoord
		}
		w.commit(r, d, store.Set("team", to))
	}
}

// syncUntilQuiet syncs every replica, in an order drawn from rng, round
// after round until a whole round moves nothing; at most maxRounds.
func syncUntilQuiet(t *testing.T, rng *rand.Rand, reps []*replica, maxRounds int) {
	t.Helper()
	for round := 0; round < maxRounds; round++ {
		busy := false
		for _, i := range rng.Perm(len(reps)) {
			res, err := reps[i].sync.Sync(context.Background())
			if err != nil {
				t.Fatalf("round %d: sync of %s: %v", round, reps[i].name, err)
			}
			busy = busy || moved(res)
		}
		if !busy {
			return
		}
	}
	t.Fatalf("replicas still moving ops after %d rounds", maxRounds)
}
