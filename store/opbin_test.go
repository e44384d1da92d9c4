package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// opBinaryCases are ops of every shape the encoding must give back
// exactly, and whose JSON it must build as json.Marshal does.
func opBinaryCases() []Op {
	d, id := "01a20512-1f35-72fb-89f0-b8114832f219", "01a20512-1f35-72fb-89f0-b8114832f220"
	agr := "01a20512-1f35-72fb-89f0-b8114832f2aa"
	base := Op{ID: id, Dossier: d, Field: "name", Value: "Anna", HLC: MakeHLC(t0, 3), Device: "01a20512-1f35-72fb-89f0-b8114832f2dd", Author: "fleur"}
	with := func(f func(*Op)) Op { op := base; f(&op); return op }
	return []Op{
		base,
		with(func(o *Op) { o.Field = "step/3/check/c2"; o.Value = "1"; o.Prev = []string{agr, id} }),
		with(func(o *Op) { o.Field = "agreement/" + agr + "/due"; o.Value = "2026-12-01" }),
		with(func(o *Op) { o.Field = "agreement/" + strings.ToUpper(agr) + "/due" }),
		with(func(o *Op) { o.Field = "step/007/x//y/"; o.Value = "" }),
		with(func(o *Op) { o.Field = "" }),
		with(func(o *Op) { o.ID = strings.ToUpper(id); o.Dossier = strings.ToUpper(d) }),
		with(func(o *Op) { o.Device = "dev-a"; o.Prev = []string{"nope", strings.ToUpper(agr)} }),
		with(func(o *Op) { o.Value = "a <b> & \"c\"\\\n\t\u2028\u2029 é ☃ \x7f" }),
		with(func(o *Op) { o.Value = "bad \xff utf8" }),
		with(func(o *Op) { o.HLC = 0 }),
		with(func(o *Op) { o.HLC = MaxHLC }),
		with(func(o *Op) { o.ID = "00000000-0000-0000-0000-000000000000" }),
		with(func(o *Op) { o.Prev = []string{} }),
		with(func(o *Op) { o.Author = strings.Repeat("x", 300) }),
	}
}

// TestOpBinaryRoundTrip: every op comes back from the log's encoding as
// it went in, and the JSON built from the encoding is byte for byte what
// json.Marshal makes of the op (what a server sends).
func TestOpBinaryRoundTrip(t *testing.T) {
	tab := newActorTable()
	for i, op := range opBinaryCases() {
		dk, _ := idKey(op.Dossier)
		k, _ := idKey(op.ID)
		lkey := logKey(dk, k)
		b := encodeOp(lkey, &op, tab)
		got, err := decodeOp(lkey, b, tab)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		want := op
		if len(want.Prev) == 0 {
			want.Prev = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d: got %+v, want %+v", i, got, want)
		}
		js, err := appendOpJSON(nil, lkey, b, tab)
		if err != nil {
			t.Fatal(err)
		}
		if wantJS, _ := json.Marshal(op); !bytes.Equal(js, wantJS) {
			t.Errorf("case %d: JSON\n%s\nwant\n%s", i, js, wantJS)
		}
		if f := fieldString(encodedField(op.Field)); f != op.Field {
			t.Errorf("case %d: field %q back as %q", i, op.Field, f)
		}
		if !opFieldIs(b, encodedField(op.Field)) || opFieldIs(b, encodedField(op.Field+"x")) {
			t.Errorf("case %d: opFieldIs", i)
		}
	}
}

// TestOpBinaryCachedFields: appendOpCached, which the import's preparing
// goroutines use, encodes every op as appendOp does, whether its field's
// encoding is cached already, cached now or never (long fields, fields
// with ids in them), and with the cache full.
func TestOpBinaryCachedFields(t *testing.T) {
	tab := newActorTable()
	cases := opBinaryCases()
	a, b := NewID(), NewID()
	for _, f := range []string{"name", "step/3/check/c2", "step/12/answer/q1", "x/0/01", "Naam/ÿ",
		"contact/" + a + "/role", "contact/" + b + "/role", "journal/" + a + "/text", "contact/" + a + "/role/x/7",
		"contact/" + strings.ToUpper(a) + "/role", "contact/" + a[:35] + "g/role", "contact/" + a, "contact/" + a + "/",
		"contact/" + a + "//", "/" + a + "/role", "step/" + a + "/check/" + b, "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r"} {
		op := cases[0]
		op.Field = f
		cases = append(cases, op)
	}
	full := newFieldCache()
	for i := range fieldCacheMax {
		full.whole[strconv.Itoa(i)] = []byte{1, 3}
		full.ided[[2]string{strconv.Itoa(i), "/x"}] = idField{}
	}
	for _, fc := range []*fieldCache{newFieldCache(), nil, full} {
		for round := range 2 {
			for i, op := range cases {
				dk, _ := idKey(op.Dossier)
				k, _ := idKey(op.ID)
				lkey := logKey(dk, k)
				want := encodeOp(lkey, &op, tab)
				got := appendOpCached([]byte("prefix"), lkey, &op, tab.number(op.Device, op.Author), fc)
				if !bytes.Equal(got, append([]byte("prefix"), want...)) {
					t.Errorf("round %d, case %d (%q): %x, want %x", round, i, op.Field, got[6:], want)
				}
			}
		}
		if fc != nil && (len(fc.whole) > fieldCacheMax || len(fc.ided) > fieldCacheMax) {
			t.Errorf("the cache grew to %d, %d", len(fc.whole), len(fc.ided))
		}
	}
}

