package server

import (
	"testing"
	"time"
)

// panickyWipes is a storage.WipeReader whose first read panics.
type panickyWipes struct{ reads int }

func (p *panickyWipes) WipeMarked(hashes [][]byte) (map[string]Device, error) {
	p.reads++
	if p.reads == 1 {
		panic("the database driver failed")
	}
	return nil, nil
}

// TestWipeChecksSurviveAPanickingRead: a read of the wipe orders that
// panics must not leave the batch reader's turn taken. Attack: one
// request whose read panics (a driver bug, a bad row) would otherwise
// make every later sync of the server wait for ever.
func TestWipeChecksSurviveAPanickingRead(t *testing.T) {
	var c wipeChecks
	r := &panickyWipes{}
	if _, err := c.check(r, []byte("first")); err == nil {
		t.Error("a panicking read answered no error")
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.check(r, []byte("second"))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the read after the panic: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the check after a panicking read never returned")
	}
}
