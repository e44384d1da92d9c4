package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/brug-nl/brug/sync/server/storage"
)

// A sync on PostgreSQL is a read transaction and a write transaction of
// a few dozen short statements, each a round trip; a one-field sync
// spends most of its time waiting for them. Two things here cut the
// fixed ones without changing what any statement sees:
//
//   - A View's BEGIN goes with its first statement, in one round trip.
//   - An op's insert and its number are queued and go with the
//     transaction's next statement, or its COMMIT (txConn.queue): a push
//     of many ops costs no round trip per op. The number is known before
//     it is sent (the last number, kept as below, plus one: under the
//     write lock nobody else gives one), and the statement's answer is
//     checked against it when it comes. A queued write that fails makes
//     the statement it went with fail: the transaction is aborted either
//     way, and cannot commit.
//   - An Update's BEGIN, its write lock and its first reads (the count of
//     changes and the last number, which the sync hooks ask first) go in
//     one round trip, a pipeline (pgx.Batch): each statement of it still
//     runs after the one before has finished, so the reads run under the
//     lock and see every transaction committed before it, as they did
//     when sent one by one. (One statement doing all three would not: its
//     snapshot would be taken before the lock was granted.)
//   - A transaction keeps what it read and what it alone can change, for
//     the questions asked again in the same transaction: the count of
//     changes until its next statement, the last number (only its own
//     NumberOp and NextSeq move it: writers hold the write lock, and a
//     View reads one snapshot), and the device, user, team list, team
//     and dossier's team records it read until it writes one of those tables
//     (recordMemo). A token's device, its user, the user's teams and
//     their records are read with one query (TokenDevice), what
//     authenticating a request asks next. No other process can change them meanwhile: in an
//     Update every other writer waits for the lock; in a View the
//     snapshot is fixed.

// txConn is the connection of one transaction as its statements reach
// it: it counts them and drops the transaction's memo of records on
// every statement that may write one of their tables.
type txConn struct {
	c    *pgxpool.Conn
	sent int // statements sent
	// begin is a View's BEGIN, not sent yet: it goes with the first
	// statement, in one round trip (a View that sends none sends no
	// BEGIN, and no COMMIT).
	begin string
	// queued are writes whose answers nothing waits for (an op's insert,
	// its number), sent with the next statement or the COMMIT, in one
	// round trip.
	queued []queuedWrite
	// failed is the error of the first queued write that failed, for the
	// COMMIT to tell (the statement it went with may not).
	failed error
	memo   *recordMemo
	// last is the transaction's last number when lastOK (see the top).
	last   uint64
	lastOK bool
}

func (q *txConn) note(sql string, exec bool) {
	q.sent++
	if !exec && !mayWrite(sql) {
		return
	}
	q.memo.wrote(sql)
	if mentions(sql, "seq_counter") {
		q.lastOK = false
	}
}

// queuedWrite is a write sent later; want, when not 0, is the one value
// it must return (a number given).
type queuedWrite struct {
	sql  string
	args []any
	want int64
}

// queue sends a write with the next statement (see queued). Its error,
// if it has one, is that statement's: the transaction is aborted all the
// same and cannot commit.
func (q *txConn) queue(sql string, want int64, args ...any) {
	q.note(sql, true)
	q.queued = append(q.queued, queuedWrite{sql, args, want})
}

func (q *txConn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	q.note(sql, true)
	if q.begin != "" || len(q.queued) > 0 {
		br, err := q.withPrefix(ctx, sql, args)
		if err != nil {
			return pgconn.CommandTag{}, err
		}
		tag, err := br.Exec()
		return tag, closeBatch(br, err)
	}
	return q.c.Exec(ctx, sql, args...)
}

func (q *txConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	q.note(sql, false)
	if q.begin != "" || len(q.queued) > 0 {
		br, err := q.withPrefix(ctx, sql, args)
		if err != nil {
			return nil, err
		}
		rows, err := br.Query()
		if err != nil {
			return nil, closeBatch(br, err)
		}
		return &batchRows{Rows: rows, br: br}, nil
	}
	return q.c.Query(ctx, sql, args...)
}

func (q *txConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	q.note(sql, false)
	if q.begin != "" || len(q.queued) > 0 {
		br, err := q.withPrefix(ctx, sql, args)
		if err != nil {
			return errRow{err}
		}
		return &batchRow{row: br.QueryRow(), br: br}
	}
	return q.c.QueryRow(ctx, sql, args...)
}

// withPrefix sends the pending BEGIN, the queued writes and the statement
// sql in one round trip (a pipeline: each runs after the one before has
// finished), and reads the answers before the statement's; the
// statement's is read from the batch, which is then closed.
func (q *txConn) withPrefix(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	begin := q.begin != ""
	if begin {
		b.Queue(q.begin)
		q.begin = ""
	}
	queued := q.queued
	q.queued = nil
	for _, w := range queued {
		b.Queue(w.sql, w.args...)
	}
	b.Queue(sql, args...)
	br := q.c.SendBatch(ctx, b)
	if begin {
		if _, err := br.Exec(); err != nil {
			return nil, closeBatch(br, err)
		}
	}
	for _, w := range queued {
		var err error
		if w.want != 0 {
			var got int64
			if err = br.QueryRow().Scan(&got); err == nil && got != w.want {
				err = fmt.Errorf("pgstore: number %d given where %d was counted on: the sequence moved under the write lock", got, w.want)
			}
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			if q.failed == nil {
				q.failed = err
			}
			return nil, closeBatch(br, err)
		}
	}
	return br, nil
}

