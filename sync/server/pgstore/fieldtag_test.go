package pgstore

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// fieldTags counts the op log's rows by their field tag: the tag of the
// field their body opens to, none, or another.
func fieldTags(t *testing.T, s *Storage) (right, none, wrong int) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.Data.Query(ctx, "SELECT dossier, op_id, op, field FROM oplog")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, id, sealed []byte
		var tag *int64
		if err := rows.Scan(&d, &id, &sealed, &tag); err != nil {
			t.Fatal(err)
		}
		k, err := s.dossierKey(ctx, d, false)
		if err != nil {
			t.Fatal(err)
		}
		lkey := append(slices.Clone(d), id...)
		plain, err := open(k, lkey, sealed)
		if err != nil {
			t.Fatal(err)
		}
		op, err := store.DecodeOpBody(lkey, plain)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tag == nil:
			none++
		case *tag == newFieldTagger(k).tag(op.Field):
			right++
		default:
			wrong++
		}
	}
	return right, none, wrong
}

func tagSetting(t *testing.T, s *Storage) ([]byte, bool) {
	t.Helper()
	var v []byte
	err := s.db.Data.QueryRow(context.Background(), "SELECT value FROM settings WHERE name = $1", kTagFields).Scan(&v)
	if err != nil {
		return nil, false
	}
	return v, true
}

// TestTagFieldsResumes: every op a server writes carries its field's tag;
// a log of a server before migration 00007 (no tags) is marked by it,
// reads the same at every point of the tagging (cut off between a batch's
// writes and its commit, as by kill -9), and the next start tags the
// rest, leaving the rows written meanwhile as they are; a later start
// has nothing to do.
func TestTagFieldsResumes(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DB(t)
	s := openStorageT(t, dsn, "", store.Options{})
	region := bodyRegion()
	fill(t, s, region)
	want := readLog(t, s, region)
	if r, n, w := fieldTags(t, s); r != 4*9 || n != 0 || w != 0 {
		t.Fatalf("a new region's log: %d rows with their field's tag, %d without, %d with another", r, n, w)
	}

	// Back to a server of version 00006 (no tags), and up again.
	db := stdlib.OpenDBFromPool(s.db.Data)
	p, err := provider(db, Data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	p.Close()
	db.Close()
	if _, ok := tagSetting(t, s); ok {
		t.Fatal("migration 00007's Down left its setting")
	}
	if _, err := Migrate(ctx, s.db.Data, Data); err != nil {
		t.Fatal(err)
	}
	if v, ok := tagSetting(t, s); !ok || len(v) != 0 {
		t.Fatalf("after migration 00007 the setting is %x (%v), want empty", v, ok)
	}
	if r, n, w := fieldTags(t, s); r != 0 || n != 4*9 || w != 0 {
		t.Fatalf("after migration 00007: %d rows with their field's tag, %d without, %d with another", r, n, w)
	}
	sameLog(t, "no tags", want, readLog(t, s, region))

	defer func(n int) { convertBatch = n }(convertBatch)
	convertBatch = 5
	err = s.tagFields(ctx, func(batch int) error {
		if batch == 3 {
			return errKilled
		}
		return nil
	})
	if !errors.Is(err, errKilled) {
		t.Fatalf("the cut tagging: %v", err)
	}
	if r, n, w := fieldTags(t, s); r != 10 || n != 4*9-10 || w != 0 {
		t.Fatalf("cut after two batches of 5: %d rows with their field's tag, %d without, %d with another", r, n, w)
	}
	if v, ok := tagSetting(t, s); !ok || len(v) != 32 {
		t.Fatalf("cut: the setting is %x (%v), want the key of the 10th row", v, ok)
	}
	sameLog(t, "tagged in part", want, readLog(t, s, region))

	// A push meanwhile writes a tagged row, before and after the point
	// reached.
	mustUpdate(t, s, func(tx storage.Tx) error {
		for _, d := range []string{region[0][0].Dossier, region[3][0].Dossier} {
			if _, err := tx.ApplyJSON(testOp(d, "step/5/note", "later"), nil); err != nil {
				return err
			}
		}
		return nil
	})
	want = readLog(t, s, region)

	s2 := openStorageT(t, dsn, "", store.Options{})
	if _, ok := tagSetting(t, s2); ok {
		t.Fatal("the setting outlived the tagging")
	}
	if r, n, w := fieldTags(t, s2); r != 4*9+2 || n != 0 || w != 0 {
		t.Fatalf("after the next start: %d rows with their field's tag, %d without, %d with another", r, n, w)
	}
	sameLog(t, "tagged", want, readLog(t, s2, region))
	openStorageT(t, dsn, "", store.Options{})
	if _, ok := tagSetting(t, s2); ok {
		t.Fatal("a later start marked the log again")
	}
}
