package client_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
)

// countingStore counts the write transactions a sync makes on the
// device's file (each a commit with its fsync).
type countingStore struct {
	*store.Store
	writes   int
	failRead bool // PendingReads fails: the sync stops after its rounds
}

func (c *countingStore) Ack(ids []string) error {
	if len(ids) > 0 {
		c.writes++
	}
	return c.Store.Ack(ids)
}

func (c *countingStore) SetMeta(name string, v []byte) error {
	c.writes++
	return c.Store.SetMeta(name, v)
}

func (c *countingStore) AckAndSetMeta(ids []string, meta map[string][]byte) error {
	c.writes++
	return c.Store.AckAndSetMeta(ids, meta)
}

func (c *countingStore) ApplyRemote(ops []store.Op) (int, error) {
	c.writes++
	return c.Store.ApplyRemote(ops)
}

func (c *countingStore) PendingReads(limit int) ([]store.ReadEntry, error) {
	if c.failRead {
		return nil, errors.New("the read log is unreadable")
	}
	return c.Store.PendingReads(limit)
}

// plainStore is a Store with only the methods client.Store asks for (a
// store without AckAndSetMeta).
type plainStore struct{ client.Store }

// storedCursor is the sync cursor kept in st's file.
func storedCursor(t *testing.T, st *store.Store) uint64 {
	t.Helper()
	raw, err := st.Meta(client.MetaCursor)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseUint(string(raw), 10, 64)
	return n
}

// TestOneFieldSyncCommitsOnce: a sync that pushes one changed field
// commits the laptop's file once (the pushed op out of the outbox, the
// cursor and the time of the sync together), and one that pulls it
// twice (the op, then the cursor and the time), where each was a commit
// of its own before (3 a side, each with its fsync). A store without
// AckAndSetMeta gets the same result with a write each.
func TestOneFieldSyncCommitsOnce(t *testing.T) {
	r := newRegion(t)
	anna, bram := r.laptop("anna", "Noord"), r.laptop("bram", "Noord")
	id, err := anna.st.CreateClient(store.NewClient{Name: "Mila de Groot", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := &countingStore{Store: anna.st}, &countingStore{Store: bram.st}
	sa := &client.Syncer{Store: ca, Tokens: anna.syncer.Tokens}
	sb := &client.Syncer{Store: cb, Tokens: bram.syncer.Tokens}
	for _, s := range []*client.Syncer{sa, sb} {
		if _, err := s.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if _, err := anna.st.Commit(id, store.Set("step/1/note", fmt.Sprintf("Gesprek %d", i))); err != nil {
			t.Fatal(err)
		}
		ca.writes, cb.writes = 0, 0
		res, err := sa.Sync(context.Background())
		if err != nil || res.Pushed != 1 {
			t.Fatalf("push: %+v, %v", res, err)
		}
		if ca.writes != 1 {
			t.Errorf("push %d: %d writes to the laptop's file, want 1", i, ca.writes)
		}
		if n, _ := anna.st.OutboxLen(); n != 0 || storedCursor(t, anna.st) != res.Cursor {
			t.Errorf("push %d: outbox %d, cursor %d stored, %d answered", i, n, storedCursor(t, anna.st), res.Cursor)
		}
		res, err = sb.Sync(context.Background())
		if err != nil || res.Pulled != 1 {
			t.Fatalf("pull: %+v, %v", res, err)
		}
		if cb.writes != 2 {
			t.Errorf("pull %d: %d writes to the laptop's file, want 2", i, cb.writes)
		}
		if storedCursor(t, bram.st) != res.Cursor {
			t.Errorf("pull %d: cursor %d stored, %d answered", i, storedCursor(t, bram.st), res.Cursor)
		}
	}

	// Without AckAndSetMeta: a write each, the same outcome.
	if _, err := anna.st.Commit(id, store.Set("step/1/note", "Zonder")); err != nil {
		t.Fatal(err)
	}
	ca.writes = 0
	res, err := (&client.Syncer{Store: plainStore{ca}, Tokens: anna.syncer.Tokens}).Sync(context.Background())
	if err != nil || res.Pushed != 1 {
		t.Fatalf("push without AckAndSetMeta: %+v, %v", res, err)
	}
	if n, _ := anna.st.OutboxLen(); n != 0 || storedCursor(t, anna.st) != res.Cursor || ca.writes != 3 {
		t.Errorf("push without AckAndSetMeta: outbox %d, cursor %d stored, %d answered, %d writes (want 3)", n, storedCursor(t, anna.st), res.Cursor, ca.writes)
	}
	if res, err := (&client.Syncer{Store: plainStore{cb}, Tokens: bram.syncer.Tokens}).Sync(context.Background()); err != nil || res.Pulled != 1 {
		t.Fatalf("pull without AckAndSetMeta: %+v, %v", res, err)
	}
	if a, b := opIDs(t, anna.st, id), opIDs(t, bram.st, id); !slices.Equal(a, b) {
		t.Errorf("the laptops hold different ops: %v and %v", a, b)
	}
}

// TestSyncKeepsAnswerWhenItFailsLater: the pushed op the server answered
// for leaves the outbox, and the cursor is kept, also when the sync fails
// after its rounds (here the read log cannot be read): what the rounds
// left pending is written before the sync returns.
func TestSyncKeepsAnswerWhenItFailsLater(t *testing.T) {
	r := newRegion(t)
	anna := r.laptop("anna", "Noord")
	id, err := anna.st.CreateClient(store.NewClient{Name: "Mila de Groot", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	anna.sync(t)
	if _, err := anna.st.Commit(id, store.Set("step/1/note", "Gesprek")); err != nil {
		t.Fatal(err)
	}
	before := storedCursor(t, anna.st)
	ca := &countingStore{Store: anna.st, failRead: true}
	_, err = (&client.Syncer{Store: ca, Tokens: anna.syncer.Tokens}).Sync(context.Background())
	if err == nil {
		t.Fatal("the sync did not fail")
	}
	if n, _ := anna.st.OutboxLen(); n != 0 {
		t.Errorf("%d ops left in the outbox after the server accepted them", n)
	}
	if c := storedCursor(t, anna.st); c <= before {
		t.Errorf("cursor %d stored, before the sync %d", c, before)
	}
	if raw, _ := anna.st.Meta(client.MetaLast); len(raw) == 0 {
		t.Error("no time of the last sync after the first")
	}
}
