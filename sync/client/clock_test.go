package client_test

import (
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/protocol"
)

// laptopAhead is region.laptop for a laptop whose clock (its store's and
// its syncer's) runs ahead of the server's by *ahead.
func (r *region) laptopAhead(user, team string, ahead *time.Duration) *replica {
	r.t.Helper()
	return enrolLaptop(r.t, r.admin, r.url, user, team, func() time.Time { return time.Now().Add(*ahead) })
}

// TestClockAheadRefusedMeasuredAndContained: a laptop whose clock is a year
// ahead learns so from the server (the skew the app's footer shows), its
// ops are refused with "clock", and a laptop it syncs with keeps its date;
// once its clock is set right it stamps and syncs with the right date.
// Accident: one laptop a year ahead moved every laptop it synced with a
// year ahead, and nobody saw why.
func TestClockAheadRefusedMeasuredAndContained(t *testing.T) {
	r := newRegion(t)
	year := 365 * 24 * time.Hour
	ahead, none := year, time.Duration(0)
	fast := r.laptopAhead("fast", "Noord", &ahead)
	piet := r.laptopAhead("piet", "Noord", &none)

	id, err := fast.st.CreateClient(store.NewClient{Name: "Noor", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	res := fast.sync(t)
	if res.Refused == 0 || res.Pushed != 0 {
		t.Fatalf("ops a year ahead: %+v, want all refused", res)
	}
	refused, err := client.Refused(fast.st)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refused {
		if r.Code != protocol.RefuseClock {
			t.Errorf("refused %s with %q, want %q", r.Field, r.Code, protocol.RefuseClock)
		}
	}
	skewNear(t, fast.st, year)

	// piet makes and syncs a dossier; fast gets it and keeps its own
	// (wrong) clock; piet's clock never sees fast's stamps.
	other, err := piet.st.CreateClient(store.NewClient{Name: "Bram", Team: "Noord"})
	if err != nil {
		t.Fatal(err)
	}
	piet.sync(t)
	fast.sync(t)
	if _, err := fast.st.Client(other); err != nil {
		t.Fatalf("fast lacks piet's dossier: %v", err)
	}
	piet.sync(t)
	if _, err := piet.st.Client(id); err == nil {
		t.Error("a dossier refused for its clock reached another laptop")
	}
	ops, err := piet.st.Commit(other, store.Set("benefit", "wajong"))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(ops[0].HLC.Time()); d > time.Minute {
		t.Errorf("piet's op stamped %s ahead", d)
	}
	skewNear(t, piet.st, 0)

	// fast's clock is set right: its next edit carries today's date, is
	// accepted, and the footer's skew goes back to about 0.
	ahead = 0
	ops, err = fast.st.Commit(other, store.Set("benefit", "wia"))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(ops[0].HLC.Time()); d > time.Minute {
		t.Errorf("after the clock was set right, an op stamped %s ahead", d)
	}
	if res := fast.sync(t); res.Pushed != 1 {
		t.Errorf("after the clock was set right: %+v, want the edit pushed", res)
	}
	skewNear(t, fast.st, 0)
}

// skewNear fails unless the skew the last sync stored is want, give or
// take a few seconds.
func skewNear(t *testing.T, st *store.Store, want time.Duration) {
	t.Helper()
	s, err := client.LocalStatus(st)
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Skew - want; d < -5*time.Second || d > 5*time.Second {
		t.Errorf("stored skew %s, want about %s", s.Skew, want)
	}
}
