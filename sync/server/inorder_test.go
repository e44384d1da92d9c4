package server

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A pull puts its dossiers to add in order a chunk at a time (inOrder):
// every prefix it has ordered must be what sorting all of them gives, for
// any number of dossiers and any steps, and nothing may be lost or doubled.
func TestInOrderAsSortingAll(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := r.IntN(2000)
		if seed%3 == 0 {
			n = r.IntN(20)
		}
		s := make([]string, 0, n)
		seen := map[string]bool{}
		for len(s) < n {
			k := make([]byte, 16) // as a pull's keys: 16 raw bytes
			for i := range k {
				k[i] = byte(r.IntN(256))
			}
			if seed%2 == 0 {
				k[0], k[1] = 0x01, 0x93 // UUIDv7s of one period share a prefix
			}
			if !seen[string(k)] {
				seen[string(k)] = true
				s = append(s, string(k))
			}
		}
		want := slices.Sorted(slices.Values(s))
		ordered := 0
		for ordered < len(s) {
			step := 1 + r.IntN(300)
			next := inOrder(s, ordered, step)
			if next != min(ordered+step, len(s)) {
				t.Fatalf("seed %d: inOrder(%d, %d) ended at %d", seed, ordered, step, next)
			}
			ordered = next
			if !slices.Equal(s[:ordered], want[:ordered]) {
				t.Fatalf("seed %d: the first %d of %d are not the sorted ones", seed, ordered, len(s))
			}
			if !slices.Equal(slices.Sorted(slices.Values(s)), want) {
				t.Fatalf("seed %d: inOrder lost or doubled a dossier", seed)
			}
		}
	}
}

func BenchmarkInOrderPage(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	base := make([]string, 10000)
	for i := range base {
		k := make([]byte, 16)
		for j := range k {
			k[j] = byte(r.IntN(256))
		}
		base[i] = string(k)
	}
	s := make([]string, len(base))
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			copy(s, base)
			slices.Sort(s)
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			copy(s, base)
			inOrder(s, 0, addChunk)
		}
	})
}
