package protocol_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// randomOps makes n ops of the shapes a page can hold: runs of one
// dossier, UUIDv7 ids near their HLC and far from it, other UUIDs, ids
// that are no UUID (upper case, short, empty), empty and very long values,
// repeated fields and values, prevs naming earlier ops of the page and ops
// outside it, many prevs, extreme HLCs.
func randomOps(r *rand.Rand, n int) []store.Op {
	id := func(hlc store.HLC) string {
		switch r.IntN(10) {
		case 0:
			return strings.ToUpper(store.NewID())
		case 1:
			return fmt.Sprintf("op-%d", r.IntN(1000))
		case 2:
			return ""
		case 3: // a UUIDv4
			var u [16]byte
			for i := range u {
				u[i] = byte(r.Uint32())
			}
			u[6] = u[6]&0x0f | 0x40
			u[8] = u[8]&0x3f | 0x80
			return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
		case 4: // a UUIDv7 whose time is far from the HLC's
			return store.NewID()
		default: // a UUIDv7 made at the HLC's time
			ms := uint64(hlc >> 16)
			var u [16]byte
			for i := range u {
				u[i] = byte(r.Uint32())
			}
			u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
			u[6] = u[6]&0x0f | 0x70
			u[8] = u[8]&0x3f | 0x80
			return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
		}
	}
	value := func() string {
		switch r.IntN(8) {
		case 0:
			return ""
		case 1:
			return strings.Repeat("lange tekst \u00e9\u2028\x00 ", 1+r.IntN(6000)) // up to ~100 KB
		case 2:
			return string([]byte{0xff, 0xfe, byte(r.IntN(256))}) // not UTF-8: kept as bytes
		case 3, 4:
			return []string{"true", "false", "done", "2026-03-01"}[r.IntN(4)]
		default:
			return fmt.Sprintf("waarde %d", r.IntN(50))
		}
	}
	hlc := func() store.HLC {
		switch r.IntN(10) {
		case 0:
			return 0
		case 1:
			return store.MaxHLC
		case 2:
			return store.HLC(r.Uint64())
		default:
			return store.MakeHLC(time.UnixMilli(1_760_000_000_000+r.Int64N(1e10)), uint16(r.IntN(3)))
		}
	}
	var lastEntity string
	// field names fields as the app does, some with UUIDs in their path
	// (an entity made at the op's time, the one before, the op's own
	// id, one not in canonical form, two in one field, a 0 byte).
	var field func() string
	ops := make([]store.Op, n)
	ownID := ""
	field = func() string {
		entity := lastEntity
		switch r.IntN(5) {
		case 0:
			entity = ownID
		case 1, 2:
			entity = store.NewID()
		}
		if entity == "" {
			entity = store.NewID()
		}
		lastEntity = entity
		return []string{"name", "step/3/check/c2", "", strings.Repeat("f", 200),
			"contact/" + entity + "/role", "agreement/" + entity + "/due", entity, "x/" + entity,
			"agreement/" + strings.ToUpper(entity) + "/due", "a/" + entity + "/b/" + store.NewID(),
			"a/\x00/" + entity, "/" + entity + "/", "ab" + entity}[r.IntN(13)]
	}
	dossier := store.NewID()
	for i := range ops {
		if r.IntN(8) == 0 {
			dossier = []string{store.NewID(), store.NewID(), "niet-uuid", "", strings.ToUpper(store.NewID())}[r.IntN(5)]
		}
		h := hlc()
		ownID = id(h)
		op := store.Op{
			ID: ownID, Dossier: dossier, HLC: h, Value: value(),
			Field:  field(),
			Device: []string{"laptop-anna", "d", "", strings.Repeat("x", 100)}[r.IntN(4)],
			Author: []string{"anna", "bram", "\u00e9\u00e9n"}[r.IntN(3)],
		}
		np := 0
		switch r.IntN(6) {
		case 0:
			np = 1
		case 1:
			np = 2 + r.IntN(40)
		}
		for range np {
			if i > 0 && r.IntN(2) == 0 {
				op.Prev = append(op.Prev, ops[r.IntN(i)].ID)
			} else {
				op.Prev = append(op.Prev, id(h))
			}
		}
		ops[i] = op
	}
	return ops
}

