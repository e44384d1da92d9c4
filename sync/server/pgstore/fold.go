package pgstore

import (
	"time"
)

// The writes a transaction queues (txConn.queue): an op's insert (with the
// ids its prev replaces), its number, an audit entry with its read mark
// and the chain's new head. A group commit of 200 syncs queued some 4,000
// of them, sent at COMMIT as one pipeline; PostgreSQL still parsed, bound
// and ran each alone (about 25 µs each, 100-150 ms of the group's
// critical path on a durable cluster, every device of the burst waiting
// for it). fold sends each kind as one statement over arrays instead.

// foldWrites is off in tests that compare with the writes sent one by
// one.
var foldWrites = true

// The queued statements, one op, number or entry each.
const (
	sqlInsertOp = "INSERT INTO oplog (dossier, op_id, op, field) VALUES ($1, $2, $3, $4)"
	// sqlInsertOpReplaced's ids ($5) are those the transaction's state
	// of the dossier holds as not replaced (ApplyJSON), which is what
	// the database holds (oplog.go, dossierState): a plain insert, not
	// ON CONFLICT DO NOTHING, whose speculative insertion costs half as
	// much again (issue 14, branch pgwrite25: 18-27 against 30-43 ms for
	// 40,000 ids). Were an id there after all, its key fails the
	// statement and the transaction.
	sqlInsertOpReplaced = `WITH o AS (INSERT INTO oplog (dossier, op_id, op, field) VALUES ($1, $2, $3, $4))
			INSERT INTO replaced (dossier, op_id) SELECT $1, unnest($5::bytea[])`
	sqlNumberOp = `WITH c AS (UPDATE seq_counter SET last = last + 1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier) SELECT c.last, $1, $2 FROM c
			ON CONFLICT (op_id) DO UPDATE SET seq = EXCLUDED.seq, dossier = EXCLUDED.dossier)
		SELECT CASE WHEN last = $3 THEN last ELSE ('the sequence moved under the write lock: ' || last || ', not ' || $3)::bigint END FROM c`
	// sqlNumberNewOp is sqlNumberOp for an op the transaction read, under
	// the write lock, to have no number (a sync's pushed ops, read with
	// the group's BEGIN: opDossier): a plain insert, which PostgreSQL runs
	// for about two thirds of what the speculative insertion of ON
	// CONFLICT costs (issue 14, branch pgburst24: 6-9 against 10-15 ms for
	// 1,000 rows). Were the op numbered after all, its unique key fails
	// the statement and the transaction, rather than renumber it.
	sqlNumberNewOp = `WITH c AS (UPDATE seq_counter SET last = last + 1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier) SELECT c.last, $1, $2 FROM c)
		SELECT CASE WHEN last = $3 THEN last ELSE ('the sequence moved under the write lock: ' || last || ', not ' || $3)::bigint END FROM c`
	// sqlNextSeq is NextSeq's statement when the number is counted on
	// ($1), failing as sqlNumberOp does when it is not the one given.
	sqlNextSeq = `UPDATE seq_counter SET last = last + 1
		RETURNING CASE WHEN last = $1 THEN last ELSE ('the sequence moved under the write lock: ' || last || ', not ' || $1)::bigint END`
	sqlAppendAudit = `WITH a AS (INSERT INTO audit (seq, at, action, dossier, entry) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)),
			r AS (INSERT INTO audit_reads (id, seq) SELECT $6::text, $1 WHERE $6::text <> ''),
			h AS (INSERT INTO settings (name, value) VALUES ($7, $8) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value)
		SELECT setval(pg_get_serial_sequence('audit', 'seq'), $1)
			WHERE $1 > coalesce(pg_sequence_last_value(pg_get_serial_sequence('audit', 'seq')::regclass), 0)`
)

// The same for many: ops, the ids their prevs replace, numbers and audit
// entries as arrays.
const (
	sqlInsertOps = "INSERT INTO oplog (dossier, op_id, op, field) SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::bigint[])"
	// sqlInsertReplaced is sqlInsertOpReplaced's for many: no id twice
	// (each went into the state's replaced set when queued).
	sqlInsertReplaced = "INSERT INTO replaced (dossier, op_id) SELECT * FROM unnest($1::bytea[], $2::bytea[])"
	// The numbers are consecutive (each NumberOp counts on the one before
	// it), so the counter moves by their count, the n-th op (ordinality)
	// gets last - count + n, and the statement fails unless the counter
	// ends at the last number counted on: then every op got the number
	// counted on for it.
	sqlNumberOps = `WITH c AS (UPDATE seq_counter SET last = last + $1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier) SELECT c.last - $1 + o.n, o.op, o.dossier
			FROM c, unnest($2::bytea[], $3::bytea[]) WITH ORDINALITY AS o(op, dossier, n)
			ON CONFLICT (op_id) DO UPDATE SET seq = EXCLUDED.seq, dossier = EXCLUDED.dossier)
		SELECT CASE WHEN last = $4 THEN last ELSE ('the sequence moved under the write lock: ' || last || ', not ' || $4)::bigint END FROM c`
	// sqlNumberNewOps is sqlNumberOps for ops all read to have no number
	// (sqlNumberNewOp).
	sqlNumberNewOps = `WITH c AS (UPDATE seq_counter SET last = last + $1 RETURNING last),
		i AS (INSERT INTO ops (seq, op_id, dossier) SELECT c.last - $1 + o.n, o.op, o.dossier
			FROM c, unnest($2::bytea[], $3::bytea[]) WITH ORDINALITY AS o(op, dossier, n))
		SELECT CASE WHEN last = $4 THEN last ELSE ('the sequence moved under the write lock: ' || last || ', not ' || $4)::bigint END FROM c`
	sqlAppendAudits = `WITH a AS (INSERT INTO audit (seq, at, action, dossier, entry) OVERRIDING SYSTEM VALUE
				SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::bytea[], $5::bytea[])),
			r AS (INSERT INTO audit_reads (id, seq) SELECT x.id, x.seq FROM unnest($6::text[], $1::bigint[]) AS x(id, seq) WHERE x.id <> ''),
			h AS (INSERT INTO settings (name, value) VALUES ($7, $8) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value)
		SELECT setval(pg_get_serial_sequence('audit', 'seq'), $9)
			WHERE $9 > coalesce(pg_sequence_last_value(pg_get_serial_sequence('audit', 'seq')::regclass), 0)`
)

