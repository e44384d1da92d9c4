package tui

import (
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/tui/dossier"
)

// Opening a dossier's overview logs one read (open, through the app);
// reloading it after a change does not log another, and on the server
// (SSH) the app leaves logging to the server's audit.
func TestOverviewOpenLogsRead(t *testing.T) {
	st := clStore(t)
	id := clRich(t, st)
	ctx := clContext(st, 80, 21)
	ctx.User, ctx.Role = "piet", "coach"
	s := dossier.NewOverviewScreen(ctx, id)
	s, _ = clRun(t, s, s.Init())
	s, _ = clRun(t, s, s.Init()) // a reload after a change
	if s.(*dossier.Overview).Client == nil {
		t.Fatal("overview did not load")
	}
	got, err := st.ReadsOf(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Action != store.ReadOpen || got[0].Channel != store.ChannelApp || got[0].User != "piet" || got[0].Role != "coach" {
		t.Fatalf("read log: %+v", got)
	}
	ctx.OnServer = true
	s = dossier.NewOverviewScreen(ctx, id)
	clRun(t, s, s.Init())
	if got, _ := st.ReadsOf(id); len(got) != 1 {
		t.Fatalf("an SSH session logged into the file: %+v", got)
	}
}
