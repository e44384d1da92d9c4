package store

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// An Import takes the ops of an initial pull (a fresh device, thousands of
// pages) and puts them into the store at the end, at once, with exactly the
// state ApplyRemote would give for the same ops.
//
// Applying page by page inserts every page's ops at random places of large,
// growing buckets, so each commit rewrites thousands of leaf pages. An
// Import instead spools each page to two temp files next to the database,
// each page sorted by dossier and op id (a: the sealed ops; b: what the
// heads need), and at Commit merges the sorted runs, so that every bbolt
// put is an append: log, replaced set and heads in key order, each dossier
// materialised once. The memory it needs is a few bytes per op (the prev
// ids and a dossier number), not the ops themselves.
//
// The merged buckets are written under a parent bucket ("import") in
// commits of a few MiB, and moved into place in one last transaction: a
// crash before that leaves the store as it was (the partial import bucket
// is deleted by the next import), and the caller, which stores its sync
// cursor only after Commit, pulls the same ops again.
//
// The fast path applies to a store whose log is empty when Commit starts;
// otherwise Commit applies the pages with ApplyRemoteBulk, as before. Ops
// the user makes while Commit runs are applied again on top of the import
// in its last transaction. An Import is used by one goroutine.
type Import struct {
	s       *Store
	a, b    *spool      // pages sorted by dossier, op id; a: sealed ops, b: head data
	runs    []importRun // one per page
	prevs   []prevRef   // every prev id named, with the seq of the op naming it
	dossier []uint32    // per seq: the dossier's number
	dnum    map[[16]byte]uint32
	dkeys   [][16]byte // per dossier number: its id
	cut     []uint32   // per dossier number: its ops below this seq were dropped
	seq     uint32
	lastDK  [16]byte // the dossier of the op added last (seq > 0),
	lastDN  uint32   // and its number
	hlc     HLC      // the latest stamp added, for the stored clock
	// sane is the latest stamp added up to bound, the latest the store's
	// clock takes when the import began (Clock.Bound): Commit's Observe
	// then gives the clock ApplyRemote of the same ops would.
	sane, bound HLC

	st       *streamer // pages written as they came (import_stream.go)
	spooling bool      // a page came out of order: it and later pages spool

	// afterBatch, when set (tests), runs after each intermediate commit;
	// beforeFinal runs before the last transaction.
	afterBatch, beforeFinal func()
}

type importRun struct{ a, aEnd, b, bEnd int64 }

type prevRef struct {
	key [16]byte
	seq uint32
}

// importBatchBytes is how much an intermediate commit of an import puts:
// bbolt holds a transaction's dirty pages in memory until it commits.
const importBatchBytes = 8 << 20

// bImport is the parent bucket an import fills before it is moved in.
var bImport = []byte("import")

// importBuckets are the buckets an import writes and moves into place.
var importBuckets = [][]byte{bOps, bReplaced, bSummaries, bDue}

// NewImport starts an import whose temp files sit next to the database.
// Temp files a killed brug left behind are removed first. Close the
// Import when done, committed or not.
func (s *Store) NewImport() (*Import, error) {
	prefix := filepath.Base(s.path) + ".import-"
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(s.path), prefix+"*"))
	for _, f := range stale {
		_ = os.Remove(f) // the file lock is ours: nobody else uses them
	}
	im := &Import{s: s, dnum: map[[16]byte]uint32{}, bound: s.clock.Bound()}
	var err error
	if im.a, err = newSpool(s.path, prefix); err != nil {
		return nil, err
	}
	if im.b, err = newSpool(s.path, prefix); err != nil {
		im.a.close()
		return nil, err
	}
	return im, nil
}

// Close removes the temp files.
func (im *Import) Close() error {
	if im.st != nil {
		// A streamed import's writer may still be writing: wait for it.
		// Its error, if any, was or would have been Commit's to report.
		_ = im.st.waitWriter()
	}
	return errors.Join(im.a.close(), im.b.close())
}

// Len is the number of ops added so far.
func (im *Import) Len() int { return int(im.seq) }

// Add takes a page of ops. Like ApplyRemote it checks ops for shape only
// and refuses the page as a whole when one is malformed. The caller leaves
// out ops of dossiers erased here (see Syncer.applyPull), and leaves ops as
// they are: the import may keep them until Commit.
func (im *Import) Add(ops []Op) error { return im.AddKeyed(ops, nil) }

