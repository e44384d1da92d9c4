package tui

import (
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// TestScreensEscapeWhatOtherDevicesTyped: a client name or note with an
// escape sequence, synced before the server refused them, was printed raw
// in every colleague's and coordinator's list and dossier, where it
// rewrites the screen; the screens show it escaped.
func TestScreensEscapeWhatOtherDevicesTyped(t *testing.T) {
	st := clStore(t)
	name := "Anna\x1b]0;owned\x07\x1b[2J\u202eseirV"
	id := clCreate(t, st, store.NewClient{Name: name, Team: "Noord", Places: []store.Place{store.PlaceDagbesteding}})
	clCreate(t, st, store.NewClient{Name: "Bert Plain", Team: "Noord", Places: []store.Place{store.PlaceDagbesteding}})
	if _, err := st.Commit(id, store.Set("step/1/note", "regel 1\nregel 2 \x1b[31mrood")); err != nil {
		t.Fatal(err)
	}
	raw := func(what, view string) {
		t.Helper()
		if strings.ContainsAny(view, "\x1b\x07\u202e") {
			t.Errorf("%s shows a control character raw:\n%q", what, view)
		}
	}
	l := clLoadedList(t, st, 120, 30)
	view := l.View()
	raw("the list", view)
	if !strings.Contains(view, `Anna\x1b]0;owned`) || !strings.Contains(view, "Bert Plain") {
		t.Errorf("the list does not show the names, escaped:\n%s", view)
	}
	o := clOverview(t, st, id, 120, 40)
	raw("the overview", o.View())
	if o.Client.Steps[0].Note.Value != "regel 1\nregel 2 \\x1b[31mrood" {
		t.Errorf("the note as shown: %q", o.Client.Steps[0].Note.Value)
	}
	// The store's own data is untouched.
	c, err := st.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name.Value != name {
		t.Errorf("the store's name changed: %q", c.Name.Value)
	}
}

// TestSafeSummariesCopiesOnlyWhenNeeded: clean lists pass through without
// a copy (the list of a big caseload is reloaded often).
func TestSafeSummariesCopiesOnlyWhenNeeded(t *testing.T) {
	sums := []store.Summary{{ID: "a", Name: "Zoë"}, {ID: "b", Name: "Bert"}}
	if out := kit.SafeSummaries(sums); &out[0] != &sums[0] {
		t.Error("a clean list was copied")
	}
	sums[1].Name = "B\x1bert"
	out := kit.SafeSummaries(sums)
	if &out[0] == &sums[0] || out[1].Name != `B\x1bert` || sums[1].Name != "B\x1bert" {
		t.Errorf("escaped %q, original %q", out[1].Name, sums[1].Name)
	}
}
