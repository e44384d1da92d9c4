package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Streaming an import. The pages of an initial pull bring whole dossiers,
// in ascending dossier id order (docs/sync.md, "One sync"), and the log is
// keyed dossier first: so a page can be written as it comes, every put an
// append, with no spool and no merge, into buckets of its own that replace
// the store's at Commit, the ops the store held then applied on top.
// Pages are gathered up to streamBatchBytes and written in one transaction
// (never held open between pages, so the user's own actions go on); the
// buckets fill under the import parent bucket and move in at Commit, as
// with a spooled import. A page that breaks the order (a dossier again, or
// one lower than the last written: ops of dossiers sent earlier, a dossier
// sent again after a view change) ends streaming: it and every later page
// spool, and Commit applies them on top once the streamed part moved in.

// streamer is the streamed part of an Import.
type streamer struct {
	started bool     // a page was taken
	last    [16]byte // the highest dossier taken
	pending []streamDossier
	size    int // bytes pending
	ready   bool
	n       int // ops written
	chunks  []chunkEntry
	dues    [][]byte
	taken   map[[16]byte]bool
	dropped map[[16]byte]bool // written, then forgotten or erased

	work  chan []streamDossier   // batches to the preparing goroutine
	out   chan []preparedDossier // prepared batches to the writer goroutine
	done  chan struct{}          // closed when the writer ended
	errMu sync.Mutex
	err   error // the writer's first error
}

// streamDossier is one dossier of a page, its ops in key order.
type streamDossier struct {
	dkey [16]byte
	ops  []streamOp
}

type streamOp struct {
	key   [16]byte
	op    *Op        // the page's own: AddRaw's ops stay as they are (see AddRaw)
	canon bool       // op.ID and op.Dossier are the canonical text of the keys
	prev  [][16]byte // op.Prev as keys, each the canonical text's (canon), or nil
}

// opKeys are an op's id and dossier as keys, and with canon (AddKeyed's
// Canonical keys) its prevs too.
type opKeys struct {
	key, dkey [16]byte
	canon     bool
	prev      [][16]byte
}

// streamOpSize is about what an op takes in a batch: its log value and
// bbolt's element and key.
func streamOpSize(op *Op) int { return 64 + 40 + len(op.Value) + 2*len(op.Prev) }

// stream takes a page when it keeps the order; it reports false when the
// page must spool (and so must every later one). keys are the ops' keys.
// It only sorts the page into dossiers: encoding and sealing the ops is
// part of preparing a dossier, on every processor (prepareDossier).
func (im *Import) stream(ops []Op, keys []opKeys) (bool, error) {
	st := im.st
	if st == nil {
		// Decided at the first page: not when the log holds many ops
		// already, as they are applied again on top in Commit's last
		// transaction (moveImport), like the user's actions meanwhile.
		// A coach who worked offline before logging in has a few.
		few := false
		err := im.s.db.View(func(tx *bolt.Tx) error {
			few = tx.Bucket(bOps).Sequence() <= streamOverOps
			return nil
		})
		if err != nil || !few {
			return false, err
		}
		st = &streamer{taken: map[[16]byte]bool{}, dropped: map[[16]byte]bool{}}
		im.st = st
	}
	type rec struct {
		key, dkey [16]byte
		i         int
	}
	recs := make([]rec, len(ops))
	for i, k := range keys {
		recs[i] = rec{key: k.key, dkey: k.dkey, i: i}
	}
	byKeys := func(x, y rec) int {
		return cmp.Or(bytes.Compare(x.dkey[:], y.dkey[:]), bytes.Compare(x.key[:], y.key[:]), cmp.Compare(x.i, y.i))
	}
	if !slices.IsSortedFunc(recs, byKeys) { // a server sends them so
		slices.SortFunc(recs, byKeys)
	}
	if len(recs) == 0 || (st.started && bytes.Compare(recs[0].dkey[:], st.last[:]) <= 0) {
		return len(recs) == 0, nil
	}
	for j := 0; j < len(recs); {
		// A dossier's ops: its run of recs, its slice made to size.
		dk := recs[j].dkey
		end := j + 1
		for end < len(recs) && recs[end].dkey == dk {
			end++
		}
		d := streamDossier{dkey: dk, ops: make([]streamOp, 0, end-j)}
		for ; j < end; j++ {
			r := &recs[j]
			if len(d.ops) > 0 && r.key == d.ops[len(d.ops)-1].key {
				continue // the first copy of an op wins, as in apply
			}
			so := streamOp{key: r.key, op: &ops[r.i]}
			if k := &keys[r.i]; k.canon {
				so.canon, so.prev = true, k.prev
			}
			d.ops = append(d.ops, so)
			st.size += streamOpSize(&ops[r.i])
		}
		st.pending = append(st.pending, d)
		st.taken[dk] = true
	}
	st.started, st.last = true, recs[len(recs)-1].dkey
	for _, r := range recs {
		im.noteKey(&ops[r.i], r.dkey)
	}
	if err := st.writeErr(); err != nil {
		return true, err
	}
	if st.size >= streamBatchBytes {
		return true, im.writePending()
	}
	return true, nil
}

