package store

import (
	"errors"
	"slices"
	"testing"
)

// TestFindClientAmbiguousCarriesCandidates: a name that matches several
// clients answers with the candidates (so the CLI can list them without
// matching again), exact names winning over partial ones and removed
// clients left out; errors.Is(err, ErrAmbiguous) still holds and the
// message is the one users saw before.
func TestFindClientAmbiguousCarriesCandidates(t *testing.T) {
	s := openTest(t, Options{})
	mk := func(name string) string {
		t.Helper()
		id, err := s.CreateClient(NewClient{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	jan1, jan2, janssen, gone := mk("Jan"), mk("jan"), mk("Janssen"), mk("Jannie")
	if _, err := s.Commit(gone, Set("exists", "0")); err != nil {
		t.Fatal(err)
	}
	ids := func(sums []Summary) []string {
		var out []string
		for _, sm := range sums {
			out = append(out, sm.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(v ...string) []string { slices.Sort(v); return v }

	_, err := s.FindClient("JAN")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("FindClient(JAN) = %v, want an *AmbiguousError", err)
	}
	if !amb.Exact || !slices.Equal(ids(amb.Candidates), sorted(jan1, jan2)) {
		t.Errorf("exact candidates %v (exact %v), want Jan and jan only", ids(amb.Candidates), amb.Exact)
	}
	if want := `client "JAN": more than one client matches (2); use the id`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	_, err = s.FindClient("ja")
	if !errors.As(err, &amb) || amb.Exact || !slices.Equal(ids(amb.Candidates), sorted(jan1, jan2, janssen)) {
		t.Fatalf("FindClient(ja) = %v, want the three live clients containing ja", err)
	}
	if got, err := s.FindClient("janss"); err != nil || got != janssen {
		t.Errorf("FindClient(janss) = %q, %v", got, err)
	}
}
