package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// BenchmarkInitialPull measures a fresh device pulling a team of dossiers
// (snapshot), over HTTP on 127.0.0.1. BRUG_BENCH figures go in the note.
func BenchmarkInitialPull(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("dossiers=%d", n), func(b *testing.B) {
			e := newEnvTB(b)
			e.teams("Noord")
			a := e.user("anna", protocol.RoleCoach, "Noord")
			var batch []store.Op
			total := 0
			for i := 0; i < n; i++ {
				id, ops := a.create("Noord", "Client")
				prev := ops[1].ID
				for j := 0; j < 60; j++ { // 70 ops a dossier, 20 of them superseded names
					op := a.op(id, "step/1/note", fmt.Sprintf("note %d", j), prev)
					prev = op.ID
					ops = append(ops, op)
				}
				for j := 0; j < 7; j++ {
					ops = append(ops, a.op(id, fmt.Sprintf("journal/%s/exists", store.NewID()), "1"))
				}
				batch = append(batch, ops...)
				if len(batch) > 4000 {
					a.sync(batch...)
					total += len(batch)
					batch = nil
				}
			}
			a.sync(batch...)
			total += len(batch)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d := e.enrol("anna")
				start := time.Now()
				d.syncAll()
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/pull")
			}
			b.ReportMetric(float64(total), "ops")
		})
	}
}
