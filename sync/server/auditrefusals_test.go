package server

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// refusals returns the audit entries of action.
func (e *env) refusals(action string) []AuditEntry {
	e.t.Helper()
	out, err := e.admin.Audit(AuditFilter{Action: action})
	e.must(err)
	return out
}

// TestForbiddenPushIsAudited: a coach's laptop that writes to another
// team's dossiers (a curious coach, a stolen token) is refused op by op;
// the admin sees it as one record per sync, with the refused ops counted
// per code and the dossiers they named, and no op value.
func TestForbiddenPushIsAudited(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	z := e.user("zora", protocol.RoleCoach, "Zuid")
	id1, ops1 := z.create("Zuid", "Geheim Een")
	id2, ops2 := z.create("Zuid", "Geheim Twee")
	z.sync(append(ops1, ops2...)...)

	// Three ops on Zuid's dossiers (forbidden), one on a field no dossier
	// has (invalid): counted per code.
	resp := a.sync(a.op(id1, "name", "Overschreven"), a.op(id1, "phone", "0612345678"), a.op(id2, "name", "Ook"),
		a.op(id2, "name", "Toekomst"))
	if len(resp.Refused) != 4 {
		t.Fatalf("refused %d ops, want 4: %+v", len(resp.Refused), resp.Refused)
	}
	bad := e.refusals(ActionPushRefused)
	if len(bad) != 1 {
		t.Fatalf("want one push refused record per sync, got %d: %+v", len(bad), bad)
	}
	r := bad[0]
	if r.User != "anna" || r.Device != a.id || r.Channel != ChannelSync || len(r.Refused) != 2 || r.Refused[protocol.RefuseForbidden] != 3 || r.Refused[protocol.RefuseInvalid] != 1 ||
		!slices.Equal(r.RefusedDossiers, slices.Sorted(slices.Values([]string{id1, id2}))) {
		t.Errorf("record: %+v", r)
	}
	for _, x := range e.auditAll() {
		for _, secret := range []string{"Overschreven", "0612345678", "Geheim", "phone", "team \"Zuid\""} {
			if strings.Contains(fmt.Sprintf("%+v", x), secret) {
				t.Errorf("audit holds %q: %+v", secret, x)
			}
		}
	}
	// Read by dossier, the record is about that dossier.
	byDossier, err := e.admin.Audit(AuditFilter{Dossier: id2, Action: "refused"})
	e.must(err)
	if len(byDossier) != 1 || byDossier[0].Dossier != id2 || !slices.Equal(byDossier[0].RefusedDossiers, []string{id2}) {
		t.Errorf("by dossier: %+v", byDossier)
	}
	// A sync without refusals writes none.
	a.sync(a.createOps("Noord", "Eigen")...)
	if n := len(e.refusals(ActionPushRefused)); n != 1 {
		t.Errorf("%d push refused records after a clean sync, want 1", n)
	}
}

// create's ops as one slice, for sync.
func (d *device) createOps(team, name string) []store.Op { _, ops := d.create(team, name); return ops }

// TestRefusedTokensAreAudited: a revoked laptop that still syncs, a
// disabled user's laptop, and tokens nobody was given are refused with
// 401 and recorded: the device and user when the token was a device's,
// only the address otherwise; repeats within a minute are counted in
// the next record instead of each written (a script trying tokens would
// otherwise flood the log).
func TestRefusedTokensAreAudited(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	b := e.user("bert", protocol.RoleCoach, "Noord")
	a.sync()
	e.must(e.admin.RevokeDevice(a.id))
	e.must(e.admin.DisableUser("bert"))
	for range 3 {
		if _, status, _ := a.try(0); status != 401 {
			t.Fatalf("revoked device: status %d", status)
		}
	}
	if _, status, _ := b.try(0); status != 401 {
		t.Fatalf("disabled user: status %d", status)
	}
	stranger := &device{e: e, user: "x", token: strings.Repeat("A", 43)}
	for i := range 5 {
		stranger.token = fmt.Sprintf("guess-%d", i)
		if _, status, _ := stranger.try(0); status != 401 {
			t.Fatalf("unknown token: status %d", status)
		}
	}
	// A revoked device reporting erasures after a restore is refused
	// before its sync starts, and recorded all the same (counted here
	// as a repeat of the revoked device's refusals).
	var resp protocol.SyncResponse
	if status, _ := e.post(protocol.PathSync, a.token, protocol.SyncRequest{Erased: map[string]string{store.NewID(): "x"}}, &resp); status != 401 {
		t.Fatalf("revoked device reporting erasures: status %d", status)
	}
	got := e.refusals(ActionTokenRefused)
	want := []struct{ user, device, detail string }{
		{"anna", a.id, "revoked device"},
		{"bert", b.id, "device of a disabled or removed user"},
		{"", "", "unknown token"},
	}
	if len(got) != len(want) {
		t.Fatalf("want %d token refused records (one per device or address per minute), got %d: %+v", len(want), len(got), got)
	}
	for i, w := range want {
		if g := got[i]; g.User != w.user || g.Device != w.device || g.Detail != w.detail || g.Remote != "127.0.0.1" || g.Channel != ChannelSync {
			t.Errorf("record %d: %+v, want %+v from 127.0.0.1", i, g, w)
		}
	}
	// A minute on, the next refusal is recorded with the repeats counted.
	e.clock.Add(time.Minute)
	stranger.token = "guess-again"
	stranger.try(0)
	a.try(0)
	got = e.refusals(ActionTokenRefused)
	if len(got) != 5 || got[3].Remote != "127.0.0.1" || got[3].Unrecorded != 4 || got[4].Device != a.id || got[4].Unrecorded != 3 {
		t.Errorf("after a minute: %+v", got[3:])
	}
	for _, x := range got {
		if strings.Contains(x.Detail, "guess") {
			t.Errorf("a token reached the audit log: %+v", x)
		}
	}
}

