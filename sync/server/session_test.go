package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// newPub makes a fresh ed25519 public key in authorized_keys form.
func newPub(t *testing.T, comment string) (gossh.PublicKey, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))) + " " + comment + "\n"
}

func TestKeysAddListRemoveAndLogin(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	_, err = e.admin.AddUser("anna", protocol.RoleCoach, []string{"Noord"})
	e.must(err)
	k1, line1 := newPub(t, "cor@laptop")
	k2, line2 := newPub(t, "cor@werk")
	keys, err := e.admin.AddKeys("cor", []byte("# cor's keys\n\n"+line1+line2))
	e.must(err)
	if len(keys) != 2 || keys[0].User != "cor" || keys[0].Comment != "cor@laptop" || keys[0].Fingerprint != gossh.FingerprintSHA256(k1) {
		t.Fatalf("added %+v", keys)
	}
	// Adding the same key again is a no-op; giving it to anna is refused.
	if again, err := e.admin.AddKeys("cor", []byte(line1)); err != nil || len(again) != 1 || !again[0].Added.Equal(keys[0].Added) {
		t.Errorf("re-adding a key: %+v %v", again, err)
	}
	if _, err := e.admin.AddKeys("anna", []byte(line2)); !errors.Is(err, ErrExists) {
		t.Errorf("a key of cor given to anna: %v", err)
	}
	if _, err := e.admin.AddKeys("nobody", []byte(line1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("key for an unknown user: %v", err)
	}
	u, err := e.srv.UserByKey(k2)
	if err != nil || u.Name != "cor" || u.Role != protocol.RoleCoordinator {
		t.Fatalf("UserByKey = %+v, %v", u, err)
	}
	unknown, _ := newPub(t, "")
	if _, err := e.srv.UserByKey(unknown); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("unknown key: %v", err)
	}
	list, err := e.admin.Keys("cor")
	e.must(err)
	if len(list) != 2 {
		t.Fatalf("cor's keys: %+v", list)
	}
	if all, _ := e.admin.Keys(""); len(all) != 2 {
		t.Errorf("all keys: %+v", all)
	}
	e.must(e.admin.RemoveKey(gossh.FingerprintSHA256(k2)))
	if _, err := e.srv.UserByKey(k2); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("removed key still logs in: %v", err)
	}
	if err := e.admin.RemoveKey("SHA256:nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing an unknown key: %v", err)
	}
	e.must(e.admin.DisableUser("cor"))
	if _, err := e.srv.UserByKey(k1); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("a disabled user's key logs in: %v", err)
	}
	var actions []string
	for _, a := range e.auditAll() {
		if strings.HasPrefix(a.Action, "key") {
			actions = append(actions, a.Action)
		}
	}
	if strings.Join(actions, ",") != "key add,key add,key remove" {
		t.Errorf("audited key actions: %v", actions)
	}
}