// TestOpsRoundTrip: DecodeOps(AppendOps(ops)) is ops, for random pages.
func TestOpsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		ops := randomOps(r, r.IntN(60))
		if round == 0 {
			ops = nil
		}
		b := protocol.AppendOps(nil, ops)
		got, err := protocol.DecodeOps(b)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(ops) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, ops) {
			for i := range ops {
				if !reflect.DeepEqual(got[i], ops[i]) {
					t.Fatalf("round %d, op %d:\n got %#v\nwant %#v", round, i, got[i], ops[i])
				}
			}
			t.Fatalf("round %d: %d ops back, want %d", round, len(got), len(ops))
		}
		// Every shorter prefix of the bytes is refused, never read as
		// something else.
		for _, cut := range []int{0, 1, len(b) / 2, len(b) - 1} {
			if _, err := protocol.DecodeOps(b[:max(cut, 0)]); err == nil && cut < len(b) {
				t.Fatalf("round %d: %d of %d bytes decode", round, cut, len(b))
			}
		}
	}
}

// TestPageRoundTrip: a whole answer, its other fields and its ops, comes
// back from the compact form as the JSON form gives it.
func TestPageRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ops := randomOps(r, 40)
	for i := range ops {
		ops[i].Prev = append([]string(nil), ops[i].Prev...) // nil when none, as JSON reads it
		if len(ops[i].Prev) == 0 {
			ops[i].Prev = nil
		}
	}
	want := protocol.SyncResponse{
		Accepted: []string{store.NewID()}, Refused: []protocol.Refusal{{ID: "x", Code: protocol.RefuseInvalid, Reason: "no"}},
		Ops: ops, Drop: []string{store.NewID()}, Erased: []string{store.NewID()}, Cursor: 1 << 40, More: true,
		Teams: []string{"Noord"}, ServerTime: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), Receipts: map[string]string{"a": "b"},
		Epoch: "e1", Method: &protocol.MethodInfo{ID: "m", Version: 2, Hash: "h"}, MethodFile: "id: m\n",
	}
	for _, w := range []protocol.SyncResponse{want, {Cursor: 7}} {
		b, err := protocol.AppendPage(nil, &w, w.Ops)
		if err != nil {
			t.Fatal(err)
		}
		got, err := protocol.DecodePage(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("got %+v\nwant %+v", got, w)
		}
	}
	// Ops hidden among the JSON fields are refused: the columns are the
	// one place ops come from.
	bad := append([]byte{'B', 'O', 'P', 1}, 0)
	meta := `{"ops":[{"id":"x"}],"cursor":1}`
	bad = append(bad[:4], byte(len(meta)))
	bad = append(bad, meta...)
	bad = protocol.AppendOps(bad, nil)
	if _, err := protocol.DecodePage(bad); err == nil {
		t.Fatal("a page with ops among its JSON fields decodes")
	}
}

