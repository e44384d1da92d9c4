package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// keysFor gives ops the keys the compact page decoder gives them
// (sync/protocol's TestDecodeKeysAreTheText holds it to this): Canonical
// only when the op's id, dossier and every prev are canonical UUIDs.
func keysFor(ops []Op) []IDKeys {
	keys := make([]IDKeys, len(ops))
	for i, op := range ops {
		id, okID := CanonicalID(op.ID)
		dk, okD := CanonicalID(op.Dossier)
		k := IDKeys{ID: id, Dossier: dk, Canonical: okID && okD}
		for _, p := range op.Prev {
			pk, ok := CanonicalID(p)
			k.Prev = append(k.Prev, pk)
			k.Canonical = k.Canonical && ok
		}
		keys[i] = k
	}
	return keys
}

// keyedOps are ops of 40 dossiers with prevs across fields, prevs of ops
// nobody sent, and some ids in upper case (accepted, but no canonical
// keys: those ops are parsed as before), among them whole dossiers.
func keyedOps(rng *rand.Rand) []Op {
	var ops []Op
	for range 20 {
		part := crossFieldDAG(rng, 10+rng.IntN(60))
		upper := map[string]bool{}
		if rng.IntN(5) == 0 {
			upper[part[0].Dossier] = true
		}
		for i := range part {
			if upper[part[i].Dossier] {
				part[i].Dossier = strings.ToUpper(part[i].Dossier)
			}
			if rng.IntN(12) == 0 {
				part[i].ID = strings.ToUpper(part[i].ID)
			}
			if len(part[i].Prev) > 0 && rng.IntN(12) == 0 {
				part[i].Prev[0] = strings.ToUpper(part[i].Prev[0])
			}
		}
		ops = append(ops, part...)
	}
	return ops
}

// importKeyed imports ops in pages (in ascending dossier order, whole
// dossiers: streamed; else shuffled: spooled), with keys or without.
func importKeyed(t *testing.T, s *Store, ops []Op, pages [][2]int, keyed bool) {
	t.Helper()
	im, err := s.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for _, p := range pages {
		page := slices.Clone(ops[p[0]:p[1]])
		if keyed {
			err = im.AddKeyed(page, keysFor(page))
		} else {
			err = im.Add(page)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
}

// rawBuckets are the bytes of every top-level bucket but meta (which
// holds the file's own random ids and keys), nested buckets included.
func rawBuckets(t *testing.T, s *Store) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		m := map[string]string{}
		out[prefix] = m
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+"/"+string(k), b.Bucket(k))
			}
			m[string(k)] = string(v)
			return nil
		})
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if bytes.Equal(name, bMeta) {
				return nil
			}
			return walk(string(name), b)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportKeyedSameFile: an import whose ops come with their keys
// (AddKeyed, as a pull of compact pages gives them) writes the file Add
// writes: on a plain store every bucket byte for byte, on an encrypted
// one (sealed with random nonces) the same ops and state. Streamed pages
// (whole dossiers in order) and spooled ones (shuffled), ids in upper
// case among the canonical ones.
func TestImportKeyedSameFile(t *testing.T) {
	for seed := range 6 {
		for _, encrypted := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d/encrypted=%v", seed, encrypted), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(seed), 41))
				ops := keyedOps(rng)
				streamed := seed%3 != 2
				if streamed {
					slices.SortStableFunc(ops, func(a, b Op) int {
						ka, _ := idArray(a.Dossier)
						kb, _ := idArray(b.Dossier)
						return bytes.Compare(ka[:], kb[:])
					})
				} else {
					rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
				}
				var pages [][2]int
				for i := 0; i < len(ops); {
					j := min(len(ops), i+1+rng.IntN(80))
					for streamed && j < len(ops) && strings.EqualFold(ops[j].Dossier, ops[j-1].Dossier) {
						j++
					}
					pages = append(pages, [2]int{i, j})
					i = j
				}
				open := func(name string) *Store {
					if encrypted {
						return openEnc(t, filepath.Join(t.TempDir(), name), &Encryption{Keyring: newMemKeyring()})
					}
					return openTest(t, Options{})
				}
				plain, keyed := open("add.db"), open("keyed.db")
				// The preparers number devices and authors as they meet
				// them, in an order the scheduler picks (with Add too): so
				// both files number them first, in one order.
				var actors []actor
				for _, op := range ops {
					actors = append(actors, actor{op.Device, op.Author})
				}
				slices.SortFunc(actors, func(a, b actor) int {
					return strings.Compare(a.device+"\x00"+a.author, b.device+"\x00"+b.author)
				})
				for _, a := range slices.Compact(actors) {
					plain.actors.number(a.device, a.author)
					keyed.actors.number(a.device, a.author)
				}
				importKeyed(t, plain, ops, pages, false)
				importKeyed(t, keyed, ops, pages, true)
				sameStore(t, plain, keyed)
				if st, _ := keyed.Stats(); st.Ops == 0 {
					t.Fatal("nothing imported")
				}
				if encrypted {
					return
				}
				w, g := rawBuckets(t, plain), rawBuckets(t, keyed)
				for name := range w {
					if len(w[name]) != len(g[name]) {
						t.Fatalf("bucket %s: %d keys with Add, %d with AddKeyed", name, len(w[name]), len(g[name]))
					}
					for k, v := range w[name] {
						if g[name][k] != v {
							t.Fatalf("bucket %s, key %x: %x with Add, %x with AddKeyed", name, k, v, g[name][k])
						}
					}
				}
				if len(w) != len(g) {
					t.Fatalf("%d buckets with Add, %d with AddKeyed", len(w), len(g))
				}
			})
		}
	}
}

// TestImportKeyedRefusesMalformedOps: keys speed up only the reading of
// ids that are canonical. A page of AddKeyed with an op that is malformed
// otherwise (its field, value, device, clock, too many prevs), or whose
// ids are not canonical (and so has no Canonical keys), is refused as Add
// refuses it (TestImportRefusesMalformedOps runs the same cases on both),
// and keys that do not fit their ops are refused.
func TestImportKeyedRefusesMalformedOps(t *testing.T) {
	s := openTest(t, Options{})
	im, err := s.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	d := NewID()
	page := []Op{mkOp(d, "name", "Anna", MakeHLC(t0, 1), "dev-a")}
	if err := im.AddKeyed(page, keysFor(append(page, page...))); err == nil {
		t.Fatal("two keys for one op taken")
	}
	// Keys whose prevs are not the op's are not used: the op's text is
	// read (and here refused).
	bad := mkOp(d, "name", "Bram", MakeHLC(t0, 2), "dev-a", "../../etc")
	keys := keysFor([]Op{bad})
	keys[0].Canonical, keys[0].Prev = true, nil
	if err := im.AddKeyed([]Op{bad}, keys); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a bad prev with keys for no prevs: %v, want ErrInvalid", err)
	}
	if err := im.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.Ops != 0 {
		t.Fatalf("the store took ops of a refused import: %+v", st)
	}
}
