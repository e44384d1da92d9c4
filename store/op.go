package store

import (
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
)

// HLC is a hybrid logical clock timestamp: milliseconds since the Unix epoch
// in the high 48 bits and a logical counter in the low 16 bits. It orders ops
// causally across devices whose wall clocks disagree a little.
type HLC uint64

// MaxHLC is the largest timestamp. A clock never wraps past it (Clock.Next
// stays there), and its wall-clock part, in the year 10889, is one Time
// caps (HLC.Time).
const MaxHLC = HLC(1<<64 - 1)

// MaxClockAhead is how far ahead of a replica's own wall clock a timestamp
// may be for the replica to take it as a clock reading: Clock.Observe
// ignores later ones, and the server refuses ops stamped later than this
// ahead of its own clock (protocol.RefuseClock). Wall clocks of laptops
// that set their time over the network differ by seconds; a day leaves
// room for time zones set wrong and a laptop that was off for a while,
// and keeps one device's bad clock from dragging every replica along.
const MaxClockAhead = 24 * time.Hour

// maxHLCMillis is the largest wall-clock part of an HLC.
const maxHLCMillis = 1<<48 - 1

// MakeHLC builds a timestamp from a wall time and a counter. A time before
// 1970 gives the wall-clock part 0, one after the year 10889 the largest;
// neither wraps.
func MakeHLC(t time.Time, counter uint16) HLC {
	ms := min(max(t.UnixMilli(), 0), maxHLCMillis)
	return HLC(uint64(ms)<<16 | uint64(counter))
}

// latestTime is the latest time HLC.Time returns: the last millisecond of
// the year 9999, the last that RFC 3339 (and so JSON) can write.
var latestTime = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)

// Time returns the wall-clock part of the timestamp. A stamp after the year
// 9999 (never made by a sane clock, but a remote op may carry one) gives
// the last millisecond of 9999, so that every stored stamp can be shown
// and exported; the op keeps its exact HLC.
func (h HLC) Time() time.Time {
	if ms := int64(h >> 16); ms <= latestTime.UnixMilli() {
		return time.UnixMilli(ms)
	}
	return latestTime.Local()
}

// Op is one change to one field of one dossier. Ops are immutable once made;
// the set of known ops is the truth from which all state is derived.
type Op struct {
	ID      string   `json:"id"`             // UUIDv7, made on the device
	Dossier string   `json:"dossier"`        // the client id
	Field   string   `json:"field"`          // e.g. "name", "step/3/check/c2", "agreement/<id>/due"
	Value   string   `json:"value"`          // the new value, validated per field
	HLC     HLC      `json:"hlc"`            // when, causally
	Device  string   `json:"device"`         // which replica made it
	Author  string   `json:"author"`         // who made it
	Prev    []string `json:"prev,omitempty"` // the ops on this field the author saw and replaces
}

// Head is a current value of a field: an op that no known op replaces.
type Head struct {
	ID     string `json:"id"`
	Value  string `json:"v"`
	HLC    HLC    `json:"h"`
	Device string `json:"d"`
	Author string `json:"a"`
}

func headOf(op Op) Head {
	return Head{ID: op.ID, Value: op.Value, HLC: op.HLC, Device: op.Device, Author: op.Author}
}

// newer reports whether a wins over b under the scalar rule: highest HLC,
// then highest device id, then highest op id (ids are unique, so the order
// is total and every replica picks the same winner).
func newer(a, b Head) bool {
	if a.HLC != b.HLC {
		return a.HLC > b.HLC
	}
	if a.Device != b.Device {
		return a.Device > b.Device
	}
	return a.ID > b.ID
}

// Clock hands out HLC timestamps that never go backwards while the wall
// clock stays within MaxClockAhead of them, and that are later than every
// timestamp observed within that bound. It never wraps: at MaxHLC it stays
// there (ops with equal stamps are still ordered by device and id).
//
// A stamp more than MaxClockAhead ahead of the wall clock is not a clock
// reading this replica can vouch for (another device's clock was wrong, or
// a stamp was forged): Observe ignores it, and a last timestamp that got
// that far ahead anyway (kept in a file from before this bound, or the
// wall clock was set back by more than the bound) is forgotten by the
// next call, which starts again from the wall clock. The merge rule needs
// no stamp to grow: an op replaces the heads its prev names, whatever their
// stamps (docs/merge.md, "Clocks").
type Clock struct {
	mu   sync.Mutex
	now  func() time.Time
	last HLC
}

