package server

import (
	"fmt"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// BenchmarkSessionSummaries: a coordinator's SSH session lists the 1,000
// dossiers of their team (each of 16 ops: created with a name, places,
// step 1 active with three items ticked and a note, an agreement), through
// the op-log store's kept summaries (bbolt) and through the storage
// (opview.go: each dossier's heads folded; bbolt with the op-log store
// off, or PostgreSQL with BRUG_TEST_STORE=postgres). The fixture is built
// in the benchmark, so plain go test does not build it.
func BenchmarkSessionSummaries(b *testing.B) {
	const dossiers = 1000
	paths := []string{"storage"}
	if testBackend == "bolt" {
		paths = []string{"opstore", "storage"}
	}
	for _, path := range paths {
		b.Run(testBackend+"/"+path, func(b *testing.B) {
			e := newEnvTB(b)
			e.srv.logOnly = path == "storage"
			e.teams("Noord")
			d := e.user("cor", protocol.RoleCoordinator, "Noord")
			var push []store.Op
			for i := range dossiers {
				id, ops := d.create("Noord", fmt.Sprintf("Cliënt %04d", i))
				push = append(push, ops...)
				push = append(push, d.op(id, "places", "dagbesteding"), d.op(id, "step/1/status", "active"),
					d.op(id, "step/1/check/c1", "1"), d.op(id, "step/1/check/c2", "1"), d.op(id, "step/1/check/c3", "1"),
					d.op(id, "step/1/note", "eerste gesprek gehad"))
				ag := store.NewID()
				for _, f := range []struct{ name, value string }{{"exists", "1"}, {"what", "CV maken"}, {"due", "2026-12-01"}, {"role", "coach"}, {"done", "0"}, {"person", "Anna"}, {"org", "Gemeente"}} {
					push = append(push, d.op(id, store.EntityField(store.EntityAgreement, ag, f.name), f.value))
				}
				if len(push) > protocol.MaxPushOps-20 {
					d.sync(push...)
					push = push[:0]
				}
			}
			d.sync(push...)
			ss, err := e.srv.Session("cor", ChannelSSH, "bench")
			e.must(err)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				sums, err := ss.Summaries()
				if err != nil || len(sums) != dossiers {
					b.Fatalf("%d summaries, %v", len(sums), err)
				}
			}
		})
	}
}
