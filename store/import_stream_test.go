package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestImportRefusesMalformedOps: a server's ops get all of ValidateOp's
// checks on the streamed path (Import.Add parses each id once and keeps
// it, nothing else is left out): a malformed op fails its page, and
// nothing of the import, not even the well-formed pages streamed before
// it, reaches the store.
func TestImportRefusesMalformedOps(t *testing.T) {
	cases := map[string]func(*Op){
		"op id":             func(op *Op) { op.ID = "not-an-id" },
		"op id, 37 bytes":   func(op *Op) { op.ID += "0" },
		"dossier id":        func(op *Op) { op.Dossier = op.Dossier[:35] + "g" },
		"prev":              func(op *Op) { op.Prev = []string{"../../etc"} },
		"too many prevs":    func(op *Op) { op.Prev = make([]string, 65); fill(op.Prev, NewID) },
		"unknown field":     func(op *Op) { op.Field = "nosuchfield" },
		"field of 5 parts":  func(op *Op) { op.Field = "step/1/check/a/b" },
		"step out of range": func(op *Op) { op.Field = "step/100/status" },
		"bad value":         func(op *Op) { op.Field, op.Value = "birth_year", "1700" },
		"not UTF-8":         func(op *Op) { op.Value = "\xff" },
		"no device":         func(op *Op) { op.Device = "" },
		"no timestamp":      func(op *Op) { op.HLC = 0 },
	}
	// Each case also through AddKeyed, with the keys a compact page
	// gives (canonical ids only): they skip no check.
	for name, spoil := range cases {
		for _, keyed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/keyed=%v", name, keyed), func(t *testing.T) {
				d1, d2 := NewID(), NewID()
				if d2 < d1 {
					d1, d2 = d2, d1 // pages in ascending dossier order: streamed
				}
				s := openTest(t, Options{})
				im, err := s.NewImport()
				if err != nil {
					t.Fatal(err)
				}
				defer im.Close()
				add := im.Add
				if keyed {
					add = func(ops []Op) error { return im.AddKeyed(ops, keysFor(ops)) }
				}
				good := []Op{mkOp(d1, "name", "Anna", MakeHLC(t0, 1), "dev-a"), mkOp(d1, "step/1/status", "active", MakeHLC(t0, 2), "dev-a")}
				if err := add(good); err != nil {
					t.Fatal(err)
				}
				bad := mkOp(d2, "name", "Bram", MakeHLC(t0, 3), "dev-a")
				spoil(&bad)
				page := []Op{mkOp(d2, "city", "Utrecht", MakeHLC(t0, 4), "dev-a"), bad}
				if err := add(page); !errors.Is(err, ErrInvalid) {
					t.Fatalf("a page with a malformed op (%s): %v, want ErrInvalid", name, err)
				}
				if err := im.Close(); err != nil {
					t.Fatal(err)
				}
				if st, _ := s.Stats(); st.Ops != 0 || st.Clients != 0 {
					t.Errorf("the store took ops of a refused import: %+v", st)
				}
				if err := s.Check(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func fill(ids []string, f func() string) {
	for i := range ids {
		ids[i] = f()
	}
}

// TestImportStreamsManyActorsEncrypted: a streamed import encodes and
// seals each dossier's ops in one pass (prepareDossier) with the actor
// numbers of many devices and authors interleaved, into an encrypted
// file: it gives the store ApplyRemote gives, and every op reads back.
func TestImportStreamsManyActorsEncrypted(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, uint64(len(t.Name()))))
	var dossiers []string
	for range 40 {
		dossiers = append(dossiers, NewID())
	}
	slices.Sort(dossiers)
	var ops []Op
	for i, d := range dossiers {
		var last string
		for j := range 1 + rng.IntN(12) {
			dev := "dev-" + strconv.Itoa(rng.IntN(5))
			op := mkOp(d, "step/1/note", "tekst "+strconv.Itoa(i*100+j), MakeHLC(t0, uint16(i*100+j+1)), dev)
			op.Author = "coach-" + strconv.Itoa(rng.IntN(3))
			if last != "" && rng.IntN(2) == 0 {
				op.Prev = []string{last}
			}
			last = op.ID
			ops = append(ops, op)
		}
	}
	dir := t.TempDir()
	kr := newMemKeyring()
	got := openEnc(t, filepath.Join(dir, "import.db"), &Encryption{Keyring: kr})
	im, err := got.NewImport()
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for i := 0; i < len(ops); {
		j := min(len(ops), i+1+rng.IntN(40))
		for j < len(ops) && ops[j].Dossier == ops[j-1].Dossier {
			j++ // a page ends at a dossier's end
		}
		if err := im.Add(slices.Clone(ops[i:j])); err != nil {
			t.Fatal(err)
		}
		i = j
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
	want := openEnc(t, filepath.Join(dir, "apply.db"), &Encryption{Keyring: newMemKeyring()})
	for _, op := range ops {
		if _, err := want.ApplyRemote([]Op{op}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range dossiers {
		g, err := got.Ops(d)
		if err != nil {
			t.Fatal(err)
		}
		w, err := want.Ops(d)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(g, w, sameOp) {
			t.Fatalf("dossier %s: the import holds %+v, ApplyRemote %+v", d, g, w)
		}
	}
	gs, _ := got.Summaries()
	ws, _ := want.Summaries()
	if len(gs) != len(dossiers) || len(gs) != len(ws) {
		t.Fatalf("%d and %d summaries, want %d", len(gs), len(ws), len(dossiers))
	}
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
}

func sameOp(a, b Op) bool {
	return a.ID == b.ID && a.Dossier == b.Dossier && a.Field == b.Field && a.Value == b.Value &&
		a.HLC == b.HLC && a.Device == b.Device && a.Author == b.Author && slices.Equal(a.Prev, b.Prev)
}

// TestSealInPlaceIsSeal: values sealed in place, in one pass, open as
// values sealed one by one do, each with a nonce of its own, and only for
// their dossier; a value without room is refused.
func TestSealInPlaceIsSeal(t *testing.T) {
	c := openEnc(t, filepath.Join(t.TempDir(), "seal.db"), &Encryption{Keyring: newMemKeyring()}).crypt
	d1, _ := idKey(NewID())
	d2, _ := idKey(NewID())
	plains := [][]byte{[]byte("een"), {}, []byte("twee, wat langer"), bytes.Repeat([]byte("x"), 5000)}
	var buf []byte
	vals := make([][]byte, len(plains))
	for i, p := range plains { // one buffer, as prepareDossier lays it out
		start := len(buf)
		buf = append(buf, make([]byte, sealRoomHead)...)
		buf = append(buf, p...)
		buf = append(buf, make([]byte, sealRoomTail)...)
		vals[i] = buf[start:len(buf):len(buf)]
	}
	if err := c.sealInPlace(d1, vals); err != nil {
		t.Fatal(err)
	}
	nonces := map[string]bool{}
	for i, v := range vals {
		if len(v) != sealOverhead+len(plains[i]) {
			t.Errorf("value %d: %d bytes, want %d", i, len(v), sealOverhead+len(plains[i]))
		}
		if len(plains[i]) >= 16 && bytes.Contains(v, plains[i][:16]) {
			t.Errorf("value %d holds its plain text", i)
		}
		nonces[string(v[1:1+nonceSize])] = true
		got, err := c.open(d1, v)
		if err != nil || !bytes.Equal(got, plains[i]) {
			t.Errorf("value %d opens to %q, %v", i, got, err)
		}
		if _, err := c.open(d2, v); err == nil {
			t.Errorf("value %d opens for another dossier", i)
		}
		one, err := c.seal(d1, plains[i])
		if err != nil || len(one) != len(v) || one[0] != v[0] {
			t.Errorf("value %d: seal makes %d bytes (version %d), sealInPlace %d (version %d)", i, len(one), one[0], len(v), v[0])
		}
	}
	if len(nonces) != len(plains) {
		t.Errorf("%d nonces for %d values", len(nonces), len(plains))
	}
	if err := c.sealInPlace(d1, [][]byte{make([]byte, sealOverhead-1)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a value without room: %v, want ErrInvalid", err)
	}
}

// TestPlainNumberIsParseUint: the field encoding's number test without
// strconv is strconv's, for every kind of segment.
func TestPlainNumberIsParseUint(t *testing.T) {
	segs := []string{"", "0", "00", "01", "1", "7", "99", "100", "4294967295", "4294967296", "99999999999",
		"-1", "+1", "1_0", "1a", "a1", " 1", "1 ", "0x10", "１"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, 1+rng.IntN(11))
		for i := range b {
			b[i] = "0123456789x"[rng.IntN(11)]
		}
		segs = append(segs, string(b))
	}
	for _, seg := range segs {
		n, err := strconv.ParseUint(seg, 10, 32)
		want := err == nil && strconv.FormatUint(n, 10) == seg
		got, ok := plainNumber(seg)
		if ok != want || (ok && got != n) {
			t.Errorf("plainNumber(%q) = %d, %v; strconv says %d, %v", seg, got, ok, n, want)
		}
	}
}

// TestIsIDStringIsIDString: isIDString(k, s) is idString(k) == s.
func TestIsIDStringIsIDString(t *testing.T) {
	id := NewID()
	k, _ := idKey(id)
	for _, s := range []string{id, bytes.NewBuffer([]byte(id)).String()[:35], id + "0", NewID(),
		string(bytes.ToUpper([]byte(id))), "", "{" + id[1:35] + "}"} {
		if got, want := isIDString(k, s), idString(k) == s; got != want {
			t.Errorf("isIDString(%x, %q) = %v, want %v", k, s, got, want)
		}
	}
}

// TestSplitFieldIsSplit: ParseField's split without allocation is
// strings.Split's.
func TestSplitFieldIsSplit(t *testing.T) {
	for _, f := range []string{"", "/", "name", "a/b", "step/1/status", "step/1/check/x", "a/b/c/d/e", "a//b", "///", "////", "a/"} {
		var buf [4]string
		if got, want := splitField(&buf, f), bytes.Split([]byte(f), []byte("/")); len(got) != len(want) {
			t.Errorf("splitField(%q) = %q, want %d parts", f, got, len(want))
		} else {
			for i := range got {
				if got[i] != string(want[i]) {
					t.Errorf("splitField(%q) = %q, want %q", f, got, want)
				}
			}
		}
	}
}

// TestProjectSummaryIsProject: summarise makes the same summary of
// projectSummary's lean document as of project's whole one, for random
// dossiers: every kind of field, steps beyond the method's, conflicts in
// shown and neutral fields, newest heads in neutral fields.
func TestProjectSummaryIsProject(t *testing.T) {
	agr, con, jou, sh := NewID(), NewID(), NewID(), NewID()
	fields := []string{"exists", "name", "team", "places", "birthyear", "coaches", "benefit", "closed", "closed_reason",
		"step/1/status", "step/1/note", "step/1/comment", "step/1/check/c1", "step/1/check/c2", "step/2/answer/q1",
		"step/2/status", "step/7/note", "step/8/answer/q1", "step/9/status", "step/3/check/c1",
		"agreement/" + agr + "/exists", "agreement/" + agr + "/what", "agreement/" + agr + "/due", "agreement/" + agr + "/done",
		"contact/" + con + "/exists", "contact/" + con + "/name", "journal/" + jou + "/text", "journal/" + jou + "/date",
		"share/" + sh + "/exists", "share/" + sh + "/until", "share/" + sh + "/withdrawn", "nosuchfield"}
	values := map[string][]string{
		"exists": {"1", "0"}, "step/1/status": {"open", "active", "done", "signed_off"}, "step/2/status": {"done", "active"},
		"step/9/status": {"done"}, "step/1/check/c1": {"0", "1"}, "step/1/check/c2": {"1"}, "step/3/check/c1": {"1"},
		"agreement/" + agr + "/exists": {"1", "0"}, "agreement/" + agr + "/due": {"2026-12-01", "2027-01-05", ""},
		"agreement/" + agr + "/done": {"0", "1"}, "share/" + sh + "/exists": {"1"}, "share/" + sh + "/until": {"2027-02-01", ""},
	}
	checklist := []int{2, 0, 1, 0, 0, 0}
	rng := rand.New(rand.NewPCG(5, 8))
	for i := range 3000 {
		var all []fieldHeads
		for _, f := range fields {
			if rng.IntN(3) == 0 {
				continue
			}
			var hs []Head
			for range 1 + rng.IntN(2) + rng.IntN(2) {
				v := "tekst " + strconv.Itoa(rng.IntN(5))
				if vs, ok := values[f]; ok {
					v = vs[rng.IntN(len(vs))]
				}
				hs = append(hs, Head{ID: NewID(), Value: v, HLC: HLC(rng.IntN(400)+1) << 16, Device: "dev-" + strconv.Itoa(rng.IntN(3)), Author: "coach"})
			}
			all = append(all, fieldHeads{Field: f, Heads: hs})
		}
		id := NewID()
		want := summarise(project(id, len(checklist), all), checklist)
		got := summarise(projectSummary(id, len(checklist), all), checklist)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("dossier %d: projectSummary gives %+v, project %+v", i, got, want)
		}
	}
}

// TestFreshDossierIsSorted: freshDossier groups a dossier's head
// candidates by field in the order they come and takes a field's only
// candidate as its head without mergeField; it must give the summary and
// due entries of the grouping it replaced (candidates sorted by field and
// id, every field merged by mergeField), whatever the candidates' order:
// several heads of a field (conflicts, scalar ties on the clock), fields
// this version does not know, agreements with due dates, shares.
func TestFreshDossierIsSorted(t *testing.T) {
	s := openTest(t, Options{Author: "coach"})
	agr, agr2, con, sh := NewID(), NewID(), NewID(), NewID()
	fields := []string{"exists", "name", "team", "places", "birthyear", "coaches", "closed",
		"step/1/status", "step/1/note", "step/1/check/c1", "step/1/check/c2", "step/2/answer/q1", "step/2/status", "step/3/check/c1",
		"agreement/" + agr + "/exists", "agreement/" + agr + "/what", "agreement/" + agr + "/due", "agreement/" + agr + "/done",
		"agreement/" + agr2 + "/exists", "agreement/" + agr2 + "/due",
		"contact/" + con + "/exists", "contact/" + con + "/name", "share/" + sh + "/exists", "share/" + sh + "/until", "nosuchfield"}
	values := map[string][]string{
		"exists": {"1", "0"}, "step/1/status": {"open", "active", "done"}, "step/2/status": {"done", "active"},
		"step/1/check/c1": {"0", "1"}, "step/1/check/c2": {"1"}, "step/3/check/c1": {"1"},
		"agreement/" + agr + "/exists": {"1", "0"}, "agreement/" + agr + "/due": {"2026-12-01", "2027-01-05", ""},
		"agreement/" + agr2 + "/exists": {"1"}, "agreement/" + agr2 + "/due": {"2026-12-03"},
		"agreement/" + agr + "/done": {"0", "1"}, "share/" + sh + "/exists": {"1"}, "share/" + sh + "/until": {"2027-02-01", ""},
	}
	type headCand struct {
		field string
		head  Head
	}
	// sorted is freshDossier as it was: the candidates' indexes sorted by
	// field and id, every field merged.
	sorted := func(dkey []byte, cands []headCand) (chunkEntry, [][]byte) {
		idx := make([]int, len(cands))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			x, y := &cands[a], &cands[b]
			return cmp.Or(strings.Compare(x.field, y.field), strings.Compare(x.head.ID, y.head.ID))
		})
		var all []fieldHeads
		for i := 0; i < len(idx); {
			field := cands[idx[i]].field
			j := i
			var in []Op
			for ; j < len(idx) && cands[idx[j]].field == field; j++ {
				h := cands[idx[j]].head
				in = append(in, Op{ID: h.ID, Field: field, Value: h.Value, HLC: h.HLC, Device: h.Device, Author: h.Author})
			}
			hs, _ := mergeField(nil, in, noneReplaced)
			all = append(all, fieldHeads{Field: field, Heads: hs})
			i = j
		}
		sm := summarise(projectSummary(idString(dkey), len(s.checklist), all), s.checklist)
		return chunkEntry{key: dkey, enc: encodeSummary(&sm)}, dueKeys(dkey, &sm)
	}
	rng := rand.New(rand.NewPCG(7, 9))
	multi := 0
	for i := range 3000 {
		var cands []headCand
		for _, f := range fields {
			if rng.IntN(3) == 0 {
				continue
			}
			n := 1 + rng.IntN(2) + rng.IntN(2)
			if n > 1 {
				multi++
			}
			for range n {
				v := "tekst " + strconv.Itoa(rng.IntN(5))
				if vs, ok := values[f]; ok {
					v = vs[rng.IntN(len(vs))]
				}
				cands = append(cands, headCand{field: f, head: Head{ID: NewID(), Value: v, HLC: HLC(rng.IntN(4)+1) << 16, Device: "dev-" + strconv.Itoa(rng.IntN(3)), Author: "coach"}})
			}
		}
		rng.Shuffle(len(cands), func(a, b int) { cands[a], cands[b] = cands[b], cands[a] })
		dkey, _ := idKey(NewID())
		wantEntry, wantDues := sorted(dkey, cands)
		var fields []string
		var heads []Head
		for _, c := range cands {
			fields, heads = append(fields, c.field), append(heads, c.head)
		}
		gotEntry, gotDues, err := s.freshDossier(dkey, fields, heads)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotEntry, wantEntry) || !reflect.DeepEqual(gotDues, wantDues) {
			t.Fatalf("dossier %d: freshDossier gives %x, %x; sorted %x, %x", i, gotEntry.enc, gotDues, wantEntry.enc, wantDues)
		}
	}
	if multi == 0 {
		t.Fatal("no field had several heads")
	}
}