// IDKeys are the 16 bytes of an op's ids, for a caller that had them
// before their text: the compact page decoder (sync/protocol) reads ids as
// bytes and writes their text from them, and the import would only parse
// that text back. Canonical says that the op's id, its dossier and every
// prev are UUIDs in canonical form (lower case, with dashes) whose bytes
// are ID, Dossier and Prev; without it the keys are not used and the op's
// ids are read from their text.
type IDKeys struct {
	ID, Dossier [16]byte
	Prev        [][16]byte // one per op.Prev, in its order
	Canonical   bool
}

// AddKeyed is Add for ops whose ids the caller has as keys (keys[i] for
// ops[i]; nil: none). An op with Canonical keys gets all of ValidateOp's
// checks but the parsing of its ids, which are canonical by the keys'
// contract; its ids then need no parsing to be written either. The file
// written is the one Add writes (TestImportKeyedSameFile).
func (im *Import) AddKeyed(ops []Op, keys []IDKeys) error {
	if keys != nil && len(keys) != len(ops) {
		return fmt.Errorf("import: %d keys for %d ops", len(keys), len(ops))
	}
	// Security: the ops come from a server, which numbered them after its
	// own checks; a server that is not what it claims could send an op
	// that breaks the file's invariants (an id that is no id, an unknown
	// field, a value that does not fit). So every op gets all of
	// ValidateOp's checks here, as before; only the ids it parses are kept
	// for the stream, which parsed them a second time before
	// (TestImportRefusesMalformedOps). The keys a decoder gives skip only
	// the parsing of ids that came as bytes: an id that came as text (a
	// server may send any) has no Canonical keys and is parsed here.
	// A page's ops come dossier by dossier: the dossier id of the op
	// before, the same string, is not parsed again.
	ks := make([]opKeys, len(ops))
	var lastDossier string
	var dk [16]byte
	for i := range ops {
		op := &ops[i]
		if keys != nil && keys[i].Canonical && len(keys[i].Prev) == len(op.Prev) {
			kk := &keys[i]
			dk, lastDossier = kk.Dossier, op.Dossier
			if err := checkOpFields(op, nil, false); err != nil {
				return fmt.Errorf("remote op %s: %w", op.ID, err)
			}
			ks[i] = opKeys{key: kk.ID, dkey: dk, canon: true, prev: kk.Prev}
			continue
		}
		k, ok := idArray(op.ID)
		if !ok {
			return fmt.Errorf("remote op %s: %w op id %q", op.ID, ErrInvalid, op.ID)
		}
		if i == 0 || op.Dossier != lastDossier {
			if dk, ok = idArray(op.Dossier); !ok {
				return fmt.Errorf("remote op %s: %w dossier id %q", op.ID, ErrInvalid, op.Dossier)
			}
			lastDossier = op.Dossier
		}
		if err := checkOpRest(op, nil); err != nil {
			return fmt.Errorf("remote op %s: %w", op.ID, err)
		}
		ks[i] = opKeys{key: k, dkey: dk}
	}
	if uint64(im.seq)+uint64(len(ops)) >= 1<<32 {
		return fmt.Errorf("import: too many ops")
	}
	if !im.spooling {
		ok, err := im.stream(ops, ks)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		im.spooling = true // out of order: this page and all later ones spool
	}
	type rec struct {
		key, dkey [16]byte
		seq       uint32
		i         int
		op        *Op
	}
	recs := make([]rec, len(ops))
	for i := range ops {
		op := &ops[i]
		r := rec{i: i, op: op}
		k, _ := idKey(op.ID)
		dk, _ := idKey(op.Dossier)
		copy(r.key[:], k)
		copy(r.dkey[:], dk)
		r.seq = im.note(op)
		for _, p := range op.Prev {
			pk, _ := idKey(p)
			im.prevs = append(im.prevs, prevRef{key: [16]byte(pk), seq: r.seq})
		}
		recs[i] = r
	}
	run := importRun{a: im.a.off, b: im.b.off}
	slices.SortFunc(recs, func(x, y rec) int {
		return cmp.Or(bytes.Compare(x.dkey[:], y.dkey[:]), bytes.Compare(x.key[:], y.key[:]), cmp.Compare(x.seq, y.seq))
	})
	for _, r := range recs {
		a := im.a
		a.raw(r.dkey[:])
		a.raw(r.key[:])
		a.u32(r.seq)
		enc, err := im.s.sealOp(logKey(r.dkey[:], r.key[:]), r.op)
		if err != nil {
			return fmt.Errorf("encode op %s: %w", r.op.ID, err)
		}
		a.bytes(enc)
	}
	slices.SortFunc(recs, func(x, y rec) int {
		return cmp.Or(bytes.Compare(x.dkey[:], y.dkey[:]), bytes.Compare(x.key[:], y.key[:]), cmp.Compare(x.seq, y.seq))
	})
	for _, r := range recs {
		b := im.b
		b.raw(r.dkey[:])
		b.raw(r.key[:])
		b.u32(r.seq)
		b.str(r.op.ID)
		b.str(r.op.Field)
		b.str(r.op.Value)
		b.str(r.op.Device)
		b.str(r.op.Author)
		b.uvarint(uint64(r.op.HLC))
	}
	if err := errors.Join(im.a.err, im.b.err); err != nil {
		return fmt.Errorf("spool pulled ops: %w", err)
	}
	run.aEnd, run.bEnd = im.a.off, im.b.off
	im.runs = append(im.runs, run)
	return nil
}