// TestParseKeysRefusesWhatIsNotAPublicKey: each refusal says what is
// wrong, in English as it always did and in Dutch (In).
func TestParseKeysRefusesWhatIsNotAPublicKey(t *testing.T) {
	_, good := newPub(t, "x")
	cases := []struct{ name, data, want, en, nl string }{
		{"empty", "", "no public key", "invalid key file: no public key in it; give a .pub file such as ~/.ssh/id_ed25519.pub", "het sleutelbestand bevat geen openbare sleutel; geef een .pub-bestand zoals ~/.ssh/id_ed25519.pub"},
		{"only comments", "# nothing\n\n", "no public key", "invalid key file: no public key in it; give a .pub file such as ~/.ssh/id_ed25519.pub", "het sleutelbestand bevat geen openbare sleutel; geef een .pub-bestand zoals ~/.ssh/id_ed25519.pub"},
		{"garbage", "hello world\n", "line 1: not an SSH public key", "invalid key file line 1: not an SSH public key (ssh: no key found; last parsing error for ignored line: illegal base64 data at input byte 4); give a line like \"ssh-ed25519 AAAA... name@laptop\"", "het sleutelbestand, regel 1: dit is geen openbare SSH-sleutel; geef een regel zoals \"ssh-ed25519 AAAA... naam@laptop\""},
		{"second line bad", good + "ssh-ed25519 AAAAbroken\n", "line 2", "", ""},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "private key", "invalid key file line 1: this is a private key; give the public key (the .pub file) and keep the private key secret", "het sleutelbestand, regel 1: dit is een privésleutel; geef de openbare sleutel (het .pub-bestand) en houd de privésleutel geheim"},
		{"dsa", "ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7gB00b/JmYLdrmVClpJ+f6AR7ECLCT7up1/63xhv4O1fnxqimFQ8E+4P208UewwI1VBNaFpEy9nXzrith1yrv8iIDGZ3RSAHHAAAAFQCXYFCPFSMLzLKSuYKi64QL8Fgc9QAAAIEA9+GghdabPd7LvKtcNrhXuXmUr7v6OuqC+VdMCz0HgmdRWVeOutRZT+ZxBxCBgLRJFnEj6EwoFhO3zwkyjMim4TwWeotUfI0o4KOuHiuzpnWRbqN/C/ohNWLx+2J6ASQ7zKTxvqhRkImog9/hWuWfBpKLZl6Ae1UlZAFMO/7PSSoAAACBAIGKuE6zcsQmO7qNFdJsV9yGG9zPi8gUWJfwxIlsk4kp5gmeMDX1E7HHq8uE6Qu26vr7zBVp1r5Ff5qoaRLNMaMdr2gHGr0wVBgtKZp2Oy0UGJL3GD0PQTBjA6pNf6sAgz/ahjNP2ykNIJSUE8VV7dkjj3LfQ34mz7OXkbcCUhk3\n", "not accepted", "invalid key file line 1: key type ssh-dss is not accepted; use ssh-ed25519 (ssh-keygen -t ed25519)", "het sleutelbestand, regel 1: het sleuteltype ssh-dss wordt niet aangenomen; gebruik ssh-ed25519 (ssh-keygen -t ed25519)"},
		{"too large", strings.Repeat("#", maxKeyFile+1), "larger than", "invalid key file: larger than 64 KB; give the .pub file of one key", "het sleutelbestand is groter dan 64 KB; geef het .pub-bestand van één sleutel"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseKeys([]byte(c.data))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseKeys = %v, want an ErrInvalid saying %q", err, c.want)
			}
			var ke *KeyFileError
			if !errors.As(err, &ke) {
				t.Fatalf("ParseKeys = %T, want a *KeyFileError", err)
			}
			if c.en != "" && (err.Error() != c.en || ke.In("en") != c.en) {
				t.Errorf("English %q, want %q", err.Error(), c.en)
			}
			if c.nl != "" && ke.In("nl") != c.nl {
				t.Errorf("Dutch %q, want %q", ke.In("nl"), c.nl)
			}
		})
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb3bC1rQa0m5yW1m5YQK2Cq9V8iGz1X9xJ0sCkq2rUf cor@laptop\n"))
	f.Add([]byte("# comment\n\nssh-rsa AAAA\n"))
	f.Add([]byte("from=\"10.0.0.1\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb3bC1rQa0m5yW1m5YQK2Cq9V8iGz1X9xJ0sCkq2rUf\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseKeys(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not marked invalid: %v", err)
			}
			return
		}
		for _, k := range keys {
			again, err := ParseKeys([]byte(k.Line))
			if err != nil || len(again) != 1 || again[0].Fingerprint != k.Fingerprint {
				t.Fatalf("the stored line %q does not parse back: %v", k.Line, err)
			}
		}
	})
}

// sessionEnv has teams Noord and Zuid, coach anna (Noord, with a device),
// coach zoe (Zuid), coordinator cor (Noord) and admin root, and one client
// in each team.
type sessionEnv struct {
	*env
	anna        *device
	noord, zuid string
}

func newSessionEnv(t *testing.T) *sessionEnv {
	e := newEnv(t)
	e.teams("Noord", "Zuid")
	anna := e.user("anna", protocol.RoleCoach, "Noord")
	zoe := e.user("zoe", protocol.RoleCoach, "Zuid")
	_, err := e.admin.AddUser("cor", protocol.RoleCoordinator, []string{"Noord"})
	e.must(err)
	_, err = e.admin.AddUser("root", protocol.RoleAdmin, nil)
	e.must(err)
	noord, ops := anna.create("Noord", "Noor Jansen")
	anna.sync(append(ops, anna.op(noord, "step/1/status", "done"))...)
	zuid, ops := zoe.create("Zuid", "Zeger Zuidema")
	zoe.sync(ops...)
	return &sessionEnv{env: e, anna: anna, noord: noord, zuid: zuid}
}

