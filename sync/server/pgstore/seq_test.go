package pgstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/brug-nl/brug/sync/server/pgtest"
)

func newOp(dossier []byte, size int) Op {
	op := Op{ID: make([]byte, 16), Dossier: dossier, Body: make([]byte, size)}
	rand.Read(op.ID)
	rand.Read(op.Body)
	return op
}

func newDossier() []byte {
	d := make([]byte, 16)
	rand.Read(d)
	return d
}

// waitForLockWaiter polls until a backend of the database waits on a
// lock (the second appender queued behind the first).
func waitForLockWaiter(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(20 * time.Second); ; {
		var n int
		err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the second appender never waited on the counter's lock")
		}
		time.Sleep(10 * time.Millisecond) // poll
	}
}

// The case the invariant is about, step by step: process A takes number
// 1 and has not committed; process B appends meanwhile. B must not get
// number 2 visible while 1 is in flight, or a device reading then would
// move its cursor to 2 and never see 1. B waits for A instead.
func TestSeqCommitOrder(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DB(t)
	a := openPoolOn(t, dsn)
	if _, err := Migrate(ctx, a, Data); err != nil {
		t.Fatal(err)
	}
	b, reader := openPoolOn(t, dsn), openPoolOn(t, dsn)
	d := newDossier()
	opA, opB := newOp(d, 40), newOp(d, 40)

	txA, err := a.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx)
	if first, _, err := AppendTx(ctx, txA, []Op{opA}); err != nil || first != 1 {
		t.Fatalf("A: %d, %v", first, err)
	}
	type result struct {
		first uint64
		err   error
	}
	doneB := make(chan result, 1)
	go func() {
		first, _, err := Append(ctx, b, []Op{opB})
		doneB <- result{first, err}
	}()
	waitForLockWaiter(t, reader)
	if page, err := After(ctx, reader, 0, 100); err != nil || len(page) != 0 {
		t.Fatalf("reader while A is in flight: %d ops, %v; want none", len(page), err)
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-doneB
	if r.err != nil || r.first != 2 {
		t.Fatalf("B: %d, %v; want 2 after A's 1", r.first, r.err)
	}
	page, err := After(ctx, reader, 0, 100)
	if err != nil || len(page) != 2 || page[0].Seq != 1 || page[1].Seq != 2 ||
		string(page[0].ID) != string(opA.ID) || string(page[1].ID) != string(opB.ID) {
		t.Fatalf("reader after both: %v, %v", page, err)
	}
	if last, err := Last(ctx, reader); err != nil || last != 2 {
		t.Fatalf("Last = %d, %v", last, err)
	}
}

// What the counter prevents, shown with a PostgreSQL sequence: numbers
// handed out by nextval commit in any order, and a reader skips one.
// (The checks of TestSeqConcurrentProcesses would catch this scheme.)
func TestSeqNextvalWouldSkip(t *testing.T) {
	ctx := context.Background()
	pool := openPool(t)
	if _, err := pool.Exec(ctx, "CREATE SEQUENCE naive; CREATE TABLE naive_ops (seq bigint PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	tx1, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	if _, err := tx1.Exec(ctx, "INSERT INTO naive_ops VALUES (nextval('naive'))"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO naive_ops VALUES (nextval('naive'))"); err != nil {
		t.Fatal(err)
	}
	var cursor int64
	if err := pool.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM naive_ops").Scan(&cursor); err != nil || cursor != 2 {
		t.Fatalf("reader's cursor = %d, %v", cursor, err)
	}
	if err := tx1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var below int
	pool.QueryRow(ctx, "SELECT count(*) FROM naive_ops WHERE seq <= $1", cursor).Scan(&below)
	var after int
	pool.QueryRow(ctx, "SELECT count(*) FROM naive_ops WHERE seq > $1", cursor).Scan(&after)
	if below != 2 || after != 0 {
		t.Fatalf("below %d, after %d", below, after)
	}
	// Op 1 became visible below the cursor: the reader, asking for ops
	// after 2, never gets it. That is the skip the counter rules out.
}

