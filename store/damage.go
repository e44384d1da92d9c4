package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is a file whose pages are damaged: cut short, or overwritten
// where bbolt keeps its structure. Reads of it fail with this error, never
// with a crash.
var ErrDamaged = errors.New("the file is damaged")

// boltDB is the bbolt database with transactions that turn bbolt's
// reactions to a damaged file into ErrDamaged: a panic in bbolt (an
// "assertion failed", an index past a page's end) and a fault reading the
// mapped file (SIGBUS where the file is shorter than its pages say).
type boltDB struct {
	*bolt.DB
	path string
	// before runs at the end of every write transaction that succeeded,
	// before it commits; after runs once it committed (crypt.go).
	before   func(*bolt.Tx) error
	after    func()
	rollback func() // after a write transaction that did not commit
	// rf is a second handle on the file (pageFile, pageread.go).
	rfOnce sync.Once
	rf     *os.File
}

// View runs fn in a read transaction; see boltDB.
func (d *boltDB) View(fn func(*bolt.Tx) error) (err error) {
	defer guardDamage(d.path, &err, debug.SetPanicOnFault(true))
	return d.DB.View(fn)
}

// Update runs fn in a write transaction; see boltDB. bbolt rolls the
// transaction back before a panic leaves Update, so nothing half-written
// is committed.
func (d *boltDB) Update(fn func(*bolt.Tx) error) (err error) {
	defer guardDamage(d.path, &err, debug.SetPanicOnFault(true))
	if d.before == nil {
		return d.DB.Update(fn)
	}
	err = d.DB.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return d.before(tx)
	})
	if err == nil && d.after != nil {
		d.after()
	}
	if err != nil && d.rollback != nil {
		d.rollback()
	}
	return err
}

// guardDamage is deferred by the transactions of boltDB: it restores the
// goroutine's fault setting and turns a panic that damage explains into
// ErrDamaged. Any other panic (a bug of ours) goes on as it was.
func guardDamage(path string, err *error, oldFault bool) {
	debug.SetPanicOnFault(oldFault)
	r := recover()
	if r == nil {
		return
	}
	if !fromDamage(r) {
		panic(r)
	}
	*err = fmt.Errorf("read %s: %w (%v)", path, ErrDamaged, r)
}

// fromDamage reports whether a recovered panic comes from reading a
// damaged file: a memory fault away from address 0 (reading the mapped
// file past its end, or through an offset a damaged page holds), or a
// panic raised inside bbolt itself. A nil dereference of our own is a bug
// and not damage.
func fromDamage(r any) bool {
	if ae, ok := r.(interface{ Addr() uintptr }); ok && ae.Addr() >= 1<<16 {
		return true
	}
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs) // above guardDamage and runtime.Callers
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// bbolt's file format, as far as checkHighWater reads it: two meta pages
// at the start, each a 16-byte page header and then the meta fields.
const (
	boltMagic       = 0xED0CDAED
	boltPageHeader  = 16
	boltMetaSumAt   = 56 // offset of the checksum within the meta
	boltMetaMinSize = boltPageHeader + boltMetaSumAt + 8
)

// boltMeta is what checkHighWater needs of a meta page.
type boltMeta struct {
	pageSize uint32
	root     uint64 // the root bucket's page
	freelist uint64
	pgid     uint64 // the high-water mark: pages below it are in use
	txid     uint64
}

// readBoltMeta reads the meta page at off; ok is false when it is not a
// valid one (wrong magic or checksum).
func readBoltMeta(f *os.File, off int64) (m boltMeta, ok bool) {
	buf := make([]byte, boltMetaMinSize)
	if _, err := f.ReadAt(buf, off); err != nil {
		return m, false
	}
	meta := buf[boltPageHeader:]
	le := binary.NativeEndian // bbolt writes its pages in the CPU's order
	if le.Uint32(meta[0:]) != boltMagic {
		return m, false
	}
	h := fnv.New64a()
	h.Write(meta[:boltMetaSumAt])
	if h.Sum64() != le.Uint64(meta[boltMetaSumAt:]) {
		return m, false
	}
	return boltMeta{pageSize: le.Uint32(meta[8:]), root: le.Uint64(meta[16:]), freelist: le.Uint64(meta[32:]), pgid: le.Uint64(meta[40:]), txid: le.Uint64(meta[48:])}, true
}

