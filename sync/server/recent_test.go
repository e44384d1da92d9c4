package server

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// fakeTx runs fn as a transaction of the index without a file: begin at
// seq start, fn adds entries, finish at end.
func (r *recentOps) fakeTx(start, end uint64, committed bool, fn func()) {
	r.mu.Lock()
	r.txEpoch = r.epoch
	r.mu.Unlock()
	clear(r.pending)
	r.start, r.end = start, 0
	fn()
	r.end = end
	r.done(committed)
}

func seqsOf(es []recentOp) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, e.seq)
	}
	return out
}

func TestRecentOpsIndex(t *testing.T) {
	var r recentOps
	r.clear()
	// Before any committed transaction it cannot tell.
	if _, ok := r.since(0, []string{"Noord"}); ok {
		t.Fatal("an empty index answered")
	}
	r.fakeTx(10, 13, true, func() {
		r.add(11, "o11", "d1", "Noord", []byte("11"), nil)
		r.add(12, "o12", "d2", "Oost", []byte("12"), nil)
		r.add(13, "o13", "d1", "Noord", []byte("13"), nil)
	})
	// Its next transaction: complete for cursors from 10 on, with what
	// the running transaction added so far.
	r.mu.Lock()
	r.txEpoch = r.epoch
	r.mu.Unlock()
	clear(r.pending)
	r.start = 13
	r.add(14, "o14", "d1", "Noord", []byte("14"), nil)
	for _, c := range []struct {
		cursor uint64
		teams  []string
		want   []uint64
		ok     bool
	}{
		{9, []string{"Noord"}, nil, false}, // before the index began
		{10, []string{"Noord"}, []uint64{11, 13, 14}, true},
		{11, []string{"Noord"}, []uint64{13, 14}, true},
		{10, []string{"Oost"}, []uint64{12}, true},
		{10, []string{"Oost", "Noord"}, []uint64{11, 12, 13, 14}, true},
		{14, []string{"Noord", "Oost"}, nil, true},
		{10, []string{"Zuid"}, nil, true},
	} {
		got, ok := r.since(c.cursor, c.teams)
		if ok != c.ok || !slices.Equal(seqsOf(got), c.want) {
			t.Errorf("since(%d, %v) = %v %v, want %v %v", c.cursor, c.teams, seqsOf(got), ok, c.want, c.ok)
		}
	}
	// Rolled back: its entries never join.
	r.end = 14
	r.done(false)
	r.fakeTx(13, 13, true, func() {})
	if got, _ := r.since(10, []string{"Noord"}); !slices.Equal(seqsOf(got), []uint64{11, 13}) {
		t.Errorf("after a rollback: %v", seqsOf(got))
	}
	// Numbers taken outside the index (a gap between its end and the next
	// transaction's start): it starts afresh from there.
	r.fakeTx(20, 21, true, func() { r.add(21, "o21", "d1", "Noord", []byte("21"), nil) })
	if _, ok := r.since(13, []string{"Noord"}); ok {
		t.Error("answered across a gap")
	}
	r.fakeTx(21, 21, true, func() {})
	if got, ok := r.since(20, []string{"Noord"}); !ok || !slices.Equal(seqsOf(got), []uint64{21}) {
		t.Errorf("after the gap: %v %v", seqsOf(got), ok)
	}
	// A transaction that begins after numbers were taken outside the
	// index: nothing is answered within it.
	r.fakeTx(25, 25, true, func() {
		if _, ok := r.since(21, []string{"Noord"}); ok {
			t.Error("answered within a transaction that began after a gap")
		}
	})
	r.fakeTx(25, 25, true, func() {})
	// Invalidated while a transaction runs: that transaction's entries do
	// not join, and nothing is answered until one commits afterwards.
	r.fakeTx(25, 26, true, func() {
		r.add(26, "o26", "d1", "Noord", []byte("26"), nil)
		r.invalidate()
		if _, ok := r.since(25, []string{"Noord"}); ok {
			t.Error("answered after invalidate")
		}
	})
	r.fakeTx(26, 26, true, func() {
		if _, ok := r.since(25, []string{"Noord"}); ok {
			t.Error("answered from before the invalidation")
		}
	})
}

