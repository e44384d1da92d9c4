package store

import (
	"errors"
	"testing"
)

// TestAckAndSetMeta: the ops acknowledged leave the outbox and the
// settings are stored, in one transaction; a bad setting's name writes
// nothing at all; unknown ids are ignored, as Ack ignores them.
func TestAckAndSetMeta(t *testing.T) {
	s := openTest(t, Options{Author: "anna"})
	id, err := s.CreateClient(NewClient{Name: "Mila", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(id, Set("step/1/note", "Gesprek")); err != nil {
		t.Fatal(err)
	}
	out, _, err := s.Outbox(100)
	if err != nil || len(out) < 2 {
		t.Fatalf("outbox %d ops, %v", len(out), err)
	}
	err = s.AckAndSetMeta([]string{out[0].ID}, map[string][]byte{"x_cursor": []byte("7"), "cursor": []byte("8")})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("a setting without x_: %v", err)
	}
	if n, _ := s.OutboxLen(); n != len(out) {
		t.Fatalf("outbox %d after a refused write, want %d", n, len(out))
	}
	if v, _ := s.Meta("x_cursor"); v != nil {
		t.Fatalf("x_cursor %q after a refused write", v)
	}
	unknown := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	if err := s.AckAndSetMeta([]string{out[0].ID, unknown}, map[string][]byte{"x_cursor": []byte("7"), "x_last": []byte("now")}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.OutboxLen(); n != len(out)-1 {
		t.Errorf("outbox %d, want %d", n, len(out)-1)
	}
	if v, _ := s.Meta("x_cursor"); string(v) != "7" {
		t.Errorf("x_cursor %q", v)
	}
	if v, _ := s.Meta("x_last"); string(v) != "now" {
		t.Errorf("x_last %q", v)
	}
	if err := s.AckAndSetMeta(nil, nil); err != nil {
		t.Errorf("nothing to write: %v", err)
	}
}
