package pgstore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
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

// fieldTag is the tag of field in dossier dk.
func (tx *Tx) fieldTag(dk []byte, field string) (int64, error) {
	t, err := tx.tagger(dk, true)
	if err != nil {
		return 0, err
	}
	return t.tag(field), nil
}
