package server

import (
	"sync"
	"sync/atomic"
)

// Several server processes on one database (docs/postgres.md, "Several
// processes on one database"). What a server keeps in memory across
// transactions describes the storage as its own writes left it: the view
// cache (viewcache.go), the index of recent ops (recent.go), the register
// (orgs.go) and the epochs (epoch.go). On a bbolt file that is all there
// is (one process holds the file). On a storage shared by several
// processes (storage.Processes) every sync transaction first reads the
// storage's count of changes, under the write lock, so that it counts
// every such write committed before it, by any process; when the count is
// not what this process's own last sync transaction left, another process
// (or `brug admin --store`) wrote since, and the caches are dropped
// before anything reads them. No notification can arrive late: the check
// is a read in the same transaction as the sync's own reads.
//
// The index of recent ops needs no count for ops others append: when the
// sequence moved past where this process's last sync left it, the ops
// numbered in between are read from the storage and filed
// (recentOps.takeIn), each under its dossier's team, which no other
// process changed meanwhile (that would have raised the count). Erasures
// take numbers away, which the count sees.

// processes is a server's state about the other processes on its storage.
type processes struct {
	// shared is set at Open when the storage is shared.
	shared atomic.Bool
	// seen is the count after this process's last committed sync
	// transaction; written by the group's leader only.
	seen atomic.Uint64
	// The fields below are touched only by the group's leader, in the
	// transaction hooks (one transaction at a time).
	pending uint64 // the count at the end of the running one
	known   bool   // seen holds a count read from the storage
	high    uint64 // the epoch's high-water mark as last recorded (RaiseEpoch)
	// epochs are other processes' epochs as far as seen.
	epochs epochHighs
	// drops counts how often the caches were dropped for another
	// process's writes, for tests.
	drops atomic.Int64
}

// syncHooks follow the group's sync transactions (group.go): the check of
// other processes' writes, then the index of recent ops.
type syncHooks struct{ s *Server }

func (h syncHooks) begin(tx Tx) {
	s, p := h.s, &h.s.processes
	if n, shared := tx.Changes(); shared {
		p.shared.Store(true)
		if !p.known || n != p.seen.Load() {
			// Another process wrote since: what this one keeps may be
			// untrue. The recent index is dropped before it begins
			// the transaction, so it starts afresh with it.
			s.views.bump()
			s.recent.invalidate()
			s.register.drop()
			if p.known {
				p.drops.Add(1)
			}
		}
		p.seen.Store(n)
		p.known = true
	}
	s.recent.begin(tx)
}

func (h syncHooks) finish(tx Tx) error {
	s, p := h.s, &h.s.processes
	s.recent.finish(tx)
	if !p.shared.Load() {
		return nil
	}
	// Every cursor this transaction's answers carry is at most the last
	// number now: record it as the epoch's high-water mark, so that
	// another process knows how far this epoch's history goes
	// (behindShared). With it, or alone, read the count after this
	// transaction's own changes: the next sync transaction compares
	// with it.
	if last := s.recent.end; last > p.high {
		n, err := tx.RaiseEpoch(s.epochs.current, last)
		if err != nil {
			return err
		}
		p.pending = n
		return nil
	}
	p.pending, _ = tx.Changes()
	return nil
}

func (h syncHooks) done(committed bool) {
	s, p := h.s, &h.s.processes
	s.recent.done(committed)
	if !p.shared.Load() {
		return
	}
	if committed {
		p.seen.Store(p.pending)
		p.high = max(p.high, s.recent.end)
		return
	}
	// Rolled back: the count read at its start may have been raised by
	// none of its writes; the group's failure hook bumps the view cache
	// anyway. Read the count afresh next time.
	p.known = false
}

// freshViews bumps the view cache when another process changed what
// devices see since this process's last sync transaction: for a
// transaction outside the group's (an SSH session's) that reads the view
// cache. It leaves the rest to the next sync transaction.
func (s *Server) freshViews(tx Tx) {
	if !s.processes.shared.Load() {
		return
	}
	if n, _ := tx.Changes(); n != s.processes.seen.Load() {
		s.views.bump()
	}
}

// epochHighs caches what a process learnt of other processes' epochs on a
// shared storage: the highest cursor each was seen to have handed out.
type epochHighs struct {
	mu   sync.Mutex
	high map[string]uint64
}

// behindShared is Server.behind on a storage several processes share,
// where the epoch a device sends may be another process's, still running:
// its history in the storage goes up to the highest cursor its answers
// carried (storage.Epoch.High), not to where the next epoch began. Read in
// the sync's transaction; an epoch seen to reach cursor needs no read.
func (s *Server) behindShared(tx Tx, epoch string, cursor uint64) (bool, error) {
	if epoch == "" || epoch == s.epochs.current {
		return false, nil
	}
	h := &s.processes.epochs
	h.mu.Lock()
	known := h.high[epoch]
	h.mu.Unlock()
	if cursor <= known {
		return false, nil
	}
	var found, broken bool
	var high, end uint64
	err := tx.EachEpoch(func(e epochEntry) error {
		if found && end == 0 {
			end = e.Start // the next epoch's start: the old rule, for an epoch without High
		}
		if e.ID == epoch {
			found, broken, high = true, e.Broken, e.High
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if !found || broken {
		return true, nil
	}
	if high == 0 {
		high = end
	}
	h.mu.Lock()
	if h.high == nil {
		h.high = map[string]uint64{}
	}
	h.high[epoch] = max(h.high[epoch], high)
	h.mu.Unlock()
	return cursor > high, nil
}
