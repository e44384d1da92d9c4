package tui

import (
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/kit"
)

// TestDossierViewTakesOnlyItsOwnAnswers: an answer meant for another
// screen on the same dossier (a step screen just left, say) must not be
// applied, nor count as this screen's request, or this screen's own later
// answer would be dropped as stale and it would show old data.
func TestDossierViewTakesOnlyItsOwnAnswers(t *testing.T) {
	ctx := clContext(nil, 80, 24)
	me, other := &struct{ int }{1}, &struct{ int }{2}
	d := kit.DossierView{Dossier: "a"}
	mine := d.Loads.Next()
	foreign := kit.DossierMsg{To: other, Seq: mine + 5, Dossier: "a", Client: &store.Client{ID: "from the other screen"}}
	if ok, _ := d.Take(ctx, me, foreign); ok || d.Client != nil {
		t.Fatal("took an answer meant for another screen")
	}
	own := kit.DossierMsg{To: me, Seq: mine, Dossier: "a", Client: &store.Client{ID: "a"}}
	if ok, _ := d.Take(ctx, me, own); !ok || d.Client == nil || d.Client.ID != "a" {
		t.Fatal("dropped its own answer after a foreign one")
	}
	if ok, _ := d.Take(ctx, me, own); ok {
		t.Error("took the same answer twice")
	}
	if ok, _ := d.Take(ctx, me, kit.DossierMsg{To: me, Seq: d.Loads.Next(), Dossier: "b"}); ok {
		t.Error("took an answer for another dossier")
	}
}
