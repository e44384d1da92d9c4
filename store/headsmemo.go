package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// A write transaction's heads, each field's read from the log once.
//
// A field's heads are derived from the log and the replaced set
// (fieldHeadsOf): a walk of the dossier's whole range of the log that
// decodes the ops of that field. An apply reads its field's heads first,
// so a push of ten ops into one dossier walked the dossier's log ten
// times, in the transaction every other sync of a server's group waits
// for. The writer instead keeps what it knows of a dossier's heads in a
// memo for the transaction:
//
//   - a read of a field the memo lacks walks the log once for that field
//     and every field the transaction said it will read in that dossier
//     (Tx.ExpectHeads: a push names its ops before applying them), and
//     notes each field's heads;
//   - an apply notes its field's heads after the op (the merge rule's
//     answer from the heads before it), and takes the ops its prev names
//     out of the heads of the other fields the memo holds (a remote op
//     may name another field's head);
//   - any other change of the dossier's log or replaced set in the
//     transaction (an erasure, a bulk apply, a rewrite of ops) drops the
//     dossier's memo, and the next read walks the log again.
//
// The memo's heads are the heads fieldHeadsOf derives from the log as it
// stands, after every step of random histories (headsmemo_test.go).

// dossierMemo is what a writer knows of the heads of one dossier.
type dossierMemo struct {
	// heads holds the heads of the fields read or written in the
	// transaction, as fieldHeadsOf gives them (nil for none). Its slices
	// are never changed in place: callers may hold them.
	heads map[string][]Head
	// expect holds the fields the transaction will read that heads lacks.
	expect []string
}

// memoOf returns the memo of dossier dkey, made if there is none.
func (w *writer) memoOf(dkey []byte) *dossierMemo {
	d := [16]byte(dkey)
	m := w.memo[d]
	if m == nil {
		if w.memo == nil {
			w.memo = map[[16]byte]*dossierMemo{}
		}
		m = &dossierMemo{heads: map[string][]Head{}}
		w.memo[d] = m
	}
	return m
}

// expect notes that the transaction will read the heads of fields of
// dossier dkey, so that the first read of any of them reads them all.
func (w *writer) expect(dkey []byte, fields []string) {
	if w.s.noHeadsMemo || len(dkey) != 16 {
		return
	}
	m := w.memoOf(dkey)
	for _, f := range fields {
		if _, ok := m.heads[f]; !ok && !slices.Contains(m.expect, f) {
			m.expect = append(m.expect, f)
		}
	}
}

// expectOps notes that the transaction will apply ops (expect).
func (w *writer) expectOps(ops []Op) {
	byDossier := map[string][]string{}
	for _, op := range ops {
		byDossier[op.Dossier] = append(byDossier[op.Dossier], op.Field)
	}
	for d, fields := range byDossier {
		if dkey, err := idKey(d); err == nil {
			w.expect(dkey, fields)
		}
	}
}

// fieldHeads returns the heads of a field of dossier dkey in the writer's
// transaction, as fieldHeadsOf derives them; the slice is shared.
func (w *writer) fieldHeads(dkey []byte, field string) ([]Head, error) {
	if w.s.noHeadsMemo {
		return w.s.fieldHeadsOf(w.tx, dkey, field)
	}
	m := w.memoOf(dkey)
	if hs, ok := m.heads[field]; ok {
		return hs, nil
	}
	fields := append(m.expect, field)
	if i := slices.Index(m.expect, field); i >= 0 {
		fields = m.expect
	}
	m.expect = nil
	all, err := w.s.fieldsHeadsOf(w.tx, dkey, fields)
	if err != nil {
		return nil, err
	}
	for i, f := range fields {
		m.heads[f] = all[i]
	}
	return m.heads[field], nil
}