// TestDecodeOpsBoundsAllocation: counts that promise more than the bytes
// can hold are refused before anything that size is allocated.
func TestDecodeOpsBoundsAllocation(t *testing.T) {
	for _, b := range [][]byte{
		{0xff, 0xff, 0xff, 0xff, 0x0f},                  // 4 billion ops in 5 bytes
		append([]byte{1}, make([]byte, 14)...),          // one op, every column empty
		append([]byte{1, 5, 0x80}, make([]byte, 13)...), // a column longer than the rest
	} {
		if _, err := protocol.DecodeOps(b); err == nil {
			t.Fatalf("%x decodes", b)
		}
	}
	// 100,000 ops promised, the id column holding a byte for each and
	// the others nothing: refused before 100,000 ops are allocated.
	big := binary.AppendUvarint(nil, 100000)
	big = append(big, 0)                       // dossiers
	big = binary.AppendUvarint(big, 100000)    // ids
	big = append(big, make([]byte, 100000)...) // ...
	big = append(big, make([]byte, 13)...)     // the other columns, empty
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, err := protocol.DecodeOps(big)
	runtime.ReadMemStats(&m1)
	if alloc := m1.TotalAlloc - m0.TotalAlloc; err == nil || alloc > uint64(len(big)) {
		t.Fatalf("100,000 ops in one column: err %v, %d bytes allocated for %d bytes", err, alloc, len(big))
	}
	// Many prevs promised, few bytes: an error, not a large slice.
	ops := []store.Op{{ID: "a", Dossier: "d", Prev: []string{"p"}}}
	b := protocol.AppendOps(nil, ops)
	i := bytes.LastIndex(b, []byte{1, 0}) // the prev column: count 1, literal
	if i < 0 {
		t.Fatal("no prev column found")
	}
	b[i] = 0x7f
	allocs := testing.AllocsPerRun(10, func() { _, _ = protocol.DecodeOps(b) })
	if _, err := protocol.DecodeOps(b); err == nil {
		t.Fatal("127 prevs in a few bytes decode")
	}
	if allocs > 50 {
		t.Fatalf("%v allocations for a %d-byte page", allocs, len(b))
	}
}

// FuzzDecodePage: any bytes give a page or an error, never a panic, and
// a page that decodes encodes again to a page that decodes the same.
func FuzzDecodePage(f *testing.F) {
	for _, s := range seedPages(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := protocol.DecodePage(b)
		if err != nil {
			return
		}
		if len(p.Ops) > len(b) {
			t.Fatalf("%d ops from %d bytes", len(p.Ops), len(b))
		}
		again, err := protocol.AppendPage(nil, &p, p.Ops)
		if err != nil {
			t.Fatal(err)
		}
		q, err := protocol.DecodePage(again)
		if err != nil {
			t.Fatalf("a decoded page does not decode once encoded again: %v", err)
		}
		pj, _ := json.Marshal(p)
		qj, _ := json.Marshal(q)
		if !bytes.Equal(pj, qj) {
			t.Fatalf("page changed in a round trip:\n%s\n%s", pj, qj)
		}
	})
}

