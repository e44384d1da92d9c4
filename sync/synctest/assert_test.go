package synctest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
)

// refusedIDs collects the ops the server refused to any replica: a write
// to a dossier that moved to another team meanwhile (forbidden), or to a
// dossier whose creation was refused earlier (unknown). They never reached
// the others, by design; any other refusal fails the test.
func refusedIDs(t *testing.T, reps []*replica) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range reps {
		list, err := client.Refused(r.st)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.Code != protocol.RefuseForbidden && x.Code != protocol.RefuseUnknown {
				t.Errorf("%s: op %s on %s refused with %s: %s", r.name, x.ID, x.Field, x.Code, x.Reason)
			}
			out[x.ID] = true
		}
	}
	return out
}

// fieldsOf lists the distinct fields of ops, sorted.
func fieldsOf(ops []store.Op) []string {
	var fs []string
	for _, op := range ops {
		fs = append(fs, op.Field)
	}
	slices.Sort(fs)
	return slices.Compact(fs)
}

// idsOf returns the sorted op ids of ops, failing on a duplicate.
func idsOf(t *testing.T, who, dossier string, ops []store.Op) []string {
	t.Helper()
	ids := make([]string, 0, len(ops))
	for _, op := range ops {
		ids = append(ids, op.ID)
	}
	slices.Sort(ids)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("%s holds op %s of dossier %s twice", who, ids[i], dossier)
		}
	}
	return ids
}

// reachable returns the ops of field reachable from its heads through
// prev, looking ops up in byID.
func reachable(heads []store.Head, byID map[string]store.Op) map[string]bool {
	seen := map[string]bool{}
	stack := make([]string, 0, len(heads))
	for _, h := range heads {
		stack = append(stack, h.ID)
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		stack = append(stack, byID[id].Prev...)
	}
	return seen
}

func isText(field string) bool {
	_, k, err := store.ParseField(field)
	return err == nil && k == store.KindText
}

