package pgstore

import (
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/sync/server/storage"
)

// What the syncs of a group commit ask first, read with the Update's
// BEGIN (storage.SyncPrefetcher). Each sync of a group asks for its
// token's device, user and teams, the dossiers of the ops it pushes and
// the op logs of those dossiers, one round trip each; read ahead for the
// whole group they cost none. The reads run after the write lock was
// granted, in the same pipeline (txconn.go), so they see what the
// questions asked later would see; what the transaction keeps of them is
// kept and dropped as when it was read on demand (recordMemo, the
// dossiers' states, the ops' dossiers), so every answer is the same.

// tokensQuery is TokenDevice's query (tokenColumns, tokenJoins) for the
// tokens $1, led by each token's hash. The users' memberships are read
// with one scan of members for all of them, grouped by user: joined to
// each token (LATERAL, as TokenDevice's) they were scanned once per
// token, 3-4 of the 5-6 ms of a group of 199 tokens (EXPLAIN ANALYZE).
// The rows are the same: a token without a device, or whose device has
// no user, or a user of no team, has no teams.
const tokensQuery = `WITH k AS MATERIALIZED (SELECT t.hash, t.device, d.rec, d.rec->>'user' AS un
		FROM unnest($1::bytea[]) AS h(h) JOIN tokens t ON t.hash = h.h LEFT JOIN devices d ON d.id = t.device)
	SELECT k.hash, k.device, k.rec, k.un, u.rec, COALESCE(ms.teams, '{}'), COALESCE(ms.recs, '{}')
	FROM k LEFT JOIN users u ON u.name = k.un
	LEFT JOIN (SELECT m.user_name, array_agg(m.team ORDER BY m.team COLLATE "C") AS teams,
			array_agg(convert_to(r.rec::text, 'UTF8') ORDER BY m.team COLLATE "C") AS recs
		FROM members m LEFT JOIN teams r ON r.name = m.team
		WHERE m.user_name IN (SELECT un FROM k) GROUP BY m.user_name) ms ON ms.user_name = k.un`

