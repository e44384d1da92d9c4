package server

import (
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
	devices map[string]settledView // device id -> settled view
	writes  map[string]uint64      // device id -> count of forget calls
	off     bool                   // never settled, never cached (tests compare with and without)
}

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

// team returns the dossiers of a team, read from the index when the
// cached set is older than the generation. The result must not be changed.
func (c *viewCache) team(tx Tx, team string) map[string]bool {
	gen := c.gen.Load()
	c.mu.Lock()
	ts, ok := c.teams[team]
	off := c.off
	c.mu.Unlock()
	if ok && ts.gen == gen && !off {
		return ts.dossiers
	}
	set := map[string]bool{}
	_ = tx.TeamDossiers(team, func(dk string) error {
		set[dk] = true
		return nil
	})
	c.mu.Lock()
	if c.teams == nil {
		c.teams = map[string]teamSet{}
	}
	c.teams[team] = teamSet{gen: gen, dossiers: set}
	c.mu.Unlock()
	return set
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
	c.mu.Lock()
	ts, ok := c.shares[team]
	off := c.off
	c.mu.Unlock()
	if ok && ts.gen == gen && ts.day == day && !off {
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
	ts = teamSet{gen: gen, day: day, dossiers: set, owners: slices.Compact(owners)}
	c.mu.Lock()
	if c.shares == nil {
		c.shares = map[string]teamSet{}
	}
	c.shares[team] = ts
	c.mu.Unlock()
	return ts
}
