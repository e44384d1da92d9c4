package client

import (
	"testing"

	"github.com/brug-nl/brug/store"
)

// The store reads the user's teams from the setting the sync client
// writes, to tell which dossiers it holds through a read-only share
// (store.HeldReadOnly): both must name the same setting.
func TestTeamsSettingIsTheStores(t *testing.T) {
	if MetaTeams != store.MetaSyncTeams {
		t.Fatalf("the sync client keeps the teams in %q, the store reads %q", MetaTeams, store.MetaSyncTeams)
	}
}