// checkHighWater refuses a bbolt file that is shorter than the pages its
// meta page says are in use: bbolt maps the file and would die with
// SIGBUS reading past its end. A file whose meta pages are both invalid is
// left to bbolt, which refuses it with ErrInvalid or ErrChecksum.
func checkHighWater(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // bbolt says what is wrong
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil
	}
	best, ok := newestMeta(f)
	if !ok {
		return nil
	}
	need := int64(best.pgid) * int64(best.pageSize)
	if best.pgid > 1<<40 || need > fi.Size() {
		return fmt.Errorf("%w: the file is %d bytes, its pages need %d; it was cut short", ErrDamaged, fi.Size(), need)
	}
	return checkFreelist(f, best)
}

// newestMeta is the meta page bbolt uses: the valid one with the highest
// transaction id.
func newestMeta(f *os.File) (boltMeta, bool) {
	m0, ok0 := readBoltMeta(f, 0)
	best, ok := m0, ok0
	if ok0 && m0.pageSize >= 512 && m0.pageSize <= 1<<20 {
		if m1, ok1 := readBoltMeta(f, int64(m0.pageSize)); ok1 && m1.txid > m0.txid {
			best = m1
		}
	} else {
		// The first meta page is damaged: find the second one at the
		// usual page sizes.
		for _, ps := range []int64{4096, 8192, 16384, 65536} {
			if m1, ok1 := readBoltMeta(f, ps); ok1 && int64(m1.pageSize) == ps {
				best, ok = m1, true
				break
			}
		}
	}
	return best, ok
}

// checkFreelist checks the header of the freelist page, which bbolt reads
// while it opens a file for writing, outside any transaction.
func checkFreelist(f *os.File, m boltMeta) error {
	if m.freelist == 1<<64-1 { // no freelist kept
		return nil
	}
	ps := int64(m.pageSize)
	if m.freelist < 2 || m.freelist >= m.pgid {
		return fmt.Errorf("%w: the freelist page %d is outside the file's %d pages", ErrDamaged, m.freelist, m.pgid)
	}
	hdr := make([]byte, boltPageHeader+8)
	if _, err := f.ReadAt(hdr, int64(m.freelist)*ps); err != nil {
		return fmt.Errorf("%w: the freelist page cannot be read: %v", ErrDamaged, err)
	}
	le := binary.NativeEndian
	flags, count, overflow := le.Uint16(hdr[8:]), uint64(le.Uint16(hdr[10:])), uint64(le.Uint32(hdr[12:]))
	extra := uint64(0)
	if count == 0xFFFF {
		count, extra = le.Uint64(hdr[16:]), 1
	}
	size := uint64(boltPageHeader) + (count+extra)*8
	switch {
	case flags != 0x10:
		return fmt.Errorf("%w: the freelist page has flags %#x", ErrDamaged, flags)
	case le.Uint64(hdr[0:]) != m.freelist:
		return fmt.Errorf("%w: the freelist page says it is page %d", ErrDamaged, le.Uint64(hdr[0:]))
	case m.freelist+overflow >= m.pgid || count > m.pgid || size > (overflow+1)*uint64(ps):
		return fmt.Errorf("%w: the freelist page's size is wrong", ErrDamaged)
	}
	return nil
}

// readAllPages reads every key and value of every bucket, nested ones
// included, so that damage anywhere in the file's tree shows as an error
// (through boltDB's guard) before bbolt's own check walks it.
func readAllPages(tx *bolt.Tx) error {
	var sum uint32 // touches every byte of every value
	var walk func(b *bolt.Bucket) error
	walk = func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				if child := b.Bucket(k); child != nil {
					return walk(child)
				}
				return nil
			}
			sum += crc32.ChecksumIEEE(v)
			return nil
		})
	}
	err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walk(b) })
	_ = sum
	return err
}