// writePending hands the dossiers taken so far to the writer, in batches
// of about streamBatchBytes, and returns at once: while the writer puts a
// batch, the next page is taken. The writer's first error comes back from
// a later call, or from Commit.
func (im *Import) writePending() error {
	st := im.st
	if err := st.writeErr(); err != nil {
		return err
	}
	if st.work == nil {
		st.work, st.out, st.done = make(chan []streamDossier, 1), make(chan []preparedDossier, 1), make(chan struct{})
		go im.preparer()
		go im.writer()
	}
	for len(st.pending) > 0 {
		n, size := 0, 0
		for n < len(st.pending) && (n == 0 || size < streamBatchBytes) {
			for _, o := range st.pending[n].ops {
				size += streamOpSize(o.op)
			}
			n++
		}
		st.work <- st.pending[:n:n]
		st.pending = st.pending[n:]
	}
	st.pending, st.size = nil, 0
	return nil
}

// preparer prepares the batches it is handed, each on every processor,
// and hands them to the writer, until work closes: so a batch is prepared
// while the one before is put (a pipeline: the page after is taken
// meanwhile).
func (im *Import) preparer() {
	st := im.st
	defer close(st.out)
	for batch := range st.work {
		if st.writeErr() != nil {
			continue // drain: the import has failed
		}
		prepared, err := im.prepareAll(batch)
		if err != nil {
			st.fail(err)
			continue
		}
		st.out <- prepared
	}
}

// writer puts the prepared batches, each in one transaction, until the
// preparer ends. It alone touches the streamer's written state (ready, n,
// chunks, dues) until done is closed.
func (im *Import) writer() {
	st := im.st
	defer close(st.done)
	for prepared := range st.out {
		if st.writeErr() != nil {
			continue // drain: the import has failed
		}
		if err := im.writeBatch(prepared); err != nil {
			st.fail(err)
		}
	}
}

// fail keeps the first error of the preparer or the writer.
func (st *streamer) fail(err error) {
	st.errMu.Lock()
	if st.err == nil {
		st.err = err
	}
	st.errMu.Unlock()
}

func (st *streamer) writeErr() error {
	st.errMu.Lock()
	defer st.errMu.Unlock()
	return st.err
}

// waitWriter ends the writer, once it wrote what it was handed, and
// returns its first error.
func (st *streamer) waitWriter() error {
	if st.work != nil {
		close(st.work)
		<-st.done
		st.work = nil
	}
	return st.writeErr()
}

