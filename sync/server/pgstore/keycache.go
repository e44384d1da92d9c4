package pgstore

import (
	"sync"
)

// The process's cache of unwrapped dossier keys, and how an erasure by
// another process (another `brug serve`, or `brug admin --store`) drops
// a key from it: an erased person must be unreadable everywhere, and a
// key left in a process's memory opens the sealed bytes the data
// database's dead tuples, WAL and backups still hold.
//
// Every write transaction's BEGIN reads, in the statement that reads the
// count of changes (beginReads, txconn.go; no round trip more), how many
// statements have written the tombstones (changes.tombstones, raised by
// a trigger on erased: migration 00006), and which of the dossiers whose
// keys this process kept since the last BEGIN have a tombstone. Then:
//
//   - a key kept since the last check (fresh) whose dossier has a
//     tombstone is dropped. This is the race of an erasure elsewhere:
//     its tombstone commits, then its key is deleted from the key store;
//     a View of this process reading the key in between keeps it after
//     the BEGIN that already saw the tombstone. The key was read before
//     the set of fresh keys was taken and the BEGIN's statement sent, so
//     that statement sees the tombstone.
//   - when changes.tombstones is not what the last check saw, the erased
//     dossiers among all the keys held are read (one query: after an
//     erasure only) and their keys dropped. A tombstone is only ever
//     written by a statement that raises it, in the same transaction: a
//     value that did not move is the same set of tombstones, against
//     which every older key was checked.
//
// The cost, with 10,000 tombstones (EXPLAIN ANALYZE): the statement took
// 0.015-0.04 ms with and without the two reads and no fresh key; 1.2-1.5
// ms in the BEGIN after a pull kept 1,000 keys (once per dossier and
// process). Counting the tombstones instead took 0.4-0.65 ms in every
// write transaction.
//
// What remains: a key stays in memory from an erasure elsewhere (or from
// its read, in the race) until this process's next write transaction
// begins. Views do not check: a View whose snapshot follows the erasure
// finds none of the dossier's ops to open (they went with the
// tombstone), and one whose snapshot precedes it reads what it may read
// anyway; the key is dropped at the next write. A process that serves
// syncs writes with every sync; an idle one keeps the key until its next.
type keyCache struct {
	m sync.Map // [16]byte dossier key -> its data key, unwrapped

	mu sync.Mutex
	// fresh are the dossiers whose keys were kept since the last check
	// took them; past maxFreshKeys, overflow asks for a check of all.
	fresh    [][]byte
	overflow bool
	// erased is the value of changes.tombstones the cache is true to,
	// when erasedOK.
	erased   int64
	erasedOK bool
}

// maxFreshKeys bounds the keys a BEGIN checks by name (a pull's page
// keeps a thousand or so); past it, all the keys held are checked.
const maxFreshKeys = 4096

func (c *keyCache) load(dk []byte) ([]byte, bool) {
	k, ok := c.m.Load([16]byte(dk))
	if !ok {
		return nil, false
	}
	return k.([]byte), true
}

// keep caches key k of dossier dk, to be checked at the next BEGIN.
func (c *keyCache) keep(dk, k []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m.Store([16]byte(dk), k)
	if len(c.fresh) >= maxFreshKeys {
		c.overflow = true
		return
	}
	c.fresh = append(c.fresh, append([]byte(nil), dk...))
}

func (c *keyCache) drop(dk []byte) { c.m.Delete([16]byte(dk)) }

// take gives the dossiers whose keys were kept since the last take, for
// a BEGIN to check, and whether all keys are to be checked (more were
// kept than it names). Taken before the BEGIN's statement is sent.
func (c *keyCache) take() (fresh [][]byte, all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fresh, all = c.fresh, c.overflow
	c.fresh, c.overflow = nil, false
	return fresh, all
}

// untake is for a BEGIN that failed before it checked what it took: the
// next one checks all the keys held.
func (c *keyCache) untake() {
	c.mu.Lock()
	c.overflow = true
	c.mu.Unlock()
}

// checked drops the keys of the erased dossiers among those a BEGIN took
// and tells whether changes.tombstones n, as it read it, asks for a
// check of all the keys held (checkAll): it moved since the last check,
// or all was taken.
func (c *keyCache) checked(n int64, erased [][]byte, all bool) (checkAll bool) {
	for _, dk := range erased {
		if len(dk) == 16 {
			c.drop(dk)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if all || !c.erasedOK || c.erased != n {
		return true
	}
	return false
}

// held lists the dossiers whose keys are held.
func (c *keyCache) held() [][]byte {
	var out [][]byte
	c.m.Range(func(k, _ any) bool {
		dk := k.([16]byte)
		out = append(out, dk[:])
		return true
	})
	return out
}

// checkedAll drops the keys of the erased dossiers among all those held
// (read after checked asked for it) and records changes.tombstones n
// they were checked against.
func (c *keyCache) checkedAll(n int64, erased [][]byte) {
	for _, dk := range erased {
		if len(dk) == 16 {
			c.drop(dk)
		}
	}
	c.mu.Lock()
	c.erased, c.erasedOK = n, true
	c.mu.Unlock()
}