// closeBatch closes br and gives err, or the close's error.
func closeBatch(br pgx.BatchResults, err error) error {
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// batchRow is the row of a statement sent with a BEGIN: Scan reads it and
// closes the batch.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r *batchRow) Scan(dest ...any) error { return closeBatch(r.br, r.row.Scan(dest...)) }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRows are the rows of a statement sent with a BEGIN: Close closes
// the batch too, and Err tells its error.
type batchRows struct {
	pgx.Rows
	br   pgx.BatchResults
	err  error
	done bool
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if !r.done {
		r.done = true
		r.err = closeBatch(r.br, r.Rows.Err())
	}
}

func (r *batchRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.Rows.Err()
}

// mayWrite reports whether a statement may write (a data-modifying
// keyword anywhere in it, a CTE's included).
func mayWrite(sql string) bool {
	return mentions(sql, "insert", "update", "delete", "truncate", "merge")
}

// mentions reports whether sql holds any of words (lower case), in any
// case.
func mentions(sql string, words ...string) bool {
	l := strings.ToLower(sql)
	for _, w := range words {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// recordMemo is what a transaction read of devices, users, users' teams,
// teams and dossiers' teams, by key; each kind dropped on every statement that
// may write its table (txConn.note). Nothing in this schema writes one
// table from another's statement (no cascades; the triggers of
// migration 00004 write the count of changes only).
type recordMemo struct {
	devices     map[string]deviceRead
	users       map[string]userRead
	userTeams   map[string][]string
	teams       map[string]storage.TeamRecord // found ones only
	dossierTeam map[string]string
}

type userRead struct {
	u  storage.User
	ok bool
}

type deviceRead struct {
	d  storage.Device
	ok bool
}

// wrote drops what a statement that may write changes.
func (m *recordMemo) wrote(sql string) {
	if mentions(sql, "devices") {
		m.devices = nil
	}
	if mentions(sql, "users") {
		m.users, m.userTeams = nil, nil
	}
	if mentions(sql, "members") {
		m.userTeams = nil
	}
	if mentions(sql, "teams") {
		m.teams = nil
	}
	if mentions(sql, "dossier_team") {
		m.dossierTeam = nil
	}
}

// begin starts a transaction on a connection of the pool: BEGIN, and for
// a write transaction the write lock, the count of changes and the last
// number, in one round trip.
func (s *Storage) begin(ctx context.Context, write bool) (*Tx, error) {
	c, err := s.db.Data.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	q := &txConn{c: c, memo: &recordMemo{}}
	tx := &Tx{s: s, tx: q, ctx: ctx, write: write}
	if !write {
		q.begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" // sent with the first statement
		return tx, nil
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	b.Queue("SELECT pg_advisory_xact_lock($1)", writeLockID)
	b.Queue("SELECT (SELECT n FROM changes), (SELECT last FROM seq_counter)")
	br := c.SendBatch(ctx, b)
	_, err = br.Exec()
	if err == nil {
		if _, err = br.Exec(); err != nil {
			err = fmt.Errorf("pgstore: take the write lock: %w", err)
		}
	}
	var n, last int64
	if err == nil {
		err = br.QueryRow().Scan(&n, &last)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tx.rollback()
		return nil, err
	}
	tx.changes, tx.changesAt, tx.changesOK = uint64(n), 0, true
	q.last, q.lastOK = uint64(last), true
	return tx, nil
}

// rollback ends the transaction without its changes and gives the
// connection back (the pool drops one not idle after a failure).
func (tx *Tx) rollback() {
	tx.tx.queued = nil
	if tx.tx.begin == "" {
		tx.tx.c.Exec(tx.ctx, "ROLLBACK")
	}
	tx.tx.c.Release()
}

// commit commits the transaction and gives the connection back. A
// transaction that a failed statement aborted is rolled back by COMMIT:
// that is an error here, as pgx's Commit makes it.
func (tx *Tx) commit() error {
	defer tx.tx.c.Release()
	if tx.tx.begin != "" {
		return nil // nothing was sent: nothing began
	}
	if err := tx.tx.failed; err != nil {
		tx.tx.c.Exec(tx.ctx, "ROLLBACK")
		return err
	}
	tag, err := tx.tx.Exec(tx.ctx, "COMMIT") // with the queued writes
	if err != nil {
		// A queued write failed: the COMMIT after it was skipped.
		tx.tx.c.Exec(tx.ctx, "ROLLBACK")
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// run runs fn in a transaction and commits it when fn returns nil.
func (s *Storage) run(write bool, fn func(storage.Tx) error) (err error) {
	ctx := context.Background()
	tx, err := s.begin(ctx, write)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tx.rollback() // fn panicked
		}
	}()
	if err := fn(tx); err != nil {
		done = true
		tx.rollback()
		return err
	}
	done = true
	if err := tx.commit(); err != nil {
		return errors.Join(errors.New("pgstore: commit"), err)
	}
	return nil
}