// seedPages are the fuzz seeds: a few pages as the encoder makes them.
// The same pages are kept in testdata/fuzz/FuzzDecodePage (written by
// TestSeedCorpusCurrent with BRUG_WRITE_SEEDS=1).
func seedPages(tb testing.TB) [][]byte {
	r := rand.New(rand.NewPCG(5, 6))
	var out [][]byte
	for _, n := range []int{0, 1, 3, 12} {
		ops := randomOps(r, n)
		for i := range ops {
			if len(ops[i].Value) > 100 {
				ops[i].Value = ops[i].Value[:100]
			}
		}
		b, err := protocol.AppendPage(nil, &protocol.SyncResponse{Cursor: uint64(n), More: n > 2, Drop: []string{"d"}}, ops)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestSeedCorpusCurrent: the seed corpus in testdata decodes (so that a
// change of the format that forgets the seeds fails here, not silently in
// the fuzzer).
func TestSeedCorpusCurrent(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodePage")
	if os.Getenv("BRUG_WRITE_SEEDS") != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, b := range seedPages(t) {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "seed-*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed corpus in %s (%v); write it with BRUG_WRITE_SEEDS=1", dir, err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, ok := strings.Cut(string(raw), "[]byte(")
		if !ok {
			t.Fatalf("%s: not a fuzz corpus file", name)
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(lit), ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := protocol.DecodePage([]byte(s)); err != nil {
			t.Errorf("%s no longer decodes: %v", name, err)
		}
	}
}

// TestAppendOpsSameAfterOtherPages: the encoders are pooled; a page is
// the same bytes whatever pages an encoder wrote before (its
// dictionaries, back references and bit buffer start empty each time).
func TestAppendOpsSameAfterOtherPages(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pages := make([][]store.Op, 40)
	first := make([][]byte, len(pages))
	for i := range pages {
		pages[i] = randomOps(r, 1+r.IntN(80))
		first[i] = protocol.AppendOps(nil, pages[i])
	}
	for round := range 3 {
		for _, i := range r.Perm(len(pages)) {
			if got := protocol.AppendOps(nil, pages[i]); !bytes.Equal(got, first[i]) {
				t.Fatalf("round %d: page %d encodes to other bytes after other pages", round, i)
			}
		}
	}
}

// TestDecodeKeysAreTheText: the keys DecodePageOpsKeyed gives are the
// contract store.Import.AddKeyed relies on to skip parsing ids: an op has
// Canonical keys exactly when its id, dossier and every prev are UUIDs in
// canonical form, and then each key is the bytes of that text. An id in
// any other form (upper case, no UUID, empty) leaves its op without keys,
// so that the import checks it as before. The ops are DecodeOps's.
func TestDecodeKeysAreTheText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	canonical, other := 0, 0
	for round := range 300 {
		ops := randomOps(r, 1+r.IntN(60))
		b, err := protocol.AppendPage(nil, &protocol.SyncResponse{Cursor: 7}, ops)
		if err != nil {
			t.Fatal(err)
		}
		head, rest, err := protocol.DecodePageHead(b)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := protocol.DecodePageOpsKeyed(&head, rest, true)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !reflect.DeepEqual(head.Ops, ops) {
			t.Fatalf("round %d: the ops decoded with keys are not the ops sent", round)
		}
		if len(keys) != len(ops) {
			t.Fatalf("round %d: %d keys for %d ops", round, len(keys), len(ops))
		}
		for i, op := range ops {
			k := keys[i]
			id, okID := store.CanonicalID(op.ID)
			dk, okD := store.CanonicalID(op.Dossier)
			want := okID && okD
			for _, p := range op.Prev {
				_, ok := store.CanonicalID(p)
				want = want && ok
			}
			if k.Canonical != want {
				t.Fatalf("round %d, op %d (id %q, dossier %q, prevs %q): Canonical %v, want %v", round, i, op.ID, op.Dossier, op.Prev, k.Canonical, want)
			}
			if !want {
				other++
				continue
			}
			canonical++
			if k.ID != id || k.Dossier != dk || len(k.Prev) != len(op.Prev) {
				t.Fatalf("round %d, op %d: keys %x %x (%d prevs) for %q %q (%d)", round, i, k.ID, k.Dossier, len(k.Prev), op.ID, op.Dossier, len(op.Prev))
			}
			for j, p := range op.Prev {
				if pk, _ := store.CanonicalID(p); pk != k.Prev[j] {
					t.Fatalf("round %d, op %d, prev %d: key %x for %q", round, i, j, k.Prev[j], p)
				}
			}
		}
	}
	if canonical == 0 || other == 0 {
		t.Fatalf("the pages held %d ops with keys and %d without: want both", canonical, other)
	}
	// Without keys asked for, none are made.
	b, err := protocol.AppendPage(nil, &protocol.SyncResponse{}, randomOps(r, 10))
	if err != nil {
		t.Fatal(err)
	}
	head, rest, err := protocol.DecodePageHead(b)
	if err != nil {
		t.Fatal(err)
	}
	if keys, err := protocol.DecodePageOpsKeyed(&head, rest, false); err != nil || keys != nil {
		t.Fatalf("keys not asked for: %v, %v", keys, err)
	}
}

// TestPageRandomSpan: the span PageRandomSpan gives is the id bits
// column and the id bytes column, each with its length: for ops whose
// ids are UUIDv7s (74 random bits each) and ops whose ids are UUIDv4s
// (16 bytes each); and nothing for bytes that are no page.
func TestPageRandomSpan(t *testing.T) {
	var ops []store.Op
	for i := range 100 {
		ops = append(ops, store.Op{ID: store.NewID(), Dossier: "d", Field: "f", Value: "v", HLC: store.HLC(i+1) << 16})
	}
	v4 := "0f0e0d0c-0b0a-4908-8706-050403020100"
	ops = append(ops, store.Op{ID: v4, Dossier: "d", Field: "f", Value: "v", HLC: 200 << 16})
	for _, meta := range []protocol.SyncResponse{{Cursor: 1}, {Cursor: 7, Teams: []string{strings.Repeat("Noord", 100)}}} {
		page, err := protocol.AppendPage(nil, &meta, ops)
		if err != nil {
			t.Fatal(err)
		}
		start, end, ok := protocol.PageRandomSpan(page)
		if !ok {
			t.Fatal("no span in a page")
		}
		bits := (100*74 + 7) / 8
		var want []byte
		want = binary.AppendUvarint(want, uint64(bits))
		col := page[start+len(want) : start+len(want)+bits]
		want = append(want, col...)
		want = binary.AppendUvarint(want, 16)
		want = append(want, 0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x49, 0x08, 0x87, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00)
		if !bytes.Equal(page[start:end], want) {
			t.Fatalf("span [%d, %d) of %d bytes is not the id bits (%d bytes) and the v4's 16 bytes", start, end, len(page), bits)
		}
		// The span's bits are the ids' random bits: the first id's 18
		// bits after its version, little-endian first.
		u, _ := store.CanonicalID(ops[0].ID)
		if a := uint32(col[0]) | uint32(col[1])<<8 | uint32(col[2]&0x03)<<16; a != uint32(u[6]&0x0f)|uint32(u[7])<<4|uint32(u[8]&0x3f)<<12 {
			t.Fatalf("the span starts with %x, not the first id's bits", col[:3])
		}
	}
	page, _ := protocol.AppendPage(nil, &protocol.SyncResponse{}, ops)
	for _, bad := range [][]byte{nil, []byte("BOP"), []byte("XOP\x01\x00"), page[:30]} {
		if _, _, ok := protocol.PageRandomSpan(bad); ok {
			t.Fatalf("a span in %q", bad)
		}
	}
}

// TestAppendOpsGolden: AppendOps writes, byte for byte, the page it wrote
// when testdata/golden-ops.json was made (BRUG_WRITE_GOLDEN=1 writes both
// files again): 400 random ops (randomOps, values cut to 300 bytes) and
// their page. A faster encoder must write the same bytes: old clients
// decode what the server sends, and the page's form is documented
// (docs/sync.md, "Compact pages").
func TestAppendOpsGolden(t *testing.T) {
	opsFile, pageFile := filepath.Join("testdata", "golden-ops.json"), filepath.Join("testdata", "golden-page.bin")
	if os.Getenv("BRUG_WRITE_GOLDEN") != "" {
		ops := randomOps(rand.New(rand.NewPCG(11, 12)), 400)
		for i := range ops {
			if len(ops[i].Value) > 300 {
				ops[i].Value = ops[i].Value[:300]
			}
		}
		b, err := json.Marshal(ops)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(opsFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ops = nil // as read back: JSON keeps no bytes that are not UTF-8
		if err := json.Unmarshal(b, &ops); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pageFile, protocol.AppendOps(nil, ops), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(opsFile)
	if err != nil {
		t.Fatal(err)
	}
	var ops []store.Op
	if err := json.Unmarshal(raw, &ops); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(pageFile)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 { // the pooled encoder, fresh and used
		if got := protocol.AppendOps(nil, ops); !bytes.Equal(got, want) {
			t.Fatalf("round %d: %d ops encode to %d bytes, not the %d of %s", round, len(ops), len(got), len(want), pageFile)
		}
	}
	// Runs of one device, author and value, and of strings too long for
	// the page's dictionaries, follow each other in it.
	runs := 0
	for i := 1; i < len(ops); i++ {
		if ops[i].Device == ops[i-1].Device && len(ops[i].Device) > 64 || ops[i].Value == ops[i-1].Value && len(ops[i].Value) > 64 {
			runs++
		}
	}
	if runs == 0 {
		t.Fatal("no long string twice in a row")
	}
}
