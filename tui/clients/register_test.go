package clients

import (
	"slices"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// testRegister is a small region's register.
func testRegister() store.Register {
	return store.NewRegister([]store.Org{
		{Name: "Zorggroep Noord", Kind: store.OrgCare, Teams: []string{"Noord", "Noord-West"}},
		{Name: "Garage Çelik & Zonen", Kind: store.OrgEmployer, KvK: "12345678",
			Contacts: []store.OrgContact{{Name: "Zoë Ağaoğlu", Role: "werkplaatschef", Phone: "024-1234567", Email: "zoe@celik.nl"}}},
		{Name: "Gemeente Nijmegen", Kind: store.OrgMunicipality, Teams: []string{"Werk en Inkomen"}},
		{Name: "Bakkerij De Zon", Kind: store.OrgEmployer},
	})
}

// TestRegisterScreen: o on the client list opens the register; typing
// without accents filters it (celik finds Çelik, a contact's name finds
// their organisation); esc clears the filter, then goes back.
func TestRegisterScreen(t *testing.T) {
	st := clStore(t)
	if err := st.SetRegister(testRegister()); err != nil {
		t.Fatal(err)
	}
	var l kit.Screen = NewClientList(clContext(st, 80, 24))
	l, _ = clRun(t, l, l.Init())
	_, msgs := clPress(t, l, "o")
	var rs *RegisterScreen
	for _, m := range msgs {
		if p, ok := m.(kit.PushMsg); ok {
			rs, _ = p.Screen.(*RegisterScreen)
		}
	}
	if rs == nil {
		t.Fatalf("o on the list pushed no register screen: %#v", msgs)
	}
	var s kit.Screen = rs
	s, _ = clRun(t, s, s.Init())
	if got := rs.Shown(); !slices.Equal(got, []string{"Bakkerij De Zon", "Garage Çelik & Zonen", "Gemeente Nijmegen", "Zorggroep Noord"}) {
		t.Fatalf("all: %q", got)
	}
	s = clType(t, s, "celik")
	if got := rs.Shown(); !slices.Equal(got, []string{"Garage Çelik & Zonen"}) {
		t.Fatalf("celik: %q", got)
	}
	golden.RequireEqual(t, []byte(s.View()))
	s, _ = clPress(t, s, "esc")
	s = clType(t, s, "agaoglu")
	if got := rs.Shown(); !slices.Equal(got, []string{"Garage Çelik & Zonen"}) {
		t.Errorf("a contact's name without accents: %q", got)
	}
	s, _ = clPress(t, s, "esc")
	s = clType(t, s, "noord-west")
	if got := rs.Shown(); !slices.Equal(got, []string{"Zorggroep Noord"}) {
		t.Errorf("a team's name: %q", got)
	}
	s, _ = clPress(t, s, "esc")
	if _, msgs := clPress(t, s, "esc"); !slices.ContainsFunc(msgs, func(m tea.Msg) bool { _, ok := m.(kit.PopMsg); return ok }) {
		t.Errorf("esc on an empty filter did not go back: %#v", msgs)
	}
}

// TestRegisterScreenEmpty: before the first sync the register says where
// it comes from.
func TestRegisterScreenEmpty(t *testing.T) {
	var s kit.Screen = NewRegisterScreen(clContext(clStore(t), 80, 24))
	s, _ = clRun(t, s, s.Init())
	golden.RequireEqual(t, []byte(s.View()))
}
