package store

import (
	"encoding/binary"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Actors: the (device, author) pairs that made ops, numbered in the order
// this file first met them (schema 5). A log value names its op's pair by
// that number, one or two bytes instead of a 16-byte device id and the
// author's name in every op: a region has a few dozen pairs and hundreds
// of thousands of ops. The numbers are the file's own; the wire carries
// the op's JSON (Tx.OpJSON).
//
// The table lives in memory for the store's life, loaded at Open. A
// number is handed out at once (under a lock: imports encode on several
// goroutines) and written to the actors bucket by the next write
// transaction that puts ops (writer.finish, an import's last transaction,
// the upgrade to schema 5); a transaction rolled back leaves the number
// handed out and unsaved, and the next one saves it.
var bActors = []byte("actors") // number (4 bytes) -> sealed device id + author

type actor struct{ device, author string }

type actorTable struct {
	mu    sync.RWMutex
	list  []actor
	json  [][]byte // per number: `,"device":…,"author":…` as json.Marshal writes an Op
	index map[actor]uint64
	saved int // numbers below this are in the file
}

func newActorTable() *actorTable { return &actorTable{index: map[actor]uint64{}} }

// number returns the number of (device, author), handing out the next one
// for a pair not met before.
func (a *actorTable) number(device, author string) uint64 {
	k := actor{device, author}
	a.mu.RLock()
	n, ok := a.index[k]
	a.mu.RUnlock()
	if ok {
		return n
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if n, ok := a.index[k]; ok {
		return n
	}
	n = uint64(len(a.list))
	a.add(k)
	return n
}

// add appends an actor; a.mu is held.
func (a *actorTable) add(k actor) {
	a.index[k] = uint64(len(a.list))
	a.list = append(a.list, k)
	js := append([]byte(nil), `,"device":`...)
	js = appendJSONString(js, []byte(k.device))
	js = append(js, `,"author":`...)
	js = appendJSONString(js, []byte(k.author))
	a.json = append(a.json, js)
}

// get returns actor n and its JSON.
func (a *actorTable) get(n uint64) (actor, []byte, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if n >= uint64(len(a.list)) {
		return actor{}, nil, false
	}
	return a.list[n], a.json[n], true
}

func encodeActor(k actor) []byte {
	e := enc{}
	e.cid(k.device)
	e.string(k.author)
	return e.b
}

func decodeActor(b []byte) (actor, error) {
	d := dec{b: b}
	var k actor
	id, s := d.cidRaw()
	if id != nil {
		k.device = idString(id)
	} else {
		k.device = string(s)
	}
	k.author = string(d.raw(d.uint()))
	return k, d.done("actor")
}

// loadActors reads the actors bucket of tx into a new table.
func (s *Store) loadActors(tx *bolt.Tx) (*actorTable, error) {
	a := newActorTable()
	b := tx.Bucket(bActors)
	if b == nil {
		return a, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		if len(k) != 4 || binary.BigEndian.Uint32(k) != uint32(len(a.list)) {
			return fmt.Errorf("actor %x: %w", k, errCorrupt)
		}
		plain, err := s.openFor(nil, v)
		if err != nil {
			return fmt.Errorf("actor %x: %w", k, err)
		}
		ak, err := decodeActor(plain)
		if err != nil {
			return err
		}
		a.add(ak)
		return nil
	})
	a.saved = len(a.list)
	return a, err
}

// saveActors writes the numbers handed out and not yet saved in tx;
// once tx commits they count as saved.
func (s *Store) saveActors(tx *bolt.Tx) error {
	a := s.actors
	a.mu.RLock()
	from, list := a.saved, a.list[a.saved:len(a.list):len(a.list)]
	a.mu.RUnlock()
	if len(list) == 0 {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bActors)
	if err != nil {
		return err
	}
	for i, k := range list {
		sealed, err := s.sealFor(nil, encodeActor(k))
		if err != nil {
			return err
		}
		if err := b.Put(u32(uint32(from+i)), sealed); err != nil {
			return err
		}
	}
	upto := from + len(list)
	tx.OnCommit(func() {
		a.mu.Lock()
		a.saved = max(a.saved, upto)
		a.mu.Unlock()
	})
	return nil
}
