package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/brug-nl/brug/store"
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

// openObject checks that r starts with a JSON object (after white space)
// and returns a decoder positioned at it that refuses unknown fields.
func openObject(r io.Reader) (*json.Decoder, error) {
	br := bufio.NewReader(r)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			return nil, errors.New("the body is empty; send a JSON object")
		}
		if err != nil {
			return nil, err
		}
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			continue
		}
		if b != '{' {
			return nil, errors.New("the body must be a JSON object")
		}
		_ = br.UnreadByte()
		break
	}
	dec := json.NewDecoder(br)
	dec.DisallowUnknownFields()
	return dec, nil
}

// closeObject checks that nothing but white space follows the object.
func closeObject(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if passThrough(err) {
			return err
		}
		return errors.New("malformed JSON: more data after the request object; send one JSON object")
	}
	return nil
}

// passThrough reports whether err is one of the body's own errors (size,
// gzip), which writeDecodeError maps to their statuses.
func passThrough(err error) bool {
	var mbe *http.MaxBytesError
	return errors.Is(err, errTooLarge) || errors.Is(err, errBadGzip) || errors.As(err, &mbe)
}

// decodeJSON decodes exactly one JSON object from r into v: unknown
// fields, a value that is not an object, and anything after it but white
// space are errors, told in the API's words (jsonError).
func decodeJSON(r io.Reader, v any) error {
	dec, err := openObject(r)
	if err != nil {
		return err
	}
	if err := dec.Decode(v); err != nil {
		return jsonError("", err, dec)
	}
	return closeObject(dec)
}

// jsonError says what is wrong with a JSON body in the API's words, naming
// the field by its JSON path (path, then the field the decoder names
// below it), not in Go's ("Go struct field SyncRequest.cursor of type
// uint64").
func jsonError(path string, err error, dec *json.Decoder) error {
	if passThrough(err) {
		return err
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("malformed JSON: the body ends too early")
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("%s: must be %s, not %s", joinPath(path, te.Field), jsonKind(te.Type), jsonValue(te.Value))
	case errors.As(err, &se):
		return fmt.Errorf("malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		where := "the request"
		if path != "" {
			where = path
		}
		return fmt.Errorf("%s: unknown field %s; docs/openapi.yaml lists the fields", where, name)
	}
	return fmt.Errorf("malformed JSON at byte %d: %s", dec.InputOffset(), strings.TrimPrefix(err.Error(), "json: "))
}

// joinPath joins a JSON path and a dotted field path below it.
func joinPath(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	}
	return path + "." + field
}

// jsonKind names what a Go type accepts in JSON.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer from 0 to %d", uint64(1)<<(t.Bits()-1)<<1-1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another type"
}

// jsonValue names the JSON value the decoder found ("number -1", "string").
func jsonValue(v string) string {
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return n
	}
	switch v {
	case "string", "number":
		return "a " + v
	case "array", "object":
		return "an " + v
	case "bool":
		return "true or false"
	}
	return v
}

// wireOp is store.Op as a request carries it: Value is a pointer, so that
// an op without one (required by docs/openapi.yaml) is told from one with
// an empty string.
type wireOp struct {
	ID      string    `json:"id"`
	Dossier string    `json:"dossier"`
	Field   string    `json:"field"`
	Value   *string   `json:"value"`
	HLC     store.HLC `json:"hlc"`
	Device  string    `json:"device"`
	Author  string    `json:"author"`
	Prev    []string  `json:"prev,omitempty"`
}

// decodeSyncRequest reads one sync request: one JSON object with only the
// protocol's fields, at most protocol.MaxPushOps pushed ops, each with a
// value, and a limit in 0..protocol.MaxPullOps. It checks the request's
// shape only; each op is checked on its own later, so that one bad op is
// refused alone. An error names its op ("push[3].hlc").
//
// The body is read whole first, at most what the body reader allows
// (protocol.MaxRequestBytes, after decompression). A body of the plain
// shape devices send is decoded by fastSyncRequest (decode_fast.go); any
// other is read again by readSyncRequest, op by op, which tells what is
// wrong with it, the limits checked as it reads.
func decodeSyncRequest(r io.Reader) (protocol.SyncRequest, error) {
	bp := bodyBufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledBody {
			bodyBufs.Put(bp)
		}
	}()
	data, rerr := readBody((*bp)[:0], r)
	*bp = data[:0]
	if rerr == nil {
		if req, ok := fastSyncRequest(data); ok {
			return req, nil
		}
	}
	// The detailed decoder meets the same bytes and then the same error
	// (size limit, broken gzip) as it would have reading r itself.
	src := io.Reader(bytes.NewReader(data))
	if rerr != nil {
		src = io.MultiReader(src, errAfter{rerr})
	}
	return detailedSyncRequest(src)
}

