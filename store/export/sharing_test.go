package export

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// TestExportListsSharesAndReads: the person's export lists every
// organisation the dossier was shared with and when, also a share that
// was withdrawn, with its changes, and who read it on this laptop, in
// Markdown (both languages) and JSON.
func TestExportListsSharesAndReads(t *testing.T) {
	s := exportRegion(t, 3)
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	id := sums[0].ID
	today := "2025-03-14"
	gem, err := s.ShareDossier(id, store.ShareInput{Team: "Werkteam Gemeente", Org: "Gemeente Nijmegen", Purpose: "re-integratie",
		Mode: store.ShareRead, From: "2025-03-01", Until: "2025-06-30", ConsentDate: "2025-03-01", ConsentHow: "written"}, today)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShareDossier(id, store.ShareInput{Team: "UWV Oost", Org: "UWV", Purpose: "banenafspraak",
		Mode: store.ShareReadWrite, From: "2025-03-10", Until: "2025-12-31", ConsentDate: "2025-03-10", ConsentHow: "spoken"}, today); err != nil {
		t.Fatal(err)
	}
	if err := s.WithdrawShare(id, gem, "2025-03-14", today); err != nil {
		t.Fatal(err)
	}
	if err := s.LogRead(store.ReadEntry{Dossier: id, Action: store.ReadOpen, Channel: store.ChannelApp, Role: "coach", Org: "Zorg Noord"}); err != nil {
		t.Fatal(err)
	}
	reads, err := s.ReadsOf(id)
	if err != nil || len(reads) != 1 {
		t.Fatalf("reads %v %v", reads, err)
	}
	c, ops := dossier(t, s, id)

	md := MarkdownWithReads(c, ops, method.Default(), "nl", reads)
	for _, want := range []string{"## Gedeeld met", "Gemeente Nijmegen (team Werkteam Gemeente)", "UWV (team UWV Oost)",
		"2025-03-01", "2025-06-30", "schriftelijk", "mondeling", "ingetrokken op 2025-03-14", "lezen en schrijven",
		"Wijzigingen van het delen met Gemeente Nijmegen:", "`withdrawn` = 2025-03-14",
		"## Wie heeft het dossier ingezien", "geopend", "de app", "Zorg Noord"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if en := MarkdownWithReads(c, ops, method.Default(), "en", reads); strings.Contains(en, "«") || !strings.Contains(en, "withdrawn on 2025-03-14") {
		t.Errorf("English export: a missing text or no withdrawal")
	}
	if plain := Markdown(c, ops, method.Default(), "nl"); !strings.Contains(plain, "UWV (team UWV Oost)") {
		t.Errorf("the export without reads lacks the shares")
	}

	b, err := JSONWithReads(c, ops, method.Default(), exportNow, reads)
	if err != nil {
		t.Fatal(err)
	}
	var doc Doc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.SharedWith) != 2 || len(doc.Reads) != 1 || doc.Reads[0].Action != store.ReadOpen {
		t.Fatalf("JSON: shared_with %+v reads %+v", doc.SharedWith, doc.Reads)
	}
	first := doc.SharedWith[0]
	if first.Org != "Gemeente Nijmegen" || first.Withdrawn != "2025-03-14" || first.From != "2025-03-01" || first.ConsentHow != "written" ||
		first.RecordedBy != "test" || first.Recorded.IsZero() || len(first.Changes) < 9 || first.Changes[len(first.Changes)-1].Field != "withdrawn" {
		t.Errorf("JSON first share %+v", first)
	}
	// An export without shares says so, and JSON holds empty lists.
	other, oops := dossier(t, s, sums[1].ID)
	if md := Markdown(other, oops, method.Default(), "nl"); !strings.Contains(md, "met niemand buiten het eigen team gedeeld") {
		t.Errorf("no shares: not said")
	}
	b, _ = JSON(other, oops, method.Default(), exportNow)
	if !strings.Contains(string(b), `"shared_with": []`) || !strings.Contains(string(b), `"reads": []`) {
		t.Errorf("JSON without shares or reads: %s", b[len(b)-200:])
	}
}
