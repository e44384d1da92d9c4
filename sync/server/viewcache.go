package server

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/brug-nl/brug/store"
)

// viewCache spares a sync that changes no device's view the work of
// working its view out again (docs/sync.md, "One sync"): reading the
// dossiers of the user's teams and every entry of the device's view.
//
// It holds, per team, the set of its dossiers, and per device the fact that
// its view was settled: every dossier it sees is in its view, confirmed by
// any cursor at least maxSeq, and nothing else is. Both are tagged with the
// generation they were read at. The generation goes up whenever what a
// device sees may change: a dossier's team (setDossierTeam), an erasure
// (Admin.Erase) and any failed sync transaction (whose reads may have seen
// writes that were then rolled back). A device's own view entries are only
// written by push and pull, which forget its settled state when they write
// them. A user's role and teams are compared on each sync. Whatever is
// unsure, the sync falls back to reading everything, so the cache can only
// save work, never change an answer.
//
// Settled states are recorded after their transaction committed. The cache
// lives on *Server: it describes that server's file. On a storage several
// processes share, another process's writes bump the generation too, at
// the start of the next sync transaction (processes.go).
type viewCache struct {
	gen atomic.Uint64

	mu      sync.Mutex
	teams   map[string]teamSet     // team name -> its dossiers
	shares  map[string]teamSet     // team name -> dossiers shared with it, active on teamSet.day
	unions  map[string]teamSet     // teams (joined) -> every dossier of theirs and shared with them, on teamSet.day
	devices map[string]settledView // device id -> settled view
	writes  map[string]uint64      // device id -> count of forget calls
	held    map[string]heldView    // device id -> its view's entries, between the pages of a pull
	off     bool                   // never settled, never cached (tests compare with and without)
	// heldHits counts the pulls that took a device's view from held
	// instead of the storage, for tests.
	heldHits int
	planHits int // the pages that took the last page's plan
}

// heldView is a device's whole view (every entry, as DeviceViews gives
// it) as the pull that wrote it last left it, at the generation the pull
// began at, and with the count of the device's view writes (forget) after
// the pull's own: the next page of a pull that is not settled (an initial
// pull of thousands of dossiers comes in a hundred pages, each a request
// and a transaction of its own) takes it instead of reading the view
// again, which grows by a page's dossiers each time. It is true of the
// storage as long as nobody else wrote the device's view: this server's
// other writes of it count in writes, and everything another process
// writes (its views included) raises the storage's count of changes,
// which bumps the generation before the next sync transaction reads
// anything (processes.go). The map is owned by whoever holds it: the
// cache until a pull takes it, then that pull.
type heldView struct {
	gen     uint64
	written uint64
	have    map[string]viewEntry
	plan    *pullPlan // nil: the next page works its view changes out
}

// pullPlan is what a page of a pull that filled up before its view
// changes were all sent leaves for the next page, with the held view:
// the dossiers still to add, in order, and the entries it dropped or told
// erased. The next page would find exactly these walking the whole view
// and the visible set again (sync.go, viewChanges), provided that
//
//   - the held view is taken (the generation has not moved since this
//     page began: no dossier changed team, no share, membership, role or
//     erasure changed, no other process wrote anything, no transaction
//     failed; and nobody wrote the device's view: heldView),
//   - its cursor is seq, the number this page answered with: everything
//     the page sent is then confirmed and no entry is above the cursor,
//     so nothing is demoted or sent again, and the dropped and erased
//     entries are to be forgotten,
//   - the day and the user's role and teams are the same (the visible set
//     depends on them).
//
// Otherwise the page walks the view as before. Walking it on every page
// made a pull cost the square of its dossiers: 11 of the 14 s of
// server CPU in the pull of a 100,000-client region's coordinator.
type pullPlan struct {
	seq    uint64
	day    string
	access string   // accessKey of the user
	rest   []string // the dossiers still to add, in order
	// ordered is how many of rest are in order (all, once a page has
	// left the plan).
	ordered int
	forget  []string
}

