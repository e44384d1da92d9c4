package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Reading a whole bucket with pread instead of through bbolt's map.
//
// The list reads every summary chunk and, on an encrypted file, every
// dossier's wrapped key: 10,000 keys on some 350 leaf pages that months of
// commits (and the initial pull) scatter over the whole file. Through the
// map each of those pages is a page fault on a fresh open, and a fault
// costs far more than copying the page with pread (on the reference
// machine, a virtual one: 25-40 µs a fault against 3 µs a read; 10-40 ms
// for the keys alone). bucketPairs reads the bucket's branch pages level
// by level, and then its leaves, with a few large reads of runs of
// neighbouring pages, and returns the same keys and values in the same
// order as a cursor (TestBucketPairsSameAsCursor).
//
// It reads only what the read transaction tx sees: pages reachable from a
// read transaction's root are not reused until it ends, and pread reads
// the same page cache as the map. A writable transaction, an inline
// bucket, one with nested buckets or a tree of uneven depth are left to
// the cursor (ok false). The page layout is bbolt's on-disk format
// (internal/common/page.go), fixed since bbolt 1.0: a 16-byte header (id,
// flags, count, overflow) and 16-byte elements in native byte order.

const (
	pgHeaderSize   = 16
	pgElemSize     = 16
	pgBranchFlag   = 0x01
	pgLeafFlag     = 0x02
	pgBucketLeaf   = 0x01 // a leaf element that is a nested bucket
	pgMaxTreeDepth = 32
)

// kvPair is one key and value of a bucket; both point into read buffers.
type kvPair struct{ k, v []byte }

// bucketPairs returns every key and value of bucket b of the read
// transaction tx in key order, read from f (the file of tx) with pread.
// ok is false when the bucket is to be read through the cursor instead.
func bucketPairs(f *os.File, tx *bolt.Tx, b *bolt.Bucket) (pairs []kvPair, ok bool, err error) {
	if f == nil || b == nil || tx.Writable() {
		return nil, false, nil
	}
	root := uint64(b.Root())
	if root == 0 { // inline bucket: its values lie in its parent's leaf
		return nil, false, nil
	}
	pageSize := tx.DB().Info().PageSize
	if pageSize < 512 {
		return nil, false, nil
	}
	r := pageReader{f: f, pageSize: pageSize, pages: uint64(tx.Size()) / uint64(pageSize)}
	level := []uint64{root}
	for depth := 0; ; depth++ {
		if depth >= pgMaxTreeDepth {
			return nil, false, fmt.Errorf("%w: a bucket's tree is deeper than %d", ErrDamaged, pgMaxTreeDepth)
		}
		pages, err := r.read(level)
		if err != nil {
			return nil, false, err
		}
		flags := binary.NativeEndian.Uint16(pages[0][8:])
		for _, p := range pages[1:] {
			if binary.NativeEndian.Uint16(p[8:]) != flags {
				return nil, false, nil // uneven depth: the cursor knows
			}
		}
		switch flags {
		case pgLeafFlag:
			for _, p := range pages {
				if pairs, ok, err = appendLeafPairs(pairs, p); !ok || err != nil {
					return nil, ok, err
				}
			}
			return pairs, true, nil
		case pgBranchFlag:
			var next []uint64
			for _, p := range pages {
				if next, err = appendBranchChildren(next, p); err != nil {
					return nil, false, err
				}
			}
			if len(next) > int(r.pages) {
				return nil, false, fmt.Errorf("%w: a bucket's branch pages name more pages than the file has", ErrDamaged)
			}
			level = next
		default:
			return nil, false, fmt.Errorf("%w: page %d of a bucket has flags %#x", ErrDamaged, level[0], flags)
		}
	}
}

// pageReader reads pages of one file.
type pageReader struct {
	f        *os.File
	pageSize int
	pages    uint64 // the file's pages as the transaction sees it
}