func TestRecentOpsTrim(t *testing.T) {
	r := recentOps{max: 10}
	r.clear()
	seq := uint64(0)
	for round := range 5 {
		r.fakeTx(seq, seq+4, true, func() {
			for range 4 {
				seq++
				r.add(seq, fmt.Sprint("o", seq), "d", []string{"Noord", "Oost"}[seq%2], nil, nil)
			}
		})
		r.mu.Lock()
		n, lo := r.n, r.lo
		r.mu.Unlock()
		if n > 10 {
			t.Fatalf("round %d: %d entries kept, max 10", round, n)
		}
		// Whatever it answers is complete: every seq after the cursor.
		r.fakeTx(seq, seq, true, func() {
			got, ok := r.since(lo, []string{"Noord", "Oost"})
			if !ok || len(got) != int(seq-lo) || (len(got) > 0 && got[len(got)-1].seq != seq) {
				t.Fatalf("round %d: since(%d) = %v %v, want %d..%d", round, lo, seqsOf(got), ok, lo+1, seq)
			}
			if _, ok := r.since(lo-1, []string{"Noord"}); ok && lo > 0 {
				t.Fatalf("round %d: answered before lo %d", round, lo)
			}
		})
	}
}

// TestRecentIndexAnswersAsTheFileDoes runs the same random history of
// pushes, transfers, SSH writes, new members and erasures against two
// servers, one answering settled pulls from the index of recent ops and
// one always reading the file, and requires the same answer to every sync.
func TestRecentIndexAnswersAsTheFileDoes(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 3))
			envs := [2]*env{newEnv(t), newEnv(t)}
			envs[1].srv.recent.off = true
			type pair [2]*device
			var devs []pair
			users := []struct{ name, role, team string }{
				{"anna", protocol.RoleCoach, "Noord"}, {"bram", protocol.RoleCoach, "Noord"},
				{"olga", protocol.RoleCoach, "Oost"}, {"cor", protocol.RoleCoordinator, ""},
			}
			for _, e := range envs {
				e.teams("Noord", "Oost")
			}
			for _, u := range users {
				var p pair
				for i, e := range envs {
					teams := []string{u.team}
					if u.team == "" {
						teams = []string{"Noord", "Oost"}
					}
					p[i] = e.user(u.name, u.role, teams...)
				}
				devs = append(devs, p)
			}
			var dossiers []string
			key := func(r protocol.SyncResponse) string {
				var ops []string
				for _, op := range r.Ops {
					ops = append(ops, op.Dossier+" "+op.Field+" "+op.Value+" "+op.Author)
				}
				slices.Sort(ops)
				return fmt.Sprintf("ops %v drop %v erased %v more %v cursor %d accepted %d refused %d",
					ops, r.Drop, r.Erased, r.More, r.Cursor, len(r.Accepted), len(r.Refused))
			}
			for step := range 120 {
				p := devs[rng.IntN(len(devs))]
				var push []store.Op
				switch x := rng.IntN(20); {
				case x < 3 && p[0].user != "cor":
					team := map[string]string{"anna": "Noord", "bram": "Noord", "olga": "Oost"}[p[0].user]
					id, ops := p[0].create(team, fmt.Sprint("Client ", step))
					dossiers = append(dossiers, id)
					push = ops
				case x < 12 && len(dossiers) > 0:
					d := dossiers[rng.IntN(len(dossiers))]
					for range 1 + rng.IntN(3) {
						push = append(push, p[0].op(d, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint("notitie ", step)))
					}
				case x == 12 && len(dossiers) > 0:
					d := dossiers[rng.IntN(len(dossiers))]
					push = []store.Op{p[0].op(d, "team", []string{"Noord", "Oost"}[rng.IntN(2)])}
				case x == 13 && len(dossiers) > 0:
					// The coordinator writes over SSH.
					d := dossiers[rng.IntN(len(dossiers))]
					for _, e := range envs {
						ss, err := e.srv.Session("cor", ChannelSSH, "s")
						e.must(err)
						_, err = ss.Commit(d, store.Set("step/2/note", fmt.Sprint("via ssh ", step)))
						if err != nil && !strings.Contains(err.Error(), "not one of yours") && !strings.Contains(err.Error(), "erased") {
							e.must(err)
						}
					}
				case x == 14 && len(dossiers) > 3 && rng.IntN(3) == 0:
					d := dossiers[rng.IntN(len(dossiers))]
					for _, e := range envs {
						_, err := e.admin.Erase(d)
						e.must(err)
					}
				}
				limit := 0
				if rng.IntN(4) == 0 {
					limit = 1 + rng.IntN(3)
				}
				var got [2]string
				for i, d := range p {
					resp, status, perr := d.try(limit, push...)
					if status != 200 {
						t.Fatalf("step %d: %s: status %d: %s", step, d.user, status, perr.Message)
					}
					got[i] = key(resp)
				}
				if got[0] != got[1] {
					t.Fatalf("step %d, %s: with the index\n%s\nreading the file\n%s", step, p[0].user, got[0], got[1])
				}
			}
			// The index answered, and not every time.
			envs[0].srv.recent.mu.Lock()
			hits := envs[0].srv.recent.hits
			envs[0].srv.recent.mu.Unlock()
			t.Logf("%d settled pulls answered from the index", hits)
			if hits < 10 {
				t.Errorf("the index answered %d pulls", hits)
			}
		})
	}
}