// writeBatch puts one prepared batch of dossiers.
func (im *Import) writeBatch(prepared []preparedDossier) error {
	st := im.st
	err := im.s.db.Update(func(tx *bolt.Tx) error {
		parent, err := im.importBucket(tx, !st.ready)
		if err != nil {
			return err
		}
		b := func(name []byte) *bolt.Bucket {
			bk := parent.Bucket(name)
			bk.FillPercent = 0.9
			return bk
		}
		log, replaced := b(bOps), b(bReplaced)
		log.FillPercent = 1 // every put an append
		for i := range prepared {
			if err := im.putDossier(&prepared[i], log, replaced); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	st.ready = true
	if im.afterBatch != nil {
		im.afterBatch()
	}
	return nil
}

// importBucket returns the import parent bucket; fresh, it is made anew
// (one an import cut off left behind goes).
func (im *Import) importBucket(tx *bolt.Tx, fresh bool) (*bolt.Bucket, error) {
	if !fresh {
		return tx.Bucket(bImport), nil
	}
	if err := tx.DeleteBucket(bImport); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return nil, fmt.Errorf("remove an earlier import cut off: %w", err)
	}
	parent, err := tx.CreateBucket(bImport)
	if err != nil {
		return nil, err
	}
	for _, name := range importBuckets {
		if _, err := parent.CreateBucket(name); err != nil {
			return nil, err
		}
	}
	return parent, nil
}

// preparedDossier is what writing a streamed dossier puts, worked out
// before its transaction: its ops' log values (encoded and sealed), the
// ops they name (replaced), and its summary and due entries, from its
// heads (the ops nobody names, as rebuild finds them).
type preparedDossier struct {
	d        *streamDossier
	enc      [][]byte // per op of d, its log value
	replaced [][16]byte
	entry    chunkEntry
	dues     [][]byte
}

// prepareDossier works out what writing a dossier puts. It reads nothing
// of the store, so dossiers are prepared in parallel.
// fc is the preparing goroutine's own.
func (im *Import) prepareDossier(d *streamDossier, fc *fieldCache) (preparedDossier, error) {
	p := preparedDossier{d: d}
	// The log keeps its own encoding (opbin.go): the page's JSON, if any,
	// is not stored. The dossier's ops are encoded into one buffer, each
	// with the room sealing needs around it, and sealed there in one pass
	// with the dossier's key.
	head, tail := im.s.sealRoom()
	size := 0
	for _, o := range d.ops {
		size += head + opSizeHint(o.op) + tail
	}
	buf := make([]byte, 0, size)
	p.enc = make([][]byte, len(d.ops))
	var lk [32]byte
	copy(lk[:], d.dkey[:])
	var last actor // a dossier's ops come from few devices and authors
	var lastN uint64
	for i, o := range d.ops {
		copy(lk[16:], o.key[:])
		if i == 0 || o.op.Device != last.device || o.op.Author != last.author {
			last, lastN = actor{o.op.Device, o.op.Author}, im.s.actors.number(o.op.Device, o.op.Author)
		}
		start := len(buf)
		buf = append(buf, make([]byte, head)...)
		buf = appendOpKeyed(buf, lk[:], o.op, lastN, fc, o.canon, o.prev)
		buf = append(buf, make([]byte, tail)...)
		p.enc[i] = buf[start:len(buf):len(buf)]
	}
	if err := im.s.sealInPlaceFor(d.dkey[:], p.enc); err != nil {
		return p, fmt.Errorf("seal the ops of dossier %s: %w", idString(d.dkey[:]), err)
	}
	var named [][16]byte
	for _, o := range d.ops {
		if o.canon {
			named = append(named, o.prev...)
			continue
		}
		for _, pr := range o.op.Prev {
			pk, _ := idArray(pr) // checked by Add
			named = append(named, pk)
		}
	}
	byKey := func(x, y [16]byte) int { return bytes.Compare(x[:], y[:]) }
	slices.SortFunc(named, byKey)
	p.replaced = slices.Compact(named)
	fields := make([]string, 0, len(d.ops))
	heads := make([]Head, 0, len(d.ops))
	for _, o := range d.ops {
		if _, isNamed := slices.BinarySearchFunc(p.replaced, o.key, byKey); !isNamed {
			fields = append(fields, o.op.Field)
			heads = append(heads, headOf(*o.op))
		}
	}
	var err error
	p.entry, p.dues, err = im.s.freshDossier(bytes.Clone(d.dkey[:]), fields, heads)
	return p, err
}

// prepareAll prepares dossiers on every processor.
func (im *Import) prepareAll(ds []streamDossier) ([]preparedDossier, error) {
	out := make([]preparedDossier, len(ds))
	errs := make([]error, len(ds))
	workers := min(runtime.GOMAXPROCS(0), len(ds))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			fc := newFieldCache()
			for i := int(next.Add(1) - 1); i < len(ds); i = int(next.Add(1) - 1) {
				out[i], errs[i] = im.prepareDossier(&ds[i], fc)
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// putDossier writes a prepared dossier, every put an append, and keeps
// its summary and due entries for Commit.
func (im *Import) putDossier(p *preparedDossier, log, replaced *bolt.Bucket) error {
	var k [32]byte // bbolt copies keys
	copy(k[:], p.d.dkey[:])
	for i, o := range p.d.ops {
		copy(k[16:], o.key[:])
		if err := log.Put(k[:], p.enc[i]); err != nil {
			return err
		}
	}
	for _, r := range p.replaced {
		copy(k[16:], r[:])
		if err := replaced.Put(k[:], present); err != nil {
			return err
		}
	}
	im.st.chunks = append(im.st.chunks, p.entry)
	im.st.dues = append(im.st.dues, p.dues...)
	im.st.n += len(p.d.ops)
	return nil
}

// forgetStreamed leaves out a dossier taken by the stream (Forget).
func (im *Import) forgetStreamed(dk [16]byte) {
	st := im.st
	if st == nil || !st.taken[dk] {
		return
	}
	for i, d := range st.pending {
		if d.dkey == dk {
			st.pending = slices.Delete(st.pending, i, i+1)
			delete(st.taken, dk)
			return
		}
	}
	st.dropped[dk] = true
}

// commitStream finishes the streamed part and moves it in: the dossiers
// taken but forgotten or erased since go, the summaries, due entries and
// the log's count are written, and the buckets move into place. It
// returns how many ops it added that the store did not hold.
func (im *Import) commitStream(erased map[[16]byte]bool) (int, error) {
	st := im.st
	if err := im.writePending(); err != nil {
		return 0, err
	}
	if err := st.waitWriter(); err != nil {
		return 0, err
	}
	if !st.ready {
		return 0, nil // all it took was forgotten before it was written
	}
	for dk := range erased {
		if st.taken[dk] {
			st.dropped[dk] = true
		}
	}
	err := im.s.db.Update(func(tx *bolt.Tx) error {
		parent := tx.Bucket(bImport)
		log := parent.Bucket(bOps)
		for dk := range st.dropped {
			c := log.Cursor()
			for k, _ := c.Seek(dk[:]); k != nil && bytes.HasPrefix(k, dk[:]); k, _ = c.Next() {
				st.n--
			}
			for _, name := range [][]byte{bOps, bReplaced} {
				if err := deletePrefix(parent.Bucket(name), dk[:]); err != nil {
					return err
				}
			}
		}
		if err := log.SetSequence(uint64(st.n)); err != nil {
			return err
		}
		entries := slices.DeleteFunc(st.chunks, func(e chunkEntry) bool { return st.dropped[[16]byte(e.key)] })
		if err := im.s.putSummaries(parent.Bucket(bSummaries), entries); err != nil {
			return err
		}
		dues := slices.DeleteFunc(st.dues, func(k []byte) bool { return st.dropped[[16]byte(k[4:20])] })
		slices.SortFunc(dues, bytes.Compare)
		due := parent.Bucket(bDue)
		for _, k := range dues {
			if err := due.Put(k, present); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if im.beforeFinal != nil {
		im.beforeFinal()
	}
	dup := 0
	err = im.s.db.Update(func(tx *bolt.Tx) (err error) {
		dup, err = im.s.moveImport(tx, im.hlc)
		return err
	})
	if err != nil {
		return 0, err
	}
	return st.n - dup, nil
}

// streamOverOps is how many ops the log may hold for an import to stream
// over them.
const streamOverOps = 100000

// streamBatchBytes is how much one transaction of a streamed import puts:
// the batch's ops, their prepared heads and bbolt's dirty pages are all in
// memory until it commits.
const streamBatchBytes = 2 << 20