// pageWalk checks the tree of a bbolt file's pages by reading the file,
// not its memory map, before bbolt's own check walks them in a goroutine
// of its own, where a fault could not be caught: every page a bucket
// reaches lies below the high-water mark, is reached once (no cycles), has
// a branch or leaf type, and holds its elements, keys and values within
// its bounds.
type pageWalk struct {
	f        *os.File
	m        boltMeta
	seen     map[uint64]bool
	problems []string
}

func (w *pageWalk) problem(format string, args ...any) {
	if len(w.problems) < maxProblems {
		w.problems = append(w.problems, fmt.Sprintf(format, args...))
	}
}

// visit checks page id and the pages below it.
func (w *pageWalk) visit(id uint64) {
	if len(w.problems) >= maxProblems {
		return
	}
	if id < 2 || id >= w.m.pgid {
		w.problem("page %d: out of the file's %d pages", id, w.m.pgid)
		return
	}
	if w.seen[id] {
		w.problem("page %d: reached twice", id)
		return
	}
	w.seen[id] = true
	ps := int64(w.m.pageSize)
	hdr := make([]byte, boltPageHeader)
	if _, err := w.f.ReadAt(hdr, int64(id)*ps); err != nil {
		w.problem("page %d: %v", id, err)
		return
	}
	le := binary.NativeEndian
	overflow := uint64(le.Uint32(hdr[12:]))
	if got := le.Uint64(hdr); got != id {
		w.problem("page %d: says it is page %d", id, got)
		return
	}
	if id+overflow >= w.m.pgid {
		w.problem("page %d: its %d overflow pages run past the file's %d pages", id, overflow, w.m.pgid)
		return
	}
	buf := make([]byte, int64(overflow+1)*ps)
	if _, err := w.f.ReadAt(buf, int64(id)*ps); err != nil {
		w.problem("page %d: %v", id, err)
		return
	}
	w.page(buf, fmt.Sprintf("page %d", id))
}

// page checks the elements of one page (a file page, or a bucket's page
// inlined in its parent's value).
func (w *pageWalk) page(buf []byte, where string) {
	le := binary.NativeEndian
	if len(buf) < boltPageHeader {
		w.problem("%s: shorter than a page header", where)
		return
	}
	flags, count := le.Uint16(buf[8:]), int(le.Uint16(buf[10:]))
	if boltPageHeader+count*16 > len(buf) {
		w.problem("%s: %d elements do not fit in it", where, count)
		return
	}
	for i := range count {
		e := boltPageHeader + i*16
		switch flags {
		case 0x01: // branch: pos, ksize, pgid
			pos, ksize := int(le.Uint32(buf[e:])), int(le.Uint32(buf[e+4:]))
			if e+pos+ksize > len(buf) || pos < 0 {
				w.problem("%s: element %d's key lies outside the page", where, i)
				return
			}
			w.visit(le.Uint64(buf[e+8:]))
		case 0x02: // leaf: flags, pos, ksize, vsize
			eflags := le.Uint32(buf[e:])
			pos, ksize, vsize := int(le.Uint32(buf[e+4:])), int(le.Uint32(buf[e+8:])), int(le.Uint32(buf[e+12:]))
			end := e + pos + ksize + vsize
			if end > len(buf) || end < e {
				w.problem("%s: element %d's key or value lies outside the page", where, i)
				return
			}
			if eflags&0x01 == 0 {
				continue
			}
			v := buf[e+pos+ksize : end]
			if len(v) < 16 {
				w.problem("%s: element %d: a bucket without its header", where, i)
				return
			}
			if root := le.Uint64(v); root != 0 {
				w.visit(root)
			} else {
				w.page(v[16:], where+" (inline bucket)")
			}
		default:
			w.problem("%s: unexpected page type %#x", where, flags)
			return
		}
		if len(w.problems) >= maxProblems {
			return
		}
	}
}

