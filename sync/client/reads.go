package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// ReadLog is the device's read log (*store.Store has it): entries not yet
// sent, and removing those the server took.
type ReadLog interface {
	PendingReads(limit int) ([]store.ReadEntry, error)
	AckReads(upTo uint64) error
}

// maxReadRequests bounds the read-log requests of one sync; what is left
// goes with the next.
const maxReadRequests = 100

// sendReads sends the device's read log to the server, MaxReads entries a
// request, and removes from it every entry the server answered for
// (kept, kept before, or refused). A request cut off is simply sent again
// at the next sync: the server keeps each entry's id once. A server that
// does not know PathReads (404) predates it: the entries wait.
func (s *Syncer) sendReads(ctx context.Context, base, tok string, res *Result) error {
	rl, ok := s.Store.(ReadLog)
	if !ok {
		return nil
	}
	for range maxReadRequests {
		pending, err := rl.PendingReads(protocol.MaxReads)
		if err != nil {
			return fmt.Errorf("read the read log: %w", err)
		}
		if len(pending) == 0 {
			return nil
		}
		raw, err := json.Marshal(protocol.ReadsRequest{Reads: pending})
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(raw)
		if err := zw.Close(); err != nil {
			return err
		}
		b, _, err := postBody(ctx, s.HTTP, base, protocol.PathReads, tok, buf.Bytes(), false)
		if se := (*ServerError)(nil); errors.As(err, &se) && se.Status == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return fmt.Errorf("send the read log to %s: %w", base, err)
		}
		var resp protocol.ReadsResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			return fmt.Errorf("send the read log to %s: %w at %s: answer is not valid: %w", base, ErrUnreachable, base, err)
		}
		if err := rl.AckReads(pending[len(pending)-1].Seq); err != nil {
			return fmt.Errorf("prune the read log: %w", err)
		}
		res.ReadsSent += resp.Stored + resp.Known
		res.ReadsRefused += len(resp.Refused)
		if len(pending) < protocol.MaxReads {
			return nil
		}
	}
	return nil
}
