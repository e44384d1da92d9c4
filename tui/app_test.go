package tui

import (
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/coord"
	"github.com/brug-nl/brug/tui/dossier"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/report"
)

// TestOpenMsgOpensTheFeatureScreens: features never import each other;
// the root opens what one feature asks of another. Each target must put
// its own screen in front, for the dossier asked.
func TestOpenMsgOpensTheFeatureScreens(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: "Anna"})
	cases := []struct {
		msg   kit.OpenMsg
		check func(kit.Screen) bool
	}{
		{kit.OpenMsg{To: kit.OpenDossier, Dossier: id}, func(s kit.Screen) bool { o, ok := s.(*dossier.Overview); return ok && o.ID == id }},
		{kit.OpenMsg{To: kit.OpenReview, Dossier: id, Step: 2}, func(s kit.Screen) bool { r, ok := s.(*dossier.ReviewScreen); return ok && r.Dossier == id && r.N == 2 }},
		{kit.OpenMsg{To: kit.OpenTeamOverview}, func(s kit.Screen) bool { _, ok := s.(*coord.TeamOverview); return ok }},
		{kit.OpenMsg{To: kit.OpenReviewQueue}, func(s kit.Screen) bool { _, ok := s.(*coord.ReviewQueue); return ok }},
		{kit.OpenMsg{To: kit.OpenFlowReport}, func(s kit.Screen) bool { _, ok := s.(*report.FlowReport); return ok }},
	}
	for _, c := range cases {
		m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "test", Renderer: clRenderer(), Role: kit.RoleCoordinator})
		clDrive(t, m, m.Init())
		clDrive(t, m, kit.Open(c.msg.To, c.msg.Dossier, c.msg.Step))
		if !c.check(m.Top()) {
			t.Errorf("%+v opened %T", c.msg, m.Top())
		}
	}
}
