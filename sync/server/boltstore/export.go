package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// storage.Export: what a copy of the region to another backend reads and
// writes (brug admin migrate). EachOpDossier, EachErased and MarkErased
// are the op-log store's (store/export.go).

func (tx *Tx) EachMember(fn func(team, user string) error) error {
	return tx.bucket(bMembers).ForEach(func(k, _ []byte) error {
		team, user, ok := strings.Cut(string(k), "\x00")
		if !ok {
			return nil
		}
		return fn(team, user)
	})
}

func (tx *Tx) EachToken(fn func(hash []byte, device string) error) error {
	return tx.bucket(bTokens).ForEach(func(k, v []byte) error { return fn(bytes.Clone(k), string(v)) })
}

func (tx *Tx) EachShare(fn func(dossier string, teams []string) error) error {
	return tx.bucket(bDossierShare).ForEach(func(k, v []byte) error {
		if len(v) == 0 {
			return nil
		}
		return fn(string(k), strings.Split(strings.TrimSuffix(string(v), "\x00"), "\x00"))
	})
}

func (tx *Tx) EachView(fn func(device, dossier string, e storage.ViewEntry) error) error {
	return tx.bucket(bView).ForEach(func(k, v []byte) error {
		if len(k) < 17 || k[len(k)-17] != 0 || len(v) != 9 {
			return nil
		}
		return fn(string(k[:len(k)-17]), string(k[len(k)-16:]), storage.ViewEntry{State: v[0], Seq: binary.BigEndian.Uint64(v[1:])})
	})
}

func (tx *Tx) EachRefusalOp(fn func(dossier, op string, at time.Time, code string) error) error {
	return tx.bucket(bRefused).ForEach(func(k, v []byte) error {
		if len(k) != 32 || len(v) < 8 {
			return nil
		}
		return fn(string(k[:16]), string(k[16:]), time.Unix(int64(binary.BigEndian.Uint64(v)), 0), string(v[8:]))
	})
}

func (tx *Tx) EachDraft(fn func(dossier string, step int, user, text string) error) error {
	return tx.bucket(bDrafts).ForEach(func(k, v []byte) error {
		if len(k) < 20 {
			return nil
		}
		id := idText(k[:16])
		plain, err := tx.OpenFor(id, v)
		if errors.Is(err, store.ErrDossierKey) {
			return nil // erased: unreadable, as it should be
		}
		if err != nil {
			return fmt.Errorf("draft of %s: %w", id, err)
		}
		return fn(id, int(int32(binary.BigEndian.Uint32(k[16:20]))), string(k[20:]), string(plain))
	})
}

func (tx *Tx) EachReceipt(fn func(dossier, device string, r storage.Receipt) error) error {
	return eachJSON(tx, bReceipts, nil, func(k []byte, r storage.Receipt) error {
		if len(k) < 16 {
			return nil
		}
		return fn(string(k[:16]), string(k[16:]), r)
	})
}

func (tx *Tx) EachSetting(fn func(name string, value []byte) error) error {
	return tx.bucket(bServer).ForEach(func(k, v []byte) error {
		if string(k) == kReceiptKey || string(k) == kAuditHead {
			return nil
		}
		return fn(string(k), bytes.Clone(v))
	})
}

func (tx *Tx) ImportOps(dossier string, raws [][]byte) (int, error) {
	n := 0
	for _, raw := range raws {
		var op store.Op
		if err := json.Unmarshal(raw, &op); err != nil {
			return n, fmt.Errorf("%w: an op of %x: %v", store.ErrInvalid, dossier, err)
		}
		if string(key(op.Dossier)) != dossier {
			return n, fmt.Errorf("%w: op %s is of dossier %s, not %x", store.ErrInvalid, op.ID, op.Dossier, dossier)
		}
		if tx.Erased(op.Dossier) {
			return n, store.ErrErased
		}
		added, err := tx.ApplyJSON(op, raw)
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

func (tx *Tx) ImportSeq(entries []storage.SeqEntry) error {
	seqs := tx.bucket(bSeq)
	top := seqs.Sequence()
	for _, e := range entries {
		if len(e.Op) != 16 || len(e.Dossier) != 16 || e.Seq == 0 {
			return fmt.Errorf("%w: numbered op %d: not keys", store.ErrInvalid, e.Seq)
		}
		if seqs.Get(be64(e.Seq)) == nil {
			if err := seqs.Put(be64(e.Seq), []byte(e.Op+e.Dossier)); err != nil {
				return err
			}
			if err := tx.bucket(bOpDossier).Put([]byte(e.Op), []byte(e.Dossier)); err != nil {
				return err
			}
		}
		top = max(top, e.Seq)
	}
	return seqs.SetSequence(top)
}

func (tx *Tx) RaiseSeq(last uint64) error {
	seqs := tx.bucket(bSeq)
	if seqs.Sequence() >= last {
		return nil
	}
	return seqs.SetSequence(last)
}

func (tx *Tx) ImportAudit(e storage.AuditEntry) error {
	if e.Seq == 0 {
		return fmt.Errorf("%w: an audit entry without a number", store.ErrInvalid)
	}
	storage.NormalizeAudit(&e)
	plain := storage.AppendAuditJSON(make([]byte, 0, 320), &e)
	sealed, err := tx.Seal(plain)
	if err != nil {
		return err
	}
	b := tx.bucket(bAudit)
	if err := b.Put(be64(e.Seq), sealed); err != nil {
		return err
	}
	if b.Sequence() < e.Seq {
		if err := b.SetSequence(e.Seq); err != nil {
			return err
		}
	}
	if e.Read != "" {
		if err := tx.bucket(bAuditReads).Put([]byte(e.Read), be64(e.Seq)); err != nil {
			return err
		}
	}
	if e.Hash == "" {
		return nil
	}
	head, ok, err := tx.AuditHead()
	if err != nil || ok && head.Seq > e.Seq {
		return err
	}
	h, err := hex.DecodeString(e.Hash)
	if err != nil || len(h) != 32 {
		return fmt.Errorf("%w: audit entry %d: hash %q", store.ErrInvalid, e.Seq, e.Hash)
	}
	return tx.bucket(bServer).Put([]byte(kAuditHead), append(be64(e.Seq), h...))
}

func (tx *Tx) SetReceiptKey(k []byte) error {
	if len(k) != 32 {
		return fmt.Errorf("%w: a receipt key of %d bytes", store.ErrInvalid, len(k))
	}
	sealed, err := tx.Seal(k)
	if err != nil {
		return err
	}
	return tx.bucket(bServer).Put([]byte(kReceiptKey), sealed)
}

// idText is the text form of a 16-byte key.
func idText(k []byte) string {
	var u [16]byte
	copy(u[:], k)
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// OpenReadOnly opens the server file at path without writing anything
// (a shared lock: a file a brug serve holds fails with store.ErrLocked),
// for a copy of the region to another backend. A file whose layout is
// older than this version's (a bucket missing) is refused: open it once
// with brug serve or brug admin first.
func OpenReadOnly(path string, opt store.Options) (*DB, error) {
	opt.ReadOnly = true
	st, b, err := store.OpenWithBuckets(path, opt)
	if err != nil {
		return nil, err
	}
	db := &DB{st: st, b: b}
	err = st.View(func(tx *store.Tx) error {
		for _, name := range all {
			if bk, err := b.Bucket(tx, name); err != nil || bk == nil {
				return fmt.Errorf("%w: the file lacks %s (an older layout): start brug serve or run a brug admin command on it once, then copy it", store.ErrInvalid, name)
			}
		}
		return nil
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	return db, nil
}