// read returns the pages ids (with their overflow pages), in the order
// given; runs of neighbouring ids are read at once.
func (r *pageReader) read(ids []uint64) ([][]byte, error) {
	for _, id := range ids {
		if id < 2 || id >= r.pages { // 0 and 1 are the meta pages
			return nil, fmt.Errorf("%w: a bucket names page %d of a file of %d", ErrDamaged, id, r.pages)
		}
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if ids[a] < ids[b] {
			return -1
		}
		if ids[a] > ids[b] {
			return 1
		}
		return 0
	})
	out := make([][]byte, len(ids))
	ps := uint64(r.pageSize)
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && ids[order[j]] == ids[order[j-1]]+1 {
			j++
		}
		first := ids[order[i]]
		buf := make([]byte, uint64(j-i)*ps)
		if err := r.readAt(buf, first); err != nil {
			return nil, err
		}
		for k := i; k < j; k++ {
			id := ids[order[k]]
			p := buf[(id-first)*ps : (id-first+1)*ps]
			if got := binary.NativeEndian.Uint64(p); got != id {
				return nil, fmt.Errorf("%w: page %d says it is page %d", ErrDamaged, id, got)
			}
			if over := uint64(binary.NativeEndian.Uint32(p[12:])); over > 0 {
				if id+over >= r.pages {
					return nil, fmt.Errorf("%w: page %d runs past the end of the file", ErrDamaged, id)
				}
				whole := make([]byte, (1+over)*ps)
				copy(whole, p)
				if err := r.readAt(whole[ps:], id+1); err != nil {
					return nil, err
				}
				p = whole
			}
			out[order[k]] = p
		}
		i = j
	}
	return out, nil
}

func (r *pageReader) readAt(buf []byte, id uint64) error {
	n, err := r.f.ReadAt(buf, int64(id)*int64(r.pageSize))
	if n == len(buf) {
		return nil
	}
	if err == nil || err == io.EOF {
		return fmt.Errorf("%w: the file ends inside page %d", ErrDamaged, id)
	}
	return err
}

// elems checks page p's element count against its size.
func pageElems(p []byte) (int, error) {
	n := int(binary.NativeEndian.Uint16(p[10:]))
	if n == 0 || pgHeaderSize+n*pgElemSize > len(p) {
		return 0, fmt.Errorf("%w: page %d has %d elements", ErrDamaged, binary.NativeEndian.Uint64(p), n)
	}
	return n, nil
}

// appendBranchChildren appends the child page ids of branch page p.
func appendBranchChildren(next []uint64, p []byte) ([]uint64, error) {
	n, err := pageElems(p)
	if err != nil {
		return nil, err
	}
	for i := range n {
		e := p[pgHeaderSize+i*pgElemSize:]
		next = append(next, binary.NativeEndian.Uint64(e[8:]))
	}
	return next, nil
}

// appendLeafPairs appends the keys and values of leaf page p; ok is false
// for a leaf holding a nested bucket.
func appendLeafPairs(pairs []kvPair, p []byte) ([]kvPair, bool, error) {
	n, err := pageElems(p)
	if err != nil {
		return nil, false, err
	}
	for i := range n {
		at := pgHeaderSize + i*pgElemSize
		e := p[at:]
		if binary.NativeEndian.Uint32(e)&pgBucketLeaf != 0 {
			return nil, false, nil
		}
		pos := uint64(binary.NativeEndian.Uint32(e[4:]))
		ks := uint64(binary.NativeEndian.Uint32(e[8:]))
		vs := uint64(binary.NativeEndian.Uint32(e[12:]))
		start := uint64(at) + pos
		if start+ks+vs > uint64(len(p)) {
			return nil, false, fmt.Errorf("%w: an element of page %d runs past its end", ErrDamaged, binary.NativeEndian.Uint64(p))
		}
		k := p[start : start+ks : start+ks]
		v := p[start+ks : start+ks+vs : start+ks+vs]
		pairs = append(pairs, kvPair{k: k, v: v})
	}
	return pairs, true, nil
}

// pageFile is a second handle on the open file, for bucketPairs, opened
// when first needed; nil when it cannot be (bucketPairs then leaves the
// reading to the cursor).
func (d *boltDB) pageFile() *os.File {
	d.rfOnce.Do(func() {
		if f, err := os.Open(d.path); err == nil {
			d.rf = f
		}
	})
	return d.rf
}

// Close closes the file and the handle of pageFile.
func (d *boltDB) Close() error {
	err := d.DB.Close()
	d.rfOnce.Do(func() {}) // none is opened after this
	if d.rf != nil {
		d.rf.Close()
	}
	return err
}
