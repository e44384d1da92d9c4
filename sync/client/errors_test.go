package client

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/brug-nl/brug/store"
)

// TestPulledOpsThisBrugCannotRead: a server with a newer brug sends an op
// of a field this one does not know; the sync stops with a PulledError
// that says so in Dutch (update brug) and keeps its English as it was.
func TestPulledOpsThisBrugCannotRead(t *testing.T) {
	f, srv := newFake(t)
	a, b := openStore(t, "tester"), openStore(t, "tester")
	mkClient(t, a, "Anna de Vries")
	if _, err := syncerFor(a, srv.URL, f.token).Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.log[len(f.log)-1].Field = "x_newer_field"
	f.mu.Unlock()
	_, err := syncerFor(b, srv.URL, f.token).Sync(context.Background())
	var pe *PulledError
	if !errors.As(err, &pe) || !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("err %v (%T), want a PulledError of store.ErrInvalid", err, err)
	}
	en := regexp.MustCompile(`^apply \d+ pulled ops \(update brug if this repeats\): remote op [0-9a-f-]+: invalid field "x_newer_field": unknown client field$`)
	if !en.MatchString(pe.Error()) || pe.In("en") != pe.Error() {
		t.Errorf("English %q", pe.Error())
	}
	nl := pe.In("nl")
	if !strings.HasPrefix(nl, "de server stuurde wijzigingen die deze versie van brug niet kan verwerken") || !strings.Contains(nl, "werk brug bij") {
		t.Errorf("Dutch %q", nl)
	}
	if w := regexp.MustCompile(`(?i)\b(apply|pulled|ops|update|invalid|field|unknown)\b`).FindString(nl); w != "" {
		t.Errorf("English %q in %q", w, nl)
	}
}

// TestPulledErrorKeepsOtherCauses: a store that fails for another reason
// than invalid ops (a damaged file) keeps that cause, which says more.
func TestPulledErrorKeepsOtherCauses(t *testing.T) {
	err := pulledError(3, store.ErrDamaged)
	var pe *PulledError
	if errors.As(err, &pe) || !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("%v (%T)", err, err)
	}
	if got, want := err.Error(), "apply 3 pulled ops (update brug if this repeats): the file is damaged"; got != want {
		t.Errorf("English %q, want %q", got, want)
	}
}
