package synctest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgtest"
)

// TestPostgresTwoProcesses runs two server processes (this test binary
// as TestServerChild, each its own OS process with its own connections
// and caches) on one PostgreSQL database, and six laptops whose every sync
// goes to either of them, drawn at random, as behind a load balancer. The
// laptops make random edits, move dossiers between the teams and sync
// alone or all at once, several with small pages; the region is also
// changed by a third writer (`brug admin --store`: this process's own
// server on the database). Checked:
//   - the laptops converge on the server's state as with one process:
//     every op everywhere exactly once, each laptop exactly its team's
//     dossiers, no text edit lost (so no device skipped an op numbered
//     by the other process);
//   - no laptop is ever asked to resend (each process's epoch goes on
//     while the other's runs);
//   - a coach moved to the other team by the admin, whose view both
//     processes had settled, holds exactly her new team's dossiers after
//     her next sync, on either process;
//   - a dossier the admin erases is erased by every laptop of its team at
//     its next sync, on either process.
func TestPostgresTwoProcesses(t *testing.T) {
	url := pgtest.DB(t)
	adm := openServer(t, url)
	t.Cleanup(func() { adm.Close() })
	admin := adm.Admin("tester", server.ChannelCLI)
	addTeams(t, admin)
	var urls []string
	for range 2 {
		addr := freeAddr(t)
		startChild(t, url, addr, 0, "")
		urls = append(urls, "http://"+addr)
	}

	rng := rand.New(rand.NewPCG(14, 2))
	hc := &http.Client{Timeout: 60 * time.Second}
	var reps []*replica
	for i, team := range []string{teamNoord, teamNoord, teamNoord, teamNoord, teamZuid, teamZuid} {
		name := fmt.Sprintf("coach%d", i)
		if _, err := admin.AddUser(name, protocol.RoleCoach, []string{team}); err != nil {
			t.Fatal(err)
		}
		code, _, err := admin.Invite(name)
		if err != nil {
			t.Fatal(err)
		}
		// Enrolled at one process, syncing with both: the token is the
		// region's, whichever process checks it.
		r := enrolReplica(t, urls[i%2], urls[1-i%2], hc, name, team, code, fakeNow(t0.Add(time.Duration(rng.IntN(5000))*time.Millisecond)))
		tok, err := r.sync.Tokens.Get(urls[1-i%2])
		if err != nil {
			t.Fatal(err)
		}
		if err := r.sync.Tokens.Set(urls[i%2], tok); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			r.sync.PullLimit = 5
		}
		reps = append(reps, r)
	}
	// syncOn syncs r with the process at url; a resend fails the test.
	syncOn := func(r *replica, url string) bool {
		t.Helper()
		r.sync.URL = url
		res, err := r.sync.Sync(context.Background())
		if err != nil {
			t.Fatalf("sync of %s with %s: %v", r.name, url, err)
		}
		if res.Restored {
			t.Fatalf("%s was asked to resend by %s: the other process's epoch was taken for a restore", r.name, url)
		}
		return moved(res)
	}
	anyURL := func() string { return urls[rng.IntN(len(urls))] }
	quiet := func(maxRounds int) {
		t.Helper()
		for round := 0; round < maxRounds; round++ {
			busy := false
			for _, i := range rng.Perm(len(reps)) {
				busy = syncOn(reps[i], anyURL()) || busy
			}
			if !busy {
				return
			}
		}
		t.Fatalf("replicas still moving ops after %d rounds", maxRounds)
	}
	atOnce := func() {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, len(reps))
		for i, r := range reps {
			r.sync.URL = anyURL()
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := r.sync.Sync(context.Background())
				if err == nil && res.Restored {
					err = fmt.Errorf("asked to resend by %s", r.sync.URL)
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("concurrent sync of %s: %v", reps[i].name, err)
			}
		}
	}

	w := newWorkload(t, rng, true)
	w.create(reps[0])
	w.create(reps[4])
	quiet(6)
	steps := 150
	if testing.Short() {
		steps = 80
	}
	for range steps {
		switch k := rng.IntN(10); {
		case k < 6:
			w.act(reps[rng.IntN(len(reps))])
		case k < 9:
			syncOn(reps[rng.IntN(len(reps))], anyURL())
		default:
			atOnce()
		}
	}
	atOnce()
	quiet(12)
	assertConverged(t, serverState(t, adm), reps, w.made)

	// A coach moves from Noord to Zuid while both processes hold her view
	// as settled: her next sync, on either, gives her Zuid's dossiers and
	// takes Noord's.
	mover := reps[1]
	for range 2 {
		for _, u := range urls {
			syncOn(mover, u)
		}
	}
	if err := admin.AddMember(teamZuid, mover.name); err != nil {
		t.Fatal(err)
	}
	if err := admin.RemoveMember(teamNoord, mover.name); err != nil {
		t.Fatal(err)
	}
	mover.team = teamZuid
	for _, u := range []string{urls[1], urls[0]} {
		syncOn(mover, u)
		assertHoldsTeam(t, adm, mover, u)
	}

	// The admin erases a dossier of Zuid: every Zuid laptop erases it at
	// its next sync, on whichever process.
	var gone string
	sums, err := serverState(t, adm).Summaries()
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sums {
		if sm.Team == teamZuid {
			gone = sm.ID
			break
		}
	}
	if gone == "" {
		t.Fatal("no dossier of Zuid to erase")
	}
	if _, err := admin.Erase(gone); err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.team != teamZuid {
			continue
		}
		u := anyURL()
		syncOn(r, u)
		if !r.st.Erased(gone) {
			t.Errorf("%s did not erase dossier %s at its first sync after the erasure (with %s)", r.name, gone, u)
		}
	}
	for id, op := range w.made {
		if op.Dossier == gone {
			delete(w.made, id)
		}
	}
	quiet(6)
	assertConverged(t, serverState(t, adm), reps, w.made)
}

// freeAddr is a free address on 127.0.0.1 for a server process to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// assertHoldsTeam checks that a replica holds exactly the dossiers of its
// team that the server holds.
func assertHoldsTeam(t *testing.T, srv *server.Server, r *replica, via string) {
	t.Helper()
	all, err := serverState(t, srv).Summaries()
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, sm := range all {
		if sm.Team == r.team {
			want = append(want, sm.ID)
		}
	}
	mine, err := r.st.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range mine {
		got = append(got, sm.ID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s (team %s) after a sync with %s holds %v, want %v", r.name, r.team, via, got, want)
	}
}
