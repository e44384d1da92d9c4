package server

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// recentOps keeps the ops numbered most recently, with their JSON and the
// ops decoded from it, filed by
// the team their dossier was in when they were stored (docs/sync.md, "One
// sync"). It serves the pull of a settled device, the common case (a
// device that is caught up and whose view has nothing to change): instead
// of walking x_seq from the device's cursor, which costs a look at every op
// any team stored since, and reading each op of its teams from the log, the
// pull takes the entries of its teams after its cursor from memory. When
// many devices sync at once, that pull runs in the shared write
// transaction, so this is time every device in the group waits for.
//
// The index is complete for the sequence numbers in (lo, hi]: every x_seq
// entry in that range is in it, filed under its dossier's team. Only sync
// pushes add entries, through the transaction hooks of the group committer
// (begin, add, finish, done): entries of a transaction wait in pending and
// join the index when it committed. Anything else that writes or deletes
// x_seq entries (a write over SSH, an erasure) calls invalidate, and the
// index starts afresh with the next committed sync transaction; so do
// another process's erasures and access changes on a shared storage
// (processes.go). Ops another process numbered are read from the storage
// when this process's next sync transaction begins and filed (takeIn), so
// the index stays complete across processes. Whatever is unsure, the
// pull falls back to reading the file, so the index can only save work,
// never change an answer.
//
// A team of an entry is the team of its dossier at the time, which is not
// always its team now: a dossier that moved keeps its older entries under
// its old team. The filing only narrows the search; the pull judges every
// entry it takes by the dossier's team now, in its transaction
// (catchUpRecent), so an answer never holds an op of a dossier the device
// may not see, whatever cursor it sends (a device may send 0 or any older
// cursor; for one settled with nothing received since, 0 is its settled
// cursor). Nothing is missed either: a dossier that came into a team since
// a device settled bumped the view generation (setDossierTeam), so the
// device's next pull works its view out and sends the dossier whole; its
// later ops are filed under the new team.
type recentOps struct {
	mu     sync.Mutex
	valid  bool
	lo, hi uint64
	teams  map[string][]recentOp
	n      int
	bytes  int    // JSON bytes of the entries kept
	max    int    // entries kept; 0 means defaultRecentOps
	budget int    // JSON bytes kept; 0 means defaultRecentBytes
	epoch  uint64 // counts invalidations
	off    bool   // never answer (tests compare with and without)
	hits   int    // answers given, for tests
	asked  int    // answers asked for (not off), for tests
	// takenIn counts the ops other processes numbered that takeIn
	// filed, for tests.
	takenIn int

	// The running transaction's state, touched only by the goroutine that
	// runs it (the group's leader) and by pulls within it.
	pending    map[string][]recentOp // its entries by team, in order: a pull looks up its teams' alone
	start, end uint64                // x_seq's sequence when the transaction began, ended
	txEpoch    uint64                // epoch when it began
}

// defaultRecentOps is how many ops the index keeps: a few bursts of every
// device of a region syncing at once (about 8 MB of JSON).
const defaultRecentOps = 20000

// defaultRecentBytes bounds the JSON the index keeps, whatever the size of
// its ops: 20,000 ops with values of 64 KiB would be 1.25 GiB. With about
// 250 bytes of bookkeeping per entry (the decoded op's strings share its
// JSON; its struct and prev list do not), the index holds at most about
// 21 MiB.
const defaultRecentBytes = 16 << 20

// recentOp is one numbered op: its seq, 16-byte op and dossier keys in
// string form, its JSON (store.Tx.OpJSON), and the op decoded from that
// JSON by decodeOpJSON, as a compact page would decode it (nil when it
// did not decode; the page then reads the JSON). A burst's answers hold
// each op of the index some 20 times: decoding it once, when it is
// pushed, instead of in every answer saves that many decodes. Entries
// never change.
type recentOp struct {
	seq         uint64
	op, dossier string
	json        []byte
	dec         *store.Op
}

// begin starts a transaction's entries. When the sequence moved past the
// index's end since this process's last sync transaction (another
// process on a shared storage numbered ops), the ops numbered in between
// are read from the storage and filed (takeIn), so that the index stays
// complete; failing that, done starts it afresh.
func (r *recentOps) begin(tx Tx) {
	r.mu.Lock()
	r.txEpoch = r.epoch
	valid, hi := r.valid, r.hi
	r.mu.Unlock()
	clear(r.pending)
	r.start = tx.LastSeq()
	r.end = 0
	if valid && hi < r.start {
		r.takeIn(tx, hi, r.start)
	}
}

