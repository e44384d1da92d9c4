package server

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/migrate"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// migrateRegion is a bbolt region with every kind of record, and what the
// test needs of it afterwards.
type migrateRegion struct {
	e          *env
	anna, carl *device
	erased     string
	annaSeen   uint64 // anna's cursor after her last sync on bbolt
	missed     map[string]bool
}

// newMigrateRegion builds the region through the server's own paths
// (syncs from devices, an erasure, a share, an organisation, SSH keys,
// invites, audit entries) and, for the kinds no test path reaches in a
// few lines (drafts, a receipt), through the storage.
func newMigrateRegion(t *testing.T) *migrateRegion {
	if testBackend != "bolt" {
		t.Skipf("migrates a bbolt region to PostgreSQL; the backend is %s", testBackend)
	}
	e := newEnv(t)
	e.must(e.srv.db.Update(func(tx Tx) error { return tx.SetSetting("public_url", []byte("https://brug.example")) }))
	if _, err := e.admin.AddOrg(store.Org{Name: "Gemeente Arnhem", Kind: "municipality"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.AddTeamOf("Noord", "Gemeente Arnhem"); err != nil {
		t.Fatal(err)
	}
	e.teams("Zuid")
	r := &migrateRegion{e: e, missed: map[string]bool{}}
	r.anna = e.user("anna", "coach", "Noord")
	r.carl = e.user("carl", "coach", "Noord")
	bert := e.user("bert", "coach", "Zuid")
	if _, err := e.admin.AddKeys("anna", []byte(testKey(t, "anna"))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.admin.Invite("bert"); err != nil { // an unused code
		t.Fatal(err)
	}
	var ids []string
	for i, name := range []string{"Noor", "Sem", "Lotte", "Daan"} {
		id, ops := r.anna.create("Noord", name)
		ops = append(ops, r.anna.op(id, "phone", "06-1234567"+string(rune('0'+i))))
		r.anna.syncAll(ops...)
		ids = append(ids, id)
	}
	// A share of Sem with Zuid, which bert then reads.
	_, sops := r.anna.share(ids[1], shareSpec{team: "Zuid", mode: "read", from: "2026-11-01", until: "2026-12-31", consentDate: "2026-11-01", how: "spoken"})
	r.anna.syncAll(sops...)
	bert.syncAll()
	// A refusal: bert writes to Noor, which is not shared with Zuid.
	if resp := bert.sync(bert.op(ids[0], "phone", "0")); len(resp.Refused) != 1 {
		t.Fatalf("bert's write to another team's dossier: %+v", resp)
	}
	// An erasure, which both devices of Noord learn of.
	r.erased = ids[3]
	if _, err := e.admin.Erase(r.erased); err != nil {
		t.Fatal(err)
	}
	r.carl.syncAll()
	r.anna.syncAll()
	r.annaSeen = r.anna.cursor
	// What anna misses: carl's ops after her last sync on bbolt.
	more := []store.Op{r.carl.op(ids[0], "phone", "06-99"), r.carl.op(ids[2], "goal", "werk")}
	_, ops := r.carl.create("Noord", "Fenna")
	more = append(more, ops...)
	for _, id := range r.carl.sync(more...).Accepted {
		r.missed[id] = true
	}
	if len(r.missed) < len(ops) {
		t.Fatalf("carl's ops accepted: %d, want at least %d", len(r.missed), len(ops))
	}
	e.must(e.srv.db.Update(func(tx Tx) error {
		if err := tx.PutDraft(ids[2], 3, "anna", "een halve zin"); err != nil {
			return err
		}
		return tx.PutReceipt(r.erased, r.anna.id, storage.Receipt{Kind: "erased", At: t0})
	}))
	return r
}

// closeSource stops the region's bbolt server, so the copy can open it;
// it is opened again at the end, for the env's own check of the file.
func (r *migrateRegion) closeSource(t *testing.T) {
	r.e.http.Close()
	r.e.must(r.e.srv.Close())
	t.Cleanup(func() {
		srv, err := Open(r.e.path, Options{Now: r.e.clock.Now, NoSync: true})
		if err != nil {
			t.Errorf("open the source again: %v", err)
			return
		}
		r.e.srv, r.e.http = srv, httptest.NewServer(srv.Handler())
	})
}

func openSourceT(t *testing.T, path string) storage.Storage {
	t.Helper()
	src, err := OpenSource(path, nil)
	if err != nil {
		t.Fatalf("open the source: %v", err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func openTargetT(t *testing.T, dsn string, master string) storage.Storage {
	t.Helper()
	dst, err := OpenTarget(dsn, "", &store.Encryption{Keyring: store.KeyFile{Name: master}})
	if err != nil {
		t.Fatalf("open the target: %v", err)
	}
	t.Cleanup(func() { dst.Close() })
	return dst
}

// TestMigrateBoltToPostgres copies a region with every kind of record to
// PostgreSQL, verifies it, runs again (nothing changes), and serves the
// copy: a device synced on bbolt continues there with its old token and
// cursor and gets exactly the ops it missed.
func TestMigrateBoltToPostgres(t *testing.T) {
	r := newMigrateRegion(t)
	dsn := pgtest.DB(t)
	master := filepath.Join(t.TempDir(), "master.key")

	// The source is refused while a server holds it.
	if _, err := OpenSource(r.e.path, nil); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("open the source while brug serve holds it: %v, want ErrLocked", err)
	}
	r.closeSource(t)
	src := openSourceT(t, r.e.path)
	dst := openTargetT(t, dsn, master)

	rep, err := migrate.Migrate(src, dst, migrate.Options{Batch: 7})
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if rep.AlreadyComplete || rep.Resumed || rep.NewOps == 0 {
		t.Errorf("first run: %+v", rep)
	}
	// Every kind the region has is there, on both sides, the same.
	for _, k := range rep.Kinds {
		if !k.Same() {
			t.Errorf("%s: source %d %s, copy %d %s", k.Name, k.Source, k.SourceDigest, k.Target, k.TargetDigest)
		}
		if k.Source == 0 {
			t.Errorf("%s: the test region has none; it should have every kind", k.Name)
		}
	}
	// The audit chain holds on the copy, and goes on there.
	err = dst.View(func(tx storage.Tx) error {
		rep, err := storage.VerifyAudit(tx)
		if err == nil && (len(rep.Breaks) > 0 || rep.More > 0) {
			t.Errorf("the copy's audit chain breaks: %+v", rep.Breaks)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The erased dossier: a tombstone and no key.
	checkErasedCopy(t, dst, dsn, r.erased)

	// A second run changes nothing and says so.
	var before uint64
	dst.View(func(tx storage.Tx) error { before = tx.LastSeq(); return nil })
	rep2, err := migrate.Migrate(src, dst, migrate.Options{Batch: 7, AfterBatch: func(stage string) error {
		t.Errorf("a second run on a complete copy wrote a batch (%s)", stage)
		return nil
	}})
	if err != nil || !rep2.AlreadyComplete || rep2.NewOps != 0 {
		t.Fatalf("second run: %+v, %v", rep2, err)
	}
	var after uint64
	dst.View(func(tx storage.Tx) error { after = tx.LastSeq(); return nil })
	if after != before {
		t.Errorf("a second run moved the copy's counter: %d, was %d", after, before)
	}
	src.Close()
	dst.Close()

	// Serve the copy: anna continues with her old token and cursor.
	srv, err := Open(dsn, Options{Now: r.e.clock.Now, Encryption: &store.Encryption{Keyring: store.KeyFile{Name: master}}})
	if err != nil {
		t.Fatalf("serve the copy: %v", err)
	}
	pe := &env{t: t, srv: srv, http: httptest.NewServer(srv.Handler()), clock: r.e.clock, admin: srv.Admin("tester", ChannelCLI), path: dsn}
	t.Cleanup(func() { pe.http.Close(); srv.Close() })
	r.anna.e, r.carl.e = pe, pe
	if r.anna.cursor != r.annaSeen {
		t.Fatalf("anna's cursor moved: %d, want %d", r.anna.cursor, r.annaSeen)
	}
	resp := r.anna.sync()
	got := map[string]bool{}
	for _, op := range resp.Ops {
		got[op.ID] = true
	}
	if len(got) != len(r.missed) {
		t.Errorf("anna got %d ops on the copy, want the %d she missed", len(got), len(r.missed))
	}
	for id := range r.missed {
		if !got[id] {
			t.Errorf("anna did not get op %s she missed", id)
		}
	}
	if len(resp.Erased) > 0 || len(resp.Drop) > 0 || resp.More {
		t.Errorf("anna's first sync on the copy: erased %v, drop %v, more %v", resp.Erased, resp.Drop, resp.More)
	}
	// And the copy goes on: carl's next dossier reaches her.
	_, ops := r.carl.create("Noord", "Jip")
	if n := len(r.carl.sync(ops...).Accepted); n != len(ops) {
		t.Fatalf("carl's push to the copy: %d of %d accepted", n, len(ops))
	}
	resp = r.anna.sync()
	if len(resp.Ops) != len(ops) {
		t.Errorf("anna's next sync on the copy: %d ops, want carl's %d", len(resp.Ops), len(ops))
	}
}

// checkErasedCopy: an erased dossier's copy is a tombstone without ops,
// drafts or a key in the key store.
func checkErasedCopy(t *testing.T, dst storage.Storage, dsn, id string) {
	t.Helper()
	err := dst.View(func(tx storage.Tx) error {
		if !tx.Erased(id) || tx.Exists(id) {
			t.Errorf("the erased dossier on the copy: erased %v, exists %v", tx.Erased(id), tx.Exists(id))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	u, err := uuid.Parse(id)
	if err != nil {
		t.Fatal(err)
	}
	dk := u[:]
	var n, all int
	if err := conn.QueryRow(ctx, "SELECT count(*) FILTER (WHERE dossier = $1), count(*) FROM dossier_keys", dk).Scan(&n, &all); err != nil {
		t.Fatal(err)
	}
	if n != 0 || all == 0 {
		t.Errorf("key store of the copy: %d keys of the erased dossier (want 0), %d in all", n, all)
	}
}

// TestMigrateCutOffAndRerun cuts a copy off between batches, at every
// stage in turn, and runs it again: the second run completes it.
func TestMigrateCutOffAndRerun(t *testing.T) {
	r := newMigrateRegion(t)
	r.closeSource(t)
	src := openSourceT(t, r.e.path)
	master := filepath.Join(t.TempDir(), "master.key")
	cut := errors.New("cut off")
	for _, at := range []int{1, 3, 6, 12} {
		dst := openTargetT(t, pgtest.DB(t), master)
		n := 0
		_, err := migrate.Migrate(src, dst, migrate.Options{Batch: 3, AfterBatch: func(string) error {
			if n++; n == at {
				return cut
			}
			return nil
		}})
		if !errors.Is(err, cut) {
			t.Fatalf("cut after batch %d: %v", at, err)
		}
		rep, err := migrate.Migrate(src, dst, migrate.Options{Batch: 3})
		if err != nil {
			t.Fatalf("run again after a cut at batch %d: %v", at, err)
		}
		if !rep.Resumed || rep.AlreadyComplete {
			t.Errorf("run after a cut at batch %d: %+v", at, rep)
		}
		for _, k := range rep.Kinds {
			if !k.Same() {
				t.Errorf("cut at %d: %s differs", at, k.Name)
			}
		}
	}
}

// TestMigrateRefusesAnotherRegion: a target holding another region (a
// copy of one, or a region served there) or a database of something
// else is refused with a clear error, and left as it was.
func TestMigrateRefusesAnotherRegion(t *testing.T) {
	r := newMigrateRegion(t)
	other := newEnv(t)
	other.teams("West")
	otherPath := other.path
	(&migrateRegion{e: other}).closeSource(t)
	r.closeSource(t)
	master := filepath.Join(t.TempDir(), "master.key")
	src := openSourceT(t, r.e.path)

	// A copy of the other region.
	dsn := pgtest.DB(t)
	dst := openTargetT(t, dsn, master)
	osrc := openSourceT(t, otherPath)
	if _, err := migrate.Migrate(osrc, dst, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.Migrate(src, dst, migrate.Options{}); !errors.Is(err, migrate.ErrOtherRegion) {
		t.Errorf("migrate into a copy of another region: %v, want ErrOtherRegion", err)
	}

	// A region served on PostgreSQL (not a copy).
	dsn2 := pgtest.DB(t)
	srv, err := Open(dsn2, Options{Now: r.e.clock.Now, Encryption: &store.Encryption{Keyring: store.KeyFile{Name: master}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Admin("tester", ChannelCLI).AddTeam("Oost"); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	dst2 := openTargetT(t, dsn2, master)
	_, err = migrate.Migrate(src, dst2, migrate.Options{})
	if !errors.Is(err, migrate.ErrOtherRegion) || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("migrate into a region in use: %v", err)
	}

	// A copy served since.
	dsn3 := pgtest.DB(t)
	dst3 := openTargetT(t, dsn3, master)
	if _, err := migrate.Migrate(src, dst3, migrate.Options{}); err != nil {
		t.Fatal(err)
	}
	dst3.Close()
	srv3, err := Open(dsn3, Options{Now: r.e.clock.Now, Encryption: &store.Encryption{Keyring: store.KeyFile{Name: master}}})
	if err != nil {
		t.Fatal(err)
	}
	srv3.Close()
	dst3 = openTargetT(t, dsn3, master)
	if _, err := migrate.Migrate(src, dst3, migrate.Options{}); !errors.Is(err, migrate.ErrServedSince) {
		t.Errorf("migrate into a copy served since: %v, want ErrServedSince", err)
	}

	// A database of something else.
	dsn4 := pgtest.DB(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE clients (id int)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	_, err = OpenTarget(dsn4, "", nil)
	var foreign *ForeignDBError
	if !errors.As(err, &foreign) || foreign.Tables[0] != "clients" {
		t.Errorf("open a database of something else as the target: %v", err)
	}
	// A PostgreSQL URL as the source, a file as the target.
	if _, err := OpenSource(dsn4, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a URL as the source: %v", err)
	}
	if _, err := OpenTarget(r.e.path, "", nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a file as the target: %v", err)
	}
}
