package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/brug-nl/brug/sync/server/storage"
)

// A sync on PostgreSQL is a read transaction and a write transaction of
// a few dozen short statements, each a round trip; a one-field sync
// spends most of its time waiting for them. These cut the fixed ones
// without changing what any statement sees:
//
//   - A View's BEGIN goes with its first statement, in one round trip,
//     and its COMMIT is sent after it returned (its answers are all in;
//     a read-only COMMIT changes nothing): the connection goes back to
//     the pool once that is done.
//   - An op's insert and its number are queued and go with the
//     transaction's next statement, or its COMMIT (txConn.queue): a push
//     of many ops costs no round trip per op. The number is known before
//     it is sent (the last number, kept as below, plus one: under the
//     write lock nobody else gives one), and the statement's answer is
//     checked against it when it comes. A queued write that fails makes
//     the statement it went with fail: the transaction is aborted either
//     way, and cannot commit. An audit entry (records.go, AppendAudit)
//     and an epoch's mark (RaiseEpoch) are queued the same way.
//   - An Update's BEGIN, its write lock and its first reads (the count of
//     changes, the last number and the audit chain's head) go in one
//     round trip, a pipeline (pgx.Batch): each statement of it still
//     runs after the one before has finished, so the reads run under the
//     lock and see every transaction committed before it, as they did
//     when sent one by one. (One statement doing all three would not: its
//     snapshot would be taken before the lock was granted.) For the
//     syncs of a group commit, what each asks first goes in the same
//     pipeline (PrefetchedUpdate, prefetch.go).
//   - A transaction keeps what it read and what it alone can change, for
//     the questions asked again in the same transaction: the count of
//     changes until a statement of its own that may raise it (one that
//     names a table whose triggers raise it, or deletes:
//     mayRaiseChanges), the last number (only its own NumberOp and
//     NextSeq move it: writers hold the write lock, and a View reads one
//     snapshot), the audit chain's head (moved by its own AppendAudit,
//     dropped on any other write to the settings), and the token,
//     device, user, team list, team, dossier's team and view records it
//     read until it writes one of those tables (recordMemo). A token's
//     device, its user, the user's teams and their records are read with
//     one query (TokenDevice), what authenticating a request asks next.
//     No other process can change them meanwhile: in an Update every
//     other writer waits for the lock; in a View the snapshot is fixed.

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
	kinds  *sqlKinds // the storage's
	// last is the transaction's last number when lastOK (see the top).
	last   uint64
	lastOK bool
	// changes is the count of changes when changesOK: read at an
	// Update's start, kept until a statement that may raise it
	// (mayRaiseChanges).
	changes   uint64
	changesOK bool
	// auditHead is the audit chain's head as the settings hold it (nil:
	// none) when auditOK: read at an Update's start, kept until a
	// statement writes the settings other than AppendAudit's own.
	auditHead []byte
	auditOK   bool
	// pending reads the rest of a statement's rows that are read as
	// they are asked for (PrefetchHistories): the connection takes no
	// other statement before (finish).
	pending func() error
	// slab holds the numbers queued writes take as arguments (boxed).
	slab []int64
}

// boxed gives n as a queued write's argument: a pointer into a slab, one
// allocation for the first 8 and then one for each 256 (an int64 in an
// interface past 255 is an allocation of its own, runtime.convT64: some
// 4 ms of a 200-device burst's CPU for the ops' tags and numbers). pgx
// sends *int64 as the number; fold reads it back.
func (q *txConn) boxed(n int64) *int64 {
	if len(q.slab) == cap(q.slab) {
		size := 256
		if q.slab == nil {
			size = 8 // a one-field sync queues two
		}
		q.slab = make([]int64, 0, size)
	}
	q.slab = append(q.slab, n)
	return &q.slab[len(q.slab)-1]
}

// finish reads the rows still pending, if any, so that the connection
// can take another statement.
func (q *txConn) finish() error {
	if q.pending == nil {
		return nil
	}
	f := q.pending
	q.pending = nil
	return f()
}

func (q *txConn) note(sql string, exec bool) {
	q.sent++
	k := q.kinds.of(sql)
	if !exec && !k.write {
		return
	}
	q.memo.wrote(k)
	if k.seq {
		q.lastOK = false
	}
	if k.changes {
		q.changesOK = false
	}
	if k.settings {
		q.auditOK = false
	}
}

// sqlKind is what txConn.note needs to know of a statement: whether it
// may write, and which tables whose answers a transaction keeps it
// names.
type sqlKind struct {
	write                                  bool // a data-modifying keyword anywhere (mayWrite)
	tokens, devices, users, members, teams bool // recordMemo's tables
	dossierTm, views                       bool
	seq, changes, settings                 bool // the last number, the count of changes (mayRaiseChanges), the audit head
}

