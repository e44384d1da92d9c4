package pgstore

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/brug-nl/brug/store"
)

// The process's cache of opened head ops (docs/postgres.md, "The cache
// of head ops"). A push needs its dossier's heads (every op of the
// dossier that no prev replaces: some 65 per dossier in the benchmark's
// region), and a field is only known inside a sealed body, so a write
// transaction read every head's body with the dossier's state and opened
// each one (decrypt and decode), for every group of syncs that pushed to
// the dossier: in a burst of 200 devices about 1.8 MB of rows in the
// BEGIN and 30 ms of CPU. A group's BEGIN now reads the heads' ids only
// (stateIDsQuery) and takes each head's op from this cache; the bodies
// of the heads it lacks follow in one more query.
//
// What makes it exact: an op's body under its log key (dossier + op id)
// never changes. Nothing updates a body in place but the conversion at
// start (convert.go), which runs before any transaction and keeps the
// op; an op id once stored in a dossier is never stored there with
// another body (a push of a known id is acknowledged, not stored), and
// the set of heads always comes from the database, in the transaction,
// so the cache can only say what a head's body opens to, never which ops
// are heads. What could break it:
//
//   - an op stored by a transaction that then rolled back, whose id a
//     later push stores with another body: only a write transaction that
//     committed fills the cache (publish, after its COMMIT), and only
//     with the heads of the dossiers whose state it kept to the end;
//   - an erased dossier: its ops must not outlive the erasure anywhere
//     (crypto-shredding). An erasure in this process drops the dossier's
//     entries at once (forget, EraseDossier); one by another process
//     raises the storage's count of changes, which every write
//     transaction reads under the write lock with its BEGIN: when it is
//     not what this process's own last write transaction left, the cache
//     is emptied before the transaction reads anything. (Other changes
//     raise the count too: shares, moves, memberships, views; they empty
//     the cache as well, which only costs the next group its bodies.)
//   - a race within the process: a transaction that begins while an
//     earlier one has committed but not yet published, and drops
//     entries. Every drop moves the generation; a transaction publishes
//     only when the generation is the one it began with (or moved by its
//     own drops alone).
//
// A View does not fill the cache (its snapshot may be older than a
// drop) but takes bodies from it like a write transaction.

// headCache holds opened ops by dossier key and op key.
type headCache struct {
	mu     sync.Mutex
	ops    map[[16]byte]map[[16]byte]store.Op
	n      int    // ops held
	max    int    // ops held at most; 0 means defaultHeadCacheOps
	gen    uint64 // moves at every drop
	seen   uint64 // the count of changes the cache is true to, when seenOK
	seenOK bool
	// off makes the cache hold nothing (tests compare with and
	// without); fault breaks it on purpose (HeadCacheFault), for the
	// test that must catch it.
	off   bool
	fault HeadCacheFault
	// hits and misses count heads taken from the cache and heads whose
	// bodies were read after their ids, for tests.
	hits, misses atomic.Int64
}

// defaultHeadCacheOps bounds the ops the cache holds: the heads of
// about 1,500 dossiers of the benchmark's region, some 40 MB (an opened
// op is some 400 bytes of strings and prevs beside its struct).
const defaultHeadCacheOps = 100000

// begin checks the count of changes n, read under the write lock at a
// write transaction's start, and gives the generation the transaction
// publishes against.
func (c *headCache) begin(n uint64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if (!c.seenOK || c.seen != n) && c.fault != FaultKeepAtChanges {
		c.clearLocked()
	}
	c.seen, c.seenOK = n, true
	return c.gen
}

func (c *headCache) clearLocked() {
	c.ops, c.n = nil, 0
	c.gen++
}

// drop drops dossier dk's ops; gen, a transaction's generation, follows
// when the drop is the only move since.
func (c *headCache) drop(dk [16]byte, gen *uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n -= len(c.ops[dk])
	delete(c.ops, dk)
	if gen != nil && *gen == c.gen {
		*gen++
	}
	c.gen++
}

