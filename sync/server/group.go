package server

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

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
// transaction running starts a leader, a goroutine that runs groups until
// the queue is empty; each caller waits for its group's commit.
//
// A sync's answer is whole once its function ran, though it may be sent
// only after the commit: while the rest of its group runs and commits,
// preparers on the other cores write it into memory (groupCall.prep,
// preparedAnswer), which was otherwise done by 200 requests at once after
// the commit, on a 2-core server half the time a burst took.
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
	done  chan struct{} // closed when done, err set

	// prep, when not nil, prepares the caller's answer from what fn
	// left, once fn ran in a group's transaction, on a core the
	// transaction does not use, while the functions after it run and
	// the group commits (preparer); or, when fn ran alone (solo, the
	// argument), in a goroutine of its own while the transaction
	// commits. Whoever sets claim first owns prep:
	// a preparer runs it and then closes prepared; the leader, before it
	// runs fn again (the group failed), claims it or waits for prepared;
	// the caller, once done, claims it or waits for prepared.
	prep     func(solo bool)
	claim    atomic.Bool
	prepared chan struct{}
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
	return g.runPrepared(st, pre, fn, after, nil)
}

// runPrepared is runPrefetched with prep, which prepares the caller's
// answer from what fn left (the answer's bytes, which are sent only after
// the commit). When fn ran in a group's transaction, prep may run in
// another goroutine while the rest of the group runs and commits; it
// then has run, once, before runPrepared returns, and saw what fn's last
// run left (prep runs after fn, and a fn run again after a failed group
// runs after prep finished). When fn ran in a transaction of its own,
// prep runs in a goroutine of its own while that transaction commits,
// told so by its argument (a large answer is worth preparing then). A
// prep that ran sees fn's outputs of that run and must record that it ran
// in them (fn resets them when it runs again); when it did not run, the
// caller prepares its answer itself. Either way the caller sends the
// answer only once runPrepared returned without an error: the commit
// succeeded.
func (g *groupCommitter) runPrepared(st storage.Storage, pre *storage.SyncPrefetch, fn func(Tx) error, after func(), prep func(solo bool)) error {
	c := &groupCall{fn: fn, after: after, pre: pre, done: make(chan struct{}), prep: prep}
	if prep != nil {
		c.prepared = make(chan struct{})
	}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		go g.lead(st)
	}
	<-c.done
	c.settle()
	return c.err
}

// settle makes sure no preparer runs c.prep any more, waiting for one
// that does.
func (c *groupCall) settle() {
	if c.prep == nil {
		return
	}
	if c.claim.CompareAndSwap(false, true) {
		close(c.prepared)
		return
	}
	<-c.prepared
}

// lead runs groups until the queue is empty. It runs in a goroutine of
// its own, not in a caller's: a caller that led would answer only once
// the groups queued behind its own were committed, or would hand the
// lead to a waiting caller, which then had to be scheduled behind the
// answers of the group just committed (on a burst of 200 syncs, some
// 30 ms between one group's commit and the next group's start). The
// callers it wakes are woken after it took the next group, so the next
// transaction starts at once.
func (g *groupCommitter) lead(st storage.Storage) {
	g.mu.Lock()
	group := g.pending
	g.pending = nil
	g.mu.Unlock()
	var p preparers
	defer p.stop()
	for {
		g.commit(st, group, &p)
		g.mu.Lock()
		next := g.pending
		g.pending = nil
		if len(next) == 0 {
			g.running = false
		}
		g.mu.Unlock()
		for _, c := range group {
			close(c.done)
		}
		if len(next) == 0 {
			return
		}
		group = next
	}
}

// commit runs a group in one transaction; if that fails, each member
// alone. A member whose function ran in the group's transaction is handed
// to p to prepare its answer (groupCall.prep).
func (g *groupCommitter) commit(st storage.Storage, group []*groupCall, p *preparers) {
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
			pre.Pushed = append(pre.Pushed, c.pre.Pushed...)
		}
	}
	err := g.update(st, pre, func(tx Tx) error {
		for _, c := range group {
			if err := safeCall(c.fn, tx); err != nil {
				return err
			}
			if c.prep != nil {
				p.add(c)
			}
		}
		return nil
	})
	if err != nil {
		g.rolledBack()
		for _, c := range group {
			// No preparer may read fn's outputs while fn runs again.
			c.settle()
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

// preparers run the prep of the calls handed to them (groupCall.prep), on
// the cores the group's transaction leaves free: GOMAXPROCS-1 goroutines,
// started with the first group of more than one call. There are not more,
// so that the goroutine running the transaction, on which every call of
// the group waits, always finds a core (a goroutine for each call would
// queue it behind them when the scheduler takes its core for a moment).
// A call whose prep no preparer reached is prepared by its caller.
type preparers struct {
	q chan *groupCall
}

func (p *preparers) add(c *groupCall) {
	if p.q == nil {
		n := runtime.GOMAXPROCS(0) - 1
		if n < 1 {
			return
		}
		p.q = make(chan *groupCall, 1024)
		for range n {
			go prepare(p.q)
		}
	}
	select {
	case p.q <- c:
	default: // the caller prepares it
	}
}

func (p *preparers) stop() {
	if p.q != nil {
		close(p.q)
	}
}

func prepare(q <-chan *groupCall) {
	for c := range q {
		prepareCall(c, false)
	}
}

// prepareCall runs c's prep unless someone claimed it first; solo says
// that c's transaction is its own (groupCall.prep).
func prepareCall(c *groupCall, solo bool) {
	if c.claim.CompareAndSwap(false, true) {
		safePrep(c.prep, solo)
		close(c.prepared)
	}
}

// safePrep runs prep; a panic leaves the answer unprepared (prep records
// that it ran only at its end), and its caller prepares it again, in its
// own goroutine, whose panic its handler answers.
func safePrep(prep func(solo bool), solo bool) {
	defer func() { _ = recover() }()
	prep(solo)
}

// solo runs c alone in a transaction. Once c's function ran, its prep
// runs in a goroutine of its own while the transaction ends and commits
// (on PostgreSQL the COMMIT's round trip and the WAL's flush, on bbolt
// the page writes and the fsync), as a group's preparers do: a page of an
// initial pull is some 5,000 ops to encode and compress, which was done
// only after the commit. The answer it prepares is sent only after the
// commit succeeded (the caller waits for both); on a failed commit it is
// dropped with the rest of fn's outputs.
func (g *groupCommitter) solo(st storage.Storage, c *groupCall) {
	c.err = g.update(st, c.pre, func(tx Tx) error {
		if err := safeCall(c.fn, tx); err != nil {
			return err
		}
		if c.prep != nil {
			go prepareCall(c, true)
		}
		return nil
	})
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