// takeIn files the ops numbered in (hi, start], which this process did
// not number, as the storage holds them (storage.NumberedReader: one
// query), each under its dossier's team now, and moves the index's end to
// start. start is the last number the running write transaction read
// under the write lock: every number up to it was given by a transaction
// that has committed, so none can still appear in the range (the
// sequence's invariant, docs/postgres.md), and the index may claim it
// whole. Another process's writes that change access or take ops away
// (moves, shares, memberships, erasures) raise the storage's count of
// changes, which invalidated the index before this (processes.go); what
// remains between two sync transactions of this process are ops stored
// and numbered on dossiers whose team did not change, so the team now is
// the team they were stored under, as a push of this process files them.
// An index that cannot be extended (a backend without the reader, a gap
// of more than half the index, an op without its body, an error, an
// invalidation meanwhile) is left as it is, and done starts it afresh.
func (r *recentOps) takeIn(tx Tx, hi, start uint64) {
	nr, ok := tx.(storage.NumberedReader)
	if !ok || start-hi > uint64(cmp.Or(r.max, defaultRecentOps)/2) {
		return
	}
	got := map[string][]recentOp{}
	n, size := 0, 0
	err := nr.NumberedOps(hi, start, func(o storage.NumberedOp) error {
		var dec *store.Op
		if d, err := decodeOpJSON(o.JSON); err == nil {
			dec = &d
		}
		got[o.Team] = append(got[o.Team], recentOp{o.Seq, o.Op, o.Dossier, o.JSON, dec})
		n, size = n+1, size+len(o.JSON)
		return nil
	})
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.valid || r.epoch != r.txEpoch || r.hi != hi {
		return
	}
	for team, list := range got {
		r.teams[team] = append(r.teams[team], list...)
	}
	r.n, r.bytes, r.hi = r.n+n, r.bytes+size, start
	r.takenIn += n
	r.trim()
}

// add files an op stored and numbered in the running transaction.
func (r *recentOps) add(seq uint64, op, dossier, team string, json []byte, dec *store.Op) {
	if r.pending == nil {
		r.pending = map[string][]recentOp{}
	}
	r.pending[team] = append(r.pending[team], recentOp{seq, op, dossier, json, dec})
}

// finish records where the transaction's numbering ended.
func (r *recentOps) finish(tx Tx) { r.end = tx.LastSeq() }

// done ends a transaction: its entries join the index when it committed.
func (r *recentOps) done(committed bool) {
	pending := r.pending
	r.pending = nil
	if !committed || r.end == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.epoch != r.txEpoch {
		r.clear() // invalidated while it ran: start afresh next time
		return
	}
	if !r.valid || r.hi != r.start {
		r.clear()
		r.valid, r.lo = true, r.start
	}
	for team, list := range pending {
		r.teams[team] = append(r.teams[team], list...)
		for _, e := range list {
			r.bytes += len(e.json)
		}
		r.n += len(list)
	}
	r.hi = r.end
	r.trim()
}

// invalidate forgets the index: x_seq changed outside sync pushes.
func (r *recentOps) invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.epoch++
	r.clear()
}

func (r *recentOps) clear() {
	r.valid, r.lo, r.hi, r.n, r.bytes = false, 0, 0, 0, 0
	r.teams = map[string][]recentOp{}
}

