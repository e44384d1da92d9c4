package server

import (
	"fmt"
	"sync"

	"github.com/brug-nl/brug/sync/server/storage"
)

// Group commit (docs/sync.md, "One sync"). Every sync is one write
// transaction, and bbolt runs write transactions one at a time, each ending
// in a page write and an fsync. When many devices sync at once, the syncs
// that arrive while one transaction runs are gathered and run one after the
// other in the next transaction, which commits (and fsyncs) once for all of
// them. Each sync still sees the writes of those before it, so the outcome
// is that of running them in that order; the store materialises each
// dossier touched by the group once, at the end.
//
// There is no timer: a lone sync runs at once; the group is simply what
// queued while the previous transaction ran. The first caller to find no
// transaction running leads: it runs groups until the queue is empty,
// handing the lead to a waiting caller after each group so that its own
// answer is not held back by later arrivals.
//
// A sync function must be safe to run again: when a group's transaction
// fails, nothing of it was stored, and every member is run again in a
// transaction of its own, so that one broken sync only fails itself. The
// functions therefore set their outputs afresh on each run. A function
// reports an error that leaves the transaction untouched (an unknown token)
// through its outputs, not its result, so it does not cost its group a
// retry.

// groupCommitter queues the write transactions of concurrent syncs.
type groupCommitter struct {
	mu      sync.Mutex
	pending []*groupCall
	running bool // a leader is running groups

	// failed, when not nil, is called after a transaction failed and was
	// rolled back: caches filled in it may hold what was never stored.
	failed func()
	// tx, when not nil, is told of each transaction's start, end (after
	// the last function, in the transaction) and outcome (processes.go,
	// recent.go).
	tx txHooks
}

// txHooks follow the group's transactions.
type txHooks interface {
	begin(Tx)
	finish(Tx) error
	done(committed bool)
}

// update runs fns in one write transaction between the hooks; with
// pre, on a storage that reads ahead (storage.SyncPrefetcher), what the
// functions ask first is read with the transaction's start.
func (g *groupCommitter) update(st storage.Storage, pre *storage.SyncPrefetch, fns func(Tx) error) error {
	run := st.Update
	if p, ok := st.(storage.SyncPrefetcher); ok && pre != nil {
		run = func(fn func(Tx) error) error { return p.PrefetchedUpdate(*pre, fn) }
	}
	err := run(func(tx Tx) error {
		if g.tx != nil {
			g.tx.begin(tx)
		}
		if err := fns(tx); err != nil {
			return err
		}
		if g.tx != nil {
			return g.tx.finish(tx)
		}
		return nil
	})
	if g.tx != nil {
		g.tx.done(err == nil)
	}
	return err
}

// groupCall is one queued transaction function.
type groupCall struct {
	fn    func(Tx) error
	after func()                // run after its transaction committed, before the caller returns; may be nil
	pre   *storage.SyncPrefetch // what fn asks first, to read ahead; may be nil
	err   error
	done  chan bool // true: done, err set; false: lead the next groups
}

// run runs fn in a write transaction shared with the syncs queued at the
// same time and returns once it committed (or failed). after, when not
// nil, runs after the commit, still in the lead goroutine (before the next
// group starts), so it may update in-memory state that must agree with
// the committed file.
func (g *groupCommitter) run(st storage.Storage, fn func(Tx) error, after func()) error {
	return g.runPrefetched(st, nil, fn, after)
}

// runPrefetched is run, with what fn asks first (pre), which a storage
// that reads ahead reads for the whole group at the transaction's start.
func (g *groupCommitter) runPrefetched(st storage.Storage, pre *storage.SyncPrefetch, fn func(Tx) error, after func()) error {
	c := &groupCall{fn: fn, after: after, pre: pre, done: make(chan bool, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	for !lead {
		if <-c.done {
			return c.err
		}
		lead = true
	}
	for {
		g.mu.Lock()
		group := g.pending
		g.pending = nil
		g.mu.Unlock()
		g.commit(st, group)
		if g.finished(c, group) {
			return c.err
		}
	}
}

// finished delivers a group's results and decides who leads next. It
// reports whether the caller's own call is done: when it is, and others
// wait, one of them takes the lead.
func (g *groupCommitter) finished(self *groupCall, group []*groupCall) bool {
	mine := false
	for _, c := range group {
		if c == self {
			mine = true
			continue
		}
		c.done <- true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		g.running = false
		return true
	}
	if !mine {
		return false // cannot happen: the leader's call is in its first group
	}
	next := g.pending[0]
	next.done <- false
	return true
}

// commit runs a group in one transaction; if that fails, each member alone.
func (g *groupCommitter) commit(st storage.Storage, group []*groupCall) {
	if len(group) == 1 {
		g.solo(st, group[0])
		return
	}
	var pre *storage.SyncPrefetch
	for _, c := range group {
		if c.pre != nil {
			if pre == nil {
				pre = &storage.SyncPrefetch{}
			}
			pre.Tokens = append(pre.Tokens, c.pre.Tokens...)
			pre.Ops = append(pre.Ops, c.pre.Ops...)
			pre.Dossiers = append(pre.Dossiers, c.pre.Dossiers...)
			pre.Views = append(pre.Views, c.pre.Views...)
		}
	}
	err := g.update(st, pre, func(tx Tx) error {
		for _, c := range group {
			if err := safeCall(c.fn, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		g.rolledBack()
		for _, c := range group {
			g.solo(st, c)
		}
		return
	}
	for _, c := range group {
		c.err = nil
		if c.after != nil {
			c.after()
		}
	}
}

func (g *groupCommitter) solo(st storage.Storage, c *groupCall) {
	c.err = g.update(st, c.pre, func(tx Tx) error { return safeCall(c.fn, tx) })
	switch {
	case c.err != nil:
		g.rolledBack()
	case c.after != nil:
		c.after()
	}
}

func (g *groupCommitter) rolledBack() {
	if g.failed != nil {
		g.failed()
	}
}

// safeCall turns a panic of fn into an error: the leader runs other
// callers' functions, and one that panics must fail its own request
// (whose handler answers 500), not stop the leader with the queue held.
func safeCall(fn func(Tx) error, tx Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sync transaction panicked: %v", p)
		}
	}()
	return fn(tx)
}
