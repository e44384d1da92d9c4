package synctest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
)

// The first-pull kill test runs the laptop's sync in a process of its own
// (TestPullChild, this test binary run again) against the server process
// of TestServerKilledMidSync, and kills one or the other with SIGKILL in
// the middle of a many-page first pull.
const (
	pullDBEnv     = "BRUG_SYNCTEST_PULL_DB"     // the laptop file; set only in the child
	pullURLEnv    = "BRUG_SYNCTEST_PULL_URL"    // the server
	pullTokensEnv = "BRUG_SYNCTEST_PULL_TOKENS" // the folder of the device token (client.FileStore)
	pullLimitEnv  = "BRUG_SYNCTEST_PULL_LIMIT"  // ops per page
	pullKillsEnv  = "BRUG_SYNCTEST_PULL_KILLS"  // kills of TestFirstPullKilledCompletes; default 10, 4 with -short
)

// TestPullChild is the laptop process of TestFirstPullKilledCompletes: it
// runs one sync, as `brug sync` does, and says how it ended.
func TestPullChild(t *testing.T) {
	path := os.Getenv(pullDBEnv)
	if path == "" {
		t.Skip("helper process for TestFirstPullKilledCompletes")
	}
	limit, _ := strconv.Atoi(os.Getenv(pullLimitEnv))
	st, err := store.Open(path, store.Options{Author: "bert", NoSync: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	sy := &client.Syncer{Store: st, HTTP: &http.Client{Timeout: time.Minute}, URL: os.Getenv(pullURLEnv),
		Tokens: &client.FileStore{Dir: os.Getenv(pullTokensEnv)}, PullLimit: limit}
	_, err = sy.Sync(context.Background())
	st.Close()
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("done")
}

// TestFirstPullKilledCompletes kills a laptop's first pull of a team of
// many pages at random moments, the laptop process or the server process
// (SIGKILL), then syncs the laptop again.
// Accident: the laptop kept part of the team's dossiers for good, and
// every later sync said it was up to date. It must hold what a fresh
// device's full pull gives: the same dossiers with the same heads.
func TestFirstPullKilledCompletes(t *testing.T) {
	kills := 10
	if testing.Short() {
		kills = 4
	}
	if n, err := strconv.Atoi(os.Getenv(pullKillsEnv)); err == nil && n > 0 {
		kills = n
	}
	const (
		dossiers = 60
		limit    = 40 // ops per page: some 15 pages
	)
	rng := rand.New(rand.NewPCG(2, 9))
	dir := t.TempDir()
	path := filepath.Join(dir, "server.db")

	// The team, a coach's dossiers on the server, an invite per laptop,
	// and what a fresh device's full pull gives.
	srv := openServer(t, path)
	admin := srv.Admin("tester", server.ChannelCLI)
	addTeams(t, admin)
	hs := httptest.NewServer(srv.Handler())
	anna := newReplica(t, admin, hs.URL, "", nil, "anna", teamNoord, fakeNow(t0))
	w := newWorkload(t, rng, false)
	for range dossiers {
		id := w.create(anna)
		for range 1 + rng.IntN(4) {
			w.edit(anna, id, []string{"step/1/note", "step/2/note", "step/1/answer/q1"}[rng.IntN(3)])
		}
	}
	if _, err := anna.sync.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddUser("bert", protocol.RoleCoach, []string{teamNoord}); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for range kills + 1 {
		code, _, err := admin.Invite("bert")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	fresh := enrolReplica(t, hs.URL, "", nil, "bert", teamNoord, codes[kills], fakeNow(t0))
	fresh.sync.PullLimit = limit
	if _, err := fresh.sync.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	// All ops are anna's, so her heads are what a fresh device pulls;
	// later checks compare with them as she goes on working.
	if d := diffHeads(heads(t, anna.st), heads(t, fresh.st)); d != "" || len(heads(t, fresh.st)) != dossiers {
		t.Fatalf("a fresh device's full pull differs from the author's file: %s", d)
	}
	hs.Close()
	srv.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr
	reqs := make(chan struct{}, 1000)
	watch := func(line string) {
		if strings.HasPrefix(line, "req ") {
			select {
			case reqs <- struct{}{}:
			default: // never blocks the server's output
			}
		}
	}
	srvProc := startChildWatched(t, path, addr, 0, "", watch)
	tok, err := anna.sync.Tokens.Get(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := anna.sync.Tokens.Set(url, tok); err != nil {
		t.Fatal(err)
	}
	anna.sync.URL = url
	var done []string
	for i := range kills {
		// A fresh laptop, enrolled.
		lap := filepath.Join(dir, fmt.Sprintf("laptop%d.db", i))
		tokens := filepath.Join(dir, fmt.Sprintf("tokens%d", i))
		st, err := store.Open(lap, store.Options{Author: "bert", NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Enroll(context.Background(), nil, st, &client.FileStore{Dir: tokens}, url, codes[i], "laptop"); err != nil {
			t.Fatal(err)
		}
		st.Close()
		// Its first pull, killed at a drawn request: the laptop at a drawn
		// moment after it, or the server as its plan says (before the
		// request is handled, after its commit with the answer unsent,
		// with half the answer sent, or wherever the signal lands).
		at := 1 + rng.IntN(12) // a full pull makes 12 requests
		what := "laptop"
		if i%2 == 1 {
			what = []string{"before", "after", "midway", "async"}[rng.IntN(4)]
			_ = srvProc.cmd.Process.Signal(syscall.SIGKILL) // idle: a restart with a plan
			<-srvProc.exited
			srvProc = startChildWatched(t, path, addr, at, what, watch)
		}
		for len(reqs) > 0 {
			<-reqs
		}
		delay := time.Duration(rng.IntN(5000)) * time.Microsecond // the last may land in the import's commit
		cmd := exec.Command(os.Args[0], "-test.run=^TestPullChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), pullDBEnv+"="+lap, pullURLEnv+"="+url, pullTokensEnv+"="+tokens, pullLimitEnv+"="+strconv.Itoa(limit))
		out := &strings.Builder{}
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		for seen := 0; what == "laptop" && seen < at; {
			select {
			case <-reqs:
				if seen++; seen == at {
					time.Sleep(delay) // the fault's moment, not synchronisation
					_ = cmd.Process.Signal(syscall.SIGKILL)
				}
			case <-exited:
				seen = at // the pull ended first
			case <-time.After(time.Minute):
				t.Fatalf("kill %d: the pull stalled", i)
			}
		}
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("kill %d: the laptop process did not end after the %s was killed", i, what)
		}
		if what != "laptop" {
			select {
			case <-srvProc.exited:
			default: // the pull ended before the planned request
				_ = srvProc.cmd.Process.Signal(syscall.SIGKILL)
				<-srvProc.exited
			}
			srvProc = startChildWatched(t, path, addr, 0, "", watch)
		}
		done = append(done, fmt.Sprintf("%s@%d(%s)", what, at, ending(out.String())))

		// Others work meanwhile, so the next pages break elsewhere.
		for range 1 + rng.IntN(3) {
			w.act(anna)
		}
		if _, err := anna.sync.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := heads(t, anna.st)

		// The next sync completes the laptop, and the one after finds
		// nothing new.
		st, err = store.Open(lap, store.Options{Author: "bert", NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		sy := &client.Syncer{Store: st, URL: url, Tokens: &client.FileStore{Dir: tokens}, PullLimit: limit}
		if _, err := sy.Sync(context.Background()); err != nil {
			t.Fatalf("kill %d (%s): sync after the kill: %v", i, done[len(done)-1], err)
		}
		res, err := sy.Sync(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := heads(t, st)
		if err := st.Check(); err != nil {
			t.Errorf("kill %d: laptop file: %v", i, err)
		}
		st.Close()
		if d := diffHeads(want, got); d != "" {
			t.Fatalf("kill %d (%s): the laptop differs from a fresh device's full pull: %s\nkills so far: %v", i, done[len(done)-1], d, done)
		}
		if res.Pulled != 0 {
			t.Errorf("kill %d: a sync after the completing one pulled %d ops", i, res.Pulled)
		}
	}
	t.Logf("kills: %v", done)
}

// ending says how the laptop process ended, from what it printed.
func ending(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return "killed"
}

// heads returns a store's dossiers, each as its fields' head op ids.
func heads(t *testing.T, st *store.Store) map[string]map[string][]string {
	t.Helper()
	sums, err := st.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]string{}
	for _, sm := range sums {
		ops, err := st.Ops(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string][]string{}
		for _, op := range ops {
			if _, ok := fields[op.Field]; ok {
				continue
			}
			hs, err := st.Heads(sm.ID, op.Field)
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, h := range hs {
				ids = append(ids, h.ID)
			}
			slices.Sort(ids)
			fields[op.Field] = ids
		}
		out[sm.ID] = fields
	}
	return out
}

// diffHeads says how got differs from want, or "".
func diffHeads(want, got map[string]map[string][]string) string {
	var missing, extra, differ int
	for id, wf := range want {
		gf, ok := got[id]
		if !ok {
			missing++
			continue
		}
		if len(gf) != len(wf) {
			differ++
			continue
		}
		for f, hs := range wf {
			if !slices.Equal(hs, gf[f]) {
				differ++
				break
			}
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			extra++
		}
	}
	if missing+extra+differ == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d dossiers missing, %d extra, %d with other heads", missing, len(want), extra, differ)
}