// assertConverged checks the end state of a run against the server's
// store srv:
//   - every op made (and not refused) is on the server exactly once, and
//     the server holds nothing else;
//   - each replica holds exactly the dossiers of its team, with the same
//     summary, document and heads of every field as the server; replicas
//     enrolled from the start hold exactly the server's ops of each;
//   - no text edit is lost: each text op is a head or in the prev history
//     of a head of its field, on the server and on every replica (walking
//     the replica's own log where it holds whole histories);
//   - nothing waits in any outbox.
func assertConverged(t *testing.T, srv *store.Store, reps []*replica, made map[string]store.Op) {
	t.Helper()
	refused := refusedIDs(t, reps)
	want := map[string]map[string]bool{} // dossier -> op ids expected on the server
	for id, op := range made {
		if refused[id] {
			continue
		}
		if want[op.Dossier] == nil {
			want[op.Dossier] = map[string]bool{}
		}
		want[op.Dossier][id] = true
	}
	sums, err := srv.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != len(want) {
		t.Fatalf("server holds %d dossiers, the replicas made %d", len(sums), len(want))
	}
	type dossier struct {
		sum    store.Summary
		client *store.Client
		ops    []store.Op
		ids    []string
		heads  map[string][]store.Head
		byID   map[string]store.Op
	}
	all := map[string]*dossier{}
	total := 0
	for _, sm := range sums {
		ops, err := srv.Ops(sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		d := &dossier{sum: sm, ops: ops, ids: idsOf(t, "server", sm.ID, ops), heads: map[string][]store.Head{}, byID: map[string]store.Op{}}
		total += len(ops)
		if len(ops) != len(want[sm.ID]) {
			t.Fatalf("server holds %d ops of dossier %s, the replicas made %d", len(ops), sm.ID, len(want[sm.ID]))
		}
		for _, op := range ops {
			if !want[sm.ID][op.ID] {
				t.Fatalf("server holds op %s that no replica made (or that was refused)", op.ID)
			}
			d.byID[op.ID] = op
		}
		if d.client, err = srv.Client(sm.ID); err != nil {
			t.Fatal(err)
		}
		for _, f := range fieldsOf(ops) {
			if d.heads[f], err = srv.Heads(sm.ID, f); err != nil {
				t.Fatal(err)
			}
		}
		noTextLost(t, "server", d.heads, d.byID, ops)
		all[sm.ID] = d
	}
	st, err := srv.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Ops != total {
		t.Fatalf("server log holds %d ops, its dossiers %d", st.Ops, total)
	}

	for _, r := range reps {
		rs, err := r.st.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if rs.Outbox != 0 {
			t.Fatalf("%s: %d ops still wait in the outbox", r.name, rs.Outbox)
		}
		mine, err := r.st.Summaries()
		if err != nil {
			t.Fatal(err)
		}
		held := map[string]store.Summary{}
		for _, sm := range mine {
			held[sm.ID] = sm
		}
		for id, d := range all {
			sm, ok := held[id]
			if d.sum.Team != r.team {
				if ok {
					t.Fatalf("%s (team %s) holds dossier %s of team %s", r.name, r.team, id, d.sum.Team)
				}
				continue
			}
			if !ok {
				t.Fatalf("%s (team %s) lacks dossier %s of its team", r.name, r.team, id)
			}
			if !reflect.DeepEqual(sm, d.sum) {
				t.Fatalf("%s: summary of %s differs from the server's:\n got %+v\nwant %+v", r.name, id, sm, d.sum)
			}
			c, err := r.st.Client(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, d.client) {
				t.Fatalf("%s: dossier %s differs from the server's:\n got %+v\nwant %+v", r.name, id, c, d.client)
			}
			heads := map[string][]store.Head{}
			for f, want := range d.heads {
				got, err := r.st.Heads(id, f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: heads of %s/%s differ from the server's:\n got %+v\nwant %+v", r.name, id, f, got, want)
				}
				heads[f] = got
			}
			ops, err := r.st.Ops(id)
			if err != nil {
				t.Fatal(err)
			}
			ids := idsOf(t, r.name, id, ops)
			if !r.full {
				// A snapshot device lacks superseded history; walk the
				// server's log from its (equal) heads.
				noTextLost(t, r.name, heads, d.byID, d.ops)
				continue
			}
			if !slices.Equal(ids, d.ids) {
				t.Fatalf("%s holds %d ops of dossier %s, the server %d", r.name, len(ids), id, len(d.ids))
			}
			byID := make(map[string]store.Op, len(ops))
			for _, op := range ops {
				byID[op.ID] = op
			}
			noTextLost(t, r.name, heads, byID, ops)
		}
		for id := range held {
			if all[id] != nil {
				continue
			}
			// Every dossier a replica made reaches the server: one created
			// offline and handed to another team before its first sync is a
			// creation plus a transfer (docs/sync.md), never stuck here.
			ops, err := r.st.Ops(id)
			if err != nil {
				t.Fatal(err)
			}
			t.Fatalf("%s holds dossier %s (%d ops) the server does not know", r.name, id, len(ops))
		}
	}
}

// noTextLost checks that every text op of ops is a head of its field or
// reachable from one through prev, walking byID.
func noTextLost(t *testing.T, who string, heads map[string][]store.Head, byID map[string]store.Op, ops []store.Op) {
	t.Helper()
	reach := map[string]map[string]bool{}
	for _, op := range ops {
		if !isText(op.Field) {
			continue
		}
		r, ok := reach[op.Field]
		if !ok {
			r = reachable(heads[op.Field], byID)
			reach[op.Field] = r
		}
		if !r[op.ID] {
			t.Fatalf("%s: text op %s (%q) on %s is neither a head nor in a head's history", who, op.ID, op.Value, op.Field)
		}
	}
}