// prefetch queues the reads of pre in b and returns, in the same order,
// what reads their answers into tx.
func (tx *Tx) prefetch(b *pgx.Batch, pre *storage.SyncPrefetch) []func(pgx.BatchResults) error {
	if pre == nil {
		return nil
	}
	var reads []func(pgx.BatchResults) error
	// One item alone is read with the query that asks for one: PostgreSQL
	// plans a query over an array afresh at every run (0.3-0.4 ms in the
	// statement log of the one-field sync), which a group pays once.
	if len(pre.Tokens) == 1 {
		b.Queue(`SELECT t.hash, t.device, `+tokenColumns+` FROM tokens t `+tokenJoins+`
			WHERE t.hash = $1`, pre.Tokens[0])
	} else if len(pre.Tokens) > 1 {
		b.Queue(tokensQuery, pre.Tokens)
	}
	if len(pre.Tokens) > 0 {
		reads = append(reads, func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			defer rows.Close()
			m := tx.tx.memo
			if m.tokens == nil {
				m.tokens = map[string]string{}
			}
			for _, h := range pre.Tokens {
				m.tokens[string(h)] = "" // unless found below
			}
			for rows.Next() {
				var hash, dev, user []byte
				var id string
				var name *string
				var teams []string
				var recs [][]byte
				if err := rows.Scan(&hash, &id, &dev, &name, &user, &teams, &recs); err != nil {
					return err
				}
				m.tokens[string(hash)] = id
				tx.keepToken(id, dev, name, user, teams, recs)
			}
			return rows.Err()
		})
	}
	ops := slices.Compact(slices.Sorted(slices.Values(pre.Ops)))
	if len(ops) > 0 {
		keys := make([][]byte, len(ops))
		for i, op := range ops {
			keys[i] = []byte(op)
		}
		b.Queue("SELECT op_id, dossier FROM ops WHERE op_id = ANY($1)", keys)
		reads = append(reads, func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			defer rows.Close()
			if tx.opDossier == nil {
				tx.opDossier = map[string]string{}
			}
			for _, op := range ops {
				tx.opDossier[op] = ""
			}
			for rows.Next() {
				var op, dossier []byte
				if err := rows.Scan(&op, &dossier); err != nil {
					return err
				}
				tx.opDossier[string(op)] = string(dossier)
			}
			return rows.Err()
		})
	}
	if len(pre.Views) > 0 {
		hashes, keys := make([][]byte, len(pre.Views)), make([][]byte, len(pre.Views))
		for i, v := range pre.Views {
			hashes[i], keys[i] = v.Token, []byte(v.Dossier)
		}
		if len(pre.Views) == 1 {
			b.Queue(`SELECT t.device, $2::bytea, v.state, v.seq FROM tokens t
				LEFT JOIN views v ON v.device = t.device AND v.dossier = $2 WHERE t.hash = $1`, hashes[0], keys[0])
		} else {
			b.Queue(`SELECT t.device, p.d, v.state, v.seq FROM unnest($1::bytea[], $2::bytea[]) AS p(h, d)
				JOIN tokens t ON t.hash = p.h LEFT JOIN views v ON v.device = t.device AND v.dossier = p.d`, hashes, keys)
		}
		reads = append(reads, func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			defer rows.Close()
			m := tx.tx.memo
			if m.views == nil {
				m.views = map[string]viewRead{}
			}
			for rows.Next() {
				var device string
				var dk []byte
				var state *int16
				var seq *int64
				if err := rows.Scan(&device, &dk, &state, &seq); err != nil {
					return err
				}
				var r viewRead
				if state != nil && seq != nil {
					r = viewRead{storage.ViewEntry{State: byte(*state), Seq: uint64(*seq)}, true}
				}
				m.views[device+"\x00"+string(dk)] = r
			}
			return rows.Err()
		})
	}
	dossiers := slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(pre.Dossiers))), func(d string) bool { return len(d) != 16 })
	if len(dossiers) > maxDossierStates {
		dossiers = dossiers[:maxDossierStates] // the rest read on demand
	}
	// The dossiers pushed to whose keys the process holds (begin read
	// those it lacked) and which the cache of head ops does not hold:
	// what the pushed ops ask alone, the heads of their fields (by their
	// tags, fieldtag.go) and whether they are known. The others whole,
	// as before.
	var whole, part [][]byte
	scopes := map[string]*stateScope{}
	var tagDs, opDs, opIDs [][]byte
	var tags []int64
	// Which pushed ops a dossier has comes from the ops' dossiers read
	// above (pushedKnown), for the ops among them; the rest, if any, are
	// probed in the log by the states' query.
	fromOps := map[string][][16]byte{}
	probe := tx.s.probePushed.Load()
	if len(dossiers) > 1 {
		for _, p := range pre.Pushed {
			sc := scopes[p.Dossier]
			if sc == nil {
				sc = &stateScope{fields: map[string]bool{}, ids: map[[16]byte]bool{}}
				scopes[p.Dossier] = sc
			}
			if len(p.Op) == 16 {
				sc.fields[p.Field] = true
				sc.ids[[16]byte([]byte(p.Op))] = true
			}
		}
		keys := make([][]byte, len(dossiers))
		for i, d := range dossiers {
			keys[i] = []byte(d)
		}
		held := tx.s.heads.holds(keys)
		for i, dk := range keys {
			sc := scopes[dossiers[i]]
			key, ok := tx.s.keys.load(dk)
			if held[i] || sc == nil || len(sc.ids) == 0 || !ok || tx.s.fieldStatesOff.Load() {
				whole = append(whole, dk)
				delete(scopes, dossiers[i])
				continue
			}
			part = append(part, dk)
			t := newFieldTagger(key)
			seen := map[int64]bool{}
			for f := range sc.fields {
				tg := t.tag(f)
				tx.keepTag([16]byte(dk), f, tg)
				if !seen[tg] {
					seen[tg] = true
					tagDs, tags = append(tagDs, dk), append(tags, tg)
				}
			}
			for id := range sc.ids {
				if _, ok := slices.BinarySearch(ops, string(id[:])); ok && !probe {
					fromOps[dossiers[i]] = append(fromOps[dossiers[i]], id)
					continue
				}
				opDs, opIDs = append(opDs, dk), append(opIDs, slices.Clone(id[:]))
			}
		}
	} else if len(dossiers) == 1 {
		whole = [][]byte{[]byte(dossiers[0])}
	}
	if len(whole) > 0 {
		one := len(whole) == 1
		if one {
			b.Queue(stateQuery, whole[0])
		} else {
			b.Queue(statesQuery, whole, tx.s.heads.holds(whole))
		}
		reads = append(reads, func(br pgx.BatchResults) error {
			return tx.readStates(br, whole, one, nil, nil)
		})
	}
	if len(part) > 0 {
		tx.s.partials.Add(int64(len(part)))
		if len(opIDs) > 0 {
			b.Queue(partialStatesProbeQuery, part, tagDs, tags, opDs, opIDs)
		} else {
			b.Queue(partialStatesQuery, part, tagDs, tags)
		}
		reads = append(reads, func(br pgx.BatchResults) error {
			return tx.readStates(br, part, false, scopes, fromOps)
		})
	}
	return reads
}