// maxHeld bounds how many devices' views are held at once (a view of
// 10,000 dossiers is about a megabyte): past it, any one is dropped.
const maxHeld = 16

// teamSet is the dossiers of one team (16-byte keys in string form) at a
// generation. The map is never changed once built.
type teamSet struct {
	gen      uint64
	day      string // for shared sets: the day access was judged for
	dossiers map[string]bool
	owners   []string // for shared sets: the owning teams of its dossiers, sorted
}

// settledView says that at generation gen, for a user of role and teams,
// a device's view held exactly the visible dossiers, all as sent (viewIn)
// with sequence numbers up to maxSeq.
type settledView struct {
	gen    uint64
	day    string // access by shares is judged per day: a new day unsettles
	access string // role and teams of the user
	maxSeq uint64
}

// bump records that what devices see may have changed.
func (c *viewCache) bump() { c.gen.Add(1) }

func accessKey(u User) string { return u.Role + "\x00" + strings.Join(u.Teams, "\x00") }

// settled reports whether the device's view is settled now, for a device
// whose cursor is cursor.
func (c *viewCache) settled(deviceID string, u User, cursor uint64, day string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.devices[deviceID]
	return !c.off && ok && v.gen == c.gen.Load() && v.day == day && v.access == accessKey(u) && cursor >= v.maxSeq
}

// forget drops a device's settled state: its view is being written.
func (c *viewCache) forget(deviceID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.devices, deviceID)
	if c.writes == nil {
		c.writes = map[string]uint64{}
	}
	c.writes[deviceID]++
}

// written returns how often the device's view was written (forget), to
// be handed to settle.
func (c *viewCache) written(deviceID string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes[deviceID]
}

// settle records a device's settled view; call it after the transaction
// that found it so committed, with what written said when it was found.
// A later sync of the same device that wrote its view in the same group
// makes the record stale, and it is not kept.
func (c *viewCache) settle(deviceID string, v settledView, written uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writes[deviceID] != written {
		return
	}
	if c.devices == nil {
		c.devices = map[string]settledView{}
	}
	c.devices[deviceID] = v
}

// takeHeld returns the device's view as its last pull left it, with the
// plan that pull left, when that is still the storage's at generation gen
// (the generation the taking pull began at, which must be the current
// one) and nothing wrote the device's view since; the caller owns the map
// and the plan. It is gone from the cache either way.
func (c *viewCache) takeHeld(deviceID string, gen uint64) (heldView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.held[deviceID]
	if !ok {
		return heldView{}, false
	}
	delete(c.held, deviceID)
	if c.off || v.gen != gen || gen != c.gen.Load() || v.written != c.writes[deviceID] {
		return heldView{}, false
	}
	c.heldHits++
	return v, true
}

// planned counts a page that took its view changes from the last page's
// plan (pullPlan), for tests.
func (c *viewCache) planned() {
	c.mu.Lock()
	c.planHits++
	c.mu.Unlock()
}

// keepHeld records a device's view as a pull left it; call it after the
// pull's transaction committed. A later write of the device's view in the
// same group, or a generation moved on, makes it stale, and it is not
// kept.
func (c *viewCache) keepHeld(deviceID string, v heldView) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off || c.writes[deviceID] != v.written || v.gen != c.gen.Load() {
		return
	}
	if c.held == nil {
		c.held = map[string]heldView{}
	}
	putBounded(c.held, deviceID, v, maxHeld)
}

// team returns the dossiers of a team, read from the index when the
// cached set is older than the generation. The result must not be changed.
func (c *viewCache) team(tx Tx, team string) map[string]bool {
	gen := c.gen.Load()
	if ts, ok := c.cachedSet(&c.teams, team, gen, ""); ok {
		return ts.dossiers
	}
	set := map[string]bool{}
	_ = tx.TeamDossiers(team, func(dk string) error {
		set[dk] = true
		return nil
	})
	c.keepSet(&c.teams, team, teamSet{gen: gen, dossiers: set}, 0)
	return set
}