// Accident: the index kept 20,000 ops whatever their size, so ops with
// 64 KiB values could hold 1.25 GiB in memory. It is bounded by bytes too.
func TestRecentOpsBoundedByBytes(t *testing.T) {
	var r recentOps
	r.clear()
	value := make([]byte, 64<<10)
	kept := func() (n int) {
		for _, list := range r.teams {
			for _, e := range list {
				n += len(e.json)
			}
		}
		return n
	}
	seq := uint64(0)
	most := 0
	for range 40 {
		r.fakeTx(seq, seq+10, true, func() {
			for range 10 {
				seq++
				r.add(seq, fmt.Sprint("o", seq), "d", []string{"Noord", "Oost"}[seq%2], value, nil)
			}
		})
		r.mu.Lock()
		n, lo, counted := kept(), r.lo, r.bytes
		r.mu.Unlock()
		most = max(most, n)
		if counted != n {
			t.Fatalf("the index counts %d bytes, holds %d", counted, n)
		}
		if n > defaultRecentBytes {
			t.Fatalf("after %d ops of 64 KiB the index keeps %d bytes of JSON, budget %d", seq, n, defaultRecentBytes)
		}
		// What it answers is still complete after lo.
		r.fakeTx(seq, seq, true, func() {
			got, ok := r.since(lo, []string{"Noord", "Oost"})
			if !ok || len(got) != int(seq-lo) {
				t.Fatalf("since(%d) after %d ops: %d entries, %v", lo, seq, len(got), ok)
			}
		})
	}
	t.Logf("400 ops of 64 KiB: at most %d KiB of JSON kept", most>>10)
}

// TestRecentSinceAsAScan holds the index's answers to what a scan of every
// entry gives: random transactions of ops in four teams, committed or rolled
// back, and pulls within them (as in a group of syncs, which see the ops
// of the group's earlier syncs) for random teams and cursors. The running
// transaction's entries are filed by team; a pull must get exactly the
// committed and running entries of its teams after its cursor, in order.
func TestRecentSinceAsAScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	teams := []string{"Noord", "Oost", "Zuid", "West"}
	type entry struct {
		seq  uint64
		team string
	}
	var r recentOps
	r.clear()
	r.max = 400
	var committed []entry
	seq, answers := uint64(0), 0
	for round := range 200 {
		start := seq
		var running []entry
		ok := rng.IntN(8) > 0
		r.mu.Lock()
		r.txEpoch = r.epoch
		r.mu.Unlock()
		clear(r.pending)
		r.start, r.end = start, 0
		for range rng.IntN(30) {
			if rng.IntN(3) == 0 {
				// A pull of the group, between its pushes.
				n := 1 + rng.IntN(len(teams))
				want := slices.Clone(teams)
				rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
				want = want[:n]
				r.mu.Lock()
				lo := r.lo
				r.mu.Unlock()
				cursor := lo + uint64(rng.IntN(int(seq-lo)+1))
				got, answered := r.since(cursor, want)
				if !answered {
					continue
				}
				answers++
				var scan []uint64
				for _, e := range append(slices.Clone(committed), running...) {
					if e.seq > cursor && slices.Contains(want, e.team) {
						scan = append(scan, e.seq)
					}
				}
				if !slices.Equal(seqsOf(got), scan) {
					t.Fatalf("round %d: since(%d, %v) = %v, a scan gives %v", round, cursor, want, seqsOf(got), scan)
				}
				continue
			}
			seq++
			team := teams[rng.IntN(len(teams))]
			r.add(seq, fmt.Sprint("o", seq), "d", team, []byte("{}"), nil)
			running = append(running, entry{seq, team})
		}
		r.end = seq
		r.done(ok)
		if ok {
			committed = append(committed, running...)
		} else {
			seq = start // rolled back: its numbers are given again
		}
		// What the index dropped (trim) it no longer answers for.
		r.mu.Lock()
		lo := r.lo
		r.mu.Unlock()
		committed = slices.DeleteFunc(committed, func(e entry) bool { return e.seq <= lo })
	}
	if answers < 500 {
		t.Fatalf("only %d pulls answered from the index", answers)
	}
}