func (e *sessionEnv) session(user string) *Session {
	e.t.Helper()
	ss, err := e.srv.Session(user, ChannelSSH, "s-"+user)
	e.must(err)
	return ss
}

func TestSessionSeesOnlyItsTeamsAndAuditsOpens(t *testing.T) {
	e := newSessionEnv(t)
	cor := e.session("cor")
	sums, err := cor.Summaries()
	e.must(err)
	if len(sums) != 1 || sums[0].ID != e.noord {
		t.Fatalf("cor sees %+v, want only the Noord client", sums)
	}
	if _, err := cor.Client(e.zuid); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("opening a Zuid client: %v", err)
	}
	if _, err := cor.Heads(e.zuid, "name"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("heads of a Zuid client: %v", err)
	}
	for range 3 {
		c, err := cor.Client(e.noord)
		e.must(err)
		if c.Name.Value != "Noor Jansen" {
			t.Fatalf("client %+v", c.Name)
		}
	}
	var opens []AuditEntry
	for _, a := range e.auditAll() {
		if a.Action == ActionOpen {
			opens = append(opens, a)
		}
	}
	if len(opens) != 1 || opens[0].Dossier != e.noord || opens[0].Channel != ChannelSSH || opens[0].User != "cor" {
		t.Errorf("open audit records: %+v, want one for cor over ssh", opens)
	}
	root := e.session("root")
	if sums, err := root.Summaries(); err != nil || len(sums) != 0 {
		t.Errorf("admin sees %d dossiers (%v)", len(sums), err)
	}
	// A membership removed while the session is open holds at once.
	e.must(e.admin.RemoveMember("Noord", "cor"))
	if sums, _ := cor.Summaries(); len(sums) != 0 {
		t.Errorf("after leaving Noord cor still sees %d", len(sums))
	}
	if _, err := cor.Client(e.noord); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after leaving Noord: %v", err)
	}
}

func TestSessionSignOffReachesTheCoachThroughSync(t *testing.T) {
	e := newSessionEnv(t)
	cor := e.session("cor")
	ops, err := cor.Commit(e.noord, store.Set("step/1/status", "signed-off"))
	e.must(err)
	if len(ops) != 1 || ops[0].Author != "cor" {
		t.Fatalf("ops %+v", ops)
	}
	e.anna.sync()
	got, ok := e.anna.have[e.noord][ops[0].ID]
	if !ok || got.Value != "signed-off" || got.Author != "cor" {
		t.Fatalf("anna's device did not receive the sign-off: %+v", e.anna.have[e.noord])
	}
	if n, _ := opStoreOf(e.t, e.srv).OutboxLen(); n != 0 {
		t.Errorf("the server's outbox holds %d ops", n)
	}
	var changes []AuditEntry
	for _, a := range e.auditAll() {
		if a.Action == ActionChange && a.Channel == ChannelSSH {
			changes = append(changes, a)
		}
	}
	if len(changes) != 1 || changes[0].User != "cor" || changes[0].Dossier != e.noord || !strings.Contains(changes[0].Detail, "step/1/status") {
		t.Errorf("ssh change audit: %+v", changes)
	}
}

