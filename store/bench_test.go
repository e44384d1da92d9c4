package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/demo"
)

// benchRegion returns a writable copy of the 10,000-client demo region
// (about 70 ops per client), generated once into the OS temp dir.
func benchRegion(b *testing.B) string {
	b.Helper()
	src, err := demo.CachedRegion(os.TempDir(), 10000, 1)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "brug.db")
	if err := demo.CopyRegion(src, dst); err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkToggleCheck measures one checklist toggle committed with fsync,
// as a coach's keystroke makes it: op appended, heads, client document,
// summary, due index and outbox updated in one transaction.
// Goal: under 2 ms on the 10,000-client region.
func BenchmarkToggleCheck(b *testing.B) {
	path := benchRegion(b)
	s, err := store.Open(path, store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sums, err := s.Summaries()
	if err != nil || len(sums) == 0 {
		b.Fatalf("no clients: %v", err)
	}
	st, _ := s.Stats()
	b.ReportMetric(float64(st.Ops)/float64(st.Clients), "ops/client")
	id := sums[len(sums)/2].ID
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.ToggleCheck(id, 1+i%6, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSummaries measures opening the region file and reading every
// list summary: the store's share of the first frame of the client list.
func BenchmarkOpenSummaries(b *testing.B) {
	path := benchRegion(b)
	for b.Loop() {
		s, err := store.Open(path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sums, err := s.Summaries()
		if err != nil || len(sums) != 10000 {
			b.Fatalf("%d summaries: %v", len(sums), err)
		}
		s.Close()
	}
}

// BenchmarkPushVisits measures the store's part of a sync server's group
// of 200 pushes of a visit (10 ops into one dossier, six step notes, each
// replacing the heads the device saw) on the 10,000-client region, in one
// transaction as the group commits them: each op applied under the heads
// bound (Tx.ApplyJSONBounded), the fields expected first as the server's
// push does. "log" reads every op's heads by a walk of the dossier's log;
// "memo" from the transaction's memo (headsmemo.go).
func BenchmarkPushVisits(b *testing.B) {
	for _, mode := range []string{"log", "memo"} {
		b.Run(mode, func(b *testing.B) {
			path := benchRegion(b)
			s, err := store.Open(path, store.Options{Author: "bench", NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			store.SetNoHeadsMemo(s, mode == "log")
			sums, err := s.Summaries()
			if err != nil || len(sums) < 200 {
				b.Fatalf("%d clients: %v", len(sums), err)
			}
			// The heads the devices saw, of 2,000 dossiers.
			sums = sums[:2000]
			fields := make([]string, 10)
			for j := range fields {
				fields[j] = fmt.Sprintf("step/%d/note", j%6+1)
			}
			heads := map[string][]string{}
			err = s.View(func(tx *store.Tx) error {
				for _, sm := range sums {
					for _, f := range fields[:6] {
						hs, err := tx.Heads(sm.ID, f)
						if err != nil {
							return err
						}
						for _, h := range hs {
							heads[sm.ID+f] = append(heads[sm.ID+f], h.ID)
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			var hlc store.HLC = 1 << 50
			for round := 0; b.Loop(); round++ {
				err := s.Update(func(tx *store.Tx) error {
					for i := range 200 {
						d := sums[(round*200+i)%len(sums)].ID
						tx.ExpectHeads(d, fields)
						for _, f := range fields {
							hlc++
							op := store.Op{ID: store.NewID(), Dossier: d, Field: f, Value: "Notitie", HLC: hlc,
								Device: "dev-bench", Author: "bench", Prev: heads[d+f]}
							if _, err := tx.ApplyJSONBounded(op, nil, 32); err != nil {
								return err
							}
							heads[d+f] = []string{op.ID}
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/2000, "us/op")
		})
	}
}
