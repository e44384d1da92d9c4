package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// TestHeaderShowsTheUsersOrganisation: beside the user's name the header
// names the organisation their team belongs to, from the register, and
// follows the register after a sync.
func TestHeaderShowsTheUsersOrganisation(t *testing.T) {
	st := kittest.Store(t)
	if err := st.SetRegister(store.NewRegister([]store.Org{{Name: "Zorggroep Noord", Kind: store.OrgCare, Teams: []string{"Noord"}}})); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: st, User: "anna", Teams: []string{"Noord"}, Renderer: kittest.Renderer(), Now: func() time.Time { return kittest.Today }})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if strings.Contains(m.View(), "Zorggroep") {
		t.Fatal("the organisation shows before it was read")
	}
	m.Update(m.loadOrg()())
	if v := m.View(); !strings.Contains(strings.SplitN(v, "\n", 2)[0], "anna · Zorggroep Noord") {
		t.Errorf("header:\n%s", strings.SplitN(v, "\n", 2)[0])
	}
	if err := st.SetRegister(store.NewRegister([]store.Org{{Name: "Zorggroep Noord-Oost", Kind: store.OrgCare, Teams: []string{"Noord"}}})); err != nil {
		t.Fatal(err)
	}
	m.Update(m.loadOrg()())
	if v := m.View(); !strings.Contains(strings.SplitN(v, "\n", 2)[0], "anna · Zorggroep Noord-Oost") {
		t.Errorf("header after the register changed:\n%s", strings.SplitN(v, "\n", 2)[0])
	}
}