// mergeRuns gives what sorting the runs' concatenation by seq gave (the
// index's answer for a device of several teams), for any number of runs of
// any length, with seqs unique across runs as the log numbers them, and
// entries going to the runs one at a time or in stretches (a sync's ops,
// numbered one after the other under one team, as in a burst).
func TestMergeRunsIsTheSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	for round := range 4000 {
		k := rnd.IntN(6)
		runs := make([][]recentOp, k)
		seq := uint64(0)
		stretch := 1 + rnd.IntN(12)*(round%2)
		for range rnd.IntN(60) {
			if k == 0 {
				break
			}
			j := rnd.IntN(k)
			for range 1 + rnd.IntN(stretch) {
				seq += 1 + uint64(rnd.IntN(3))
				runs[j] = append(runs[j], recentOp{seq: seq, op: fmt.Sprint("op", seq)})
			}
		}
		var want []recentOp
		var in [][]recentOp
		for _, r := range runs {
			want = append(want, r...)
			if len(r) > 0 {
				in = append(in, r)
			}
		}
		slices.SortFunc(want, func(a, b recentOp) int { return cmp.Compare(a.seq, b.seq) })
		prefix := []recentOp{{seq: 1 << 40, op: "before"}}
		got := mergeRuns(slices.Clone(prefix), in)
		if !slices.EqualFunc(got, append(prefix, want...), func(a, b recentOp) bool { return a.seq == b.seq && a.op == b.op }) {
			t.Fatalf("round %d: merged %v, sorted %v", round, got, want)
		}
	}
}

// TestRecentSinceAllocates: the entries of a device's teams come in one
// allocation of their size (and one for the runs merged), not
// grown entry by entry (nine allocations and copies of a burst's answer
// of 300 entries).
func TestRecentSinceAllocates(t *testing.T) {
	var r recentOps
	r.clear()
	r.fakeTx(0, 600, true, func() {
		for seq := uint64(1); seq <= 600; seq++ {
			team := []string{"Noord", "Oost"}[seq%2]
			r.add(seq, fmt.Sprint("op", seq), "d", team, []byte("{}"), nil)
		}
	})
	// A running transaction from 600 on, with entries of its own.
	r.txEpoch, r.start = r.epoch, 600
	for seq := uint64(601); seq <= 610; seq++ {
		r.add(seq, fmt.Sprint("op", seq), "d", "Noord", []byte("{}"), nil)
	}
	var got []recentOp
	allocs := testing.AllocsPerRun(20, func() {
		got, _ = r.since(0, []string{"Noord", "Oost"})
	})
	if len(got) != 610 || !slices.IsSortedFunc(got, func(a, b recentOp) int { return cmp.Compare(a.seq, b.seq) }) {
		t.Fatalf("%d entries, in order %v", len(got), slices.IsSortedFunc(got, func(a, b recentOp) int { return cmp.Compare(a.seq, b.seq) }))
	}
	// 3: the runs, the committed entries, the running transaction's
	// added; the race detector adds one.
	if allocs > 4 {
		t.Fatalf("since allocates %.0f times; want at most 4", allocs)
	}
}

// BenchmarkRecentSinceShared: the index's answer for a device of a
// 200-device burst with shares (visit-shared): its team's run and the
// owning team's, 400 entries each in stretches of a sync's 10 ops, of
// which the device holds its team's and one in ten of the other's.
// "all" is since and the holds check after it (as before bc59217),
// "held" sinceHeld.
func BenchmarkRecentSinceShared(b *testing.B) {
	var r recentOps
	r.clear()
	r.fakeTx(0, 800, true, func() {
		for seq := uint64(1); seq <= 800; seq++ {
			team := []string{"Noord", "Oost"}[(seq-1)/10%2]
			dossier := fmt.Sprint(team, seq/10%10) // Oost0 is shared with Noord
			r.add(seq, fmt.Sprint("op", seq), dossier, team, []byte("{}"), nil)
		}
	})
	r.txEpoch, r.start = r.epoch, 800 // the next transaction, as in a pull
	holds := func(dk string) bool { return strings.HasPrefix(dk, "Noord") || dk == "Oost0" }
	teams := []string{"Noord", "Oost"}
	if got, ok := r.sinceHeld(0, teams, 1, holds); !ok || len(got) <= 400 || len(got) >= 800 {
		b.Fatalf("%d entries, %v; want the 400 of Noord and a few of Oost", len(got), ok)
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			got, _ := r.since(0, teams)
			n := 0
			for _, e := range got {
				if holds(e.dossier) {
					n++
				}
			}
		}
	})
	b.Run("held", func(b *testing.B) {
		for b.Loop() {
			got, _ := r.sinceHeld(0, teams, 1, holds)
			n := 0
			for _, e := range got {
				if holds(e.dossier) {
					n++
				}
			}
		}
	})
}
