package kittest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
)

// FlowStore is a store whose clock stands on 6 January 2025, so the
// dossiers made in it exist before the periods the flow report's tests look
// at (the screens' clock, Today, is 15 September 2025).
func FlowStore(t testing.TB) *store.Store {
	t.Helper()
	made := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	s, err := store.Open(filepath.Join(t.TempDir(), "brug.db"), store.Options{NoSync: true, Author: "test",
		Now: func() time.Time { return made }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Move records a move on client id's route.
func Move(t testing.TB, st *store.Store, id, date string, to ...store.Place) {
	t.Helper()
	if _, err := st.RecordMove(id, to, date, ""); err != nil {
		t.Fatal(err)
	}
}

// FlowData fills st with a small region and returns the clients' ids by
// name. In the third quarter of 2025 Anna moves on to a work-experience
// place, Cor to a banenafspraak job, and Bram steps back from the training
// he started in the second quarter.
func FlowData(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	ids := map[string]string{}
	mk := func(name, team string, places ...store.Place) string {
		ids[name] = Create(t, st, store.NewClient{Name: name, Team: team, Places: places})
		return ids[name]
	}
	Move(t, st, mk("Anna", "Noord", store.PlaceDagbesteding), "2025-07-14", store.PlaceDagbesteding, store.PlaceWerkervaring)
	bram := mk("Bram", "Noord", store.PlaceDagbesteding)
	Move(t, st, bram, "2025-04-10", store.PlaceOpleiding)
	Move(t, st, bram, "2025-08-01", store.PlaceDagbesteding)
	Move(t, st, mk("Cor", "Zuid", store.PlaceBeschut), "2025-09-01", store.PlaceBanenafspraak)
	mk("Dirk", "Zuid", store.PlaceDagbesteding)
	mk("Fleur", "Wijkteam Oost", store.PlaceVrijwillig)
	return ids
}