// Several processes (independent pools) with many goroutines each append
// batches at once, some rolled back after taking their numbers and some
// slow to commit, while readers page through with "after seq N". No
// reader may ever see a hole behind its cursor (numbers are dense and
// visible in order), and each reader ends with exactly the committed ops.
func TestSeqConcurrentProcesses(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DB(t)
	const (
		processes = 4
		writers   = 4  // goroutines per process
		txs       = 30 // transactions per writer
		readers   = 3
		pageSize  = 7
	)
	setup := openPoolOn(t, dsn)
	if _, err := Migrate(ctx, setup, Data); err != nil {
		t.Fatal(err)
	}
	dossiers := [][]byte{newDossier(), newDossier(), newDossier()}

	var committed sync.Map // op id -> struct{}
	var nCommitted, nRolledBack atomic.Int64
	errRollback := errors.New("deliberate rollback")
	var wg sync.WaitGroup
	writing := make(chan struct{})
	for p := range processes {
		pool := openPoolOn(t, dsn)
		for w := range writers {
			wg.Go(func() {
				rng := mrand.New(mrand.NewPCG(uint64(p), uint64(w)))
				for range txs {
					ops := make([]Op, 1+rng.IntN(12))
					for i := range ops {
						ops[i] = newOp(dossiers[rng.IntN(len(dossiers))], 20+rng.IntN(100))
					}
					rollback := rng.IntN(8) == 0
					slow := rng.IntN(4) == 0
					err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
						if _, _, err := AppendTx(ctx, tx, ops); err != nil {
							return err
						}
						if slow { // widen the window between numbers and commit
							if _, err := tx.Exec(ctx, "SELECT pg_sleep(0.002)"); err != nil {
								return err
							}
						}
						if rollback {
							return errRollback
						}
						return nil
					})
					switch {
					case errors.Is(err, errRollback):
						nRolledBack.Add(int64(len(ops)))
					case err != nil:
						t.Errorf("process %d writer %d: %v", p, w, err)
						return
					default:
						for _, op := range ops {
							committed.Store(string(op.ID), struct{}{})
						}
						nCommitted.Add(int64(len(ops)))
					}
				}
			})
		}
	}
	go func() { wg.Wait(); close(writing) }()

	type seen struct {
		ids   map[string]uint64
		pages int
	}
	results := make([]seen, readers)
	var rg sync.WaitGroup
	for r := range readers {
		pool := openPoolOn(t, dsn)
		rg.Go(func() {
			s := seen{ids: map[string]uint64{}}
			var cursor uint64
			done := false
			for {
				select {
				case <-writing:
					done = true
				default:
				}
				page, err := After(ctx, pool, cursor, pageSize)
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				s.pages++
				for _, op := range page {
					if op.Seq != cursor+1 {
						t.Errorf("reader %d: after %d got %d: ops %d..%d skipped", r, cursor, op.Seq, cursor+1, op.Seq-1)
						return
					}
					if _, dup := s.ids[string(op.ID)]; dup {
						t.Errorf("reader %d: op at %d seen twice", r, op.Seq)
						return
					}
					s.ids[string(op.ID)] = op.Seq
					cursor = op.Seq
				}
				// Once the writers are done, a read that began after that
				// and came back short has seen everything.
				if done && len(page) < pageSize {
					break
				}
			}
			results[r] = s
		})
	}
	rg.Wait()
	<-writing // a reader that failed early leaves the writers running
	if t.Failed() {
		return
	}
	total := int(nCommitted.Load())
	if nRolledBack.Load() == 0 {
		t.Fatal("no transaction was rolled back: the test did not try holes")
	}
	last, err := Last(ctx, setup)
	if err != nil || last != uint64(total) {
		t.Fatalf("Last = %d, %v; want %d committed ops (numbers dense, rollbacks leave no hole)", last, err, total)
	}
	for r, s := range results {
		if len(s.ids) != total {
			t.Errorf("reader %d saw %d ops, want %d", r, len(s.ids), total)
		}
		committed.Range(func(k, _ any) bool {
			if _, ok := s.ids[k.(string)]; !ok {
				t.Errorf("reader %d never saw a committed op", r)
				return false
			}
			return true
		})
		t.Logf("reader %d: %d ops in %d pages", r, len(s.ids), s.pages)
	}
	t.Logf("%d ops committed, %d rolled back, by %d processes x %d goroutines", total, nRolledBack.Load(), processes, writers)
}

// Bad input: ids of the wrong length are refused before anything is
// written.
func TestAppendBadIDs(t *testing.T) {
	ctx := context.Background()
	pool := migrated(t)
	good := newOp(newDossier(), 10)
	bad := Op{ID: []byte{1, 2, 3}, Dossier: newDossier(), Body: []byte("x")}
	if _, _, err := Append(ctx, pool, []Op{good, bad}); err == nil {
		t.Fatal("an op with a 3-byte id was appended")
	}
	// A duplicate op id fails the whole batch.
	if _, _, err := Append(ctx, pool, []Op{good}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Append(ctx, pool, []Op{newOp(newDossier(), 5), good}); err == nil {
		t.Fatal("an op id appended twice")
	}
	if last, err := Last(ctx, pool); err != nil || last != 1 {
		t.Fatalf("Last = %d, %v; a failed batch must leave neither ops nor numbers", last, err)
	}
	if first, last, err := Append(ctx, pool, nil); err != nil || first != 0 || last != 0 {
		t.Fatalf("empty append = %d, %d, %v", first, last, err)
	}
}

func BenchmarkAppend(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			ctx := context.Background()
			pool := migrated(b)
			d := newDossier()
			batches := make([][]Op, b.N)
			for i := range batches {
				batches[i] = make([]Op, n)
				for j := range batches[i] {
					batches[i][j] = newOp(d, 160)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := Append(ctx, pool, batches[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkAfter reads pages of 10,000 ops from a log of 100,000.
func BenchmarkAfter(b *testing.B) {
	const total, page = 100_000, 10_000
	ctx := context.Background()
	pool := migrated(b)
	dossiers := make([][]byte, 500)
	for i := range dossiers {
		dossiers[i] = newDossier()
	}
	for i := 0; i < total; i += 1000 {
		batch := make([]Op, 1000)
		for j := range batch {
			batch[j] = newOp(dossiers[(i+j)%len(dossiers)], 160)
		}
		if _, _, err := Append(ctx, pool, batch); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE ops"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		after := uint64(i%(total/page)) * page
		ops, err := After(ctx, pool, after, page)
		if err != nil || len(ops) != page || ops[0].Seq != after+1 {
			b.Fatalf("page after %d: %d ops, %v", after, len(ops), err)
		}
	}
	b.ReportMetric(float64(b.N*page)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkAppendParallel appends one op per transaction from many
// goroutines (4 x GOMAXPROCS) at once: the counter's lock serializes them, so this is the
// ceiling of single-op commits a region's database takes.
func BenchmarkAppendParallel(b *testing.B) {
	ctx := context.Background()
	pool := migrated(b)
	d := newDossier()
	b.ReportAllocs()
	b.SetParallelism(4) // 4 x GOMAXPROCS goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := Append(ctx, pool, []Op{newOp(d, 160)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
