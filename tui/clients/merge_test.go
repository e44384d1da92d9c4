package clients

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// mergeStore is a store on a fixed clock (the list's day), so the merge
// screen's "changed" days are stable in its golden file.
func mergeStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test",
		Now: func() time.Time { return kittest.Today.Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestMergeDuplicatesFromTheList: M on a client marked "dubbel?" lists
// its likely duplicates (not a namesake born in another year); the coach
// picks the one to keep, confirms, and store.MergeClients moves the other
// into it, as `brug duplicates merge` does: the other is withdrawn, its
// agreement is in the one kept, and the list loses the mark.
func TestMergeDuplicatesFromTheList(t *testing.T) {
	st := mergeStore(t)
	a := kittest.Create(t, st, store.NewClient{Name: "Zoë Çelik", BirthYear: "1990", Team: "Zuid"})
	b := kittest.Create(t, st, store.NewClient{Name: "zoe celik", BirthYear: "1990", Team: "Noord"})
	kittest.Add(t, st, b, store.EntityAgreement, map[string]string{"what": "Intake bij het ROC", "due": "2025-09-20"})
	if _, err := st.Commit(b, store.Set("step/1/status", "done")); err != nil {
		t.Fatal(err)
	}
	other := kittest.Create(t, st, store.NewClient{Name: "Zoe Celik", BirthYear: "1975", Team: "Noord"})

	var s kit.Screen = NewClientList(clContext(st, 80, 24))
	s, _ = clRun(t, s, s.Init())
	l := s.(*ClientList)
	l.selectID(a)
	if l.SelectedID() != a {
		t.Fatal("cannot put the cursor on the duplicate")
	}
	offered := false
	for _, b := range l.Help() {
		offered = offered || b.Help().Key == "M"
	}
	if !offered {
		t.Error("the list's help does not offer M on a client marked dubbel?")
	}
	_, msgs := clPress(t, s, "M")
	var ms *MergeScreen
	for _, m := range msgs {
		if p, ok := m.(kit.PushMsg); ok {
			ms, _ = p.Screen.(*MergeScreen)
		}
	}
	if ms == nil {
		t.Fatalf("M on the list pushed no merge screen: %#v", msgs)
	}
	var ss kit.Screen = ms
	ss, _ = clRun(t, ss, ss.Init())
	// The footer says what enter does here, and leaves esc to the root
	// (it showed "enter openen" and "esc terug" twice).
	for _, b := range ms.Help() {
		if b.Help().Desc == "openen" || b.Help().Key == "esc" {
			t.Errorf("merge screen help offers %q %q", b.Help().Key, b.Help().Desc)
		}
	}
	if len(ms.group) != 2 || ms.group[0].ID != a || ms.group[1].ID != b {
		t.Fatalf("group %+v, want the two of 1990, the one under the cursor first", ms.group)
	}
	// Keep the one with the agreement and a step done: down, enter.
	ss, _ = clPress(t, ss, "down", "enter")
	golden.RequireEqual(t, []byte(ss.View()))
	// n leaves it undone.
	ss, _ = clPress(t, ss, "n")
	if c, _ := st.Client(a); c.MergedInto.Value != "" {
		t.Fatal("n merged anyway")
	}
	ss, msgs = clPress(t, ss, "enter", "j")
	var popped, changed bool
	status := ""
	for _, m := range msgs {
		switch m := m.(type) {
		case kit.PopMsg:
			popped = true
		case kit.ChangedMsg:
			changed = m.Touches(b)
		case kit.StatusMsg:
			status = m.Text
		}
	}
	if !popped || !changed || !strings.Contains(status, "1 dossier samengevoegd in dat van zoe celik") {
		t.Fatalf("after the merge: popped %v, changed %v, status %q", popped, changed, status)
	}
	ca, err := st.Client(a)
	if err != nil {
		t.Fatal(err)
	}
	if ca.MergedInto.Value != b {
		t.Errorf("the dossier gone records merged_into %q, want %s", ca.MergedInto.Value, b)
	}
	removed := map[string]bool{}
	sums, _ := st.Summaries()
	for _, s := range sums {
		removed[s.ID] = s.Removed
	}
	if !removed[a] || removed[b] || removed[other] {
		t.Errorf("withdrawn after the merge: %v; want only the one gone (%s)", removed, a)
	}
	if cb, _ := st.Client(b); !strings.Contains(cb.MergedFrom.Value, a) || len(cb.Agreements) != 1 {
		t.Errorf("the one kept: merged_from %q, %d agreements", cb.MergedFrom.Value, len(cb.Agreements))
	}
	// The list no longer marks the one kept.
	s, _ = clRun(t, s, l.Reload())
	if v := s.View(); strings.Contains(v, "dubbel?") {
		t.Errorf("the list still marks a duplicate:\n%s", v)
	}
	_ = ss
}

// TestMergeWithoutDuplicate: M on a client without a likely duplicate
// says so and merges nothing.
func TestMergeWithoutDuplicate(t *testing.T) {
	st := mergeStore(t)
	id := kittest.Create(t, st, store.NewClient{Name: "Piet de Vries", BirthYear: "1975", Team: "Noord"})
	var s kit.Screen = NewMergeScreen(clContext(st, 80, 24), id)
	_, msgs := clRun(t, s, s.Init())
	var popped bool
	status := ""
	for _, m := range msgs {
		switch m := m.(type) {
		case kit.PopMsg:
			popped = true
		case kit.StatusMsg:
			status = m.Text
		}
	}
	if !popped || !strings.Contains(status, "Geen dubbel") {
		t.Fatalf("no duplicate: popped %v, status %q", popped, status)
	}
}
