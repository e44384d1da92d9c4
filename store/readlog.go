package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The laptop's read log: every read of a dossier on this device (opened
// in the app, exported, printed, changed, delivered by sync), in the
// shape NEN 7513 asks (who, whose dossier, when, what, through which
// channel, on which device). Entries wait in the file until a sync has
// sent them up and the server acknowledged them (PendingReads, AckReads);
// docs/sharing.md maps the fields to the Logboek Dataverwerkingen
// standard.
//
// Where entries live: the bucket "reads", keyed by an 8-byte sequence,
// each value an entry in JSON sealed with the FILE key (scope nil), not
// the dossier's: erasing a dossier deletes its key, and the record of who
// read it must stay for accountability. So an entry holds ids only for
// the dossier (never its name); the user's name is sealed with the file
// key like every other value.
//
// Logging must not make opening a dossier slow: LogRead puts the entry in
// a queue in memory and returns; one goroutine writes what queued in one
// transaction (so a burst of reads is one fsync), and Close waits for it.
// A crash loses at most the entries of the last moments. A store opened
// read only (brug export, brug plan, also while the app has the file)
// cannot write the bucket: it writes each entry sealed into a file of its
// own in the folder FILE.reads (written aside and renamed, so a file is
// whole or absent); the next open that may write, and every flush, moves
// such files into the bucket and then removes them. An entry moved twice
// (a crash between the commit and the removal) has the same id; the
// server keeps each id once.

var bReads = []byte("reads") // seq (8 bytes) -> sealed ReadEntry (file key)

// Read actions and channels.
const (
	ReadOpen   = "open"
	ReadExport = "export"
	ReadPrint  = "print"
	ReadSync   = "sync" // delivery by sync
	ReadChange = "change"

	ChannelApp  = "app" // the laptop app
	ChannelSSH  = "ssh"
	ChannelCLI  = "cli"
	ChannelSync = "sync"
)

var (
	readActions  = []string{ReadOpen, ReadExport, ReadPrint, ReadSync, ReadChange}
	readChannels = []string{ChannelApp, ChannelSSH, ChannelCLI, ChannelSync}
)

// ReadEntry is one read of a dossier. LogRead fills ID, At, Device and
// User (the store's author) when they are empty.
type ReadEntry struct {
	Seq     uint64    `json:"-"`  // its place in this file's log (PendingReads, AckReads)
	ID      string    `json:"id"` // UUIDv7, made here: the server keeps each once
	At      time.Time `json:"at"`
	User    string    `json:"user"`
	Role    string    `json:"role,omitempty"`
	Org     string    `json:"org,omitempty"`
	Dossier string    `json:"dossier"` // the dossier's id, never its name
	Action  string    `json:"action"`
	Channel string    `json:"channel"`
	Device  string    `json:"device"`
}

// Validate checks an entry's shape.
func (e ReadEntry) Validate() error {
	switch {
	case !ValidID(e.ID):
		return fmt.Errorf("%w read entry id %q", ErrInvalid, e.ID)
	case !ValidID(e.Dossier):
		return fmt.Errorf("%w read entry dossier %q", ErrInvalid, e.Dossier)
	case !slices.Contains(readActions, e.Action):
		return fmt.Errorf("%w read action %q", ErrInvalid, e.Action)
	case !slices.Contains(readChannels, e.Channel):
		return fmt.Errorf("%w read channel %q", ErrInvalid, e.Channel)
	case e.User == "" || len(e.User) > 64 || len(e.Role) > 64 || len(e.Org) > MaxScalar || e.Device == "" || len(e.Device) > 64:
		return fmt.Errorf("%w read entry: user and device 1..64 bytes, role ≤ 64, org ≤ %d", ErrInvalid, MaxScalar)
	case strings.ContainsAny(e.User+e.Role+e.Org+e.Device, "\n\r\t"):
		return fmt.Errorf("%w read entry: a line break", ErrInvalid)
	}
	return nil
}

// readQueue holds the entries LogRead took that are not yet in the file.
type readQueue struct {
	mu      sync.Mutex
	q       []ReadEntry
	running bool // a flush goroutine is on its way
	idle    *sync.Cond
}

func newReadQueue() *readQueue {
	rq := &readQueue{}
	rq.idle = sync.NewCond(&rq.mu)
	return rq
}

