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

// MakeHLC builds a timestamp from a wall time and a counter.
func MakeHLC(t time.Time, counter uint16) HLC {
	return HLC(uint64(t.UnixMilli())<<16 | uint64(counter))
}

// Time returns the wall-clock part of the timestamp.
func (h HLC) Time() time.Time { return time.UnixMilli(int64(h >> 16)) }

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

// Clock hands out HLC timestamps that never go backwards, also when the
// wall clock does, and that are later than every timestamp observed.
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
	return &Clock{now: now, last: last}
}

// Next returns a fresh timestamp.
func (c *Clock) Next() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := MakeHLC(c.now(), 0)
	if wall > c.last {
		c.last = wall
	} else {
		c.last++
	}
	return c.last
}

// Observe moves the clock past a timestamp seen on another device's op.
func (c *Clock) Observe(h HLC) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h > c.last {
		c.last = h
	}
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
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return nil, fmt.Errorf("%w: %q is not an id", ErrInvalid, id)
	}
	return u[:], nil
}

// ValidID reports whether s is an id in the canonical UUID form.
func ValidID(s string) bool {
	_, err := idKey(s)
	return err == nil
}