func kindOf(sql string) sqlKind {
	return sqlKind{
		write:     mayWrite(sql),
		tokens:    mentions(sql, "tokens"),
		views:     mentions(sql, "views"),
		devices:   mentions(sql, "devices"),
		users:     mentions(sql, "users"),
		members:   mentions(sql, "members"),
		teams:     mentions(sql, "teams"),
		dossierTm: mentions(sql, "dossier_team"),
		seq:       mentions(sql, "seq_counter"),
		changes:   mayRaiseChanges(sql),
		settings:  mentions(sql, "settings"),
	}
}

// sqlKinds keeps each statement's kind, per storage: the statements are
// a few dozen constants, and lowering each one's text on every call was
// a tenth of the burst's CPU. Past maxSQLKinds distinct texts (none of
// this package's builds one) the rest are classified on each call.
type sqlKinds struct {
	m sync.Map // string -> sqlKind
	n atomic.Int32
}

const maxSQLKinds = 4096

func (c *sqlKinds) of(sql string) sqlKind {
	if v, ok := c.m.Load(sql); ok {
		return v.(sqlKind)
	}
	k := kindOf(sql)
	if c.n.Load() < maxSQLKinds {
		c.n.Add(1)
		c.m.Store(sql, k)
	}
	return k
}

// changedTables are the tables whose writes raise the count of changes
// (migration 00004's triggers), beside deletions from ops and oplog.
// TestChangedTablesAreTheTriggers holds the list against the database's
// triggers.
var changedTables = []string{"dossier_team", "dossier_shares", "users", "teams", "members", "orgs", "views", "erased", "erasures"}

