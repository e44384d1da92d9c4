package synctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// TestPostgresRegionSyncsLaptops: a region served from PostgreSQL
// (server.Open on a postgres:// URL, as `brug serve --store` does) takes
// laptops' edits, converges them (a concurrent edit kept as a conflict on
// every laptop), survives a restart of the server without a device
// missing an op, keeps dossier content only sealed at rest, and erases: a
// laptop's next sync erases the dossier, and its key is gone from the key
// store, so the sealed bytes left anywhere cannot be opened.
func TestPostgresRegionSyncsLaptops(t *testing.T) {
	url := pgtest.DB(t)
	srv, hs, admin := startServerAt(t, url)
	piet := newReplica(t, admin, hs.URL, "", nil, "piet", teamNoord, fakeNow(t0))
	kees := newReplica(t, admin, hs.URL, "", nil, "kees", teamNoord, fakeNow(t0.Add(500*time.Millisecond)))
	zoe := newReplica(t, admin, hs.URL, "", nil, "zoe", teamZuid, fakeNow(t0))
	reps := []*replica{piet, kees, zoe}
	rng := rand.New(rand.NewPCG(1, 2))

	noor, err := piet.st.CreateClient(store.NewClient{Name: "Noor Jansen", Team: teamNoord})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := piet.st.CreateClient(store.NewClient{Name: "Gijs Weg", Team: teamNoord})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zoe.st.CreateClient(store.NewClient{Name: "Zara Zuid", Team: teamZuid}); err != nil {
		t.Fatal(err)
	}
	syncUntilQuiet(t, rng, reps, 4)
	// Concurrent edits of one field: both kept, as a conflict, everywhere.
	if _, err := piet.st.Commit(noor, store.Set("step/1/note", "gesprek gehad")); err != nil {
		t.Fatal(err)
	}
	if _, err := kees.st.Commit(noor, store.Set("step/1/note", "belt terug")); err != nil {
		t.Fatal(err)
	}
	syncUntilQuiet(t, rng, reps, 4)
	for _, r := range []*replica{piet, kees} {
		c, err := r.st.Client(noor)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(c.Conflicts, "step/1/note") {
			t.Errorf("%s: the concurrent edits are not kept as a conflict: %v", r.name, c.Conflicts)
		}
	}
	if a, b := opIDs(t, piet.st, noor), opIDs(t, kees.st, noor); !slices.Equal(a, b) {
		t.Fatalf("laptops differ after sync: %v vs %v", a, b)
	}
	if _, err := zoe.st.Client(noor); err == nil {
		t.Error("a laptop of team Zuid received a dossier of team Noord")
	}

	// A restart: the region is in the database, the next syncs go on.
	hs.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = openServer(t, url)
	defer srv.Close()
	hs2 := httptest.NewServer(srv.Handler())
	defer hs2.Close()
	for _, r := range reps {
		r.sync.URL = hs2.URL
		tok, err := r.sync.Tokens.Get(hs.URL)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.sync.Tokens.Set(hs2.URL, tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kees.st.Commit(noor, store.Set("step/1/note", "afgerond")); err != nil {
		t.Fatal(err)
	}
	syncUntilQuiet(t, rng, reps, 4)
	if a, b := opIDs(t, piet.st, noor), opIDs(t, kees.st, noor); !slices.Equal(a, b) {
		t.Fatalf("laptops differ after a restart of the server: %v vs %v", a, b)
	}

	// At rest: no dossier content in the data database in the clear.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT op FROM oplog")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil || len(sealed) == 0 {
		t.Fatalf("the op log: %d rows, %v", len(sealed), err)
	}
	for _, b := range sealed {
		for _, plain := range []string{"Noor Jansen", "gesprek gehad", "step/1/note"} {
			if bytes.Contains(b, []byte(plain)) {
				t.Fatalf("the op log holds %q in the clear", plain)
			}
		}
	}

	// Erasure: the laptops erase it at their next sync; its key is gone.
	if _, err := srv.Admin("tester", "cli").Erase(gone); err != nil {
		t.Fatal(err)
	}
	syncUntilQuiet(t, rng, reps, 4)
	for _, r := range []*replica{piet, kees} {
		if !r.st.Erased(gone) {
			t.Errorf("%s still holds the erased dossier", r.name)
		}
	}
	var keys, ops int
	u, err := uuid.Parse(gone)
	if err != nil {
		t.Fatal(err)
	}
	gk := u[:]
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM dossier_keys WHERE dossier = $1", gk).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM oplog WHERE dossier = $1", gk).Scan(&ops); err != nil {
		t.Fatal(err)
	}
	if keys != 0 || ops != 0 {
		t.Errorf("after the erasure the database holds %d keys and %d ops of the dossier, want none", keys, ops)
	}
	// The other dossiers stay readable.
	if c, err := kees.st.Client(noor); err != nil || c.Name.Value != "Noor Jansen" {
		t.Errorf("a dossier not erased: %+v, %v", c.Name, err)
	}
}

// opIDs is the sorted set of op ids a replica holds for a dossier.
func opIDs(t *testing.T, st *store.Store, dossier string) []string {
	t.Helper()
	ops, err := st.Ops(dossier)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, op := range ops {
		ids = append(ids, op.ID)
	}
	slices.Sort(ids)
	return ids
}

// serverState is the server's op log and merge state as a store to
// assert on: its own op-log store (bbolt), or, for a backend without one
// (PostgreSQL), a store built from every op the backend holds, each
// field's heads checked against the backend's own (its merge through
// store.MergeField) on the way.
func serverState(t *testing.T, srv *server.Server) *store.Store {
	t.Helper()
	if st := srv.Store(); st != nil {
		return st
	}
	var ops []store.Op
	err := srv.Storage().View(func(tx storage.Tx) error {
		return tx.OpsAfter(0, func(_ uint64, op, dossier []byte) (bool, error) {
			raw, err := tx.OpJSON(append(slices.Clone(dossier), op...))
			if errors.Is(err, store.ErrNotFound) {
				return true, nil // erased since it was numbered
			}
			if err != nil {
				return false, err
			}
			var o store.Op
			if err := json.Unmarshal(raw, &o); err != nil {
				return false, err
			}
			ops = append(ops, o)
			return true, nil
		})
	})
	if err != nil {
		t.Fatalf("read the server's ops: %v", err)
	}
	mirror, err := store.Open(filepath.Join(t.TempDir(), "mirror.db"), store.Options{Author: "mirror", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mirror.Close() })
	if _, err := mirror.ApplyRemote(ops); err != nil {
		t.Fatalf("the server's ops do not apply: %v", err)
	}
	fields := map[[2]string]bool{}
	for _, op := range ops {
		fields[[2]string{op.Dossier, op.Field}] = true
	}
	err = srv.Storage().View(func(tx storage.Tx) error {
		for f := range fields {
			got, err := tx.Heads(f[0], f[1])
			if err != nil {
				return err
			}
			want, err := mirror.Heads(f[0], f[1])
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
				t.Errorf("heads of %s %s: the backend has %+v, the store's merge of its ops %+v", f[0], f[1], got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return mirror
}