// note numbers an added op and records its dossier and clock.
func (im *Import) note(op *Op) uint32 {
	dk, _ := idKey(op.Dossier)
	return im.noteKey(op, [16]byte(dk))
}

// noteKey is note for an op whose dossier key is at hand.
func (im *Import) noteKey(op *Op, dk [16]byte) uint32 {
	seq := im.seq
	im.seq++
	dn, ok := im.lastDN, im.seq > 1 && im.lastDK == dk // a dossier's ops come together
	if !ok {
		dn, ok = im.dnum[dk]
		im.lastDK = dk
	}
	if !ok {
		dn = uint32(len(im.dkeys))
		im.dnum[dk] = dn
		im.dkeys = append(im.dkeys, dk)
		im.cut = append(im.cut, 0)
	}
	im.lastDN = dn
	im.dossier = append(im.dossier, dn)
	im.hlc = max(im.hlc, op.HLC)
	if op.HLC <= im.bound {
		im.sane = max(im.sane, op.HLC)
	}
	return seq
}

// Forget leaves out the ops of a dossier added so far: it left the
// device's view (or was erased) after they arrived. Ops added later count
// again, as applying, dropping and applying again would.
func (im *Import) Forget(dossier string) {
	dk, err := idKey(dossier)
	if err != nil {
		return
	}
	im.forgetStreamed([16]byte(dk))
	if dn, ok := im.dnum[[16]byte(dk)]; ok {
		im.cut[dn] = im.seq
	}
}

