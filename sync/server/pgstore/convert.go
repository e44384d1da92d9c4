package pgstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
)

// Converting the op log's bodies from sealed JSON to sealed binary
// bodies (migration 00005, docs/postgres.md "Op bodies"). The rows are
// sealed with the dossiers' keys, which only a server holds, so the
// conversion is Go's, run by OpenStorage after the migrations: the
// setting kConvertBodies holds the log key up to which rows are
// converted, and each batch, under the write lock, converts the next rows
// in key order and moves the setting to its last one in the same
// transaction; the last batch deletes the setting. Cut off anywhere, the
// database holds whole batches and the key of the last: the next start
// goes on from it. Rows already binary (written by a server of this
// version meanwhile) are left as they are, and a row whose dossier has
// no key (erased after a restore: Keyless) or does not open is left for
// the erasure, or the read, to report.

// kConvertBodies is the setting migration 00005 makes.
const kConvertBodies = "convert_bodies"

// convertBatch is how many rows a conversion transaction reads (a
// variable for tests).
var convertBatch = 2000

// convertBodies converts the log's JSON bodies, from where the setting
// says to the end. stop, for tests, is called in each batch's transaction
// after its rows are written; an error from it rolls the batch back and
// ends the conversion (a crash before the commit).
func (s *Storage) convertBodies(ctx context.Context, stop func(batch int) error) error {
	return s.inBatches(ctx, kConvertBodies, "convert the op log's bodies", s.convertNext, stop)
}

// inBatches runs next, each time in a transaction of its own, until it
// says done, when setting (a resumable rewrite of the log's rows left by
// a migration: the bodies' conversion, the fields' tags) is there; no
// write lock is taken when it is not. stop, for tests, is called in each
// batch's transaction after next; an error from it rolls the batch back
// and ends the rewrite. what names the rewrite in its error.
func (s *Storage) inBatches(ctx context.Context, setting, what string, next func(context.Context, pgx.Tx) (bool, error), stop func(batch int) error) error {
	var pending bool
	if err := s.db.Data.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM settings WHERE name = $1)", setting).Scan(&pending); err != nil || !pending {
		return err // nothing to do: no write lock taken
	}
	for batch := 1; ; batch++ {
		done := false
		err := pgx.BeginTxFunc(ctx, s.db.Data, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(t pgx.Tx) error {
			var err error
			done, err = next(ctx, t)
			if err == nil && stop != nil {
				err = stop(batch)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if done {
			return nil
		}
	}
}

// rewriteRows takes the write lock in t and reads the next rows of a
// rewrite kept in setting (inBatches): cols of oplog, in key order, after
// the log key the setting holds (from the first when it is empty). done
// when the setting is gone (the rewrite finished, by this process or
// another).
func rewriteRows(ctx context.Context, t pgx.Tx, setting, cols string) (rows pgx.Rows, done bool, err error) {
	if _, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockID); err != nil {
		return nil, false, err
	}
	var from []byte
	err = t.QueryRow(ctx, "SELECT value FROM settings WHERE name = $1", setting).Scan(&from)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if len(from) != 0 && len(from) != 32 {
		return nil, false, fmt.Errorf("%w: setting %s holds %d bytes", store.ErrDamaged, setting, len(from))
	}
	q, args := "SELECT "+cols+" FROM oplog ORDER BY dossier, op_id LIMIT $1", []any{convertBatch}
	if len(from) == 32 {
		q, args = "SELECT "+cols+` FROM oplog WHERE (dossier, op_id) > ($2, $3)
			ORDER BY dossier, op_id LIMIT $1`, append(args, from[:16], from[16:])
	}
	rows, err = t.Query(ctx, q, args...)
	return rows, false, err
}

// endBatch ends a batch of a rewrite kept in setting (inBatches): it
// writes the batch's new values of column col (of SQL type typ) to the
// rows ds, ids pairwise, then moves the setting to the batch's last row
// (lastD, lastID), or, when the batch read fewer than a batch's rows (n),
// deletes it: done.
func endBatch(ctx context.Context, t pgx.Tx, setting, col, typ string, ds, ids [][]byte, vals any, n int, lastD, lastID []byte) (done bool, err error) {
	if len(ds) > 0 {
		if _, err := t.Exec(ctx, "UPDATE oplog SET "+col+" = u.v FROM unnest($1::bytea[], $2::bytea[], $3::"+typ+`[]) AS u (dossier, op_id, v)
			WHERE oplog.dossier = u.dossier AND oplog.op_id = u.op_id`, ds, ids, vals); err != nil {
			return false, err
		}
	}
	if n < convertBatch {
		_, err := t.Exec(ctx, "DELETE FROM settings WHERE name = $1", setting)
		return err == nil, err
	}
	_, err = t.Exec(ctx, "UPDATE settings SET value = $2 WHERE name = $1", setting, append(slices.Clone(lastD), lastID...))
	return false, err
}

// convertNext converts the rows of one batch in transaction t; done when
// no row is left.
func (s *Storage) convertNext(ctx context.Context, t pgx.Tx) (done bool, err error) {
	rows, done, err := rewriteRows(ctx, t, kConvertBodies, "dossier, op_id, op")
	if done || err != nil {
		return done, err
	}
	type row struct{ dossier, id, sealed []byte }
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.dossier, &x.id, &x.sealed)
		return x, err
	})
	if err != nil {
		return false, err
	}
	var ds, ids, bodies [][]byte
	for _, r := range rs {
		if len(r.dossier) != 16 || len(r.id) != 16 {
			continue
		}
		lkey := append(slices.Clone(r.dossier), r.id...)
		k, err := s.dossierKey(ctx, r.dossier, false)
		if errors.Is(err, store.ErrDossierKey) {
			continue
		}
		if err != nil {
			return false, err
		}
		plain, err := open(k, lkey, r.sealed)
		if err != nil || !store.IsOpBodyJSON(plain) {
			continue
		}
		op, err := store.DecodeOpBody(lkey, plain)
		if err != nil {
			continue
		}
		sealed, err := seal(k, lkey, store.AppendOpBody(nil, lkey, &op))
		if err != nil {
			return false, err
		}
		ds, ids, bodies = append(ds, r.dossier), append(ids, r.id), append(bodies, sealed)
	}
	var lastD, lastID []byte
	if len(rs) > 0 {
		lastD, lastID = rs[len(rs)-1].dossier, rs[len(rs)-1].id
	}
	return endBatch(ctx, t, kConvertBodies, "op", "bytea", ds, ids, bodies, len(rs), lastD, lastID)
}
