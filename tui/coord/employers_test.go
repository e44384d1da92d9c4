package coord

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/kit/kittest"
)

// TestEmployerView: E on the team overview opens the employer view: per
// employer the people placed there now and before, since when, until
// when, and what kind of place; down chooses the next employer.
func TestEmployerView(t *testing.T) {
	st := kittest.Store(t)
	mk := func(name, team string) string {
		return kittest.Create(t, st, store.NewClient{Name: name, BirthYear: "1990", Team: team, Places: []store.Place{store.PlaceDagbesteding}})
	}
	move := func(id, date, employer string, to ...store.Place) {
		t.Helper()
		if _, err := st.RecordMoveEmployer(id, to, date, "", employer); err != nil {
			t.Fatal(err)
		}
	}
	anna, bram, cem := mk("Anna de Vries", "Noord"), mk("Bram Jansen", "Noord"), mk("Cem Yılmaz", "Zuid")
	move(anna, "2025-03-01", "Garage Çelik", store.PlaceWerkervaring)
	move(bram, "2025-01-10", "Garage Çelik", store.PlaceVrijwillig)
	move(bram, "2025-06-02", "Bakkerij De Zon", store.PlaceRegulier)
	move(cem, "2025-07-01", "Bakkerij De Zon", store.PlaceBeschut)

	ctx := kittest.Context(st, 80, 24)
	ctx.Role, ctx.Teams = kit.RoleCoordinator, []string{"Noord", "Zuid"}
	var o kit.Screen = NewTeamOverview(ctx)
	o, _ = kittest.Run(t, o, o.Init())
	_, msgs := kittest.Press(t, o, "E")
	var v *EmployerView
	for _, m := range msgs {
		if p, ok := m.(kit.PushMsg); ok {
			v, _ = p.Screen.(*EmployerView)
		}
	}
	if v == nil {
		t.Fatalf("E on the team overview pushed no employer view: %#v", msgs)
	}
	var s kit.Screen = v
	s, _ = kittest.Run(t, s, s.Init())
	out := s.View()
	for _, want := range []string{"Bakkerij De Zon", "2 nu · 0 eerder", "Garage Çelik", "1 nu · 1 eerder", "Cem Yılmaz · Zuid · beschut werk · sinds"} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	s, _ = kittest.Press(t, s, "down")
	golden.RequireEqual(t, []byte(s.View()))
	if out := s.View(); !strings.Contains(out, "Bram Jansen · Noord · vrijwilligerswerk ·") {
		t.Errorf("Bram before at Çelik missing:\n%s", out)
	}
	// A coordinator of Zuid sees only Zuid's placements.
	ctx.Teams = []string{"Zuid"}
	var z kit.Screen = NewEmployerView(ctx)
	z, _ = kittest.Run(t, z, z.Init())
	if out := z.View(); strings.Contains(out, "Garage") || !strings.Contains(out, "Bakkerij De Zon") {
		t.Errorf("team Zuid:\n%s", out)
	}
}
