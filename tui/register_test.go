package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
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

// TestMoveNamesAnEmployer: the move form offers the register's employers
// (→ takes the one shown after what was typed); a name typed without
// accents is saved as the register writes it; a name not in the register
// is kept as typed; an employer on a move to dagbesteding is refused in
// the form.
func TestMoveNamesAnEmployer(t *testing.T) {
	reg := store.NewRegister([]store.Org{
		{Name: "Garage Çelik", Kind: store.OrgEmployer},
		{Name: "Gemeente Nijmegen", Kind: store.OrgMunicipality},
	})
	for _, c := range []struct {
		name  string
		typed []string // keys in the employer field
		want  string
	}{
		{"suggestion taken", []string{"G", "a", "right"}, "Garage Çelik"},
		{"typed without accents", []string{"garage celik"}, "Garage Çelik"},
		{"not in the register", []string{"Kringloop Oost"}, "Kringloop Oost"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := dxOpen(t, "nl", 100, 30)
			if err := e.st.SetRegister(reg); err != nil {
				t.Fatal(err)
			}
			e.push(dossier.NewRouteScreen(e.m.Context(), e.id))
			// To: werkervaringsplaats (the fourth place), then to the
			// employer field past the date.
			e.keys("m", "down", "down", "down", " ", "tab", "tab")
			for _, k := range c.typed {
				if len(k) > 1 && k != "right" {
					e.typeText(k)
				} else {
					e.keys(k)
				}
			}
			e.keys("ctrl+s")
			var got string
			for _, m := range e.client().Moves {
				got = m.Employer.Value
			}
			if got != c.want {
				t.Errorf("employer %q, want %q (status %q)", got, c.want, e.status())
			}
		})
	}
	t.Run("no employer at dagbesteding", func(t *testing.T) {
		e := dxOpen(t, "nl", 100, 30)
		e.push(dossier.NewRouteScreen(e.m.Context(), e.id))
		e.keys("m", " ", "tab", "tab")
		e.typeText("Garage Çelik")
		e.keys("ctrl+s")
		if _, ok := e.top().(*kit.Form); !ok {
			t.Fatal("the form closed: the move was saved")
		}
		if v := e.view(); !strings.Contains(v, "Een werkgever hoort bij") {
			t.Errorf("no error shown:\n%s", v)
		}
		if n := len(e.client().Moves); n != 0 {
			t.Errorf("%d moves saved", n)
		}
	})
}
