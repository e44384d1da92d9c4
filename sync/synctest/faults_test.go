package synctest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/client"
)

// syncRetry syncs r until a Sync succeeds, as the app's background sync
// does: every failure is retried. restart is called after each failure
// (to restart a crashed server) and may be nil. It reports whether the
// successful sync moved anything and how many attempts failed; more than
// max failures in a row fail the test.
func syncRetry(t *testing.T, r *replica, max int, restart func(error)) (bool, int) {
	t.Helper()
	for fails := 0; ; fails++ {
		res, err := r.sync.Sync(context.Background())
		if err == nil {
			return moved(res) || fails > 0, fails
		}
		if !errors.Is(err, client.ErrUnreachable) {
			t.Fatalf("sync of %s: %v (not a network failure)", r.name, err)
		}
		if fails == max {
			t.Fatalf("sync of %s failed %d times in a row: %v", r.name, max+1, err)
		}
		if restart != nil {
			restart(err)
		}
	}
}

// quietRetry syncs every replica with retries, round after round, until a
// round in which every sync succeeded at once and moved nothing.
func quietRetry(t *testing.T, rng *rand.Rand, reps []*replica, restart func(error)) {
	t.Helper()
	for range 40 {
		busy := false
		for _, i := range rng.Perm(len(reps)) {
			m, _ := syncRetry(t, reps[i], 200, restart)
			busy = busy || m
		}
		if !busy {
			return
		}
	}
	t.Fatal("replicas still moving ops after 40 rounds")
}

// TestFaultProxy puts a proxy on 127.0.0.1 between four laptops and the
// server that cuts many connections at a random byte offset, in the
// request or in the answer (so the server sometimes commits a push whose
// answer never arrives). The laptops edit concurrently and sync through
// it, paging in small pages, retrying every failure. Once everything has
// gone through, each op is on each replica and on the server exactly once,
// and the states converge.
func TestFaultProxy(t *testing.T) {
	var total ProxyStats
	runSeeds(t, seeds(5, 2), func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 5))
		srv, hs, admin := startServer(t)
		proxy, err := NewFaultProxy(hs.Listener.Addr().String(), seed, 0.5, 1500)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { proxy.Close() })

		var reps []*replica
		for i := range 4 {
			// Half the laptops reuse connections (a cut then hits a
			// later request on it), half open one per request.
			tr := &http.Transport{DisableKeepAlives: i%2 == 0}
			t.Cleanup(tr.CloseIdleConnections)
			hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			r := newReplica(t, admin, hs.URL, proxy.URL(), hc, fmt.Sprintf("coach%d", i), teamNoord,
				fakeNow(t0.Add(time.Duration(rng.IntN(5000))*time.Millisecond)))
			r.sync.PullLimit = 4 + rng.IntN(8)
			reps = append(reps, r)
		}
		w := newWorkload(t, rng, false)
		w.create(reps[0])
		quietRetry(t, rng, reps, nil)

		fails := 0
		for range 60 {
			for range 1 + rng.IntN(4) {
				w.act(reps[rng.IntN(len(reps))])
			}
			_, n := syncRetry(t, reps[rng.IntN(len(reps))], 200, nil)
			fails += n
		}
		// Everyone syncs through the faults a few more times, then the
		// network heals and the rest goes through.
		for range 3 {
			for _, i := range rng.Perm(len(reps)) {
				_, n := syncRetry(t, reps[i], 200, nil)
				fails += n
			}
		}
		proxy.SetFaults(false)
		quietRetry(t, rng, reps, nil)
		assertConverged(t, serverState(t, srv), reps, w.made)
		st := proxy.Stats()
		t.Logf("%d connections, %d cut in the request, %d in the answer; %d failed syncs retried", st.Conns, st.CutUp, st.CutDown, fails)
		if st.CutUp == 0 || st.CutDown == 0 || fails == 0 {
			t.Fatalf("the proxy did not break enough: %+v, %d failed syncs", st, fails)
		}
		total.CutUp += st.CutUp
		total.CutDown += st.CutDown
	})
	t.Logf("cut %d requests and %d answers in all", total.CutUp, total.CutDown)
}