func TestSessionRefusesWhatTheUserMayNotDo(t *testing.T) {
	e := newSessionEnv(t)
	cor := e.session("cor")
	before := e.stats().Ops
	cases := []struct {
		name string
		do   func() error
		want error
	}{
		{"change another team's client", func() error {
			_, err := cor.Commit(e.zuid, store.Set("benefit", "wajong"))
			return err
		}, ErrForbidden},
		{"move a client to a team that does not exist", func() error {
			_, err := cor.Commit(e.noord, store.Set("team", "Nergens"))
			return err
		}, ErrInvalid},
		{"create a client in another team", func() error {
			_, err := cor.CreateClient(store.NewClient{Name: "X", Team: "Zuid", Places: []store.Place{store.PlaceDagbesteding}})
			return err
		}, ErrForbidden},
		{"admin writes", func() error {
			_, err := e.session("root").Commit(e.noord, store.Set("benefit", "wajong"))
			return err
		}, ErrForbidden},
		{"coach signs off", func() error {
			_, err := e.session("anna").Commit(e.noord, store.Set("step/1/status", "signed-off"))
			return err
		}, ErrForbidden},
	}
	for _, c := range cases {
		if err := c.do(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if after := e.stats().Ops; after != before {
		t.Errorf("refused session changes left %d ops", after-before)
	}
	// A client created in one's own team gets sequence numbers: a coach of
	// the team receives it.
	id, err := cor.CreateClient(store.NewClient{Name: "Nieuw", Team: "Noord", Places: []store.Place{store.PlaceDagbesteding}})
	e.must(err)
	e.anna.sync()
	if len(e.anna.have[id]) == 0 {
		t.Errorf("a client made over ssh did not reach the team's coach")
	}
}

func TestSyncRefusesSignOffByCoachAndCountsRefusals(t *testing.T) {
	e := newSessionEnv(t)
	signOff := e.anna.op(e.noord, "step/1/status", "signed-off")
	resp := e.anna.sync(signOff)
	if len(resp.Refused) != 1 || resp.Refused[0].Code != protocol.RefuseForbidden {
		t.Fatalf("coach's sign-off: %+v", resp.Refused)
	}
	// Once signed off by the coordinator, a coach cannot reopen it.
	ops, err := e.session("cor").Commit(e.noord, store.Set("step/1/status", "signed-off"))
	e.must(err)
	e.anna.sync()
	reopen := e.anna.op(e.noord, "step/1/status", "active", ops[0].ID)
	resp = e.anna.sync(reopen, signOff)
	if len(resp.Refused) != 2 {
		t.Fatalf("reopening a signed-off step: %+v", resp.Refused)
	}
	counts, err := e.session("cor").RefusedPerDossier()
	e.must(err)
	if counts[e.noord] != 2 || len(counts) != 1 {
		t.Errorf("refusals per dossier: %v, want 2 for the Noord client (the same op refused twice counts once)", counts)
	}
	// Older than the window: not counted.
	e.clock.Add(refusalWindow + 1)
	if counts, _ := e.session("cor").RefusedPerDossier(); counts[e.noord] != 0 {
		t.Errorf("old refusals counted: %v", counts)
	}
}

func TestSessionFlowReportCountsOnlyTheUsersTeams(t *testing.T) {
	e := newSessionEnv(t)
	// A move in each team, within the period.
	for _, c := range []struct{ user, dossier string }{{"cor", e.noord}, {"zoe", e.zuid}} {
		_, err := e.session(c.user).RecordMove(c.dossier, []store.Place{store.PlaceVrijwillig}, "2026-11-01", "")
		e.must(err)
	}
	cor := e.session("cor")
	q := store.FlowQuery{From: "2026-10-01", To: "2026-11-30"}
	r, err := cor.FlowReport(q)
	e.must(err)
	if r.People != 1 || r.MovedOn != 1 {
		t.Errorf("cor's report counts %d people, %d moved on; want only the Noord client", r.People, r.MovedOn)
	}
	for _, team := range r.KnownTeams {
		if team != "Noord" {
			t.Errorf("the report names another team: %v", r.KnownTeams)
		}
	}
	q.Teams = []string{"Noord", "Zuid"}
	if r, err := cor.FlowReport(q); err != nil || r.People != 1 {
		t.Errorf("asking for Zuid too: %d people, %v", r.People, err)
	}
	q.Teams = []string{"Zuid"}
	if _, err := cor.FlowReport(q); !errors.Is(err, ErrForbidden) {
		t.Errorf("asking only for another team: %v", err)
	}
	if _, err := e.session("root").FlowReport(store.FlowQuery{From: "2026-10-01", To: "2026-11-30"}); !errors.Is(err, ErrForbidden) {
		t.Errorf("an admin's report: %v", err)
	}
	var reports int
	for _, a := range e.auditAll() {
		if a.Action == ActionReport && a.Channel == ChannelSSH && a.User == "cor" {
			reports++
		}
	}
	if reports != 2 {
		t.Errorf("%d audited reports by cor, want 2", reports)
	}
}

// TestSessionHeadsAuditedAsOpen: reading a field's heads in a session
// (the conflict screen) without opening the overview is an open too,
// recorded once per session.
func TestSessionHeadsAuditedAsOpen(t *testing.T) {
	e := newSessionEnv(t)
	cor := e.session("cor")
	for range 2 {
		if _, err := cor.Heads(e.noord, "name"); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, a := range e.auditAll() {
		if a.Action == ActionOpen && a.Dossier == e.noord && a.User == "cor" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d open records for reading heads, want 1", n)
	}
}