// maxUnions bounds how many users' unions of several teams are kept at
// once (a coordinator's of a 10,000-client region is a map of 10,000
// keys): past it, any one is dropped.
const maxUnions = 32

// union returns every dossier of teams (more than one) and shared with
// them by a share active on day: the sets of team and shared joined. A
// user of several teams (a coordinator) needs it on every page of a pull,
// and joining the sets again cost a page of a coordinator's initial pull
// as much as the region has dossiers (10,000 map writes, 77 times for the
// 10,000-client region). Cached as the sets it joins are, at the
// generation loaded before any of them is read. The result must not be
// changed.
func (c *viewCache) union(tx Tx, teams []string, day string) map[string]bool {
	key := strings.Join(teams, "\x00")
	gen := c.gen.Load()
	if ts, ok := c.cachedSet(&c.unions, key, gen, day); ok {
		return ts.dossiers
	}
	out := map[string]bool{}
	for _, team := range teams {
		maps.Copy(out, c.team(tx, team))
		maps.Copy(out, c.shared(tx, team, day))
	}
	c.keepSet(&c.unions, key, teamSet{gen: gen, day: day, dossiers: out}, maxUnions)
	return out
}

// shared returns the dossiers shared with a team by a share active on day
// (store.Access; shares.go), read from the share index and the shares'
// fields when the cached set is older than the generation or of another
// day. The result must not be changed.
func (c *viewCache) shared(tx Tx, team, day string) map[string]bool {
	return c.sharedSet(tx, team, day).dossiers
}

// sharedSet is shared with the owning teams of the dossiers (read with
// them: a dossier's team changing bumps the generation).
func (c *viewCache) sharedSet(tx Tx, team, day string) teamSet {
	gen := c.gen.Load()
	if ts, ok := c.cachedSet(&c.shares, team, gen, day); ok {
		return ts
	}
	set := map[string]bool{}
	var owners []string
	ref := teamRef(tx, team)
	_ = tx.TeamShared(team, func(dk string) error {
		id := idString([]byte(dk))
		owner := tx.DossierTeam(dk)
		if owner == "" || owner == team || tx.Erased(id) {
			return nil
		}
		d, err := accessState(tx, id, owner)
		if err == nil && store.Access(d, ref, day).Read {
			set[dk] = true
			owners = append(owners, owner)
		}
		return nil
	})
	slices.Sort(owners)
	ts := teamSet{gen: gen, day: day, dossiers: set, owners: slices.Compact(owners)}
	c.keepSet(&c.shares, team, ts, 0)
	return ts
}

// cachedSet returns the set *m holds under key when it was read at
// generation gen, for day ("" for sets that do not depend on it), and
// the cache is on.
func (c *viewCache) cachedSet(m *map[string]teamSet, key string, gen uint64, day string) (teamSet, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts, ok := (*m)[key]
	return ts, ok && ts.gen == gen && ts.day == day && !c.off
}

// keepSet records ts under key in *m, first dropping any one other entry
// when *m holds limit (0: no bound). Nothing is kept while the cache is
// off (a test's reference server works everything out from the file).
func (c *viewCache) keepSet(m *map[string]teamSet, key string, ts teamSet, limit int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off {
		return
	}
	if *m == nil {
		*m = map[string]teamSet{}
	}
	if limit > 0 {
		putBounded(*m, key, ts, limit)
	} else {
		(*m)[key] = ts
	}
}

// putBounded puts v under k in m, first dropping any one entry when m
// holds limit others.
func putBounded[V any](m map[string]V, k string, v V, limit int) {
	if _, ok := m[k]; !ok && len(m) >= limit {
		for other := range m {
			delete(m, other)
			break
		}
	}
	m[k] = v
}
