package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// pullIndexAndFile runs the pull of dev after cursor twice, in
// transactions that are rolled back, each asking for a compact page: once
// as the server runs it (a settled device's catch-up from the index of
// recent ops, with the ops it holds decoded) and once with the index off
// (the catch-up read from the file, its ops decoded from their JSON).
func pullIndexAndFile(t *testing.T, e *env, dev *device, cursor uint64, limit int) (index, file *answer) {
	t.Helper()
	return pullRolledBack(t, e, dev, cursor, limit, false, false), pullRolledBack(t, e, dev, cursor, limit, true, false)
}

// pullRolledBack runs the pull of dev after cursor in a transaction that
// is rolled back, asking for a compact page, with the index of recent ops
// on or off. With shared, the transaction starts and ends as a sync
// transaction does on a storage several processes share (syncHooks: the
// check of other processes' writes first); otherwise with the index's
// own hooks alone.
func pullRolledBack(t *testing.T, e *env, dev *device, cursor uint64, limit int, off, shared bool) *answer {
	t.Helper()
	out := &answer{compact: true}
	r := &e.srv.recent
	r.mu.Lock()
	r.off = off
	r.mu.Unlock()
	begin, done := r.begin, r.done
	if shared {
		h := syncHooks{e.srv}
		begin, done = h.begin, h.done
	}
	err := e.srv.db.Update(func(tx Tx) error {
		begin(tx)
		d, u, err := authenticate(tx, dev.token)
		if err != nil {
			return err
		}
		if err := e.srv.pull(tx, d, u, cursor, limit, nil, out); err != nil {
			return err
		}
		return errRolledBack
	})
	done(false)
	if shared {
		// Nothing was committed: the count read at the start still
		// describes the storage as this process last left it (done
		// forgets it, to be safe, which would drop the index at the
		// next sync and leave nothing to compare).
		e.srv.processes.known = true
	}
	r.mu.Lock()
	r.off = false
	r.mu.Unlock()
	if !errors.Is(err, errRolledBack) {
		t.Fatalf("pull: %v", err)
	}
	return out
}

// samePullPages checks that two answers make the same ops, the same
// compact page byte for byte and the same JSON answer.
func samePullPages(t *testing.T, what string, index, file *answer) {
	t.Helper()
	if index.count() != file.count() || index.More != file.More || index.Cursor != file.Cursor {
		t.Fatalf("%s: %d ops (more %v, cursor %d) from the index, %d (more %v, cursor %d) from the file", what,
			index.count(), index.More, index.Cursor, file.count(), file.More, file.Cursor)
	}
	iops, err := decodeAnswerOps(index, nil)
	if err != nil {
		t.Fatal(err)
	}
	fops, err := decodeAnswerOps(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(iops, fops) {
		t.Fatalf("%s: the ops differ:\n index %+v\n file  %+v", what, iops, fops)
	}
	ipage, err := protocol.AppendPage(nil, &index.SyncResponse, iops)
	if err != nil {
		t.Fatal(err)
	}
	fpage, err := protocol.AppendPage(nil, &file.SyncResponse, fops)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ipage, fpage) {
		t.Fatalf("%s: the compact pages differ", what)
	}
	var ij, fj bytes.Buffer
	iw, fw := bufio.NewWriter(&ij), bufio.NewWriter(&fj)
	if err := encodeAnswer(iw, index); err != nil {
		t.Fatal(err)
	}
	if err := encodeAnswer(fw, file); err != nil {
		t.Fatal(err)
	}
	iw.Flush()
	fw.Flush()
	if !bytes.Equal(ij.Bytes(), fj.Bytes()) {
		t.Fatalf("%s: the JSON answers differ:\n index %s\n file  %s", what, ij.Bytes(), fj.Bytes())
	}
}

