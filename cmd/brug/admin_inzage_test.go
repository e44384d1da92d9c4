package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
)

var updateGolden = flag.Bool("update-audit", false, "rewrite cmd/brug/testdata/audit/*.golden")

// auditFixture is one dossier's records as Admin.Audit returns them with a
// dossier filter: a laptop read, a delivery (narrowed to the dossier), an
// SSH open, a change, an export by an admin, a refused push, and a drop
// (the system's own, not on the person's page). One user's organisation
// holds characters Markdown and HTML must show as written.
func auditFixture() (string, []server.AuditEntry) {
	d := "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01"
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	return d, []server.AuditEntry{
		{Seq: 5, Time: at, Channel: server.ChannelApp, User: "anna", Role: "coach", Org: "Zorg Noord", Device: "0193a5c2-aaaa-7cc1-8b7e-2f0c55aa1e09",
			Action: store.ReadOpen, Dossier: d, Read: "0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e77", Hash: strings.Repeat("ab", 32)},
		{Seq: 6, Time: at.Add(time.Hour), Channel: server.ChannelSync, User: "bram", Role: "wijkteam", Org: "Wijkteam <Oost> | *Zuid*", Device: "0193a5c2-bbbb-7cc1-8b7e-2f0c55aa1e08",
			Action: server.ActionDeliver, Dossier: d, Detail: "4 ops", Delivered: map[string]int{d: 4}},
		{Seq: 7, Time: at.Add(26 * time.Hour), Channel: server.ChannelSSH, User: "carla", Role: "coordinator", Org: "Gemeente Arnhem",
			Action: server.ActionOpen, Dossier: d, Detail: "session 42"},
		{Seq: 8, Time: at.Add(27 * time.Hour), Channel: server.ChannelSync, User: "anna", Role: "coach", Org: "Zorg Noord", Device: "0193a5c2-aaaa-7cc1-8b7e-2f0c55aa1e09",
			Action: server.ActionChange, Dossier: d, Detail: "step, note"},
		{Seq: 9, Time: at.Add(48 * time.Hour), Channel: server.ChannelCLI, User: "root", Action: server.ActionExport, Dossier: d},
		{Seq: 10, Time: at.Add(49 * time.Hour), Channel: server.ChannelSync, User: "eve", Role: "coach", Device: "dev-e",
			Action: server.ActionPushRefused, Dossier: d, Refused: map[string]int{"forbidden": 2}, RefusedDossiers: []string{d}},
		{Seq: 11, Time: at.Add(50 * time.Hour), Channel: server.ChannelSync, User: "bram", Device: "dev-b", Action: server.ActionDrop, Dossier: d},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "audit", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update-audit to write it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestAuditClientFormatsGolden: the dossier's records as the person's
// page (Markdown and HTML, Dutch and English) and in the Logboek
// Dataverwerkingen shape (CSV, JSON), against golden files.
func TestAuditClientFormatsGolden(t *testing.T) {
	d, entries := auditFixture()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	loc := time.FixedZone("CET", 3600)
	for _, lang := range []string{"nl", "en"} {
		p := buildAccessPage(entries, d, time.Time{}, time.Time{}, now, loc, lang)
		golden(t, "page-"+lang+".md", []byte(p.markdown()))
		h, err := p.html()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "page-"+lang+".html", h)
	}
	recs := logboekRecords(entries, d, loc)
	var csvOut, jsonOut bytes.Buffer
	if err := writeLogboekCSV(&csvOut, recs); err != nil {
		t.Fatal(err)
	}
	if err := writeLogboekJSON(&jsonOut, recs); err != nil {
		t.Fatal(err)
	}
	golden(t, "logboek.csv", csvOut.Bytes())
	golden(t, "logboek.json", jsonOut.Bytes())
}

// TestAccessPageSaysWhoInPlainDutch: the person's page names every access
// (not the system's own records) in plain Dutch with "je", never "u",
// with who, role, organisation, what, how and when; a period; and an
// empty page says nobody saw the dossier.
func TestAccessPageSaysWhoInPlainDutch(t *testing.T) {
	d, entries := auditFixture()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	p := buildAccessPage(entries, d, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), now, time.UTC, "nl")
	text := p.markdown()
	for _, want := range []string{"# Wie heeft je dossier ingezien", "je dossier", "Periode: van 1 december 2026 tot en met 5 december 2026",
		"| 1 december 2026, 09:30 uur | anna | jobcoach | Zorg Noord | geopend | laptop-app |",
		"| bram | wijkteam | Wijkteam \\<Oost\\> \\| \\*Zuid\\* | op een apparaat gekregen | synchronisatie |", "op afstand (SSH)", "coördinator", "Gemeente Arnhem", "gewijzigd", "geëxporteerd",
		"beheer op de server", "wilde wijzigen, geweigerd", "Wijkteam \\<Oost\\> \\| \\*Zuid\\*", "6 keer in totaal."} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q:\n%s", want, text)
		}
	}
	for _, word := range []string{" u ", " uw ", "U ", "Uw "} {
		if strings.Contains(text, word) {
			t.Errorf("page says %q (the project says je):\n%s", word, text)
		}
	}
	if strings.Contains(text, "dev-b") {
		t.Errorf("the system's own drop record is on the person's page:\n%s", text)
	}
	h, err := p.html()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="nl">`, "@page { size: A4", "Wijkteam &lt;Oost&gt; | *Zuid*", "<td>geopend</td>"} {
		if !bytes.Contains(h, []byte(want)) {
			t.Errorf("html lacks %q", want)
		}
	}
	if bytes.Contains(h, []byte("<script")) || bytes.Contains(h, []byte("http")) {
		t.Errorf("html has a script or an external resource")
	}
	empty := buildAccessPage(nil, d, time.Time{}, time.Time{}, now, time.UTC, "nl").markdown()
	if !strings.Contains(empty, "In deze periode heeft niemand je dossier ingezien.") || strings.Contains(empty, "|") {
		t.Errorf("empty page:\n%s", empty)
	}
}

// TestLogboekRecordsFollowTheStandard: field names of the standard, a
// laptop read's trace is its id, every trace is distinct, refusals are
// errors, and no name of a person is in a record.
func TestLogboekRecordsFollowTheStandard(t *testing.T) {
	d, entries := auditFixture()
	recs := logboekRecords(entries, d, time.UTC)
	if len(recs) != len(entries) {
		t.Fatalf("%d records of %d entries", len(recs), len(entries))
	}
	traces := map[string]bool{}
	for _, r := range recs {
		b, _ := json.Marshal(r)
		var m map[string]any
		json.Unmarshal(b, &m)
		for _, k := range []string{"trace_id", "operation_id", "name", "start_time", "end_time", "status_code", "resource", "attributes"} {
			if _, ok := m[k]; !ok {
				t.Errorf("record lacks %s: %s", k, b)
			}
		}
		if len(r.TraceID) != 32 || len(r.OperationID) != 16 || traces[r.TraceID] || r.Attributes["dpl.core.data_subject_id"] != d {
			t.Errorf("record %s", b)
		}
		traces[r.TraceID] = true
	}
	if recs[0].TraceID != "0193a5c27d1e7cc18b7e2f0c55aa1e77" || recs[0].Name != "dossier.open" || recs[1].Attributes["dpl.brug.ops"] != "4" || recs[1].Name != "dossier.sync" {
		t.Errorf("records %+v %+v", recs[0], recs[1])
	}
	if recs[5].StatusCode != "STATUS_CODE_ERROR" || recs[0].StatusCode != "STATUS_CODE_OK" {
		t.Errorf("status codes %s %s", recs[5].StatusCode, recs[0].StatusCode)
	}
}

// TestAuditVerifyCommand: `brug admin audit verify` says the chain holds
// on an untouched file, and on a file whose entry 3 was changed on disk
// says where it breaks, with exit code 1; --format md needs --client.
func TestAuditVerifyCommand(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "anna", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "user add", a("user", "add", "bram", "--role", "coach", "--team", "Noord"), exitOK)
	expect(t, "verify", a("audit", "verify"), exitOK, "Het auditlog klopt: 4 regels", "Kop van de keten: regel 4")
	expect(t, "md without client", a("audit", "--format", "md"), exitUsage, "geef het dossier met --client")

	bdb, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("x_audit"))
		k := binary.BigEndian.AppendUint64(nil, 3)
		v := bytes.Clone(b.Get(k))
		if !bytes.Contains(v, []byte(`"anna"`)) {
			t.Skipf("entry 3 is not plain JSON (an encrypted test file?): %q", v)
		}
		return b.Put(k, bytes.Replace(v, []byte(`"anna"`), []byte(`"anne"`), 1))
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "verify tampered", a("audit", "verify"), exitError, "regel 3 (op plaats 3): de hash klopt niet", "de keten breekt op 1 plaatsen")
	expect(t, "verify tampered en", h.runTok(nil, "--lang", "en", "--db", db, "admin", "audit", "verify"), exitError, "entry 3 (at place 3): hash differs")
}