// trim drops the oldest entries when there are more than max, or more
// JSON bytes than budget, down to half of both, and moves lo past them.
func (r *recentOps) trim() {
	limit, budget := cmp.Or(r.max, defaultRecentOps), cmp.Or(r.budget, defaultRecentBytes)
	if r.n <= limit && r.bytes <= budget {
		return
	}
	type sized struct {
		seq  uint64
		size int
	}
	all := make([]sized, 0, r.n)
	for _, list := range r.teams {
		for _, e := range list {
			all = append(all, sized{e.seq, len(e.json)})
		}
	}
	slices.SortFunc(all, func(a, b sized) int { return cmp.Compare(a.seq, b.seq) })
	// Keep the newest entries while both halves allow; entries up to cut go.
	keep, kept := 0, 0
	for keep < len(all) && keep < limit/2 && kept+all[len(all)-1-keep].size <= budget/2 {
		kept += all[len(all)-1-keep].size
		keep++
	}
	if keep == len(all) {
		return
	}
	cut := all[len(all)-1-keep].seq
	for team, list := range r.teams {
		i, _ := slices.BinarySearchFunc(list, cut+1, func(e recentOp, s uint64) int { return cmp.Compare(e.seq, s) })
		r.n -= i
		for _, e := range list[:i] {
			r.bytes -= len(e.json)
		}
		if i == len(list) {
			delete(r.teams, team)
		} else {
			r.teams[team] = slices.Clone(list[i:])
		}
	}
	r.lo = max(r.lo, cut)
}

// since returns the entries of teams numbered after cursor, in order:
// those committed and those of the running transaction so far. It reports
// false when the index cannot tell (not complete from cursor on, or
// changed since the transaction began); the caller then reads the file.
func (r *recentOps) since(cursor uint64, teams []string) ([]recentOp, bool) {
	return r.sinceHeld(cursor, teams, len(teams), nil)
}

// sinceHeld is since, with the entries of teams[own:] (teams whose
// dossiers a device sees only where they are shared with it) only where
// held says the device holds their dossier. Most of those entries are of
// dossiers not shared: left out before the merge, they are neither
// copied nor merged. The caller judges every entry by held again, so the
// answer is the one since gives (TestSharedShortcutsAnswerAsTheFileDoes).
func (r *recentOps) sinceHeld(cursor uint64, teams []string, own int, held func(dossier string) bool) ([]recentOp, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off {
		return nil, false
	}
	r.asked++
	if !r.valid || r.epoch != r.txEpoch || r.hi != r.start || cursor < r.lo {
		return nil, false
	}
	// The committed entries, then the running transaction's: all of
	// these are numbered after all of those (r.hi == r.start).
	var runs [][]recentOp
	after := func(out []recentOp, lists map[string][]recentOp) []recentOp {
		runs = runs[:0]
		n := 0
		for t, team := range teams {
			list := lists[team]
			i, _ := slices.BinarySearchFunc(list, cursor+1, func(e recentOp, s uint64) int { return cmp.Compare(e.seq, s) })
			if t >= own && held != nil && i < len(list) {
				var kept []recentOp
				for _, e := range list[i:] {
					if held(e.dossier) {
						kept = append(kept, e)
					}
				}
				list, i = kept, 0
			}
			if i < len(list) {
				runs = append(runs, list[i:])
				n += len(list) - i
			}
		}
		// Room for them all at once: grown by appending, the answer
		// of a device of a burst (some 200-600 entries of 72 bytes)
		// was allocated and copied nine times over.
		return mergeRuns(slices.Grow(out, n), runs)
	}
	out := after(nil, r.teams)
	out = after(out, r.pending)
	r.hits++
	return out, true
}

// mergeRuns appends the entries of runs, each in order of seq, to out in
// order of seq. A device of several teams (or with shares) reads a run per
// team; merging them is linear where sorting their concatenation, under
// the index's lock inside the group's transaction, was 8% of a burst with
// shares. The runs interleave in stretches (a sync's ops are numbered one
// after the other, under one team), so each step copies the whole stretch
// of the run with the lowest head that comes before every other run's
// head, not one entry: choosing entry by entry was 3% of a burst's CPU
// with shares, all of it in the group's transaction.
func mergeRuns(out []recentOp, runs [][]recentOp) []recentOp {
	for len(runs) > 1 {
		m := 0 // the run with the lowest head
		for j := 1; j < len(runs); j++ {
			if runs[j][0].seq < runs[m][0].seq {
				m = j
			}
		}
		next := uint64(math.MaxUint64) // the lowest head of the others
		for j, r := range runs {
			if j != m && r[0].seq < next {
				next = r[0].seq
			}
		}
		run := runs[m]
		n := 1
		for n < len(run) && run[n].seq < next {
			n++
		}
		out = append(out, run[:n]...)
		if runs[m] = run[n:]; len(runs[m]) == 0 {
			runs = slices.Delete(runs, m, m+1)
		}
	}
	if len(runs) == 1 {
		out = append(out, runs[0]...)
	}
	return out
}