// TestRefusalLimiterIsBounded: fresh keys (a scanner makes a new SSH key
// or token for each try) are recorded at most refusalBurst a minute,
// what was dropped is counted in the next record, and the limiter's
// memory stays bounded.
func TestRefusalLimiterIsBounded(t *testing.T) {
	var l refusalLimiter
	now := t0
	written := 0
	for i := range 10 * refusalBurst {
		if ok, _ := l.allow(fmt.Sprintf("key %d", i), now.Add(time.Duration(i)*time.Millisecond)); ok {
			written++
		}
	}
	if written != refusalBurst {
		t.Errorf("wrote %d records in a minute, want %d", written, refusalBurst)
	}
	ok, skipped := l.allow("key next", now.Add(refusalEvery+time.Second))
	if !ok || skipped != 9*refusalBurst {
		t.Errorf("next window: ok %v, unrecorded %d, want %d", ok, skipped, 9*refusalBurst)
	}
	for i := range 100 * refusalBurst {
		now = now.Add(refusalEvery / refusalBurst)
		l.allow(fmt.Sprintf("fresh %d", i), now)
	}
	if len(l.last) > 2*refusalBurst+1 {
		t.Errorf("limiter holds %d keys", len(l.last))
	}
}

// TestAdminRefusedNamesOnlyTheCommand: RecordAdminRefused keeps the
// command's name, never an argument (a client's name).
func TestAdminRefusedNamesOnlyTheCommand(t *testing.T) {
	e := newEnv(t)
	e.srv.RecordAdminRefused("anna", protocol.RoleCoach, ChannelSSH, []string{"erase", "Jan Jansen", "--yes"})
	e.srv.RecordAdminRefused("bert", protocol.RoleCoach, ChannelSSH, []string{"team", "member", "add", "Noord", "bert"})
	got := e.refusals(ActionAdminRefused)
	if len(got) != 2 || got[0].Detail != "admin erase (role coach)" || got[0].User != "anna" || got[1].Detail != "admin team member add (role coach)" {
		t.Errorf("records: %+v", got)
	}
}

// TestAuditFilterUntilAndAction: --until ends before a time, --action
// matches an action or one of its words.
func TestAuditFilterUntilAndAction(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	e.clock.Add(time.Hour)
	e.user("anna", protocol.RoleCoach, "Noord")
	before, err := e.admin.Audit(AuditFilter{Until: t0.Add(time.Hour)})
	e.must(err)
	if len(before) != 1 || before[0].Action != "team add" {
		t.Errorf("until: %+v", before)
	}
	users, err := e.admin.Audit(AuditFilter{Action: "user"})
	e.must(err)
	if len(users) != 1 || users[0].Action != "user add" {
		t.Errorf("action user: %+v", users)
	}
	exact, err := e.admin.Audit(AuditFilter{Action: "user add"})
	e.must(err)
	if none, _ := e.admin.Audit(AuditFilter{Action: "use"}); len(exact) != 1 || len(none) != 0 {
		t.Errorf("action exact %+v, part of a word %+v", exact, none)
	}
}