// Which of a group's pushed ops a dossier has (kind 5 of the states'
// rows) is answered from the ops' dossiers the group reads anyway, not
// by probing oplog for each (in a burst some 2,000 probes that find
// nothing, 8 of the states' query's 19 ms for a group of 199: issue 14,
// docs/benchmarks.md, branch probe27). It rests on an invariant of every
// committed state: oplog holds (d, i) exactly when ops numbers i under d,
// but for a dossier d with a tombstone, whose log is empty. The writers:
//
//   - a push (sync/server's push, and an SSH session's or the admin's
//     commit through its hook) stores an op with ApplyJSON and numbers it
//     with NumberOp in the same transaction, only when the op was new
//     (Known false, and an id numbered under another dossier refused
//     before: idElsewhere), so a number never moves to another dossier
//     (sqlNumberOp's ON CONFLICT is never taken with another dossier);
//   - an erasure (EraseDossier, MarkErased) writes the tombstone and
//     deletes the dossier's log in one transaction; its numbers go after,
//     in a transaction of their own (DropDossierOps): numbers of a
//     dossier with a tombstone are not read as stored ops;
//   - a copy (brug admin migrate: ImportOps, then ImportSeq) writes the
//     source's log and its numbers, as the source pairs them (a bbolt
//     file holds the same invariant: its apply and number are one bbolt
//     transaction); a copy cut off between the two holds ops without
//     numbers until it is run again, which the procedure does before the
//     region is served (docs/postgres.md, "Moving a region to
//     PostgreSQL"; nothing in the server refuses a half copy, whose
//     unnumbered ops no pull would send either);
//   - the conversions at start (convert.go: bodies, field tags) rewrite
//     columns of oplog rows, never their keys; the schema's migrations
//     move no rows of either table; tombstones are never removed.
//
// The server already relies on the first half (an op stored is numbered
// under its dossier): idElsewhere and the plain insert of a new op's
// number (sqlNumberNewOp) read ops, not oplog.
// TestPushedKnownFromOpsAsProbed holds the answers against the probe.

// pushedKnown adds to rs, the state rows of dossier dk, a kind 5 row for
// each op of ids (pushed to dk) that ops numbers under dk, unless rs has
// the dossier's tombstone. An op whose dossier the transaction did not
// read (none: the ops read goes before the states') leaves the scope, so
// that Known reads the state whole.
func (tx *Tx) pushedKnown(dk string, rs []stateRow, ids [][16]byte, scope *stateScope) []stateRow {
	if slices.ContainsFunc(rs, func(r stateRow) bool { return r.kind == 0 }) {
		return rs
	}
	never := FieldStateFault(tx.s.fieldStatesFault.Load()) == FaultPushedNeverKnown
	for _, id := range ids {
		d, ok := tx.opDossier[string(id[:])]
		switch {
		case !ok && scope != nil:
			delete(scope.ids, id)
		case ok && d == dk && !never:
			rs = append(rs, stateRow{kind: 5, id: slices.Clone(id[:])})
		}
	}
	return rs
}

// readStates reads the dossiers' states the prefetch queued (stateQuery
// for one dossier, statesQuery or partialStatesQuery for several), with
// scopes what each was read for (none: whole) and fromOps the pushed ops
// whose presence comes from the ops' dossiers (pushedKnown).
func (tx *Tx) readStates(br pgx.BatchResults, dossiers [][]byte, one bool, scopes map[string]*stateScope, fromOps map[string][][16]byte) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	by := make(map[string][]stateRow, len(dossiers))
	for rows.Next() {
		var dk []byte
		var r stateRow
		var err error
		if one {
			dk = dossiers[0]
			err = rows.Scan(&r.kind, &r.id, &r.sealed)
		} else {
			err = rows.Scan(&dk, &r.kind, &r.id, &r.sealed)
		}
		if err != nil {
			return err
		}
		by[string(dk)] = append(by[string(dk)], r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for d, ids := range fromOps {
		by[d] = tx.pushedKnown(d, by[d], ids, scopes[d])
	}
	for _, d := range dossiers {
		if _, err := tx.keepStateOf(d, by[string(d)], scopes[string(d)]); err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
	}
	return nil
}
