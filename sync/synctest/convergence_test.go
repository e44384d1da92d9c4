package synctest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestConvergence is issue 3's convergence test: a real server and seven
// replicas (five coaches of team Noord enrolled from the start, one coach
// of team Zuid, and a Noord coach whose fresh laptop joins halfway and
// gets a snapshot) make random edits of the same fields, scalar and text,
// sync in random order, alone or several at once, and now and then go
// offline for a while and keep editing. Dossiers move between the teams.
// After everyone has synced until nothing moves, every replica's state
// equals the server's, every op is everywhere exactly once, and no text
// edit is lost.
func TestConvergence(t *testing.T) {
	steps := 120
	if testing.Short() {
		steps = 80
	}
	runSeeds(t, seeds(20, 5), func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 3))
		srv, hs, admin := startServer(t)
		clock := func() func() time.Time {
			return fakeNow(t0.Add(time.Duration(rng.IntN(5000)) * time.Millisecond))
		}
		var reps []*replica
		for i := range 5 {
			reps = append(reps, newReplica(t, admin, hs.URL, "", nil, fmt.Sprintf("coach%d", i), teamNoord, clock()))
		}
		reps = append(reps, newReplica(t, admin, hs.URL, "", nil, "zuidcoach", teamZuid, clock()))

		w := newWorkload(t, rng, true)
		// A first dossier per team, synced everywhere, so each replica
		// has a cursor and later receives whole histories.
		w.create(reps[0])
		w.create(reps[5])
		syncUntilQuiet(t, rng, reps, 4)

		for step := range steps {
			if step == steps/2 {
				late := newReplica(t, admin, hs.URL, "", nil, "laatkomer", teamNoord, clock())
				late.full = false
				reps = append(reps, late)
			}
			if rng.IntN(10) == 0 { // a partition: a laptop goes offline for a while
				reps[rng.IntN(len(reps))].quiet = 5 + rng.IntN(30)
			}
			switch k := rng.IntN(10); {
			case k < 6:
				w.act(reps[rng.IntN(len(reps))])
			case k < 9 || rng.IntN(2) == 0:
				if r := reps[rng.IntN(len(reps))]; r.quiet == 0 {
					if _, err := r.sync.Sync(context.Background()); err != nil {
						t.Fatalf("step %d: sync of %s: %v", step, r.name, err)
					}
				}
			default:
				syncAtOnce(t, reps)
			}
			for _, r := range reps {
				r.quiet = max(0, r.quiet-1)
			}
		}
		for _, r := range reps {
			r.quiet = 0
		}
		syncAtOnce(t, reps)
		syncUntilQuiet(t, rng, reps, 10)
		assertConverged(t, serverState(t, srv), reps, w.made)
	})
}

// syncAtOnce syncs every online replica at the same time, each in its own
// goroutine: the server serialises their transactions in whatever order
// they arrive.
func syncAtOnce(t *testing.T, reps []*replica) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(reps))
	for i, r := range reps {
		if r.quiet > 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.sync.Sync(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent sync of %s: %v", reps[i].name, err)
		}
	}
}