// mayRaiseChanges reports whether a statement that may write may raise
// the count of changes: it names a table whose triggers raise it, or
// deletes or truncates anything (an erasure's deletions from ops and
// oplog). A statement that names none of them cannot fire those
// triggers: the count a transaction read stays true across it.
func mayRaiseChanges(sql string) bool {
	return mentions(sql, changedTables...) || mentions(sql, "delete", "truncate")
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
	if err := q.finish(); err != nil {
		return pgconn.CommandTag{}, err
	}
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
	if err := q.finish(); err != nil {
		return nil, err
	}
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
	if err := q.finish(); err != nil {
		return errRow{err}
	}
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
	if foldWrites {
		queued = fold(queued)
	}
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
	tokens      map[string]string   // token hash -> device ("": none); PrefetchedUpdate's
	views       map[string]viewRead // device + "\x00" + dossier key; PrefetchedUpdate's
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

type viewRead struct {
	e  storage.ViewEntry
	ok bool
}

type deviceRead struct {
	d  storage.Device
	ok bool
}

// wrote drops what a statement that may write changes.
func (m *recordMemo) wrote(k sqlKind) {
	if k.tokens {
		m.tokens = nil
	}
	if k.views {
		m.views = nil
	}
	if k.devices {
		m.devices = nil
	}
	if k.users {
		m.users, m.userTeams = nil, nil
	}
	if k.members {
		m.userTeams = nil
	}
	if k.teams {
		m.teams = nil
	}
	if k.dossierTm {
		m.dossierTeam = nil
	}
}

// begin starts a transaction on a connection of the pool: BEGIN, and for
// a write transaction the write lock, the count of changes and the last
// number, in one round trip.
func (s *Storage) begin(ctx context.Context, write bool, pre *storage.SyncPrefetch) (*Tx, error) {
	// The keys of the dossiers a group pushes to, that the tags of the
	// fields it writes are made with (prefetch.go), read now with one
	// query; a dossier whose key is not read is read whole. They count
	// among the keys kept since the last BEGIN, which the BEGIN checks.
	if write && pre != nil && len(pre.Pushed) > 0 && len(pre.Dossiers) > 1 && !s.fieldStatesOff.Load() {
		dks := make([][]byte, 0, len(pre.Dossiers))
		for _, d := range pre.Dossiers {
			if len(d) == 16 {
				dks = append(dks, []byte(d))
			}
		}
		if err := s.prefetchKeys(ctx, dks); err != nil {
			return nil, err
		}
	}
	c, err := s.db.Data.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	q := &txConn{c: c, memo: &recordMemo{}, kinds: &s.kinds}
	tx := &Tx{s: s, tx: q, ctx: ctx, write: write}
	if !write {
		q.begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" // sent with the first statement
		return tx, nil
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	b.Queue("SELECT pg_advisory_xact_lock($1)", writeLockID)
	// The dossiers' keys kept since the last BEGIN, taken before the
	// statement that checks them is sent (keycache.go).
	fresh, all := s.keys.take()
	if fresh == nil {
		fresh = [][]byte{}
	}
	b.Queue(beginReads, kAuditHead, fresh)
	reads := tx.prefetch(b, pre)
	br := c.SendBatch(ctx, b)
	_, err = br.Exec()
	if err == nil {
		if _, err = br.Exec(); err != nil {
			err = fmt.Errorf("pgstore: take the write lock: %w", err)
		}
	}
	var n, last, tombstones int64
	var head []byte
	var erased [][]byte
	if err == nil {
		err = br.QueryRow().Scan(&n, &last, &head, &tombstones, &erased)
	}
	checkAll := false
	if err == nil {
		// Before the reads take anything from it: the cache of head ops
		// is emptied if another process changed anything since
		// (headcache.go).
		tx.headGen = s.heads.begin(uint64(n))
		// The keys of dossiers erased elsewhere go (keycache.go).
		checkAll = s.keys.checked(tombstones, erased, all)
	} else {
		s.keys.untake()
	}
	for _, read := range reads {
		if err == nil {
			err = read(br)
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if checkAll {
			s.keys.untake() // not checked: the next BEGIN checks them all
		}
		tx.rollback()
		return nil, err
	}
	q.changes, q.changesOK = uint64(n), true
	q.last, q.lastOK = uint64(last), true
	q.auditHead, q.auditOK = head, true
	if checkAll {
		// The tombstones changed: one query, after an erasure only.
		if err := tx.dropErasedKeys(tombstones); err != nil {
			s.keys.untake()
			tx.rollback()
			return nil, err
		}
	}
	// The heads of the dossiers read ahead whose ops the cache lacked:
	// their bodies, in one more round trip.
	if err := tx.readHeadBodies(tx.dos); err != nil {
		tx.rollback()
		return nil, err
	}
	return tx, nil
}

// beginReads is what a write transaction reads first, under the write
// lock: the count of changes, the last number, the audit chain's head,
// how many statements wrote tombstones (migration 00006) and which of
// the dossiers $2 (those whose keys were kept since the last BEGIN) have
// a tombstone (keycache.go, with what they cost).
const beginReads = `SELECT c.n, (SELECT last FROM seq_counter), (SELECT value FROM settings WHERE name = $1),
	c.tombstones, (SELECT array_agg(dossier) FROM erased WHERE dossier = ANY($2::bytea[])) FROM changes c`

// dropErasedKeys drops the keys held of the dossiers that have a
// tombstone, changes.tombstones being n.
func (tx *Tx) dropErasedKeys(n int64) error {
	held := tx.s.keys.held()
	var erased [][]byte
	if len(held) > 0 {
		var err error
		if erased, err = collect(tx.ctx, tx.tx, "SELECT dossier FROM erased WHERE dossier = ANY($1)", held); err != nil {
			return fmt.Errorf("pgstore: the erased dossiers among the keys held: %w", err)
		}
	}
	tx.s.keys.checkedAll(n, erased)
	return nil
}

// rollback ends the transaction without its changes and gives the
// connection back (the pool drops one not idle after a failure).
func (tx *Tx) rollback() {
	if tx.write && tx.s.heads.faulty(FaultPublishRolledBack) {
		tx.s.heads.publish(tx.headGen, tx.dos, tx.tx.changes, tx.tx.changesOK)
	}
	tx.tx.finish()
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
	if err := tx.tx.finish(); err != nil {
		tx.rollback()
		return err
	}
	if !tx.write && tx.tx.begin == "" {
		// A View's answers are all in: its COMMIT changes nothing, and
		// nobody waits for it. It is sent after the caller went on, and
		// the connection goes back to the pool when it is done (or
		// closed, if it failed: pgxpool drops a connection not idle).
		// (Sent below pgx's tracer: DB.Queries counts the round trips
		// somebody waits for.)
		c := tx.tx.c
		go func() {
			c.Conn().PgConn().Exec(context.Background(), "COMMIT").ReadAll()
			c.Release()
		}()
		return nil
	}
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
	// Committed: what it opened of its dossiers' heads may serve the
	// next transactions (headcache.go).
	tx.s.heads.publish(tx.headGen, tx.dos, tx.tx.changes, tx.tx.changesOK)
	return nil
}

// run runs fn in a transaction and commits it when fn returns nil.
func (s *Storage) run(write bool, pre *storage.SyncPrefetch, fn func(storage.Tx) error) (err error) {
	ctx := context.Background()
	tx, err := s.begin(ctx, write, pre)
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