// TestRecentDecodedOpsAsTheFile: the index of recent ops holds each op
// decoded once, when it is pushed, and a settled device's compact page is
// built from those. Such a page holds exactly the ops, in the same order
// and byte for byte, that the page built from the file holds (the ops
// read from the log and decoded from their JSON), through random pushes
// with notes that escape characters, transfers between teams, shares
// given and withdrawn, writes over SSH (which reset the index) and
// erasures, for settled devices at every cursor they had, with and
// without a small limit.
func TestRecentDecodedOpsAsTheFile(t *testing.T) {
	seeds := 4
	if testing.Short() {
		seeds = 1
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 11))
			e := newEnv(t)
			e.teams("Noord", "Oost")
			devs := []*device{
				e.user("anna", protocol.RoleCoach, "Noord"), e.user("bram", protocol.RoleCoach, "Noord"),
				e.user("olga", protocol.RoleCoach, "Oost"), e.user("cor", protocol.RoleCoordinator, "Noord", "Oost"),
			}
			w := &randomWrites{rng: rng, teamOf: map[string]string{"anna": "Noord", "bram": "Noord", "olga": "Oost"}, notes: 12}
			past := map[*device][]uint64{}
			decoded, compared, withOps := 0, 0, 0
			for step := range 150 {
				d := devs[rng.IntN(len(devs))]
				push := w.next(d, step, e)
				if _, status, perr := d.try(0, push...); status != 200 {
					t.Fatalf("step %d: %s: status %d: %s", step, d.user, status, perr.Message)
				}
				// Every device, from its cursor now and from an
				// earlier one, before some of them catch up.
				for _, o := range devs {
					cursors := []uint64{o.cursor}
					if p := past[o]; len(p) > 0 {
						cursors = append(cursors, p[rng.IntN(len(p))])
					}
					for _, c := range cursors {
						limit := protocol.DefaultPullOps
						if rng.IntN(4) == 0 {
							limit = 1 + rng.IntN(8)
						}
						index, file := pullIndexAndFile(t, e, o, c, limit)
						samePullPages(t, fmt.Sprintf("step %d, %s from %d, limit %d", step, o.user, c, limit), index, file)
						compared++
						if len(index.ops) > 0 {
							withOps++
						}
						if len(index.dec) > 0 && len(index.dec) == len(index.ops) {
							decoded++
						}
					}
					if rng.IntN(2) == 0 {
						past[o] = append(past[o], o.cursor)
						o.syncAll()
					}
				}
			}
			t.Logf("%d pulls compared, %d with ops, %d of them from decoded ops", compared, withOps, decoded)
			if decoded < 40 { // 88-158 in the seeds run when it was written

				t.Errorf("only %d of %d pulls with ops were built from the index's decoded ops", decoded, withOps)
			}
		})
	}
}

// randomWrites makes the random writes of the index-against-the-file
// tests: new clients, notes that escape characters, transfers between
// teams, shares given and withdrawn, writes over SSH (which reset the
// index) and erasures.
type randomWrites struct {
	rng      *rand.Rand
	teamOf   map[string]string // coach -> their team
	notes    int               // at most this many notes in one push
	dossiers []string
	shares   map[string]string // dossier -> share id
}

var randomNoteValues = []string{"notitie", `"quote" & <tag> \ slash`, "één—twee", "regel\neen\ttab"}

// next gives what device d pushes at step; SSH writes and erasures go
// through on (a process of the region) at once and push nothing.
func (w *randomWrites) next(d *device, step int, on *env) []store.Op {
	rng := w.rng
	if w.shares == nil {
		w.shares = map[string]string{}
	}
	var push []store.Op
	switch x := rng.IntN(20); {
	case x < 3 && d.user != "cor":
		id, ops := d.create(w.teamOf[d.user], fmt.Sprint("Client ", step))
		w.dossiers = append(w.dossiers, id)
		push = ops
	case x < 13 && len(w.dossiers) > 0:
		id := w.dossiers[rng.IntN(len(w.dossiers))]
		for range 1 + rng.IntN(w.notes) {
			push = append(push, d.op(id, fmt.Sprintf("step/%d/note", 1+rng.IntN(6)), fmt.Sprint(randomNoteValues[rng.IntN(len(randomNoteValues))], " ", step)))
		}
	case x == 13 && len(w.dossiers) > 0:
		id := w.dossiers[rng.IntN(len(w.dossiers))]
		push = []store.Op{d.op(id, "team", []string{"Noord", "Oost"}[rng.IntN(2)])}
	case x == 14 && len(w.dossiers) > 0:
		id := w.dossiers[rng.IntN(len(w.dossiers))]
		if sid, ok := w.shares[id]; ok {
			push = []store.Op{d.op(id, store.ShareField(sid, "withdrawn"), "2026-11-02")}
			delete(w.shares, id)
		} else {
			var sid string
			sid, push = d.share(id, shareSpec{team: []string{"Noord", "Oost"}[rng.IntN(2)], mode: "readwrite",
				from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "written"})
			w.shares[id] = sid
		}
	case x == 15 && len(w.dossiers) > 0:
		ss, err := on.srv.Session("cor", ChannelSSH, "s")
		on.must(err)
		_, err = ss.Commit(w.dossiers[rng.IntN(len(w.dossiers))], store.Set("step/2/note", fmt.Sprint("via ssh ", step)))
		if err != nil && !strings.Contains(err.Error(), "not one of yours") && !strings.Contains(err.Error(), "erased") {
			on.must(err)
		}
	case x == 16 && len(w.dossiers) > 3 && rng.IntN(3) == 0:
		_, err := on.admin.Erase(w.dossiers[rng.IntN(len(w.dossiers))])
		on.must(err)
	}
	return push
}