// fold gives the statements that make the same writes as queued: the ops'
// inserts as one statement, the replaced ids as one, the numbers as one
// (NextSeq's among them: then each in its order, not folded) and the
// audit entries as one, then any other queued write in its order.
// The order between kinds does not matter: no queued write reads what
// another wrote (the numbers' check reads the counter, which only the
// numbers move), no key of these tables refers to another, and their
// triggers (the count of changes) are on other tables. Within a kind the
// order is kept: the audit head written is the last entry's, as when each
// entry wrote it. A kind whose rows one statement could not take as the
// statements one by one would (an op numbered twice, which ON CONFLICT
// DO UPDATE refuses within one statement; numbers not consecutive) is
// left as it was queued. Any statement failing fails the transaction
// either way, and no statement's answer but the numbers' check is read.
func fold(queued []queuedWrite) []queuedWrite {
	if len(queued) < 2 {
		return queued
	}
	var opDs, opIDs, opBodies, repDs, repIDs [][]byte
	var opTags []int64
	var numOps, numDs [][]byte
	var numWant []int64
	var audSeq []int64
	var audAt []time.Time
	var audAction, audRead []string
	var audDs, audEntry [][]byte
	var audName any
	var audHead []byte
	var ops, nums, auds, rest []queuedWrite
	answers := false // a NextSeq among the numbers
	allNew := true   // every number's op read to have none (sqlNumberNewOp)
	for _, w := range queued {
		switch w.sql {
		case sqlInsertOp, sqlInsertOpReplaced:
			ops = append(ops, w)
			opDs, opIDs, opBodies = append(opDs, w.args[0].([]byte)), append(opIDs, w.args[1].([]byte)), append(opBodies, w.args[2].([]byte))
			opTags = append(opTags, *w.args[3].(*int64)) // txConn.boxed
			if w.sql == sqlInsertOpReplaced {
				for _, id := range w.args[4].([][]byte) {
					repDs, repIDs = append(repDs, w.args[0].([]byte)), append(repIDs, id)
				}
			}
		case sqlNextSeq:
			// A number without an op (NextSeq) moves the counter
			// too: the numbers stay in their order, one by one.
			nums, answers = append(nums, w), true
		case sqlNumberOp, sqlNumberNewOp:
			nums = append(nums, w)
			allNew = allNew && w.sql == sqlNumberNewOp
			numOps, numDs, numWant = append(numOps, w.args[0].([]byte)), append(numDs, w.args[1].([]byte)), append(numWant, w.want)
		case sqlAppendAudit:
			auds = append(auds, w)
			audSeq, audAt, audAction = append(audSeq, w.args[0].(int64)), append(audAt, w.args[1].(time.Time)), append(audAction, w.args[2].(string))
			audDs, audEntry, audRead = append(audDs, w.args[3].([]byte)), append(audEntry, w.args[4].([]byte)), append(audRead, w.args[5].(string))
			audName, audHead = w.args[6], w.args[7].([]byte)
		default:
			rest = append(rest, w)
		}
	}
	var out []queuedWrite
	if len(ops) > 1 {
		out = append(out, queuedWrite{sql: sqlInsertOps, args: []any{opDs, opIDs, opBodies, opTags}})
		if len(repDs) > 0 {
			out = append(out, queuedWrite{sql: sqlInsertReplaced, args: []any{repDs, repIDs}})
		}
	} else {
		out = append(out, ops...)
	}
	if len(nums) > 1 && !answers && consecutive(numWant) && distinct(numOps) {
		n := int64(len(nums))
		sql := sqlNumberOps
		if allNew {
			sql = sqlNumberNewOps
		}
		out = append(out, queuedWrite{sql: sql, args: []any{n, numOps, numDs, numWant[len(numWant)-1]}, want: numWant[len(numWant)-1]})
	} else {
		out = append(out, nums...)
	}
	if len(auds) > 1 {
		top := audSeq[0]
		for _, s := range audSeq {
			top = max(top, s)
		}
		out = append(out, queuedWrite{sql: sqlAppendAudits, args: []any{audSeq, audAt, audAction, audDs, audEntry, audRead, audName, audHead, top}})
	} else {
		out = append(out, auds...)
	}
	return append(out, rest...)
}

// consecutive reports whether ns count up by one.
func consecutive(ns []int64) bool {
	for i := 1; i < len(ns); i++ {
		if ns[i] != ns[i-1]+1 {
			return false
		}
	}
	return true
}

// distinct reports whether no two of keys are equal.
func distinct(keys [][]byte) bool {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[string(k)] {
			return false
		}
		seen[string(k)] = true
	}
	return true
}