// detailedSyncRequest is decodeSyncRequest without its fast path.
func detailedSyncRequest(r io.Reader) (protocol.SyncRequest, error) {
	req, err := readSyncRequest(r)
	if err != nil {
		return protocol.SyncRequest{}, err
	}
	return req, nil
}

func readSyncRequest(r io.Reader) (protocol.SyncRequest, error) {
	var req protocol.SyncRequest
	dec, err := openObject(r)
	if err != nil {
		return req, err
	}
	if _, err := dec.Token(); err != nil { // the '{' openObject saw
		return req, jsonError("", err, dec)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return req, jsonError("", err, dec)
		}
		key, _ := tok.(string)
		switch key {
		case "push":
			if req.Push, err = readPush(dec); err != nil {
				return req, err
			}
		case "cursor":
			if err := dec.Decode(&req.Cursor); err != nil {
				return req, jsonError("cursor", err, dec)
			}
		case "limit":
			if err := dec.Decode(&req.Limit); err != nil {
				return req, jsonError("limit", err, dec)
			}
		case "epoch":
			if err := dec.Decode(&req.Epoch); err != nil {
				return req, jsonError("epoch", err, dec)
			}
		case "erased":
			if err := dec.Decode(&req.Erased); err != nil {
				return req, jsonError("erased", err, dec)
			}
		case "method_hash":
			if err := dec.Decode(&req.MethodHash); err != nil {
				return req, jsonError("method_hash", err, dec)
			}
			if len(req.MethodHash) > 64 {
				return req, fmt.Errorf("the request: method_hash is %d bytes; at most 64", len(req.MethodHash))
			}
		case "confirm_erased":
			if err := dec.Decode(&req.ConfirmErased); err != nil {
				return req, jsonError("confirm_erased", err, dec)
			}
		case "confirm_dropped":
			if err := dec.Decode(&req.ConfirmDropped); err != nil {
				return req, jsonError("confirm_dropped", err, dec)
			}
		default:
			return req, fmt.Errorf("the request: unknown field %q; it has push, cursor, limit, epoch, erased, method_hash, confirm_erased and confirm_dropped (docs/openapi.yaml)", key)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return req, jsonError("", err, dec)
	}
	if err := closeObject(dec); err != nil {
		return req, err
	}
	if req.Limit < 0 || req.Limit > protocol.MaxPullOps {
		return req, fmt.Errorf("limit: %d is out of range 0..%d", req.Limit, protocol.MaxPullOps)
	}
	if len(req.Erased) > protocol.MaxErasureReports {
		return req, fmt.Errorf("erased: holds %d dossiers, at most %d are allowed; report the rest in the next sync", len(req.Erased), protocol.MaxErasureReports)
	}
	if n := len(req.ConfirmErased) + len(req.ConfirmDropped); n > protocol.MaxConfirmations {
		return req, fmt.Errorf("confirm_erased, confirm_dropped: hold %d dossiers, at most %d are allowed; confirm the rest in the next request", n, protocol.MaxConfirmations)
	}
	if len(req.Epoch) > 64 {
		return req, fmt.Errorf("epoch: is %d characters long, at most 64 are allowed", len(req.Epoch))
	}
	return req, nil
}

// readPush reads the push array (or null) op by op.
func readPush(dec *json.Decoder) ([]store.Op, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError("push", err, dec)
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("push: must be an array of ops, not %s", tokenKind(tok))
	}
	var ops []store.Op
	for i := 0; dec.More(); i++ {
		if i == protocol.MaxPushOps {
			return nil, fmt.Errorf("push: more than %d ops; at most %d are allowed; send the outbox in chunks", protocol.MaxPushOps, protocol.MaxPushOps)
		}
		path := fmt.Sprintf("push[%d]", i)
		var w wireOp
		if err := dec.Decode(&w); err != nil {
			return nil, jsonError(path, err, dec)
		}
		if w.Value == nil {
			return nil, fmt.Errorf("%s.value: required; an op always carries its value (\"\" for an empty one)", path)
		}
		ops = append(ops, store.Op{ID: w.ID, Dossier: w.Dossier, Field: w.Field, Value: *w.Value, HLC: w.HLC, Device: w.Device, Author: w.Author, Prev: w.Prev})
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, jsonError("push", err, dec)
	}
	return ops, nil
}

// tokenKind names a JSON token that is not what was expected.
func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	}
	return "null"
}
