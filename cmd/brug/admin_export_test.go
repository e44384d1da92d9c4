package main

import (
	"encoding/json"
	"github.com/brug-nl/brug/store/export"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/brug-nl/brug/sync/client"
)

// exportDoc reads a JSON export.
func exportDoc(t *testing.T, data []byte) export.Doc {
	t.Helper()
	var doc export.Doc
	if err := json.Unmarshal(data, &doc); err != nil || doc.Client == nil {
		t.Fatalf("not a JSON export (%v):\n%s", err, data)
	}
	return doc
}

// withoutReads is an export in Markdown without its section of who read
// the dossier on the laptop (the laptop's reads differ from one export to
// the next, and the server's export has none: its audit log holds them).
func withoutReads(md string) string {
	for _, h := range []string{"## Wie heeft het dossier ingezien", "## Who has read the dossier"} {
		if i := strings.Index(md, h); i >= 0 {
			end := strings.Index(md[i+len(h):], "\n## ")
			if end < 0 {
				return md[:i]
			}
			return md[:i] + md[i+len(h)+end+1:]
		}
	}
	return md
}

func opIDs(doc export.Doc) []string {
	var ids []string
	for _, op := range doc.Ops {
		ids = append(ids, op.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestAdminExport: a server's file refuses laptop commands, so `brug
// export --db region.db` no longer gives a person their AVG export; brug
// admin export must, through the running server, over SSH and on the file
// itself, with the laptop export's output, and each export audited.
func TestAdminExport(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	region := filepath.Join(dir, "region.db")
	srv := startServe(t, h, region)
	sshAddr := waitOutput(t, srv.stderr, sshRE, srv.done)
	a := func(args ...string) result { t.Helper(); return adminCmd(h, region, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bert", "--role", "coach", "--team", "Noord"), exitOK)

	// Two dossiers named Noor reach the server from two laptops.
	laptop := laptopWithClient(t, "Noor Hazelhoef", "Noord")
	tokens := &client.MemoryStore{}
	dev := func(args ...string) result {
		t.Helper()
		return h.runTok(tokens, append([]string{"--db", laptop}, args...)...)
	}
	expect(t, "login anna", dev("login", srv.url, inviteCode(t, h, region, "anna"), "--adopt"), exitOK)
	expect(t, "sync anna", dev("sync"), exitOK)
	laptop2 := laptopWithClient(t, "Noor Jansen", "Noord")
	tokens2 := &client.MemoryStore{}
	expect(t, "login bert", h.runTok(tokens2, "--db", laptop2, "login", srv.url, inviteCode(t, h, region, "bert"), "--adopt"), exitOK)
	expect(t, "sync bert", h.runTok(tokens2, "--db", laptop2, "sync"), exitOK)
	expect(t, "sync anna", dev("sync"), exitOK)

	// What the laptop exports is what the server must give.
	wantMD := dev("export", "Hazelhoef")
	expect(t, "laptop export", wantMD, exitOK, "Noor Hazelhoef")
	lj := dev("export", "Hazelhoef", "--format", "json")
	expect(t, "laptop export json", lj, exitOK)
	want := exportDoc(t, []byte(lj.stdout))
	id := want.Client.ID
	if len(want.Ops) < 3 {
		t.Fatalf("the laptop export holds %d ops", len(want.Ops))
	}

	// Through the admin socket of the running server.
	r := a("export", "Hazelhoef")
	expect(t, "admin export via socket", r, exitOK)
	if r.stdout != withoutReads(wantMD.stdout) {
		t.Errorf("admin export differs from the laptop's:\n--- admin\n%s\n--- laptop\n%s\n--- stderr\n%s", r.stdout, wantMD.stdout, r.stderr)
	}
	out := filepath.Join(dir, "noor.json")
	r = a("export", id, "--format", "json", "--out", out)
	expect(t, "admin export --out", r, exitOK, "Export van Noor Hazelhoef ("+strconv.Itoa(len(want.Ops))+" wijzigingen) geschreven naar "+out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", fi.Mode().Perm())
	}
	got := exportDoc(t, data)
	if got.Client.ID != id || !slices.Equal(opIDs(got), opIDs(want)) || got.Method != want.Method || !got.ExportedAt.Equal(cliNow) {
		t.Errorf("JSON export from the server: client %s, ops %v, method %+v, at %v;\nthe laptop's: %s, %v, %+v",
			got.Client.ID, opIDs(got), got.Method, got.ExportedAt, id, opIDs(want), want.Method)
	}
	if strings.Contains(srv.stderr.String(), "Hazelhoef") {
		t.Errorf("the server log holds dossier content:\n%s", srv.stderr)
	}

	// Over SSH, as an admin: to the session's output; --out is refused.
	root := sshSigner(t)
	rootPub := filepath.Join(dir, "root.pub")
	if err := os.WriteFile(rootPub, gossh.MarshalAuthorizedKey(root.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	expect(t, "user add root", a("user", "add", "root", "--role", "admin"), exitOK)
	expect(t, "key add", a("key", "add", "root", rootPub), exitOK)
	pem, err := os.ReadFile(sshAddr[2])
	if err != nil {
		t.Fatal(err)
	}
	host, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	sout, code := sshRun(t, sshAddr[1], root, host.PublicKey(), "", "admin export Hazelhoef")
	if code != 0 || sout != withoutReads(wantMD.stdout) {
		t.Errorf("admin export over ssh: exit %d\n%s", code, sout)
	}
	onServer := filepath.Join(dir, "over-ssh.md")
	sout, code = sshRun(t, sshAddr[1], root, host.PublicKey(), "", "admin export Hazelhoef --out "+onServer)
	if code != exitError || !strings.Contains(sout, "Over SSH kan brug geen bestand") {
		t.Errorf("admin export --out over ssh: exit %d\n%s", code, sout)
	}
	if _, err := os.Stat(onServer); !os.IsNotExist(err) {
		t.Errorf("export --out over ssh wrote a file on the server (%v)", err)
	}

	// Every export is in the audit log, with who and how; refusals are not.
	audit := a("audit", "--client", id)
	expect(t, "audit", audit, exitOK)
	if n := len(regexp.MustCompile(`(?m)cli\s+tester\s+export\s+`+id).FindAllString(audit.stdout, -1)); n != 2 {
		t.Errorf("%d cli exports audited, want 2:\n%s", n, audit.stdout)
	}
	if n := len(regexp.MustCompile(`(?m)ssh\s+root\s+export\s+`+id).FindAllString(audit.stdout, -1)); n != 1 {
		t.Errorf("%d ssh exports audited, want 1:\n%s", n, audit.stdout)
	}

	if code := srv.stop(); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, srv.stderr)
	}

	// On the file itself, with brug serve stopped.
	r = a("export", "Noor Hazelhoef")
	expect(t, "admin export on the file", r, exitOK)
	if r.stdout != withoutReads(wantMD.stdout) {
		t.Errorf("admin export on the file differs from the laptop's:\n%s", r.stdout)
	}
	en := h.runTok(nil, "--lang", "en", "--db", region, "admin", "export", id)
	en2 := h.runTok(tokens, "--lang", "en", "--db", laptop, "export", id)
	if en.code != exitOK || en.stdout != withoutReads(en2.stdout) || !strings.Contains(en2.stdout, "## Who has read the dossier") {
		t.Errorf("--lang en: the admin export differs from the laptop's:\n%v\n%v", en, en2)
	}

	// The laptop's export on the server's file says where the export is.
	r = h.runTok(nil, "--db", region, "export", "Noor Hazelhoef")
	expect(t, "brug export on the server's file", r, exitError, "Op de server exporteer je een dossier met 'brug admin --db "+region+" export CLIËNT'")

	// Bad input: the messages of erase; nothing written, nothing audited.
	before := a("audit").stdout
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "Noor"}, exitError, `Meer dan één dossier past bij "Noor".`},
		{[]string{"export", "Nobody"}, exitError, `Geen dossier gevonden voor "Nobody" op de server.`},
		{[]string{"export", "Noor Hazelhoef", "--format", "pdf"}, exitUsage, `--format moet md of json zijn, niet "pdf".`},
	} {
		r := a(tc.args...)
		expect(t, strings.Join(tc.args, " "), r, tc.code, tc.want)
		if r.stdout != "" && tc.code != exitUsage {
			t.Errorf("%v printed to stdout:\n%v", tc.args, r)
		}
	}
	if after := a("audit").stdout; after != before {
		t.Errorf("refused exports reached the audit log:\n%s", after)
	}

	// An erased dossier: nothing is kept, so there is nothing to export.
	expect(t, "erase", a("erase", id, "--yes"), exitOK)
	r = a("export", id)
	expect(t, "export of an erased dossier", r, exitError, "Dossier "+id+" is gewist: de server bewaart er niets meer van")
	r = h.runTok(nil, "--lang", "en", "--db", region, "admin", "export", id)
	expect(t, "export of an erased dossier, English", r, exitError, "Dossier "+id+" was erased: the server keeps nothing of it")
	if r.stdout != "" {
		t.Errorf("the export of an erased dossier printed:\n%v", r)
	}
}
