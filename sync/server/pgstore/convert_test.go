package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// bodyForms counts the op log's rows by the form of their body: JSON (as
// before migration 00005) or binary.
func bodyForms(t *testing.T, s *Storage) (jsonRows, binRows int) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.Data.Query(ctx, "SELECT dossier, op_id, op FROM oplog")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, id, sealed []byte
		if err := rows.Scan(&d, &id, &sealed); err != nil {
			t.Fatal(err)
		}
		k, err := s.dossierKey(ctx, d, false)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := open(k, append(d, id...), sealed)
		if err != nil {
			t.Fatal(err)
		}
		if store.IsOpBodyJSON(plain) {
			jsonRows++
		} else {
			binRows++
		}
	}
	return jsonRows, binRows
}

// toJSONBodies makes s's op log what a server before migration 00005
// kept: each op's JSON, as a device sent it, sealed with its dossier's
// key and its log key.
func toJSONBodies(t *testing.T, s *Storage) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.Data.Query(ctx, "SELECT dossier, op_id, op FROM oplog")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ d, id, sealed []byte }
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.d, &r.id, &r.sealed); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		lkey := append(slices.Clone(r.d), r.id...)
		k, err := s.dossierKey(ctx, r.d, false)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := open(k, lkey, r.sealed)
		if err != nil {
			t.Fatal(err)
		}
		op, err := store.DecodeOpBody(lkey, plain)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.MarshalIndent(op, "", " ") // a device's JSON need not be json.Marshal's
		sealed, err := seal(k, lkey, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Data.Exec(ctx, "UPDATE oplog SET op = $3 WHERE dossier = $1 AND op_id = $2", r.d, r.id, sealed); err != nil {
			t.Fatal(err)
		}
	}
}

func convertSetting(t *testing.T, s *Storage) ([]byte, bool) {
	t.Helper()
	var v []byte
	err := s.db.Data.QueryRow(context.Background(), "SELECT value FROM settings WHERE name = $1", kConvertBodies).Scan(&v)
	if err != nil {
		return nil, false
	}
	return v, true
}

var errKilled = errors.New("killed")

// TestConvertBodiesResumes: a region whose op log holds JSON bodies (a
// server before migration 00005) reads the same as one of binary bodies
// at every point of the conversion: after migration 00005 marks it, after
// a conversion cut off between a batch's writes and its commit (kill -9),
// and after the next start finishes it. The conversion resumes after the
// last batch committed, leaves the rows a newer server wrote meanwhile as
// they are, and a later start has nothing to do.
func TestConvertBodiesResumes(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DB(t)
	opt := store.Options{Encryption: &store.Encryption{Keyring: store.KeyFile{Name: filepath.Join(t.TempDir(), "master.key")}}}
	s := openStorageT(t, dsn, "", opt)
	region := bodyRegion()
	fill(t, s, region)
	want := readLog(t, s, region)
	if j, b := bodyForms(t, s); j != 0 || b != 4*9 {
		t.Fatalf("a new region's log: %d JSON and %d binary bodies, want only binary", j, b)
	}

	// Back to a server of version 00004: JSON bodies, the schema at 4.
	toJSONBodies(t, s)
	db := stdlib.OpenDBFromPool(s.db.Data)
	p, err := provider(db, Data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	p.Close()
	db.Close()
	if _, ok := convertSetting(t, s); ok {
		t.Fatal("migration 00005's Down left its setting")
	}
	sameLog(t, "JSON bodies", want, readLog(t, s, region))

	// Migration 00005 marks the log; the reads take both forms.
	if _, err := Migrate(ctx, s.db.Data, Data); err != nil {
		t.Fatal(err)
	}
	if v, ok := convertSetting(t, s); !ok || len(v) != 0 {
		t.Fatalf("after migration 00005 the setting is %x (%v), want empty", v, ok)
	}
	defer func(n int) { convertBatch = n }(convertBatch)
	convertBatch = 5
	err = s.convertBodies(ctx, func(batch int) error {
		if batch == 3 {
			return errKilled
		}
		return nil
	})
	if !errors.Is(err, errKilled) {
		t.Fatalf("the cut conversion: %v", err)
	}
	if j, b := bodyForms(t, s); j != 4*9-10 || b != 10 {
		t.Fatalf("cut after two batches of 5: %d JSON and %d binary bodies", j, b)
	}
	if v, ok := convertSetting(t, s); !ok || len(v) != 32 {
		t.Fatalf("cut: the setting is %x (%v), want the key of the 10th row", v, ok)
	}
	sameLog(t, "converted in part", want, readLog(t, s, region))

	// A push meanwhile writes a binary body, before and after the point
	// reached.
	var first, last string
	mustUpdate(t, s, func(tx storage.Tx) error {
		first, last = region[0][0].Dossier, region[3][0].Dossier
		for _, d := range []string{first, last} {
			if _, err := tx.ApplyJSON(testOp(d, "step/5/note", "later"), nil); err != nil {
				return err
			}
		}
		return nil
	})
	want = readLog(t, s, region)

	// The next start finishes the conversion; the one after has nothing
	// to do.
	s2 := openStorageT(t, dsn, "", opt)
	if _, ok := convertSetting(t, s2); ok {
		t.Fatal("the setting outlived the conversion")
	}
	if j, b := bodyForms(t, s2); j != 0 || b != 4*9+2 {
		t.Fatalf("after the next start: %d JSON and %d binary bodies, want %d binary", j, b, 4*9+2)
	}
	sameLog(t, "converted", want, readLog(t, s2, region))
	openStorageT(t, dsn, "", opt)
	if _, ok := convertSetting(t, s2); ok {
		t.Fatal("a later start marked the log again")
	}
}

// TestMigration00005MarksOnlyALogWithOps: a new region (no ops) has
// nothing to convert.
func TestMigration00005MarksOnlyALogWithOps(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	if _, ok := convertSetting(t, s); ok {
		t.Fatal("an empty log is marked for conversion")
	}
}
