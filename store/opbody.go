package store

import (
	"encoding/json"
	"fmt"
)

// Op bodies: the log's op encoding (opbin.go) made to stand alone, for a
// log that keeps no actor table: the server's PostgreSQL backend
// (sync/server/pgstore), where several processes share one database and
// an actor's number would have to be agreed among them. A body is the
// schema 5 form with the format byte fmtOpBody and, where that form has
// the actor's number, the device (written as a prev id is) and the author
// (a length and the bytes). Like the log's form it is read with its log
// key (dossier id + op id, LogKey), which it does not repeat, and its
// JSON (AppendOpBodyJSON) is byte for byte what json.Marshal makes of
// the op.
//
// A body that is JSON (starts with '{': how the PostgreSQL log kept ops
// before) is read as such, so that a log converted in part reads whole.
const fmtOpBody byte = 3

// AppendOpBody appends the body of op, whose log key is lkey, to dst.
func AppendOpBody(dst, lkey []byte, op *Op) []byte {
	e := enc{b: dst}
	e.opStart(fmtOpBody, lkey, op, nil)
	e.cid(op.Device)
	e.string(op.Author)
	e.opPrevs(op)
	return e.b
}

// OpBodySize is about the length of op's body, for a buffer.
func OpBodySize(op *Op) int { return opSizeHint(op) + len(op.Device) }

// IsOpBodyJSON reports whether body is an op's JSON rather than its
// binary body (a log not yet converted).
func IsOpBodyJSON(body []byte) bool { return len(body) > 0 && body[0] == '{' }

// checkBody refuses what is neither a body nor JSON (the log's own form
// names its actor by a number of a store's table, which a body's reader
// does not have).
func checkBody(lkey, body []byte) error {
	if len(lkey) != 32 {
		return fmt.Errorf("read op: key of %d bytes: %w", len(lkey), errCorrupt)
	}
	if len(body) == 0 || body[0] != fmtOpBody && body[0] != '{' {
		return fmt.Errorf("read op %x: not an op body: %w", lkey, errCorrupt)
	}
	return nil
}

// DecodeOpBody reads the op whose body (or JSON) is body and log key lkey.
func DecodeOpBody(lkey, body []byte) (Op, error) {
	if err := checkBody(lkey, body); err != nil {
		return Op{}, err
	}
	return decodeOp(lkey, body, nil)
}

// AppendOpBodyJSON appends to dst what json.Marshal makes of the op
// whose body is body and log key lkey. A JSON body is written again as
// json.Marshal writes it (it is what a device sent).
func AppendOpBodyJSON(dst, lkey, body []byte) ([]byte, error) {
	if err := checkBody(lkey, body); err != nil {
		return dst, err
	}
	if IsOpBodyJSON(body) {
		var op Op
		if err := json.Unmarshal(body, &op); err != nil {
			return dst, fmt.Errorf("read op %x: %w", lkey, err)
		}
		b, err := json.Marshal(&op)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	return appendOpJSON(dst, lkey, body, nil)
}

// An OpBodyDecoder decodes op bodies as Tx.DossierOps decodes the log:
// the ops' strings are cut from blocks it shares among them, never
// written again, so the ops stay good after the bodies are gone. Not for
// use by several goroutines at once.
type OpBodyDecoder struct{ a opArena }

// Decode reads the op whose body is body and log key lkey; dossier is
// the text form of lkey[:16] (shared by the ops of a dossier).
func (d *OpBodyDecoder) Decode(lkey, body []byte, dossier string) (Op, error) {
	if err := checkBody(lkey, body); err != nil {
		return Op{}, err
	}
	return d.a.decode(lkey, body, nil, dossier)
}
