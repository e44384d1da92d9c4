package pgstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/boltstore"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// bodyRegion is a few dossiers' ops of every shape an op body must give
// back exactly: chains of replaced ops, a conflict (two heads of a field),
// fields naming UUIDs, ids and devices not in the canonical form, texts
// JSON escapes, several devices and authors; in an order a push could
// bring them (a prev may come before or after the op it names).
func bodyRegion() [][]store.Op {
	var out [][]store.Op
	hlc := store.HLC(1 << 40)
	for i := range 4 {
		d := store.NewID()
		if i == 3 {
			d = strings.ToUpper(d)
		}
		dev := store.NewID()
		mk := func(field, value string, prev ...string) store.Op {
			hlc += 3
			return store.Op{ID: store.NewID(), Dossier: d, Field: field, Value: value, HLC: hlc, Device: dev, Author: "anna", Prev: prev}
		}
		name := mk("name", "Mila de Groot")
		rename := mk("name", "Mila <de> \"Groot\" & é ☃\n", name.ID)
		note1, note2 := mk("step/1/note", "hier"), mk("step/1/note", "daar")
		contact := store.NewID()
		c := mk("contact/"+contact+"/name", "Roos")
		c.Device, c.Author = "laptop van \"bob\"", "bob"
		upper := mk("agreement/"+strings.ToUpper(contact)+"/due", "2026-12-01")
		upper.ID = strings.ToUpper(upper.ID)
		late := mk("step/2/check/c2", "1", strings.ToUpper(note1.ID), store.NewID())
		ops := []store.Op{mk("team", "Noord"), rename, name, note1, note2, c, upper, late, mk("exists", "")}
		out = append(out, ops)
	}
	return out
}

