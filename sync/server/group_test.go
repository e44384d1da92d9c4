package server

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

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
