package store_test

import (
	"testing"

	"github.com/brug-nl/brug/store"
)

// BenchmarkConsentsEndingRegion reads the list summaries of the
// 10,000-client demo region, one in ten of them shared, and flags the
// consents ending within 30 days (Store.ConsentsEnding). Compare with
// BenchmarkOpenSummaries: the flag costs no read beyond the list's.
func BenchmarkConsentsEndingRegion(b *testing.B) {
	path := benchRegion(b)
	s, err := store.Open(path, store.Options{Author: "bench", NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sums, err := s.Summaries()
	if err != nil {
		b.Fatal(err)
	}
	today := "2026-11-02"
	for i := 0; i < len(sums); i += 10 {
		c, err := s.Client(sums[i].ID)
		if err != nil || !c.Exists {
			continue
		}
		in := store.ShareInput{Team: c.Team.Value + "-x", Org: "Gemeente", Purpose: "werk", Mode: store.ShareRead,
			From: "2026-10-01", Until: []string{"2026-11-20", "2027-04-01"}[i/10%2], ConsentDate: "2026-09-30", ConsentHow: "spoken"}
		if _, err := s.ShareDossier(sums[i].ID, in, today); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		got, err := s.ConsentsEnding(today, store.ConsentSoonDays)
		if err != nil {
			b.Fatal(err)
		}
		n = len(got)
	}
	b.ReportMetric(float64(n), "flagged")
}
