package pgstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
)

// Field tags (migration 00007; docs/postgres.md, "Field tags"). A push
// needs the heads of the fields it writes, and the server cannot tell a
// sealed op's field without opening it: a group's BEGIN read the heads'
// bodies of every field of each pushed-to dossier (some 65 a dossier of
// the benchmark's region, for a push of 6 fields) and the group opened
// them all. Each row of oplog now carries its op's field as a keyed tag,
// the first 8 bytes of HMAC-SHA256 under a key derived from the
// dossier's data key: equal fields of one dossier have equal tags, and
// the database learns nothing else of the field (not which one, not that
// two dossiers have the same). The tag goes with the dossier's key: once
// it is erased nobody can tell the tags' fields.
//
// A tag only narrows which heads are read: rows whose tag is NULL (written
// before the migration, or by a brug that wrote no tag) are read as
// before, with their bodies, and every head read is filtered on its
// opened field (two fields with one tag cost a body, nothing else).

// tagKeyLabel separates the tags' key from the data key it comes from.
const tagKeyLabel = "brug oplog field tag"

// fieldTagger makes the tags of one dossier's fields.
type fieldTagger struct{ mac hash.Hash }

func newFieldTagger(dataKey []byte) fieldTagger {
	k := hmac.New(sha256.New, dataKey)
	k.Write([]byte(tagKeyLabel))
	return fieldTagger{hmac.New(sha256.New, k.Sum(nil))}
}

// tag is field's tag.
func (t fieldTagger) tag(field string) int64 {
	t.mac.Reset()
	t.mac.Write([]byte(field))
	var sum [sha256.Size]byte
	return int64(binary.BigEndian.Uint64(t.mac.Sum(sum[:0])))
}

// tagger is the tagger of dossier dk's fields, made once per transaction
// (with its key made if need be, as sealFor makes it).
func (tx *Tx) tagger(dk []byte, make_ bool) (fieldTagger, error) {
	if t, ok := tx.taggers[[16]byte(dk)]; ok {
		return t, nil
	}
	k, err := tx.s.dossierKey(tx.ctx, dk, make_)
	if err != nil {
		return fieldTagger{}, err
	}
	t := newFieldTagger(k)
	if tx.taggers == nil || len(tx.taggers) >= maxCiphers {
		tx.taggers = map[[16]byte]fieldTagger{}
	}
	tx.taggers[[16]byte(dk)] = t
	return t, nil
}

// fieldTag is the tag of field in dossier dk, made once per transaction
// (an HMAC each time was some 6 ms of a 200-device burst's CPU, on the
// group's critical path: every op of the group asks its field's tag, and
// the group's BEGIN made the pushed fields' already).
func (tx *Tx) fieldTag(dk []byte, field string) (int64, error) {
	if tg, ok := tx.tags[[16]byte(dk)][field]; ok {
		return tg, nil
	}
	t, err := tx.tagger(dk, true)
	if err != nil {
		return 0, err
	}
	tg := t.tag(field)
	tx.keepTag([16]byte(dk), field, tg)
	return tg, nil
}

// keepTag keeps the tag of field in dossier dk for fieldTag.
func (tx *Tx) keepTag(dk [16]byte, field string, tag int64) {
	if tx.tags == nil || len(tx.tags) >= maxCiphers {
		tx.tags = map[[16]byte]map[string]int64{}
	}
	m := tx.tags[dk]
	if m == nil {
		m = make(map[string]int64, 8)
		tx.tags[dk] = m
	}
	m[field] = tag
}

// Tagging the rows written before migration 00007, which records, when
// any row lacks a tag, the setting kTagFields: as the bodies' conversion
// (convert.go), run by OpenStorage after it, in batches under the write
// lock, each moving the setting to the log key of its last row in the
// same transaction; the last deletes the setting. Cut off anywhere, the
// next start goes on from the last batch committed. A row whose dossier
// has no key, or whose body does not open, keeps no tag: it is read as
// any field's, as before.

// kTagFields is the setting migration 00007 makes.
const kTagFields = "tag_fields"

// tagFields tags the log's rows from where the setting says to the end.
// stop, for tests, is called in each batch's transaction after its rows
// are written; an error from it rolls the batch back and ends the fill.
func (s *Storage) tagFields(ctx context.Context, stop func(batch int) error) error {
	return s.inBatches(ctx, kTagFields, "tag the op log's fields", s.tagNext, stop)
}

// tagNext tags the rows of one batch in transaction t; done when no row
// is left.
func (s *Storage) tagNext(ctx context.Context, t pgx.Tx) (done bool, err error) {
	rows, done, err := rewriteRows(ctx, t, kTagFields, "dossier, op_id, op, field IS NULL")
	if done || err != nil {
		return done, err
	}
	type row struct {
		dossier, id, sealed []byte
		untagged            bool
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.dossier, &x.id, &x.sealed, &x.untagged)
		return x, err
	})
	if err != nil {
		return false, err
	}
	var ds, ids [][]byte
	var tags []int64
	for _, r := range rs {
		if !r.untagged || len(r.dossier) != 16 || len(r.id) != 16 {
			continue
		}
		lkey := append(slices.Clone(r.dossier), r.id...)
		k, err := s.dossierKey(ctx, r.dossier, false)
		if errors.Is(err, store.ErrDossierKey) {
			continue
		}
		if err != nil {
			return false, err
		}
		plain, err := open(k, lkey, r.sealed)
		if err != nil {
			continue
		}
		op, err := store.DecodeOpBody(lkey, plain)
		if err != nil {
			continue
		}
		ds, ids, tags = append(ds, r.dossier), append(ids, r.id), append(tags, newFieldTagger(k).tag(op.Field))
	}
	var lastD, lastID []byte
	if len(rs) > 0 {
		lastD, lastID = rs[len(rs)-1].dossier, rs[len(rs)-1].id
	}
	return endBatch(ctx, t, kTagFields, "field", "bigint", ds, ids, tags, len(rs), lastD, lastID)
}