// applied notes in the memo of dossier dkey that an op on field left it
// with the heads after and named in its prev the ops replaced (those the
// replaced set gained): no field keeps those as heads.
func (w *writer) applied(dkey []byte, field string, after []Head, replaced []string) {
	if w.s.noHeadsMemo {
		return
	}
	m := w.memoOf(dkey)
	for _, id := range replaced {
		for f, hs := range m.heads {
			if f == field {
				continue
			}
			if i := headIndex(hs, id); i >= 0 {
				hs = slices.Delete(slices.Clone(hs), i, i+1)
				if len(hs) == 0 {
					hs = nil
				}
				m.heads[f] = hs
			}
		}
	}
	if len(after) == 0 {
		after = nil
	}
	m.heads[field] = after
	if i := slices.Index(m.expect, field); i >= 0 {
		m.expect = slices.Delete(m.expect, i, i+1)
	}
}

// forget drops what the writer knows of the heads of dossier dkey: every
// path that changes the dossier's log or replaced set other than an
// apply calls it.
func (w *writer) forget(dkey []byte) {
	if len(dkey) == 16 {
		delete(w.memo, [16]byte(dkey))
	}
}

// fieldsHeadsOf derives the heads of several fields of one dossier, as
// fieldHeadsOf derives each, from one walk of the dossier's log: the i-th
// heads are those of fields[i].
func (s *Store) fieldsHeadsOf(tx *bolt.Tx, dkey []byte, fields []string) ([][]Head, error) {
	if len(fields) == 1 {
		hs, err := s.fieldHeadsOf(tx, dkey, fields[0])
		return [][]Head{hs}, err
	}
	ws := newWantFields(fields)
	rb := tx.Bucket(bReplaced)
	ops := make([][]Op, len(fields))
	_, plainCodec := s.codec.(PlainCodec)
	asIs := s.crypt == nil && plainCodec
	c := tx.Bucket(bOps).Cursor()
	for k, v := c.Seek(dkey); k != nil && bytes.HasPrefix(k, dkey); k, v = c.Next() {
		if len(k) != 32 {
			continue
		}
		if asIs && len(v) > 0 && v[0] != '{' && ws.match(v) < 0 {
			continue
		}
		plain, err := s.openFor(dkey, v)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", k[16:], err)
		}
		if len(plain) > 0 && plain[0] != '{' && ws.match(plain) < 0 {
			continue
		}
		op, err := decodeOp(k, plain, s.actors)
		if err != nil {
			return nil, fmt.Errorf("op %x: %w", k[16:], err)
		}
		i, ok := ws.index[op.Field]
		if !ok || rb.Get(k) != nil {
			continue
		}
		ops[i] = append(ops[i], op)
	}
	out := make([][]Head, len(fields))
	for i := range fields {
		hs, _ := mergeField(nil, ops[i], noneReplaced)
		if len(hs) > 0 {
			out[i] = hs
		}
	}
	return out, nil
}

// wantFields are the fields a walk of the log collects the ops of.
type wantFields struct {
	index map[string]int // field -> its position
	enc   [][]byte       // the fields' encodings (encodedField), by position
	byEnc map[string]int // encoding -> position, for many fields
}

func newWantFields(fields []string) *wantFields {
	ws := &wantFields{index: make(map[string]int, len(fields)), enc: make([][]byte, len(fields))}
	for i, f := range fields {
		ws.index[f] = i
		ws.enc[i] = encodedField(f)
	}
	if len(fields) > 8 {
		ws.byEnc = make(map[string]int, len(fields))
		for i, e := range ws.enc {
			ws.byEnc[string(e)] = i
		}
	}
	return ws
}

// match is the position of the field the log value b (schema 5) is an op
// on, or -1: for each want, exactly opFieldIs(b, want). An encoded field
// delimits itself, so b's field starts with a want exactly when it is
// that want.
func (ws *wantFields) match(b []byte) int {
	rest, ok := opFieldStart(b)
	if !ok {
		return -1
	}
	if ws.byEnc != nil {
		f, ok := fieldSpan(rest)
		if !ok {
			return -1
		}
		if i, ok := ws.byEnc[string(f)]; ok {
			return i
		}
		return -1
	}
	for i, want := range ws.enc {
		if len(rest) >= len(want) && string(rest[:len(want)]) == string(want) {
			return i
		}
	}
	return -1
}
