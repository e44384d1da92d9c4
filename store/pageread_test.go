package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// cursorPairs reads bucket name the ordinary way.
func cursorPairs(t *testing.T, db *bolt.DB, name string) []kvPair {
	t.Helper()
	var out []kvPair
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
			out = append(out, kvPair{k: bytes.Clone(k), v: bytes.Clone(v)})
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// preadPairs reads bucket name with bucketPairs in a read transaction.
func preadPairs(t *testing.T, db *bolt.DB, f *os.File, name string) ([]kvPair, bool, error) {
	t.Helper()
	var out []kvPair
	var ok bool
	err := db.View(func(tx *bolt.Tx) error {
		pairs, o, err := bucketPairs(f, tx, tx.Bucket([]byte(name)))
		for _, p := range pairs {
			out = append(out, kvPair{k: bytes.Clone(p.k), v: bytes.Clone(p.v)})
		}
		ok = o
		return err
	})
	return out, ok, err
}

// bucketPairs reads the same keys and values in the same order as a
// cursor, for buckets one leaf deep and three deep, with values that
// overflow their page and values edited and deleted over many commits
// (pages scattered over the file); it leaves inline and nested buckets
// and writable transactions to the cursor.
func TestBucketPairsSameAsCursor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	put := func(bucket string, k, v []byte) {
		t.Helper()
		if err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte(bucket))
			if err != nil {
				return err
			}
			return b.Put(k, v)
		}); err != nil {
			t.Fatal(err)
		}
	}
	key := func(i int) []byte { return binary.BigEndian.AppendUint32([]byte("k"), uint32(i*7919%100003)) }
	// many: 20,000 keys in a tree three deep, written in 40 commits
	// interleaved with another bucket's, some values rewritten or gone.
	for c := range 40 {
		if err := db.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucketIfNotExists([]byte("many"))
			o, _ := tx.CreateBucketIfNotExists([]byte("other"))
			for i := c * 500; i < (c+1)*500; i++ {
				if err := b.Put(key(i), bytes.Repeat([]byte{byte(i)}, 40+i%50)); err != nil {
					return err
				}
				if err := o.Put(key(i), make([]byte, 100)); err != nil {
					return err
				}
			}
			for i := 0; i < c*500; i += 97 {
				if err := b.Put(key(i), []byte(fmt.Sprint("edited ", c))); err != nil {
					return err
				}
			}
			return b.Delete(key(c * 13))
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 { // values from a few bytes to several pages
		put("big", key(i), bytes.Repeat([]byte{byte(i + 1)}, 1+i*i*13))
	}
	put("inline", []byte("a"), []byte("b"))
	put("nested", []byte("a"), []byte("b"))
	if err := db.Update(func(tx *bolt.Tx) error {
		n := tx.Bucket([]byte("nested"))
		for i := range 400 {
			if err := n.Put(key(i), make([]byte, 30)); err != nil {
				return err
			}
		}
		_, err := n.CreateBucket([]byte("child"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error {
		if st := tx.Bucket([]byte("many")).Stats(); st.Depth < 3 {
			t.Fatalf("many is %d deep, want a branch of branches", st.Depth)
		}
		if st := tx.Bucket([]byte("big")).Stats(); st.LeafOverflowN == 0 {
			t.Fatal("big has no overflow pages")
		}
		return nil
	})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	for _, name := range []string{"many", "big"} {
		got, ok, err := preadPairs(t, db, f, name)
		if err != nil || !ok {
			t.Fatalf("%s: ok %v, %v", name, ok, err)
		}
		want := cursorPairs(t, db, name)
		if len(got) != len(want) {
			t.Fatalf("%s: %d pairs, want %d", name, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i].k, want[i].k) || !bytes.Equal(got[i].v, want[i].v) {
				t.Fatalf("%s: pair %d differs", name, i)
			}
		}
	}
	for _, name := range []string{"inline", "nested"} {
		if _, ok, err := preadPairs(t, db, f, name); ok || err != nil {
			t.Fatalf("%s: ok %v, %v; want it left to the cursor", name, ok, err)
		}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if _, ok, err := bucketPairs(f, tx, tx.Bucket([]byte("many"))); ok || err != nil {
			t.Fatalf("writable transaction: ok %v, %v", ok, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A damaged page (one that says it is another, or a file cut short)
// gives ErrDamaged, never a panic or wrong pairs.
func TestBucketPairsDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range 3000 {
			if err := b.Put(binary.BigEndian.AppendUint32(nil, uint32(i)), make([]byte, 50)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var leaf uint64
	db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		k, _ := c.Seek(binary.BigEndian.AppendUint32(nil, 1500))
		_ = k
		// The branch root's children: take the page of one leaf from
		// the root, read through the file as bucketPairs does.
		root := uint64(tx.Bucket([]byte("b")).Root())
		p := make([]byte, tx.DB().Info().PageSize)
		f, _ := os.Open(path)
		defer f.Close()
		f.ReadAt(p, int64(root)*int64(len(p)))
		children, err := appendBranchChildren(nil, p)
		if err != nil || len(children) < 2 {
			t.Fatalf("root %d: %d children, %v", root, len(children), err)
		}
		leaf = children[1]
		return nil
	})
	ps := int64(db.Info().PageSize)
	db.Close()

	damaged := filepath.Join(t.TempDir(), "damaged.db")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.NativeEndian.PutUint64(b[int64(leaf)*ps:], leaf+1) // the leaf says it is another page
	if err := os.WriteFile(damaged, b, 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(file string) {
		t.Helper()
		db, err := bolt.Open(file, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, _, err := preadPairs(t, db, f, "b"); !errors.Is(err, ErrDamaged) {
			t.Fatalf("%s: %v, want ErrDamaged", filepath.Base(file), err)
		}
	}
	check(damaged)

	// The same file, read by a handle on a file cut short before the leaf
	// (the map still sees the whole file).
	cut := filepath.Join(t.TempDir(), "cut.db")
	if err := os.WriteFile(cut, b[:int64(leaf)*ps], 0o600); err != nil {
		t.Fatal(err)
	}
	db2, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	f, err := os.Open(cut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := preadPairs(t, db2, f, "b"); !errors.Is(err, ErrDamaged) {
		t.Fatalf("cut file: %v, want ErrDamaged", err)
	}
}
