package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/brug-nl/brug/sync/protocol"
)

// errTooLarge is returned by the body readers past their limit.
var errTooLarge = errors.New("request body too large")

// limitReader reads at most n bytes and fails with errTooLarge when there
// are more, unlike io.LimitReader, which ends silently (and would turn an
// oversize body into a truncated, maybe still valid, one).
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

// decodeJSON decodes exactly one JSON object from r into v: unknown
// fields, a value that is not an object, and anything after it but white
// space are errors.
func decodeJSON(r io.Reader, v any) error {
	br := bufio.NewReader(r)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return errors.New("the body is empty; send a JSON object")
		}
		if err != nil {
			return err
		}
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			continue
		}
		if b != '{' {
			return errors.New("the body must be a JSON object")
		}
		_ = br.UnreadByte()
		break
	}
	dec := json.NewDecoder(br)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, errTooLarge) || errors.Is(err, errBadGzip) {
			return err
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the JSON body ends too early")
		}
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.Is(err, errTooLarge) || errors.Is(err, errBadGzip) || errors.As(err, &mbe) {
			return err
		}
		return errors.New("malformed JSON: more data after the request object; send one JSON object")
	}
	return nil
}

// decodeSyncRequest reads one sync request: one JSON object with only the
// protocol's fields, at most protocol.MaxPushOps pushed ops and a limit in
// 0..protocol.MaxPullOps. It checks the request's shape only; each op is
// checked on its own later, so that one bad op is refused alone.
func decodeSyncRequest(r io.Reader) (protocol.SyncRequest, error) {
	var req protocol.SyncRequest
	if err := decodeJSON(r, &req); err != nil {
		return protocol.SyncRequest{}, err
	}
	if len(req.Push) > protocol.MaxPushOps {
		return protocol.SyncRequest{}, fmt.Errorf("push holds %d ops, at most %d are allowed; send the outbox in chunks", len(req.Push), protocol.MaxPushOps)
	}
	if len(req.Erased) > protocol.MaxErasureReports {
		return protocol.SyncRequest{}, fmt.Errorf("erased holds %d dossiers, at most %d are allowed", len(req.Erased), protocol.MaxErasureReports)
	}
	if len(req.Epoch) > 64 {
		return protocol.SyncRequest{}, fmt.Errorf("epoch is %d characters long, at most 64 are allowed", len(req.Epoch))
	}
	if req.Limit < 0 || req.Limit > protocol.MaxPullOps {
		return protocol.SyncRequest{}, fmt.Errorf("limit %d is out of range 0..%d", req.Limit, protocol.MaxPullOps)
	}
	return req, nil
}