// NewClock returns a clock reading wall time from now (time.Now when nil)
// that starts after last.
func NewClock(now func() time.Time, last HLC) *Clock {
	if now == nil {
		now = time.Now
	}
	if last > ClockBound(now()) {
		last = 0 // kept from before the bound: start from the wall clock
	}
	return &Clock{now: now, last: last}
}

// Bound returns the latest timestamp the clock takes from another replica
// now: its wall clock plus MaxClockAhead (with the largest counter).
func (c *Clock) Bound() HLC {
	return ClockBound(c.now())
}

// ClockBound is the latest timestamp a replica whose wall clock reads now
// takes as a clock reading, and the latest a server whose clock reads now
// accepts: now plus MaxClockAhead, with the largest counter.
func ClockBound(now time.Time) HLC {
	return MakeHLC(now.Add(MaxClockAhead), 1<<16-1)
}

// Next returns a fresh timestamp: the wall clock's, or one past the last
// when that is later, never 0 and never past MaxHLC.
func (c *Clock) Next() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.last > ClockBound(now) {
		c.last = 0 // beyond what the wall clock vouches for: start again from it
	}
	switch wall := MakeHLC(now, 0); {
	case wall > c.last:
		c.last = wall
	case c.last < MaxHLC:
		c.last++ // a full counter carries into the milliseconds
	}
	return c.last
}

// Observe moves the clock past a timestamp seen on another replica's op,
// unless the stamp is beyond Bound; it reports whether the clock took it.
func (c *Clock) Observe(h HLC) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h <= c.last {
		return true
	}
	bound := ClockBound(c.now())
	if h > bound {
		if c.last > bound {
			c.last = 0
		}
		return false
	}
	c.last = h
	return true
}

// Last returns the latest timestamp handed out or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// NewID returns a new time-ordered unique id (UUIDv7) for ops, dossiers and
// entities.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's random source does; there is no
		// safe fallback for unique ids.
		panic(fmt.Sprintf("brug: no random source for ids: %v", err))
	}
	return id.String()
}

// idKey turns a UUID string into its 16-byte key form.
func idKey(id string) ([]byte, error) {
	u, ok := idArray(id)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not an id", ErrInvalid, id)
	}
	return u[:], nil
}

// idArray is idKey without an allocation: the 16 bytes of id, and whether
// it is an id in the canonical UUID form (either case).
func idArray(id string) ([16]byte, bool) { return parseHexID(id, &hexValue) }

// CanonicalID is the 16-byte form of s when s is a UUID written as the
// store writes ids (lower case, with dashes), and only then, so that
// every id read this way comes back as the same string. The compact page
// codec of sync/protocol parses its ids with it too.
func CanonicalID(s string) ([16]byte, bool) { return parseHexID(s, &lowerHexValue) }

// parseHexID reads a UUID written with dashes whose hex digits the table
// knows (0xff for a byte that is not one), without a branch per digit.
func parseHexID(s string, table *[256]byte) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	var bad byte
	for j, i := range uuidHexAt {
		hi, lo := table[s[i]], table[s[i+1]]
		bad |= hi | lo
		u[j] = hi<<4 | lo
	}
	return u, bad&0xf0 == 0
}

// uuidHexAt are the offsets of the 16 pairs of hex digits of a UUID
// written with dashes.
var uuidHexAt = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// hexValue is the value of each hex digit (either case), 0xff for any
// other byte; lowerHexValue only of the lower-case ones.
var hexValue, lowerHexValue = func() (t, lower [256]byte) {
	for i := range t {
		t[i], lower[i] = 0xff, 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c], lower[c] = c-'0', c-'0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c], lower[c] = c-'a'+10, c-'a'+10
		t[c-'a'+'A'] = c - 'a' + 10
	}
	return t, lower
}()

// CheckID is nil for an id in the canonical UUID form, else the store's
// error for it (wrapping ErrInvalid).
func CheckID(id string) error {
	_, err := idKey(id)
	return err
}

// ValidID reports whether s is an id in the canonical UUID form.
func ValidID(s string) bool {
	_, ok := idArray(s)
	return ok
}
