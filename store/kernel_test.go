package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMergeFieldTable: the merge kernel, one row per situation: what the
// heads become and which ids the replaced set gains.
func TestMergeFieldTable(t *testing.T) {
	op := func(id string, hlc HLC, prev ...string) Op {
		return Op{ID: id, Field: "f", Value: id, HLC: hlc, Device: "d", Author: "a", Prev: prev}
	}
	h := func(id string, hlc HLC) Head { return headOf(op(id, hlc)) }
	tests := []struct {
		name     string
		heads    []Head
		in       []Op
		replaced []string
		want     []string // head ids, newest first
		named    []string
	}{
		{"first op", nil, []Op{op("a", 1)}, nil, []string{"a"}, nil},
		{"replaces the head", []Head{h("a", 1)}, []Op{op("b", 2, "a")}, nil, []string{"b"}, []string{"a"}},
		{"concurrent: both heads, newest first", []Head{h("a", 1)}, []Op{op("b", 2)}, nil, []string{"b", "a"}, nil},
		{"resolution names every head", []Head{h("a", 1), h("b", 2)}, []Op{op("c", 3, "a", "b")}, nil, []string{"c"}, []string{"a", "b"}},
		{"replaced before it came", nil, []Op{op("a", 1)}, []string{"a"}, nil, nil},
		{"replacer and replaced in one batch, either order", nil, []Op{op("b", 2, "a"), op("a", 1)}, nil, []string{"b"}, []string{"a"}},
		{"an op naming itself is no head", nil, []Op{op("a", 1, "a")}, nil, nil, []string{"a"}},
		{"a repeat and a known head change nothing", []Head{h("a", 1)}, []Op{op("a", 1), op("a", 1)}, nil, []string{"a"}, nil},
		{"an unknown prev is named all the same", []Head{h("a", 1)}, []Op{op("b", 2, "x")}, nil, []string{"b", "a"}, []string{"x"}},
		{"a chain in one batch", nil, []Op{op("c", 3, "b"), op("a", 1), op("b", 2, "a")}, nil, []string{"c"}, []string{"b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heads := slices.Clone(tt.heads)
			got, named := mergeField(tt.heads, tt.in, func(id string) bool { return slices.Contains(tt.replaced, id) })
			var ids []string
			for _, h := range got {
				ids = append(ids, h.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("heads %v, want %v", ids, tt.want)
			}
			if !slices.Equal(named, tt.named) {
				t.Errorf("named %v, want %v", named, tt.named)
			}
			if !slices.Equal(heads, tt.heads) {
				t.Error("mergeField changed its heads argument")
			}
		})
	}
}

// TestPropertyKernelEveryPath: random op sets (prevs within a field,
// across fields, to ops that never come, to themselves; duplicates), in
// random orders and batch splits: every path (the kernel folded batch by
// batch, per-op apply, bulk apply, import, rebuild) gives each field the
// heads the definition gives: the ops no op of the set names.
func TestPropertyKernelEveryPath(t *testing.T) {
	for seed := range uint64(30) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			d := NewID()
			fields := []string{"step/1/note", "name", "step/2/answer/q1"}
			var ops []Op
			for i := range 12 + rng.IntN(20) {
				op := mkOp(d, fields[rng.IntN(len(fields))], fmt.Sprint("v", i), HLC(1+rng.IntN(50))<<16, fmt.Sprint("dev-", rng.IntN(3)))
				for range rng.IntN(3) {
					switch r := rng.IntN(10); {
					case r == 0:
						op.Prev = append(op.Prev, NewID()) // never comes
					case r == 1:
						op.Prev = append(op.Prev, op.ID) // itself
					case len(ops) > 0:
						op.Prev = append(op.Prev, ops[rng.IntN(len(ops))].ID) // any field
					}
				}
				ops = append(ops, op)
			}
			named := map[string]bool{}
			for _, op := range ops {
				for _, p := range op.Prev {
					named[p] = true
				}
			}
			want := map[string][]string{}
			for _, op := range ops {
				if !named[op.ID] {
					want[op.Field] = append(want[op.Field], op.ID)
				}
			}
			for f := range want {
				slices.Sort(want[f])
			}
			shuffled := func() []Op {
				out := slices.Clone(ops)
				out = append(out, out[:rng.IntN(3)]...) // duplicates
				rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
				return out
			}
			batches := func(all []Op) [][]Op {
				var out [][]Op
				for len(all) > 0 {
					n := 1 + rng.IntN(len(all))
					out, all = append(out, all[:n]), all[n:]
				}
				return out
			}
			check := func(path string, heads func(field string) []string) {
				t.Helper()
				for _, f := range fields {
					got := heads(f)
					slices.Sort(got)
					if !slices.Equal(got, want[f]) {
						t.Errorf("%s: %s heads %v, want %v", path, f, got, want[f])
					}
				}
			}

			// The kernel alone, batch by batch, per field.
			kheads := map[string][]Head{}
			rep := map[string]bool{}
			for _, b := range batches(shuffled()) {
				byField := map[string][]Op{}
				for _, op := range b {
					byField[op.Field] = append(byField[op.Field], op)
				}
				// Named ids first, so a prev across fields in this batch
				// counts for every field (the plumbing's order).
				for f, in := range byField {
					_, n := mergeField(nil, in, noneReplaced)
					for _, id := range n {
						rep[id] = true
					}
					_ = f
				}
				for f, in := range byField {
					kheads[f], _ = mergeField(kheads[f], in, func(id string) bool { return rep[id] })
				}
				for f, hs := range kheads {
					kheads[f] = slices.DeleteFunc(hs, func(h Head) bool { return rep[h.ID] })
				}
			}
			check("kernel", func(f string) []string {
				var ids []string
				for _, h := range kheads[f] {
					ids = append(ids, h.ID)
				}
				return ids
			})

			storeHeads := func(s *Store) func(string) []string {
				return func(f string) []string {
					hs, err := s.Heads(d, f)
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, h := range hs {
						ids = append(ids, h.ID)
					}
					return ids
				}
			}
			one := openTest(t, Options{})
			for _, op := range shuffled() {
				if _, err := one.ApplyRemote([]Op{op}); err != nil {
					t.Fatal(err)
				}
			}
			check("per-op apply", storeHeads(one))
			bulk := openTest(t, Options{})
			for _, b := range batches(shuffled()) {
				if _, err := bulk.ApplyRemoteBulk(b); err != nil {
					t.Fatal(err)
				}
			}
			check("bulk", storeHeads(bulk))
			imp := openTest(t, Options{})
			im, err := imp.NewImport()
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range batches(shuffled()) {
				if err := im.Add(b); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := im.Commit(); err != nil {
				t.Fatal(err)
			}
			im.Close()
			check("import", storeHeads(imp))
			if err := bulk.Rebuild(); err != nil {
				t.Fatal(err)
			}
			check("rebuild", storeHeads(bulk))
		})
	}
}