// TestOpBinaryIsSmall: the encoding of a typical op holds no key part and
// no text form of an id, and names its device and author by a number: a
// checklist toggle replacing one op is at most 16 bytes besides its
// prev's 17, where its JSON is 270.
func TestOpBinaryIsSmall(t *testing.T) {
	tab := newActorTable()
	op := opBinaryCases()[1]
	op.Prev = op.Prev[:1]
	op.HLC = HLC(idMillisHLC(mustKey(op.ID))) + 3
	dk, k := mustKey(op.Dossier), mustKey(op.ID)
	b := encodeOp(logKey(dk, k), &op, tab)
	if n := len(b) - 17; n > 16 {
		t.Errorf("a toggle takes %d bytes besides its prev: %x", n, b)
	}
	js, _ := json.Marshal(op)
	t.Logf("binary %d bytes, JSON %d bytes", len(b), len(js))
}

func mustKey(id string) []byte {
	k, err := idKey(id)
	if err != nil {
		panic(err)
	}
	return k
}

// TestDecodeOpRefusesDamage: every cut of a valid value, and values with
// a bad byte, are refused with an error, never a panic.
func TestDecodeOpRefusesDamage(t *testing.T) {
	tab := newActorTable()
	for _, op := range opBinaryCases() {
		dk, k := mustKey(strings.ToLower(op.Dossier)), mustKey(strings.ToLower(op.ID))
		lkey := logKey(dk, k)
		b := encodeOp(lkey, &op, tab)
		for n := range len(b) {
			if _, err := decodeOp(lkey, b[:n], tab); err == nil {
				t.Fatalf("a value cut at %d of %d decoded", n, len(b))
			}
		}
		if _, err := decodeOp(lkey, append(bytes.Clone(b), 0), tab); err == nil {
			t.Fatal("a value with a byte too many decoded")
		}
	}
}

// FuzzDecodeOp: any bytes under any key decode to an op or an error,
// never a panic; what decodes encodes back to a value that decodes to the
// same op, and its JSON is json.Marshal's. The seed corpus is in
// testdata/fuzz/FuzzDecodeOp.
func FuzzDecodeOp(f *testing.F) {
	tab := newActorTable()
	for _, op := range opBinaryCases() {
		lkey := logKey(mustKey(strings.ToLower(op.Dossier)), mustKey(strings.ToLower(op.ID)))
		f.Add(lkey, encodeOp(lkey, &op, tab))
	}
	f.Fuzz(func(t *testing.T, lkey, b []byte) {
		if len(lkey) != 32 {
			if _, err := decodeOp(lkey, b, tab); err == nil && (len(b) == 0 || b[0] != '{') {
				t.Fatal("decoded under a key that is no log key")
			}
			return
		}
		op, err := decodeOp(lkey, b, tab)
		if err != nil || (len(b) > 0 && b[0] == '{') {
			return
		}
		again, err := decodeOp(lkey, encodeOp(lkey, &op, tab), tab)
		if err != nil || !reflect.DeepEqual(again, op) {
			t.Fatalf("%+v encodes back to %+v (%v)", op, again, err)
		}
		js, err := appendOpJSON(nil, lkey, b, tab)
		if want, _ := json.Marshal(op); err != nil || !bytes.Equal(js, want) {
			t.Fatalf("JSON %s, want %s (%v)", js, want, err)
		}
	})
}

// TestActorsSurviveRollbackAndReopen: a (device, author) number handed
// out in a transaction that rolls back is saved by the next one that
// commits an op of that pair; after reopening, every op reads back with
// its device and author.
func TestActorsSurviveRollbackAndReopen(t *testing.T) {
	path := t.TempDir() + "/brug.db"
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	d := NewID()
	a := mkOp(d, "name", "Anna", MakeHLC(t0, 1), "dev-new")
	errNo := errors.New("no")
	if err := s.Update(func(tx *Tx) error {
		if _, err := tx.Apply(a); err != nil {
			return err
		}
		return errNo
	}); !errors.Is(err, errNo) {
		t.Fatal(err)
	}
	b := mkOp(d, "team", "Noord", MakeHLC(t0, 2), "dev-new")
	c := mkOp(d, "step/1/note", "x", MakeHLC(t0, 3), "dev-other")
	if _, err := s.ApplyRemote([]Op{b, c}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ops, err := s.Ops(d)
	if err != nil || len(ops) != 2 {
		t.Fatalf("%d ops, %v", len(ops), err)
	}
	for i, want := range []Op{b, c} {
		if !reflect.DeepEqual(ops[i], want) {
			t.Errorf("op %d: %+v, want %+v", i, ops[i], want)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}
