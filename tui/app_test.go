package tui

import (
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// TestOpenMsgOpensTheFeatureScreens: features never import each other;
// the root opens what one feature asks of another. Each target must put
// its own screen in front, for the dossier asked.
func TestOpenMsgOpensTheFeatureScreens(t *testing.T) {
	st := clStore(t)
	id := clCreate(t, st, store.NewClient{Name: "Anna"})
	cases := []struct {
		msg   OpenMsg
		check func(Screen) bool
	}{
		{OpenMsg{To: OpenDossier, Dossier: id}, func(s Screen) bool { o, ok := s.(*overview); return ok && o.id == id }},
		{OpenMsg{To: OpenReview, Dossier: id, Step: 2}, func(s Screen) bool { r, ok := s.(*reviewScreen); return ok && r.dossier == id && r.n == 2 }},
		{OpenMsg{To: OpenTeamOverview}, func(s Screen) bool { _, ok := s.(*teamOverview); return ok }},
		{OpenMsg{To: OpenReviewQueue}, func(s Screen) bool { _, ok := s.(*reviewQueue); return ok }},
		{OpenMsg{To: OpenFlowReport}, func(s Screen) bool { _, ok := s.(*flowReport); return ok }},
	}
	for _, c := range cases {
		m := New(Options{Store: st, Method: method.Default(), Lang: "nl", User: "test", Renderer: clRenderer(), Role: RoleCoordinator})
		clDrive(t, m, m.Init())
		clDrive(t, m, Open(c.msg.To, c.msg.Dossier, c.msg.Step))
		if !c.check(m.Top()) {
			t.Errorf("%+v opened %T", c.msg, m.Top())
		}
	}
}
