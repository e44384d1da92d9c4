package tui

import (
	"testing"

	"github.com/brug-nl/brug/store"
)

// TestDossierViewTakesOnlyItsOwnAnswers: an answer meant for another
// screen on the same dossier (a step screen just left, say) must not be
// applied, nor count as this screen's request, or this screen's own later
// answer would be dropped as stale and it would show old data.
func TestDossierViewTakesOnlyItsOwnAnswers(t *testing.T) {
	ctx := clContext(nil, 80, 24)
	me, other := &struct{ int }{1}, &struct{ int }{2}
	d := dossierView{dossier: "a"}
	mine := d.loads.next()
	foreign := dossierMsg{to: other, seq: mine + 5, dossier: "a", client: &store.Client{ID: "from the other screen"}}
	if ok, _ := d.take(ctx, me, foreign); ok || d.client != nil {
		t.Fatal("took an answer meant for another screen")
	}
	own := dossierMsg{to: me, seq: mine, dossier: "a", client: &store.Client{ID: "a"}}
	if ok, _ := d.take(ctx, me, own); !ok || d.client == nil || d.client.ID != "a" {
		t.Fatal("dropped its own answer after a foreign one")
	}
	if ok, _ := d.take(ctx, me, own); ok {
		t.Error("took the same answer twice")
	}
	if ok, _ := d.take(ctx, me, dossierMsg{to: me, seq: d.loads.next(), dossier: "b"}); ok {
		t.Error("took an answer for another dossier")
	}
}