// Commit puts the spooled ops into the store and returns how many were
// new. See Import.
func (im *Import) Commit() (int, error) {
	if err := errors.Join(im.a.flush(), im.b.flush()); err != nil {
		return 0, fmt.Errorf("spool pulled ops: %w", err)
	}
	if im.seq == 0 {
		return 0, nil
	}
	empty := false
	erased := map[[16]byte]bool{}
	err := im.s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bOps).Cursor().First()
		empty = k == nil
		if b := tx.Bucket(bErased); b != nil {
			return b.ForEach(func(k, _ []byte) error {
				if len(k) == 16 {
					erased[[16]byte(k)] = true
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// skip marks the ops that stay out of the log: dropped or erased
	// dossiers, and (after the merge of the ops) later copies of an id.
	skip := make([]bool, im.seq)
	for seq, dn := range im.dossier {
		skip[seq] = uint32(seq) < im.cut[dn] || erased[im.dkeys[dn]]
	}
	if im.st != nil && im.st.started {
		n, err := im.commitStream(erased)
		if err != nil {
			return 0, fmt.Errorf("import pulled ops: %w", err)
		}
		im.s.clock.Observe(im.sane)
		m, err := im.applyRuns(skip) // pages that came out of order
		return n + m, err
	}
	if !empty {
		return im.applyRuns(skip)
	}
	n, err := im.fill(skip)
	if err != nil {
		return 0, fmt.Errorf("import pulled ops: %w", err)
	}
	im.s.clock.Observe(im.sane)
	return n, nil
}

// applyRuns applies the spooled pages one by one with ApplyRemoteBulk, for
// a store that holds ops already.
func (im *Import) applyRuns(skip []bool) (int, error) {
	total := 0
	for _, run := range im.runs {
		r := bufio.NewReaderSize(io.NewSectionReader(im.a.f, run.a, run.aEnd-run.a), 64<<10)
		var ops []Op
		for {
			rec, err := readOpRec(r)
			if err == io.EOF {
				break
			}
			if err != nil {
				return total, fmt.Errorf("read spooled ops: %w", err)
			}
			if skip[rec.seq] {
				continue
			}
			op, err := im.s.openOp(logKey(rec.dkey[:], rec.key[:]), rec.enc)
			if err != nil {
				return total, fmt.Errorf("read spooled op: %w", err)
			}
			ops = append(ops, op)
		}
		n, err := im.s.ApplyRemoteBulk(ops)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// fill is Commit on a store with an empty log.
func (im *Import) fill(skip []bool) (int, error) {
	bw := &batchWriter{db: im.s.db.DB, after: im.afterBatch}
	if err := bw.begin(); err != nil {
		return 0, err
	}
	defer bw.rollback()
	if err := bw.tx.DeleteBucket(bImport); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return 0, fmt.Errorf("remove an earlier import cut off: %w", err)
	}
	parent, err := bw.tx.CreateBucket(bImport)
	if err != nil {
		return 0, err
	}
	for _, name := range importBuckets {
		if _, err := parent.CreateBucket(name); err != nil {
			return 0, err
		}
	}

	// The log, in key order (dossier, op id); the first copy of an op
	// wins, as in apply.
	n := 0
	var last [32]byte
	err = im.merge(im.a, func(run importRun) (int64, int64) { return run.a, run.aEnd },
		func(r *bufio.Reader) (mergeRec, error) {
			rec, err := readOpRec(r)
			return mergeRec{k1: rec.dkey, k2: rec.key, seq: rec.seq, enc: rec.enc}, err
		},
		func(m mergeRec) error {
			if skip[m.seq] {
				return nil
			}
			var lk [32]byte
			copy(lk[:16], m.k1[:])
			copy(lk[16:], m.k2[:])
			if n > 0 && lk == last {
				skip[m.seq] = true
				return nil
			}
			last = lk
			n++
			return bw.put(bOps, lk[:], m.enc)
		})
	if err != nil {
		return 0, err
	}
	if err := bw.bucket(bOps).SetSequence(uint64(n)); err != nil {
		return 0, err
	}

	// The replaced set: every op an op of the log names in prev, in the
	// naming op's dossier.
	replaced := make([][32]byte, 0, len(im.prevs))
	for _, p := range im.prevs {
		if !skip[p.seq] {
			var k [32]byte
			copy(k[:16], im.dkeys[im.dossier[p.seq]][:])
			copy(k[16:], p.key[:])
			replaced = append(replaced, k)
		}
	}
	im.prevs = nil
	slices.SortFunc(replaced, func(x, y [32]byte) int { return bytes.Compare(x[:], y[:]) })
	replaced = slices.Compact(replaced)
	for i := range replaced {
		if err := bw.put(bReplaced, replaced[i][:], present); err != nil {
			return 0, err
		}
	}
	isReplaced := func(dk, k [16]byte) bool {
		var lk [32]byte
		copy(lk[:16], dk[:])
		copy(lk[16:], k[:])
		_, ok := slices.BinarySearchFunc(replaced, lk, func(x, y [32]byte) int { return bytes.Compare(x[:], y[:]) })
		return ok
	}

	// Per dossier: its index, its heads (the ops nobody names, as rebuild
	// finds them) and its summary and due entries.
	var entries []chunkEntry
	var dues [][]byte
	var cur [16]byte
	var fields []string
	var heads []Head
	flush := func() error {
		if len(heads) == 0 {
			return nil
		}
		dkey := append([]byte(nil), cur[:]...)
		entry, dk, err := im.s.freshDossier(dkey, fields, heads)
		if err != nil {
			return err
		}
		fields, heads = fields[:0], heads[:0]
		dues = append(dues, dk...)
		entries = append(entries, entry)
		return nil
	}
	err = im.merge(im.b, func(run importRun) (int64, int64) { return run.b, run.bEnd },
		readDossierRec,
		func(m mergeRec) error {
			if skip[m.seq] {
				return nil
			}
			if m.k1 != cur {
				if err := flush(); err != nil {
					return err
				}
				cur = m.k1
			}
			if !isReplaced(m.k1, m.k2) {
				fields = append(fields, m.field)
				heads = append(heads, m.head)
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := im.s.summaryChunksOf(entries, func(k, v []byte) error { return bw.put(bSummaries, k, v) }); err != nil {
		return 0, err
	}
	slices.SortFunc(dues, bytes.Compare)
	for _, k := range dues {
		if err := bw.put(bDue, k, present); err != nil {
			return 0, err
		}
	}
	if err := bw.commit(); err != nil {
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
	return n - dup, nil
}

// moveImport swaps the filled import buckets in. Ops that reached the log
// while the import ran (user actions) are applied again on top.
//
// It returns how many of those the import held too: ops the store had
// before the pull that the pull brought again (a device that made ops
// before its first pull), which are not new.
func (s *Store) moveImport(tx *bolt.Tx, hlc HLC) (int, error) {
	var local []Op
	err := tx.Bucket(bOps).ForEach(func(k, v []byte) error {
		op, err := s.openOp(k, v)
		if err != nil {
			return err
		}
		local = append(local, op)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read ops made while importing: %w", err)
	}
	parent := tx.Bucket(bImport)
	for _, name := range importBuckets {
		if err := tx.DeleteBucket(name); err != nil {
			return 0, err
		}
		if err := tx.MoveBucket(name, parent, nil); err != nil {
			return 0, fmt.Errorf("move %s into place: %w", name, err)
		}
	}
	if err := tx.DeleteBucket(bImport); err != nil {
		return 0, err
	}
	w := s.newWriter(tx)
	w.hlc = hlc
	dup := 0
	for _, op := range local {
		isNew, err := w.apply(op, false)
		if err != nil {
			return 0, err
		}
		if !isNew {
			dup++
		}
	}
	return dup, w.finish()
}

// freshDossier derives the state of a dossier the store held nothing of
// from its ops nobody names (heads[i] is one on fields[i], any order),
// each field's heads by mergeField: it returns the dossier's summary entry
// and due keys. It keeps neither slice.
//
// The heads are grouped by field in the order they come (a map, not a
// sort: the projection reads each field once, in any order, and
// mergeField orders a field's heads); a field with one head has it alone,
// a slice of heads (what mergeField gives for one op that names nothing).
// TestFreshDossierIsSorted holds it to the sorted grouping it replaced.
func (s *Store) freshDossier(dkey []byte, fields []string, heads []Head) (chunkEntry, [][]byte, error) {
	type group struct {
		first, last, n int32 // first and last head, and how many
	}
	slot := make(map[string]int32, len(fields))
	groups := make([]group, 0, len(fields))
	next := make([]int32, len(fields)) // the field's next head, within a group
	for i, f := range fields {
		g, ok := slot[f]
		if !ok {
			slot[f] = int32(len(groups))
			groups = append(groups, group{first: int32(i), last: int32(i), n: 1})
			continue
		}
		gr := &groups[g]
		next[gr.last] = int32(i)
		gr.last = int32(i)
		gr.n++
	}
	all := make([]fieldHeads, len(groups))
	var in []Op
	for g, gr := range groups {
		i := gr.first
		field := fields[i]
		if gr.n == 1 {
			all[g] = fieldHeads{Field: field, Heads: heads[i : i+1 : i+1]}
			continue
		}
		in = in[:0]
		for range gr.n {
			h := &heads[i]
			in = append(in, Op{ID: h.ID, Field: field, Value: h.Value, HLC: h.HLC, Device: h.Device, Author: h.Author})
			i = next[i]
		}
		hs, _ := mergeField(nil, in, noneReplaced)
		all[g] = fieldHeads{Field: field, Heads: hs}
	}
	sm := summarise(projectSummary(idString(dkey), len(s.checklist), all), s.checklist)
	return chunkEntry{key: dkey, enc: encodeSummary(&sm)}, dueKeys(dkey, &sm), nil
}

// storedHead is h as decodeHeads reads it back from encodeHeads: an id or
// device in the canonical UUID form is stored as 16 bytes and read back in
// lower case.
func storedHead(h Head) Head {
	h.ID, h.Device = storedID(h.ID), storedID(h.Device)
	return h
}

func storedID(s string) string {
	if len(s) != 36 || !hasUpper(s) {
		return s
	}
	if _, err := uuid.Parse(s); err != nil {
		return s
	}
	return strings.ToLower(s)
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