// walkPages checks the page tree of the file at path (see pageWalk).
func walkPages(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	m, ok := newestMeta(f)
	if !ok {
		return []string{"no valid meta page"}
	}
	w := &pageWalk{f: f, m: m, seen: map[uint64]bool{}}
	w.visit(m.root)
	return w.problems
}

// maxProblems bounds the problems Verify lists: a badly damaged file has
// thousands, and the first few say enough.
const maxProblems = 20

// VerifyReport is what Verify found.
type VerifyReport struct {
	Kind     FileKind
	Schema   int
	Ops      int      // ops in the log
	Dossiers int      // dossiers in the log
	Problems []string // empty when the file is sound
}

// Verify checks the brug file at path without writing to it: it reads
// every page, runs bbolt's consistency check, checks brug's buckets,
// decodes every op of the log, and compares the kept state (heads,
// summaries, due dates) with the state rebuilt from the log. The rebuild
// runs on a private temporary copy (mode 0600), removed before Verify
// returns. An error means the file could not be opened at all (damaged,
// not a brug file, locked); problems found in an open file are in the
// report.
func Verify(path string, opt Options) (VerifyReport, error) {
	var rep VerifyReport
	opt.ReadOnly = true
	opt.Kind = FileAny
	s, err := Open(path, opt)
	if err != nil {
		return rep, err
	}
	defer s.Close()
	rep.Kind = s.kind
	problem := func(format string, args ...any) {
		if len(rep.Problems) < maxProblems {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	// bbolt's check runs in a goroutine of its own, where a fault
	// cannot be caught: it runs only on a tree that the walk over the
	// file found sound.
	for _, p := range walkPages(path) {
		problem("%s", p)
	}
	if len(rep.Problems) > 0 {
		return rep, nil
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if err := readAllPages(tx); err != nil {
			return err
		}
		for err := range tx.Check() {
			problem("bbolt: %v", err)
		}
		if b := tx.Bucket(bMeta).Get(kSchema); len(b) == 4 {
			rep.Schema = int(binary.BigEndian.Uint32(b))
		}
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				problem("bucket %s is missing", name)
			}
		}
		ops := tx.Bucket(bOps)
		if ops == nil {
			return nil
		}
		var lastDossier []byte
		return ops.ForEach(func(k, v []byte) error {
			if len(k) != 32 {
				problem("log key %x: not a dossier and an op id", k)
				return nil
			}
			op, err := s.openOp(k, v)
			if err != nil {
				problem("log op %x: %v", k, err)
				return nil
			}
			if err := ValidateOp(op, nil); err != nil {
				problem("log op %s: %v", op.ID, err)
			}
			if dk, _ := idKey(op.Dossier); string(dk) != string(k[:16]) {
				problem("log op %s: filed under another dossier", op.ID)
			}
			rep.Ops++
			if string(k[:16]) != string(lastDossier) {
				rep.Dossiers++
				lastDossier = append(lastDossier[:0], k[:16]...)
			}
			return nil
		})
	})
	if err != nil {
		return rep, err
	}
	if len(rep.Problems) > 0 {
		return rep, nil
	}
	if err := s.verifyState(opt); err != nil {
		if errors.Is(err, ErrDamaged) {
			return rep, err
		}
		problem("kept state: %v", err)
	}
	return rep, nil
}

// verifyState runs Check on a temporary copy of the store: Check needs a
// write transaction (which it rolls back), and Verify never writes to the
// file it checks.
func (s *Store) verifyState(opt Options) error {
	dir, err := os.MkdirTemp("", "brug-check-")
	if err != nil {
		return fmt.Errorf("make a temporary copy: %w", err)
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, "copy.db")
	err = s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(cp, 0o600) })
	if err != nil {
		return err
	}
	opt.ReadOnly = false
	opt.NoSync = true
	if s.crypt == nil {
		opt.Encryption = nil // a plain file's copy stays plain
	}
	opt.keyStoreReadOnly = true // the checked file's keys are only read
	c, err := Open(cp, opt)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Check()
}