// holds tells, for each dossier of dks, whether the cache holds its
// heads (the ids of their ops will do).
func (c *headCache) holds(dks [][]byte) []bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]bool, len(dks))
	for i, dk := range dks {
		_, out[i] = c.ops[[16]byte(dk)]
	}
	return out
}

// supply gives heads the ops the cache holds for dossier dk (those it
// holds are open without their bodies); it never adds to the cache.
func (c *headCache) supply(dk [16]byte, heads []headOp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.ops[dk]
	for i := range heads {
		h := &heads[i]
		if h.open {
			continue
		}
		if op, ok := m[h.id]; ok {
			h.op, h.open, h.sealed = op, true, nil
			c.hits.Add(1)
		}
	}
}

// publish keeps the open heads of a committed write transaction's
// dossiers, each dossier's entries becoming its heads (ops no longer
// heads go), and the count of changes it ended with (changesOK false:
// unknown, the next transaction empties the cache).
func (c *headCache) publish(gen uint64, dos map[[16]byte]*dossierState, changes uint64, changesOK bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // another transaction began and dropped since: it keeps the count
	}
	c.seen, c.seenOK = changes, changesOK
	if c.off {
		return
	}
	limit := c.max
	if limit == 0 {
		limit = defaultHeadCacheOps
	}
	for dk, st := range dos {
		if st.erased || st.scope != nil {
			// Erased, or read for a push (some heads alone): nothing to keep.
			c.n -= len(c.ops[dk])
			delete(c.ops, dk)
			continue
		}
		m := make(map[[16]byte]store.Op, len(st.heads))
		for _, h := range st.heads {
			if h.open {
				m[h.id] = h.op
			}
		}
		c.n -= len(c.ops[dk])
		if len(m) == 0 {
			delete(c.ops, dk)
			continue
		}
		if c.ops == nil {
			c.ops = map[[16]byte]map[[16]byte]store.Op{}
		}
		c.ops[dk] = m
		c.n += len(m)
	}
	// Over the bound: drop dossiers (any, as the map gives them) to
	// three quarters of it.
	if c.n > limit {
		for k, m := range c.ops {
			if c.n <= limit*3/4 {
				break
			}
			c.n -= len(m)
			delete(c.ops, k)
		}
	}
}

// HeadCacheStats gives the heads taken from the process's cache and
// those whose bodies were read since the storage opened, for tests.
func (s *Storage) HeadCacheStats() (hits, misses, held int) {
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	return int(s.heads.hits.Load()), int(s.heads.misses.Load()), s.heads.n
}

// HeadCacheFault is a deliberate fault of the process's cache of head
// ops, for the test that must catch it.
type HeadCacheFault int

const (
	// FaultNone is the cache as it is.
	FaultNone HeadCacheFault = iota
	// FaultKeepAtChanges keeps the entries when the count of changes
	// moved (another process's erasure is not dropped).
	FaultKeepAtChanges
	// FaultPublishRolledBack fills the cache from transactions that
	// rolled back too.
	FaultPublishRolledBack
)

// faulty reports whether the cache has fault f.
func (c *headCache) faulty(f HeadCacheFault) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fault == f
}

// SetHeadCache turns the cache of head ops off (on false) or on and
// empties it, with a deliberate fault or FaultNone; for tests.
func (s *Storage) SetHeadCache(on bool, fault HeadCacheFault) {
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	s.heads.off, s.heads.fault = !on, fault
	s.heads.clearLocked()
}

// HeadCacheDossiers gives the keys of the dossiers whose ops the
// process's cache of head ops holds, for tests.
func (s *Storage) HeadCacheDossiers() [][]byte {
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	var out [][]byte
	for dk := range s.heads.ops {
		out = append(out, slices.Clone(dk[:]))
	}
	return out
}
