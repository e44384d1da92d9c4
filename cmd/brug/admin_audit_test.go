package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/sync/server/storage"
)

// putAudit appends records to a server file's audit log as an older or
// hostile server could have written them: fields are not checked.
func putAudit(t *testing.T, db string, entries ...server.AuditEntry) {
	t.Helper()
	srv, err := server.Open(db, server.Options{Encryption: serverEncryption(db, os.Getenv)})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Storage().Update(func(tx storage.Tx) error {
		for _, e := range entries {
			if err := tx.AppendAudit(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAuditExportFormats: the audit export for the data protection
// officer. CSV is RFC 4180 with a header, one row per dossier of a
// delivery, formulas defused and control characters escaped; JSON is one
// object per line that decodes to the records as kept, with nothing raw
// that steers a terminal; every format shows times with their zone.
func TestAuditExportFormats(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	d1, d2 := store.NewID(), store.NewID()
	at := time.Date(2026, 12, 5, 18, 22, 3, 0, time.UTC)
	hostile := server.AuditEntry{Time: at, Channel: server.ChannelSync, User: `=HYPERLINK("http://evil","klik")`, Device: "@SUM(1)",
		Action: server.ActionEnroll, Detail: "-2+3 device \x1b]0;owned\x07laptop\u202egpj, \"quoted\"\nline"}
	delivery := server.AuditEntry{Time: at.Add(time.Hour), Channel: server.ChannelSync, User: "anna", Device: "dev1",
		Action: server.ActionDeliver, Detail: "2 dossiers, 5 ops", Delivered: map[string]int{d1: 2, d2: 3}}
	refusal := server.AuditEntry{Time: at.Add(2 * time.Hour), Channel: server.ChannelSSH, Action: server.ActionKeyRefused,
		Detail: "key SHA256:abc", Remote: "192.0.2.7", Unrecorded: 4}
	putAudit(t, db, hostile, delivery, refusal)

	// CSV.
	r := a("audit", "--format", "csv")
	expect(t, "audit csv", r, exitOK)
	if strings.ContainsAny(r.stdout, "\x1b\x07\u202e") {
		t.Errorf("csv holds a control character raw: %q", r.stdout)
	}
	if !strings.HasSuffix(r.stdout, "\r\n") || strings.Count(r.stdout, "\r\n") != strings.Count(r.stdout, "\n") {
		t.Errorf("csv lines do not all end in CRLF (RFC 4180): %q", r.stdout)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v\n%s", err, r.stdout)
	}
	if !slices.Equal(rows[0], auditCSVHeader) {
		t.Errorf("header %q", rows[0])
	}
	col := func(row []string, name string) string { return row[slices.Index(auditCSVHeader, name)] }
	var mine, deliveries [][]string
	for _, row := range rows[1:] {
		switch col(row, "action") {
		case server.ActionEnroll:
			mine = append(mine, row)
		case server.ActionDeliver:
			deliveries = append(deliveries, row)
		}
		if _, err := time.Parse(time.RFC3339, col(row, "time")); err != nil {
			t.Errorf("time %q is not RFC 3339: %v", col(row, "time"), err)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("enroll rows: %q", mine)
	}
	for name, want := range map[string]string{
		"user": `'=HYPERLINK("http://evil","klik")`, "device": "'@SUM(1)",
		"detail": `'-2+3 device \x1b]0;owned\x07laptop\u202egpj, "quoted"\x0aline`,
	} {
		if got := col(mine[0], name); got != want {
			t.Errorf("csv %s cell %q, want %q", name, got, want)
		}
	}
	if tm, _ := time.Parse(time.RFC3339, col(mine[0], "time")); !tm.Equal(at) {
		t.Errorf("csv time %q is not %s", col(mine[0], "time"), at)
	}
	ops := map[string]string{d1: "2", d2: "3"}
	if len(deliveries) != 2 || col(deliveries[0], "seq") != col(deliveries[1], "seq") || col(deliveries[0], "dossier") != min(d1, d2) ||
		col(deliveries[1], "dossier") != max(d1, d2) || col(deliveries[0], "ops") != ops[min(d1, d2)] || col(deliveries[1], "ops") != ops[max(d1, d2)] {
		t.Errorf("a delivery of two dossiers is not two rows of one record: %q", deliveries)
	}

	// JSON: one object per line, the records as kept.
	r = a("audit", "--format", "json")
	expect(t, "audit json", r, exitOK)
	if strings.ContainsAny(r.stdout, "\x1b\x07\u202e") {
		t.Errorf("json holds a control character raw: %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	var got []server.AuditEntry
	for _, l := range lines {
		var e server.AuditEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if !regexp.MustCompile(`"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"`).MatchString(l) {
			t.Errorf("line without an RFC 3339 time: %s", l)
		}
		got = append(got, e)
	}
	if n := len(got); n < 3 || got[n-3].User != hostile.User || got[n-3].Detail != hostile.Detail || !got[n-3].Time.Equal(at) ||
		got[n-2].Delivered[d2] != 3 || got[n-1].Remote != "192.0.2.7" || got[n-1].Unrecorded != 4 {
		t.Errorf("json does not hold the records as kept: %+v", got)
	}

	// The table: times with their offset, escaped text, refusals' origin.
	r = a("audit")
	expect(t, "audit table", r, exitOK, `\x1b]0;owned\x07laptop\u202egpj`, "vanaf 192.0.2.7", "4 keer eerder")
	if strings.ContainsAny(r.stdout, "\x1b\x07\u202e") {
		t.Errorf("table holds a control character raw: %q", r.stdout)
	}
	if !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d `).MatchString(r.stdout) {
		t.Errorf("table times without their offset:\n%s", r.stdout)
	}
	expect(t, "bad format", a("audit", "--format", "xml"), exitUsage, "kies table, csv, json, md of html")
}

// TestAuditUntilAndAction: --until includes its whole day, --action a
// word of the actions; both also over the file and combined with --since.
func TestAuditUntilAndAction(t *testing.T) {
	h := newHarness(t)
	db := filepath.Join(t.TempDir(), "region.db")
	a := func(args ...string) result { t.Helper(); return adminCmd(h, db, args...) }
	expect(t, "team add", a("team", "add", "Noord"), exitOK)
	day := time.Date(2026, 11, 30, 12, 0, 0, 0, time.Local)
	putAudit(t, db,
		server.AuditEntry{Time: day, Channel: server.ChannelSync, Action: server.ActionTokenRefused, Detail: "unknown token", Remote: "192.0.2.1"},
		server.AuditEntry{Time: day.AddDate(0, 0, 1), Channel: server.ChannelSSH, User: "anna", Action: server.ActionAdminRefused, Detail: "admin erase (role coach)"})
	r := a("audit", "--action", "refused", "--since", "2026-11-30", "--until", "2026-11-30", "--format", "csv")
	expect(t, "until", r, exitOK, "unknown token")
	if strings.Contains(r.stdout, "admin erase") || strings.Contains(r.stdout, "team add") {
		t.Errorf("--until or --action let through:\n%s", r.stdout)
	}
	r = a("audit", "--action", "admin refused")
	expect(t, "action", r, exitOK, "admin erase")
	if strings.Contains(r.stdout, "unknown token") {
		t.Errorf("--action admin refused let through:\n%s", r.stdout)
	}
	expect(t, "bad until", a("audit", "--until", "morgen"), exitUsage, "--until")
}
