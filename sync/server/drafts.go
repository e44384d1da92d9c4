package server

import (
	"fmt"
	"unicode/utf8"

	"github.com/brug-nl/brug/store"
)

// Drafts are texts a user began on the server (over SSH) and has not
// sent yet: the comment of a send back. A draft is the user's own: only
// their sessions read it, it is never synced, and it goes with the
// dossier when that is erased. Values are sealed with the dossier's key,
// like its ops (storage.Drafts).

// maxDraft bounds a draft, as store.MaxText bounds the text it becomes.
const maxDraft = store.MaxText

// Draft returns the session user's draft for step n of dossier, "" when
// there is none. The user must still see the dossier.
func (ss *Session) Draft(dossier string, n int) (string, error) {
	if err := ss.checkRead(dossier); err != nil {
		return "", err
	}
	var text string
	err := ss.s.db.View(func(tx Tx) error {
		t, _, err := tx.Draft(dossier, n, ss.user)
		if err != nil {
			return fmt.Errorf("draft: %w", err)
		}
		text = t
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
	return ss.s.db.Update(func(tx Tx) error {
		if text == "" {
			return tx.DeleteDraft(dossier, n, ss.user)
		}
		if tx.Erased(dossier) {
			return fmt.Errorf("client %s: %w", dossier, store.ErrNotFound)
		}
		// Sealed with the dossier's key, not the file's (Drafts): erasing
		// the dossier deletes that key, so the bytes of its drafts left in
		// free pages or in old copies of the file cannot be read any more.
		return tx.PutDraft(dossier, n, ss.user, text)
	})
}

// eraseDrafts removes every draft of a dossier, in the erase's transaction.
func eraseDrafts(tx Tx, dossier string) error {
	return tx.DeleteDossierDrafts(dossier)
}
