package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The op log's sequence across processes. A device pulls "the ops after
// number N" and then asks from the highest number it got; it must never
// skip an op because another process committed a lower number after the
// device read a higher one. A PostgreSQL sequence (nextval) breaks that:
// numbers are given when asked, and the transactions holding them commit
// in any order, so 8 can be visible while 7 is still in flight.
//
// Here numbers are given in commit order. seq_counter is one row holding
// the last number given; a transaction appending ops takes its numbers
// with UPDATE ... RETURNING, which row-locks the counter until the
// transaction ends. The next appender blocks on that lock and, once the
// first has committed (PostgreSQL makes a transaction visible before it
// releases its locks), reads the committed value under READ COMMITTED
// and continues from it. So a transaction gets its numbers only after
// every transaction with lower numbers has committed or rolled back: once
// a reader sees number k, everything below k that will ever exist is
// already visible to it. A rollback undoes its counter update too, so
// numbers stay dense (1, 2, 3, ... without holes), and a reader can even
// check that it got each number after its cursor.
//
// The price is that appends serialize from taking numbers to commit:
// AppendTx belongs at the end of a transaction, after its other work
// (checks, views, audit), so that the lock is held for the insert and
// the commit only. docs/postgres.md, "Sequence", has the argument and
// the alternatives.

// Op is one op to append: its id and dossier (16 bytes each) and its
// stored form.
type Op struct {
	ID      []byte
	Dossier []byte
	Body    []byte
}

// Numbered is an op of the log with its sequence number.
type Numbered struct {
	Seq uint64
	Op
}

// Append appends ops in one transaction and returns the numbers of the
// first and the last; ops get consecutive numbers in their order.
func Append(ctx context.Context, pool *pgxpool.Pool, ops []Op) (first, last uint64, err error) {
	err = pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		first, last, err = AppendTx(ctx, tx, ops)
		return err
	})
	return first, last, err
}

// AppendTx numbers and inserts ops within tx; the numbers are final when
// tx commits. Call it last in tx: from here to the commit, other
// appenders wait. tx should be READ COMMITTED: under REPEATABLE READ or
// SERIALIZABLE the second of two concurrent appenders fails with a
// serialization error instead of waiting its turn (no wrong numbers, but
// a retry).
func AppendTx(ctx context.Context, tx pgx.Tx, ops []Op) (first, last uint64, err error) {
	if len(ops) == 0 {
		return 0, 0, nil
	}
	for i, op := range ops {
		if len(op.ID) != 16 || len(op.Dossier) != 16 {
			return 0, 0, fmt.Errorf("pgstore: op %d: ids must be 16 bytes", i)
		}
	}
	// One statement, one round trip: the counter's update (which takes
	// its row lock) feeds the numbers of the insert.
	ids, dossiers, bodies := make([][]byte, len(ops)), make([][]byte, len(ops)), make([][]byte, len(ops))
	for i, op := range ops {
		ids[i], dossiers[i], bodies[i] = op.ID, op.Dossier, op.Body
	}
	var end int64
	err = tx.QueryRow(ctx, `WITH c AS (UPDATE seq_counter SET last = last + $1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier, op)
			SELECT c.last - $1 + o.n, o.id, o.dossier, o.op
			FROM c, unnest($2::bytea[], $3::bytea[], $4::bytea[]) WITH ORDINALITY AS o(id, dossier, op, n))
		SELECT last FROM c`, len(ops), ids, dossiers, bodies).Scan(&end)
	if err != nil {
		return 0, 0, fmt.Errorf("pgstore: append ops: %w", err)
	}
	start := end - int64(len(ops)) + 1
	return uint64(start), uint64(end), nil
}

// After returns up to limit ops numbered after seq, in order.
func After(ctx context.Context, q Querier, seq uint64, limit int) ([]Numbered, error) {
	rows, err := q.Query(ctx, "SELECT seq, op_id, dossier, op FROM ops WHERE seq > $1 ORDER BY seq LIMIT $2", int64(seq), limit)
	if err != nil {
		return nil, err
	}
	out := make([]Numbered, 0, min(limit, 1024))
	for rows.Next() {
		var n Numbered
		var s int64
		if err := rows.Scan(&s, &n.ID, &n.Dossier, &n.Body); err != nil {
			rows.Close()
			return nil, err
		}
		n.Seq = uint64(s)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Last returns the last number given to a committed op, 0 on an empty
// log.
func Last(ctx context.Context, q Querier) (uint64, error) {
	var last int64
	err := q.QueryRow(ctx, "SELECT last FROM seq_counter").Scan(&last)
	return uint64(last), err
}

// Querier is a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
