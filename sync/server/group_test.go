package server

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/boltstore"
)

// Concurrent transactions share commits, yet each one's outcome is its
// own: one that fails or panics fails alone, the rest are stored once,
// and after runs only for those that committed.
func TestGroupCommitFailsAlone(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "g.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var g groupCommitter
	var rollbacks atomic.Int64
	g.failed = func() { rollbacks.Add(1) }
	const n = 64
	errBad := errors.New("bad")
	errs := make([]error, n)
	afters := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.run(st, func(tx Tx) error {
				b, err := tx.(*boltstore.Tx).RawBucket("x_test")
				if err != nil {
					return err
				}
				if err := b.Put(fmt.Appendf(nil, "k%03d", i), []byte{1}); err != nil {
					return err
				}
				switch i {
				case 7:
					return errBad
				case 9:
					panic("boom")
				}
				return nil
			}, func() { afters[i]++ })
		}()
	}
	wg.Wait()
	err = st.View(func(tx Tx) error {
		b, _ := tx.(*boltstore.Tx).RawBucket("x_test")
		for i := range n {
			stored := b != nil && b.Get(fmt.Appendf(nil, "k%03d", i)) != nil
			ok := i != 7 && i != 9
			if stored != ok || (errs[i] == nil) != ok || afters[i] != map[bool]int{true: 1}[ok] {
				t.Errorf("call %d: stored %v, err %v, after ran %d times", i, stored, errs[i], afters[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(errs[7], errBad) {
		t.Errorf("call 7: %v, want its own error", errs[7])
	}
	if rollbacks.Load() == 0 {
		t.Error("no rollback reported")
	}
	if g.running || len(g.pending) != 0 {
		t.Errorf("committer left running %v with %d pending", g.running, len(g.pending))
	}
}

// waitPending polls, up to a deadline, until n calls are queued behind
// the running transaction.
func waitPending(t *testing.T, g *groupCommitter, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		k := len(g.pending)
		g.mu.Unlock()
		if k >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", k, n)
		}
		runtime.Gosched()
	}
}

// A call's answer is prepared (groupCall.prep) while the rest of its
// group runs, never at the same time as its function, and what it
// prepared is from the function's last run: a group that fails (here its
// last function, once) runs its functions again, each alone, and those
// answers are prepared by their callers.
func TestGroupPreparesWhileTheGroupRuns(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "g.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("last fails %v", fail), func(t *testing.T) {
			var g groupCommitter
			const n = 16
			// What each call's function and prep left: the function's
			// runs, and the run its prep saw (0: none, reset by each run
			// as doSync resets its answer).
			type out struct{ runs, prepared int }
			outs := make([]out, n)
			preps := make(chan int, n)
			errs := make([]error, n)
			release, started := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			defer wg.Wait()
			var once sync.Once
			releaseAll := func() { once.Do(func() { close(release) }) }
			defer releaseAll() // also when the test fails before the end
			// A first call holds the transaction until the others queued
			// behind it, so that they form one group, in order.
			wg.Go(func() {
				_ = g.run(st, func(Tx) error { close(started); <-release; return nil }, nil)
			})
			<-started
			for i := range n {
				wg.Go(func() {
					fn := func(Tx) error {
						outs[i] = out{runs: outs[i].runs + 1}
						if i == n-1 && outs[i].runs == 1 {
							// The last of the group waits for the others'
							// answers: they are prepared while it runs.
							timeout := time.After(10 * time.Second)
							for range n - 1 {
								select {
								case <-preps:
								case <-timeout:
									return errors.New("the group's answers were not prepared while it ran")
								}
							}
							if fail {
								return errors.New("bad")
							}
						}
						return nil
					}
					prep := func(bool) {
						outs[i].prepared = outs[i].runs
						preps <- i
					}
					errs[i] = g.runPrepared(st, nil, fn, nil, prep)
				})
				waitPending(t, &g, i+1)
			}
			releaseAll()
			wg.Wait()
			for i, o := range outs {
				last := i == n-1
				switch {
				case errs[i] != nil:
					t.Errorf("call %d: %v", i, errs[i])
				case fail && (o.runs != 2 || o.prepared != 0):
					t.Errorf("call %d, group failed: ran %d times, prepared from run %d; want 2 runs, answer left to its caller", i, o.runs, o.prepared)
				case !fail && !last && (o.runs != 1 || o.prepared != 1):
					t.Errorf("call %d: ran %d times, prepared from run %d; want 1, 1", i, o.runs, o.prepared)
				}
			}
		})
	}
}