// fill applies the region's ops to s and numbers them, one transaction
// per dossier.
func fill(t *testing.T, s storage.Storage, region [][]store.Op) {
	t.Helper()
	for _, ops := range region {
		if err := s.Update(func(tx storage.Tx) error {
			for _, op := range ops {
				raw, _ := json.Marshal(op)
				raw = append([]byte(" "), raw...) // what a device sent need not be json.Marshal's
				if _, err := tx.ApplyJSON(op, raw); err != nil {
					return fmt.Errorf("apply %s: %w", op.ID, err)
				}
				if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// logView is everything a pull and a push read of a region's op log, as
// they read it: each dossier's histories (whole and as snapshots, with and
// without PrefetchHistories) as JSON, as ops and as compact pages, each
// op's JSON and op, the heads of each field, and the numbered ops with
// their JSON.
type logView struct {
	JSON  map[string][]string
	Ops   map[string][]store.Op
	Pages map[string][]byte
	Op    map[string]string
	Heads map[string][]store.Head
	Seq   []string
}

func readLog(t *testing.T, s storage.Storage, region [][]store.Op) logView {
	t.Helper()
	v := logView{JSON: map[string][]string{}, Ops: map[string][]store.Op{}, Pages: map[string][]byte{}, Op: map[string]string{}, Heads: map[string][]store.Head{}}
	err := s.View(func(tx storage.Tx) error {
		var dks []string
		for _, ops := range region {
			k, err := store.LogKey(&ops[0])
			if err != nil {
				return err
			}
			dks = append(dks, string(k[:16]))
		}
		r, isReader := tx.(storage.OpsReader)
		for _, mode := range []string{"whole", "snapshot", "prefetched whole", "prefetched snapshot"} {
			snapshot := strings.HasSuffix(mode, "snapshot")
			for pass := range 2 { // JSON, then ops
				if b, ok := tx.(storage.PullBatcher); ok && strings.HasPrefix(mode, "prefetched") {
					if err := b.PrefetchHistories(dks, snapshot); err != nil {
						return err
					}
				}
				for _, dk := range dks {
					name := mode + " " + idText([]byte(dk))
					keep, err := keepFor(tx, dk, snapshot)
					if err != nil {
						return err
					}
					if pass == 0 {
						raws, err := tx.DossierJSON([]byte(dk), keep, nil)
						if err != nil {
							return err
						}
						for _, raw := range raws {
							v.JSON[name] = append(v.JSON[name], string(raw))
						}
						continue
					}
					if !isReader {
						continue
					}
					ops, err := r.DossierOps([]byte(dk), keep, nil)
					if err != nil {
						return err
					}
					v.Ops[name] = ops
					page, err := protocol.AppendPage(nil, &protocol.SyncResponse{Cursor: 7}, ops)
					if err != nil {
						return err
					}
					v.Pages[name] = page
				}
			}
		}
		for _, ops := range region {
			for _, op := range ops {
				k, _ := store.LogKey(&op)
				raw, err := tx.OpJSON(k)
				if err != nil {
					return err
				}
				got, err := tx.Op(op.Dossier, op.ID)
				if err != nil {
					return err
				}
				if js, _ := json.Marshal(got); string(js) != string(raw) {
					t.Errorf("op %s: Op gives %s, OpJSON %s", op.ID, js, raw)
				}
				v.Op[op.ID] = string(raw)
				hs, err := tx.Heads(op.Dossier, op.Field)
				if err != nil {
					return err
				}
				v.Heads[op.Dossier+" "+op.Field] = hs
			}
		}
		return tx.OpsAfter(0, func(seq uint64, op, dossier []byte) (bool, error) {
			raw, err := tx.OpJSON(append(slices.Clone(dossier), op...))
			v.Seq = append(v.Seq, fmt.Sprintf("%d %s", seq, raw))
			return true, err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sameLog compares two views of a log.
func sameLog(t *testing.T, what string, want, got logView) {
	t.Helper()
	diff := func(part string, w, g any) {
		t.Helper()
		if !reflect.DeepEqual(w, g) {
			t.Errorf("%s: %s differ:\n%+v\nwant\n%+v", what, part, g, w)
		}
	}
	for name := range want.JSON {
		diff("the JSON of "+name, want.JSON[name], got.JSON[name])
		diff("the ops of "+name, want.Ops[name], got.Ops[name])
		diff("the compact page of "+name, want.Pages[name], got.Pages[name])
	}
	diff("the histories", len(want.JSON), len(got.JSON))
	diff("ops", want.Op, got.Op)
	diff("heads", want.Heads, got.Heads)
	diff("numbered ops", want.Seq, got.Seq)
	if len(got.JSON) == 0 || len(got.Ops) == 0 || len(got.Op) == 0 || len(got.Seq) == 0 {
		t.Errorf("%s: read nothing", what)
	}
}

// TestOpBodiesAgreeWithBbolt: a region's op log read from PostgreSQL's
// op bodies gives what the same log gives read from bbolt, byte for byte:
// every history as JSON and as ops, whole and as snapshots, with and
// without PrefetchHistories, the compact pages built from the ops, each
// op and its JSON, the heads, the numbered ops. The ops PostgreSQL's
// DossierOps gives are those its JSON decodes to (the pull's JSON path),
// and a region copied in with ImportOps (brug admin migrate) reads the
// same.
func TestOpBodiesAgreeWithBbolt(t *testing.T) {
	region := bodyRegion()
	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "server.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	fill(t, bolt, region)
	want := readLog(t, bolt, region)
	if len(want.Ops) == 0 {
		t.Fatal("the bbolt backend gave no ops")
	}
	// The JSON path: the ops the JSON decodes to.
	for name, raws := range want.JSON {
		var ops []store.Op
		for _, raw := range raws {
			var op store.Op
			if err := json.Unmarshal([]byte(raw), &op); err != nil {
				t.Fatal(err)
			}
			ops = append(ops, op)
		}
		if !reflect.DeepEqual(ops, want.Ops[name]) {
			t.Fatalf("%s: bbolt's ops and JSON differ", name)
		}
	}

	pg := openStorageT(t, pgtest.DB(t), "", store.Options{})
	fill(t, pg, region)
	sameLog(t, "pushed", want, readLog(t, pg, region))
	// A dossier over a bound of PrefetchHistories' query (its ops, its
	// replaced ids) is read by the queries of HeadKeys and DossierOps:
	// the same answers.
	defer func(o, r int) { prefetchOps, prefetchReplaced = o, r }(prefetchOps, prefetchReplaced)
	for _, b := range []struct{ ops, replaced int }{{8, 65536}, {2048, 1}, {1, 1}} {
		prefetchOps, prefetchReplaced = b.ops, b.replaced
		sameLog(t, fmt.Sprintf("pushed, prefetch bounds %d ops %d replaced", b.ops, b.replaced), want, readLog(t, pg, region))
	}
	prefetchOps, prefetchReplaced = 2048, 65536

	imported := openStorageT(t, pgtest.DB(t), "", store.Options{})
	err = imported.Update(func(tx storage.Tx) error {
		for _, ops := range region {
			var raws [][]byte
			for _, op := range ops {
				raw, _ := json.Marshal(op)
				raws = append(raws, raw)
			}
			k, _ := store.LogKey(&ops[0])
			if _, err := tx.ImportOps(string(k[:16]), raws); err != nil {
				return err
			}
			for _, op := range ops {
				if _, err := tx.NumberOp(op.ID, op.Dossier); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sameLog(t, "imported", want, readLog(t, imported, region))
}

// TestPrefetchedHistoriesReadAsAsked: PrefetchHistories' rows are read
// as the pull asks for each dossier; a write to a dossier whose row has
// not come yet (an op applied, twice in one transaction so that the
// second finds the dossier's state kept; an import; an erasure), and any
// other statement, find the rows read to the end first, and the dossier's
// history then reads as bbolt's after the same writes. A transaction that
// ends with rows still to come leaves its connection usable.
func TestPrefetchedHistoriesReadAsAsked(t *testing.T) {
	region := append(bodyRegion(), bodyRegion()...)
	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "server.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	pg := openStorageT(t, pgtest.DB(t), "", store.Options{})
	fill(t, bolt, region)
	fill(t, pg, region)
	var dks []string
	for _, ops := range region {
		k, _ := store.LogKey(&ops[0])
		dks = append(dks, string(k[:16]))
	}
	hlc := region[7][len(region[7])-1].HLC
	op := func(d int, field, value string, prev ...string) (store.Op, []byte) {
		hlc += 10
		o := store.Op{ID: store.NewID(), Dossier: region[d][0].Dossier, Field: field, Value: value, HLC: hlc, Device: region[d][0].Device, Author: "anna", Prev: prev}
		raw, _ := json.Marshal(o)
		return o, raw
	}
	apply := func(tx storage.Tx, o store.Op, raw []byte) error {
		_, err := tx.ApplyJSON(o, raw)
		return err
	}
	first, firstRaw := op(2, "name", "first", region[2][1].ID)
	second, secondRaw := op(2, "name", "second", first.ID)
	_, imported := op(4, "step/9/note", "imported")
	events := []struct {
		name          string
		before, after func(tx storage.Tx) error
	}{
		{"a statement", nil, func(tx storage.Tx) error { tx.Erased(idText([]byte(dks[5]))); return nil }},
		{"ops applied", func(tx storage.Tx) error { return apply(tx, first, firstRaw) }, func(tx storage.Tx) error { return apply(tx, second, secondRaw) }},
		{"an import", nil, func(tx storage.Tx) error { _, err := tx.ImportOps(dks[4], [][]byte{imported}); return err }},
		{"an erasure", nil, func(tx storage.Tx) error { return tx.MarkErased(dks[6]) }},
	}
	for _, ev := range events {
		for _, snapshot := range []bool{true, false} {
			read := func(s storage.Storage) []string {
				var out []string
				err := s.Update(func(tx storage.Tx) error {
					if ev.before != nil {
						if err := ev.before(tx); err != nil {
							return err
						}
					}
					if b, ok := tx.(storage.PullBatcher); ok {
						if err := b.PrefetchHistories(dks, snapshot); err != nil {
							return err
						}
					}
					for i, dk := range dks {
						if i == 1 {
							if err := ev.after(tx); err != nil {
								return err
							}
						}
						keep, err := keepFor(tx, dk, snapshot)
						if err != nil {
							return err
						}
						raws, err := tx.DossierJSON([]byte(dk), keep, nil)
						if err != nil {
							return err
						}
						for _, raw := range raws {
							out = append(out, string(raw))
						}
						out = append(out, "--")
					}
					return nil
				})
				if err != nil {
					t.Fatalf("%s, %T, snapshot %v: %v", ev.name, s, snapshot, err)
				}
				return out
			}
			want, got := read(bolt), read(pg)
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s, snapshot %v: PostgreSQL's histories differ from bbolt's:\n%q\nwant\n%q", ev.name, snapshot, got, want)
			}
		}
	}
	for _, text := range []string{"second", "imported"} {
		err := bolt.View(func(tx storage.Tx) error {
			raws, err := tx.DossierJSON([]byte(dks[map[string]int{"second": 2, "imported": 4}[text]]), func([]byte) bool { return true }, nil)
			if !slices.ContainsFunc(raws, func(r []byte) bool { return bytes.Contains(r, []byte(text)) }) {
				t.Errorf("the op %q is not in its dossier", text)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Rows still to come when the transaction ends, in an Update and in a
	// View: the connections stay usable, the answers right.
	var want [][]byte
	for i, b := range []struct {
		st       storage.Storage
		prefetch bool
	}{{bolt, false}, {pg, true}, {pg, false}, {pg, true}} {
		run := b.st.View
		if i == 3 {
			run = b.st.Update
		}
		if err := run(func(tx storage.Tx) error {
			if b.prefetch {
				if err := tx.(storage.PullBatcher).PrefetchHistories(dks, false); err != nil {
					return err
				}
			}
			hs, err := tx.HeadKeys([]byte(dks[2]), nil)
			slices.SortFunc(hs, bytes.Compare)
			if i == 0 {
				want = hs
			} else if !reflect.DeepEqual(hs, want) {
				t.Errorf("prefetched %v: heads %x, bbolt's %x", b.prefetch, hs, want)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// keepFor is what a history of dk keeps: every op, or for a snapshot its
// heads alone.
func keepFor(tx storage.Tx, dk string, snapshot bool) (func([]byte) bool, error) {
	if !snapshot {
		return func([]byte) bool { return true }, nil
	}
	heads, err := tx.HeadKeys([]byte(dk), nil)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(heads, bytes.Compare)
	return func(k []byte) bool { _, ok := slices.BinarySearchFunc(heads, k, bytes.Compare); return ok }, nil
}
