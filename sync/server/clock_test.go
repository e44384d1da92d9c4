package server

import (
	"slices"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// TestFarFutureOpsRefusedByClock: ops stamped more than a day ahead of the
// server's clock are refused with the code "clock", the ops behind them
// are stored, other devices never get them, and the server's own writes
// (SSH sessions) keep the server's date.
// Attack or accident: a laptop a year ahead (or a client forging 2^64-1)
// pushed ops every replica then adopted as its clock, for good.
func TestFarFutureOpsRefusedByClock(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	id, ops := a.create("Noord", "Noor")
	a.sync(ops...)

	stamped := func(op store.Op, h store.HLC) store.Op { op.HLC = h; return op }
	year3000 := stamped(a.op(id, "name", "Noor 3000"), store.MakeHLC(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0))
	forged := stamped(a.op(id, "birthyear", "1990"), store.MaxHLC)
	justOver := stamped(a.op(id, "benefit", "wajong"), store.MakeHLC(t0.Add(protocol.MaxClockAhead+time.Millisecond), 0))
	ahead := stamped(a.op(id, "step/1/note", "een dag vooruit"), store.MakeHLC(t0.Add(protocol.MaxClockAhead), 0xFFFF))
	good := a.op(id, "coaches", "anna")
	resp := a.sync(year3000, forged, justOver, ahead, good)

	codes := refusedCodes(resp)
	for _, op := range []store.Op{year3000, forged, justOver} {
		if codes[op.ID] != protocol.RefuseClock {
			t.Errorf("op stamped %d: refused %q, want %q", op.HLC, codes[op.ID], protocol.RefuseClock)
		}
	}
	if want := []string{ahead.ID, good.ID}; !slices.Equal(resp.Accepted, want) {
		t.Errorf("accepted %v, want %v: ops behind the refused ones are stored", resp.Accepted, want)
	}
	if !resp.ServerTime.Equal(t0) {
		t.Errorf("server_time %s, want the server's clock %s", resp.ServerTime, t0)
	}

	// A new dossier whose only team op is refused for its stamp is not
	// created: its other ops are refused as of an unknown dossier.
	fresh, fops := a.create("Noord", "Bram")
	fops[2] = stamped(fops[2], store.MaxHLC)
	resp = a.sync(fops...)
	codes = refusedCodes(resp)
	if len(resp.Accepted) != 0 || codes[fops[2].ID] != protocol.RefuseClock || codes[fops[0].ID] != protocol.RefuseUnknown {
		t.Errorf("new dossier with a far-future team op: accepted %v, refused %v", resp.Accepted, codes)
	}

	// Another device gets the accepted ops and none of the refused.
	b.syncAll()
	for _, op := range []store.Op{year3000, forged, justOver} {
		if _, ok := b.have[id][op.ID]; ok {
			t.Errorf("op stamped %d reached another device", op.HLC)
		}
	}
	if _, ok := b.have[fresh]; ok {
		t.Error("a dossier whose team op was refused reached another device")
	}
	if _, ok := b.have[id][ahead.ID]; !ok {
		t.Error("the op within the bound did not reach the other device")
	}

	// A write on the server (an SSH session) is stamped by the server's
	// clock, within its own bound, though it saw an op a day ahead.
	ss, err := e.srv.Session("anna", ChannelSSH, "s-anna")
	e.must(err)
	made, err := ss.Commit(id, store.Set("name", "Noor Jansen"))
	e.must(err)
	// (ahead is at the bound, so the session's op is one tick past it.)
	if h := made[0].HLC; h <= ahead.HLC || h > store.ClockBound(t0)+1 {
		t.Errorf("session op stamped %s, want just after the op a day ahead (%s)", h.Time().UTC(), ahead.HLC.Time().UTC())
	}
	e.clock.Add(time.Hour)
	made, err = ss.Commit(id, store.Set("name", "Noor Visser"))
	e.must(err)
	if h := made[0].HLC; h > store.ClockBound(e.clock.Now()) {
		t.Errorf("session op stamped %s, beyond the server's bound", h.Time().UTC())
	}

	// An op the server holds from before the bound existed is acknowledged
	// when pushed again, as any known op (pushes stay idempotent).
	old := stamped(a.op(id, "coaches", "bert"), store.MakeHLC(time.Date(3001, 1, 1, 0, 0, 0, 0, time.UTC), 0))
	if _, err := opStoreOf(e.t, e.srv).ApplyRemote([]store.Op{old}); err != nil {
		t.Fatal(err)
	}
	resp = a.sync(old)
	if !slices.Equal(resp.Accepted, []string{old.ID}) || len(resp.Refused) != 0 {
		t.Errorf("an op the server holds was not acknowledged: %+v", resp)
	}
}
