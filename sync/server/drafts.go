package server

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/brug-nl/brug/store"
)

// bDrafts holds texts a user began on the server (over SSH) and has not
// sent yet: the comment of a send back. A draft is the user's own: only
// their sessions read it, it is never synced, and it goes with the
// dossier when that is erased. Values are sealed with the dossier's key, like
// its ops (DossierBuckets).
const bDrafts = "x_drafts" // dossier id (16) + step (4 BE) + user name -> sealed text

// maxDraft bounds a draft, as store.MaxText bounds the text it becomes.
const maxDraft = store.MaxText

func draftKey(dossier string, step int, user string) []byte {
	k := append(dkey(dossier), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(k[16:], uint32(step))
	return append(k, user...)
}

// Draft returns the session user's draft for step n of dossier, "" when
// there is none. The user must still see the dossier.
func (ss *Session) Draft(dossier string, n int) (string, error) {
	if err := ss.checkRead(dossier); err != nil {
		return "", err
	}
	var text string
	err := ss.s.st.View(func(tx *store.Tx) error {
		sealed := bucket(tx, bDrafts).Get(draftKey(dossier, n, ss.user))
		if sealed == nil {
			return nil
		}
		plain, err := tx.OpenFor(dossier, sealed)
		if err != nil {
			return fmt.Errorf("draft: %w", err)
		}
		text = string(plain)
		return nil
	})
	return text, err
}

// SaveDraft keeps text as the session user's draft for step n of dossier;
// an empty text removes the draft.
func (ss *Session) SaveDraft(dossier string, n int, text string) error {
	if n < 1 || !utf8.ValidString(text) || len(text) > maxDraft {
		return fmt.Errorf("draft: %w", ErrInvalid)
	}
	if err := ss.checkRead(dossier); err != nil {
		return err
	}
	return ss.s.st.Update(func(tx *store.Tx) error {
		b, k := bucket(tx, bDrafts), draftKey(dossier, n, ss.user)
		if text == "" {
			return b.Delete(k)
		}
		if tx.Erased(dossier) {
			return fmt.Errorf("client %s: %w", dossier, store.ErrNotFound)
		}
		// Sealed with the dossier's key, not the file's: erasing the
		// dossier deletes that key, so the bytes of its drafts left in free
		// pages or in old copies of the file cannot be read any more.
		sealed, err := tx.SealFor(dossier, []byte(text))
		if err != nil {
			return err
		}
		return b.Put(k, sealed)
	})
}

// eraseDrafts removes every draft of a dossier, in the erase's transaction.
func eraseDrafts(tx *store.Tx, dossier string) error {
	dk := dkey(dossier)
	b := bucket(tx, bDrafts)
	var gone [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(dk); k != nil && bytes.HasPrefix(k, dk); k, _ = c.Next() {
		gone = append(gone, bytes.Clone(k))
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
