package server

import (
	"errors"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestDraftsAreTheUsersOwnAndGoWithAnErase: a draft is kept per user and
// step; others (and other steps) do not see it; a user without
// access to the dossier can neither read nor write one; an erase removes
// every draft of the dossier.
func TestDraftsAreTheUsersOwnAndGoWithAnErase(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	_, err = e.admin.AddUser("zed", protocol.RoleCoordinator, []string{"Zuid"})
	e.must(err)
	id, ops := anna.create("Noord", "Noor Jansen")
	anna.sync(ops...)
	session := func(user string) *Session {
		s, err := e.srv.Session(user, ChannelSSH, "t")
		e.must(err)
		return s
	}
	cor, cor2, zed := session("cor"), session("cor"), session("zed")
	e.must(cor.SaveDraft(id, 1, "nog een handtekening nodig"))
	if d, err := cor2.Draft(id, 1); err != nil || d != "nog een handtekening nodig" {
		t.Errorf("cor's next session reads %q, %v", d, err)
	}
	if d, err := session("anna").Draft(id, 1); err != nil || d != "" {
		t.Errorf("anna reads cor's draft: %q, %v", d, err)
	}
	if d, err := cor.Draft(id, 2); err != nil || d != "" {
		t.Errorf("step 2 has step 1's draft: %q, %v", d, err)
	}
	if _, err := zed.Draft(id, 1); !errors.Is(err, ErrNoAccess) {
		t.Errorf("zed (Zuid) reads a Noord draft: %v", err)
	}
	if err := zed.SaveDraft(id, 1, "x"); !errors.Is(err, ErrNoAccess) {
		t.Errorf("zed (Zuid) writes a Noord draft: %v", err)
	}
	for _, bad := range []string{strings.Repeat("x", store.MaxText+1), "\xff"} {
		if err := cor.SaveDraft(id, 1, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("a bad draft (%d bytes) was kept: %v", len(bad), err)
		}
	}
	e.must(cor.SaveDraft(id, 2, "stap twee"))
	e.must(cor.SaveDraft(id, 1, ""))
	if d, err := cor.Draft(id, 1); err != nil || d != "" {
		t.Errorf("an emptied draft is still there: %q, %v", d, err)
	}
	e.must(cor.SaveDraft(id, 1, "weer iets"))
	if _, err := e.admin.Erase(id); err != nil {
		t.Fatal(err)
	}
	e.must(e.srv.db.View(func(tx Tx) error {
		if k, _ := rawBucket(t, tx, bDrafts).Cursor().First(); k != nil {
			t.Errorf("a draft of an erased dossier is left: %x", k)
		}
		return nil
	}))
}