// LogRead records a read of a dossier on this device. It is cheap: the
// entry is queued and written by a background transaction together with
// the others that queue meanwhile (FlushReads waits for that; Close
// flushes). A bad entry is refused at once.
func (s *Store) LogRead(e ReadEntry) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.At.IsZero() {
		e.At = s.wallNow()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	if e.Device == "" {
		e.Device = s.device
	}
	if e.User == "" {
		e.User = s.author
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if s.db.IsReadOnly() {
		return s.writeReadFile(e)
	}
	rq := s.reads
	rq.mu.Lock()
	rq.q = append(rq.q, e)
	if !rq.running {
		rq.running = true
		go s.flushLoop()
	}
	rq.mu.Unlock()
	return nil
}

func (s *Store) wallNow() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// flushLoop writes the queue until it is empty.
func (s *Store) flushLoop() {
	rq := s.reads
	for {
		rq.mu.Lock()
		batch := rq.q
		rq.q = nil
		if len(batch) == 0 {
			rq.running = false
			rq.idle.Broadcast()
			rq.mu.Unlock()
			return
		}
		rq.mu.Unlock()
		err := s.db.Update(func(tx *bolt.Tx) error { return s.putReads(tx, batch) })
		rq.mu.Lock()
		if err != nil {
			// Kept for the next try (FlushReads, Close); never lost
			// silently while the store is open.
			rq.q = append(batch, rq.q...)
			rq.running = false
			rq.idle.Broadcast()
			rq.mu.Unlock()
			return
		}
		rq.mu.Unlock()
	}
}

// FlushReads writes every queued entry, and the entries read-only opens
// left in FILE.reads, to the file and waits for that.
func (s *Store) FlushReads() error { return s.flushReads(true) }

// flushReads writes the queue and, with files, the entries in FILE.reads.
func (s *Store) flushReads(files bool) error {
	if s.db.IsReadOnly() {
		return nil
	}
	rq := s.reads
	rq.mu.Lock()
	for rq.running {
		rq.idle.Wait()
	}
	batch := rq.q
	rq.q = nil
	rq.mu.Unlock()
	var found []readFile
	if files {
		var err error
		if found, err = s.readFiles(); err != nil {
			return err
		}
	}
	var names []string
	for _, f := range found {
		batch = append(batch, f.e)
		names = append(names, f.name)
	}
	if len(batch) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error { return s.putReads(tx, batch) })
	if err != nil {
		rq.mu.Lock()
		rq.q = append(batch[:len(batch)-len(found)], rq.q...)
		rq.mu.Unlock()
		return fmt.Errorf("write read log: %w", err)
	}
	for _, n := range names {
		os.Remove(n)
	}
	return nil
}

// putReads appends entries to the read log.
func (s *Store) putReads(tx *bolt.Tx, entries []ReadEntry) error {
	b, err := tx.CreateBucketIfNotExists(bReads)
	if err != nil {
		return err
	}
	for _, e := range entries {
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		plain, err := json.Marshal(e)
		if err != nil {
			return err
		}
		sealed, err := s.sealFor(nil, plain)
		if err != nil {
			return err
		}
		if err := b.Put(binary.BigEndian.AppendUint64(nil, seq), sealed); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) readEntry(k, v []byte) (ReadEntry, error) {
	var e ReadEntry
	plain, err := s.openFor(nil, v)
	if err != nil {
		return e, fmt.Errorf("read log: %w", err)
	}
	if err := json.Unmarshal(plain, &e); err != nil || len(k) != 8 {
		return e, fmt.Errorf("read log: %w", ErrDamaged)
	}
	e.Seq = binary.BigEndian.Uint64(k)
	return e, nil
}

// PendingReads returns up to limit entries not yet acknowledged, oldest
// first (after writing the queue). A sync sends them and, once the server
// took them, calls AckReads with the last one's Seq.
func (s *Store) PendingReads(limit int) ([]ReadEntry, error) {
	if err := s.FlushReads(); err != nil {
		return nil, err
	}
	var out []ReadEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bReads)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			e, err := s.readEntry(k, v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// AckReads removes the entries up to and including seq: the server
// acknowledged them.
func (s *Store) AckReads(upTo uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bReads)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		end := binary.BigEndian.AppendUint64(nil, upTo)
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.First() {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadsOf returns the entries of this device's read log about dossier,
// oldest first, for the person's export. Entries the server acknowledged
// are gone from here; the server's audit log has them.
func (s *Store) ReadsOf(dossier string) ([]ReadEntry, error) {
	if err := s.FlushReads(); err != nil {
		return nil, err
	}
	var out []ReadEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bReads)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			e, err := s.readEntry(k, v)
			if err == nil && e.Dossier == dossier {
				out = append(out, e)
			}
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	if s.db.IsReadOnly() {
		// What read-only opens left aside is the log too.
		files, err := s.readFiles()
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if f.e.Dossier == dossier {
				out = append(out, f.e)
			}
		}
	}
	return out, nil
}

// readDir is the folder read-only opens leave their entries in.
func (s *Store) readDir() string { return s.path + ".reads" }

// writeReadFile writes e sealed into a file of its own in readDir:
// written aside, fsynced and renamed, so it is whole or absent.
func (s *Store) writeReadFile(e ReadEntry) error {
	plain, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sealed, err := s.sealFor(nil, plain)
	if err != nil {
		return err
	}
	dir := s.readDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("read log: %w", err)
	}
	tmp := filepath.Join(dir, "."+e.ID)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("read log: %w", err)
	}
	_, err = f.Write(sealed)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, e.ID))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("read log: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

type readFile struct {
	name string
	e    ReadEntry
}

// readFiles reads the entries read-only opens left, in id order; a file
// that does not open (another file key, damage) or a half-written one
// (a name starting with ".") is left alone.
func (s *Store) readFiles() ([]readFile, error) {
	ents, err := os.ReadDir(s.readDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read log: %w", err)
	}
	var out []readFile
	for _, de := range ents {
		if strings.HasPrefix(de.Name(), ".") || !ValidID(de.Name()) {
			continue
		}
		name := filepath.Join(s.readDir(), de.Name())
		raw, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		plain, err := s.openFor(nil, raw)
		if err != nil {
			continue
		}
		var e ReadEntry
		if json.Unmarshal(plain, &e) != nil || e.Validate() != nil {
			continue
		}
		out = append(out, readFile{name: name, e: e})
	}
	return out, nil
}
