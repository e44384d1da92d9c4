package store

// This file holds the machinery under Import: the batched bbolt writer,
// the spool files and their k-way merge.

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// batchWriter puts into the import buckets in transactions of about
// importBatchBytes each.
type batchWriter struct {
	db      *bolt.DB
	tx      *bolt.Tx
	buckets map[string]*bolt.Bucket
	n       int
	after   func()
}

func (bw *batchWriter) begin() error {
	tx, err := bw.db.Begin(true)
	if err != nil {
		return err
	}
	bw.tx, bw.n, bw.buckets = tx, 0, map[string]*bolt.Bucket{}
	return nil
}

func (bw *batchWriter) bucket(name []byte) *bolt.Bucket {
	b, ok := bw.buckets[string(name)]
	if !ok {
		b = bw.tx.Bucket(bImport).Bucket(name)
		b.FillPercent = 0.9
		bw.buckets[string(name)] = b
	}
	return b
}

// put puts k and v, which must stay unchanged until the batch commits.
func (bw *batchWriter) put(name, k, v []byte) error {
	if err := bw.bucket(name).Put(k, v); err != nil {
		return err
	}
	bw.n += len(k) + len(v) + 16
	if bw.n < importBatchBytes {
		return nil
	}
	if err := bw.commit(); err != nil {
		return err
	}
	if bw.after != nil {
		bw.after()
	}
	return bw.begin()
}

func (bw *batchWriter) commit() error {
	tx := bw.tx
	bw.tx = nil
	return tx.Commit()
}

func (bw *batchWriter) rollback() {
	if bw.tx != nil {
		_ = bw.tx.Rollback()
	}
}

// mergeRec is a spooled record as the merge of sorted runs sees it.
type mergeRec struct {
	k1, k2 [16]byte
	seq    uint32
	enc    []byte // the sealed op (spool a)
	field  string // spool b
	head   Head
}

func (m *mergeRec) less(o *mergeRec) bool {
	if c := bytes.Compare(m.k1[:], o.k1[:]); c != 0 {
		return c < 0
	}
	if c := bytes.Compare(m.k2[:], o.k2[:]); c != 0 {
		return c < 0
	}
	return m.seq < o.seq
}

type mergeSrc struct {
	r   *bufio.Reader
	cur mergeRec
}

type mergeHeap []*mergeSrc

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return h[i].cur.less(&h[j].cur) }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(*mergeSrc)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// merge calls fn with the records of every run of sp in order.
func (im *Import) merge(sp *spool, span func(importRun) (int64, int64), read func(*bufio.Reader) (mergeRec, error), fn func(mergeRec) error) error {
	var h mergeHeap
	for _, run := range im.runs {
		from, to := span(run)
		src := &mergeSrc{r: bufio.NewReaderSize(io.NewSectionReader(sp.f, from, to-from), 16<<10)}
		rec, err := read(src.r)
		if err == io.EOF {
			continue
		}
		if err != nil {
			return fmt.Errorf("read spooled ops: %w", err)
		}
		src.cur = rec
		h = append(h, src)
	}
	heap.Init(&h)
	for len(h) > 0 {
		src := h[0]
		if err := fn(src.cur); err != nil {
			return err
		}
		rec, err := read(src.r)
		switch {
		case err == io.EOF:
			heap.Pop(&h)
		case err != nil:
			return fmt.Errorf("read spooled ops: %w", err)
		default:
			src.cur = rec
			heap.Fix(&h, 0)
		}
	}
	return nil
}

type opRec struct {
	key, dkey [16]byte
	seq       uint32
	enc       []byte
}

// readOpRec reads a record of spool a: dossier id, op id, seq, sealed op.
func readOpRec(r *bufio.Reader) (opRec, error) {
	var rec opRec
	var hdr [36]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.EOF {
			return rec, io.EOF
		}
		return rec, err
	}
	copy(rec.dkey[:], hdr[:16])
	copy(rec.key[:], hdr[16:32])
	rec.seq = binary.BigEndian.Uint32(hdr[32:])
	var err error
	rec.enc, err = readBytes(r)
	return rec, err
}

// readDossierRec reads a record of spool b: dossier id, op id, seq, then
// the op's id, field, value, device, author and HLC.
func readDossierRec(r *bufio.Reader) (mergeRec, error) {
	var m mergeRec
	var hdr [36]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.EOF {
			return m, io.EOF
		}
		return m, err
	}
	copy(m.k1[:], hdr[:16])
	copy(m.k2[:], hdr[16:32])
	m.seq = binary.BigEndian.Uint32(hdr[32:])
	var s [5]string
	for i := range s {
		b, err := readBytes(r)
		if err != nil {
			return m, err
		}
		s[i] = string(b)
	}
	h, err := binary.ReadUvarint(r)
	if err != nil {
		return m, io.ErrUnexpectedEOF
	}
	m.field = s[1]
	m.head = Head{ID: s[0], Value: s[2], HLC: HLC(h), Device: s[3], Author: s[4]}
	return m, nil
}

func readBytes(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<30 {
		return nil, io.ErrUnexpectedEOF
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}

// spool is an append-only temp file.
type spool struct {
	f    *os.File
	w    *bufio.Writer
	off  int64
	err  error
	tmp  [binary.MaxVarintLen64]byte
	name string
}

func newSpool(dbPath, prefix string) (*spool, error) {
	f, err := os.CreateTemp(filepath.Dir(dbPath), prefix+"*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("create spool for pulled ops: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 256<<10), name: f.Name()}, nil
}

func (sp *spool) raw(p []byte) {
	if sp.err != nil {
		return
	}
	_, sp.err = sp.w.Write(p)
	sp.off += int64(len(p))
}

func (sp *spool) u32(v uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	sp.raw(b[:])
}

func (sp *spool) uvarint(v uint64) { sp.raw(binary.AppendUvarint(sp.tmp[:0], v)) }

func (sp *spool) bytes(p []byte) { sp.uvarint(uint64(len(p))); sp.raw(p) }

func (sp *spool) str(p string) {
	sp.uvarint(uint64(len(p)))
	if sp.err != nil {
		return
	}
	_, sp.err = sp.w.WriteString(p)
	sp.off += int64(len(p))
}

func (sp *spool) flush() error {
	if sp.err != nil {
		return sp.err
	}
	return sp.w.Flush()
}

func (sp *spool) close() error {
	err := sp.f.Close()
	if rerr := os.Remove(sp.name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	return err
}
