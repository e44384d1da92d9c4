package server

import (
	"fmt"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestBrokenPullCompletesTheDevice breaks a first pull after each page and
// resumes it from every cursor the device may have stored.
// Accident: a laptop killed mid-pull (or a server that died before its
// answer left) resumed from its stored cursor and lost dossiers for good.
func TestBrokenPullCompletesTheDevice(t *testing.T) {
	const limit = 7 // two or three dossiers a page
	setup := func() (*env, *device, []store.Op) {
		e := newEnv(t)
		e.teams("Noord")
		a := e.user("anna", protocol.RoleCoach, "Noord")
		var all []store.Op
		for i := range 12 {
			_, ops := a.create("Noord", fmt.Sprint("Client ", i))
			all = append(all, ops...)
		}
		a.sync(all...)
		return e, a, all
	}
	e, _, _ := setup()
	probe := e.user("probe", protocol.RoleCoach, "Noord")
	pages := 1
	for resp, _, _ := probe.try(limit); resp.More; resp, _, _ = probe.try(limit) {
		pages++
	}
	if pages < 4 {
		t.Fatalf("the pull takes %d pages; the test needs several", pages)
	}
	for k := 1; k < pages; k++ { // pages the broken pull received
		for kept := 0; kept < k; kept++ { // pages the device stored of them
			e, a, all := setup()
			b := e.user("bert", protocol.RoleCoach, "Noord")
			var snaps []map[string]map[string]store.Op // what the device held after each page
			var cursors []uint64
			for range k {
				resp, status, _ := b.try(limit)
				if status != 200 || !resp.More {
					t.Fatalf("page: status %d, more %v", status, resp.More)
				}
				snaps = append(snaps, clone(b.have))
				cursors = append(cursors, b.cursor)
			}
			// The device comes back with what it stored: nothing, or the
			// pages up to kept, with their cursor. Meanwhile others work,
			// so that catching up moves its cursor past older numbers.
			b.have, b.cursor = map[string]map[string]store.Op{}, 0
			if kept > 0 {
				b.have, b.cursor = snaps[kept-1], cursors[kept-1]
			}
			for i := range 2 {
				ops := []store.Op{a.op(all[3*i].Dossier, "birthyear", "1980")}
				_, more := a.create("Noord", "Later")
				ops = append(ops, more...)
				all = append(all, ops...)
				a.sync(ops...)
			}
			for n := 0; ; n++ {
				if n > 1000 {
					t.Fatal("paging does not end")
				}
				if resp, _, _ := b.try(limit); !resp.More {
					break
				}
			}
			var got, want []string
			for _, ops := range b.have {
				for id := range ops {
					got = append(got, id)
				}
			}
			for _, op := range all {
				want = append(want, op.ID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("pull broken after page %d, device kept %d pages: it holds %d dossiers, %d ops; want 14 dossiers, %d ops",
					k, kept, len(b.have), len(got), len(want))
			}
		}
	}
}

func clone(have map[string]map[string]store.Op) map[string]map[string]store.Op {
	out := make(map[string]map[string]store.Op, len(have))
	for d, ops := range have {
		out[d] = make(map[string]store.Op, len(ops))
		for id, op := range ops {
			out[d][id] = op
		}
	}
	return out
}