// TestMergeFieldLongHistory: a field with a long history (the kernel
// switches from lists to sets) merges as a short one does: a chain of
// edits leaves its last op, plus the concurrent ops nobody named.
func TestMergeFieldLongHistory(t *testing.T) {
	var in []Op
	for i := range 200 {
		op := Op{ID: fmt.Sprintf("op-%03d", i), Field: "f", HLC: HLC(i), Device: "d"}
		if i > 0 && i%10 != 0 {
			op.Prev = []string{in[i-1].ID}
		}
		in = append(in, op)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	got, named := mergeField(nil, in, noneReplaced)
	if len(got) != 20 || got[0].ID != "op-199" || len(named) != 180 {
		t.Errorf("%d heads (first %s), %d named; want 20 heads, op-199 first, 180 named", len(got), got[0].ID, len(named))
	}
	small, _ := mergeField(nil, in[:5], noneReplaced)
	big, _ := mergeField(nil, append(slices.Clone(in[:5]), in[:30]...), noneReplaced)
	for _, h := range small {
		if !slices.ContainsFunc(big, func(b Head) bool { return b.ID == h.ID }) && !slices.ContainsFunc(in[:30], func(o Op) bool { return slices.Contains(o.Prev, h.ID) }) {
			t.Errorf("head %s of the small merge lost in the big one", h.ID)
		}
	}
}
