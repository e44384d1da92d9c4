package store

import (
	"slices"
	"testing"
	"time"
)

// employerFixture: four clients of two teams with moves naming employers,
// one employer written two ways (accents and case aside it is one).
func employerFixture(t *testing.T) (*Store, map[string]string) {
	t.Helper()
	s := openTest(t, Options{Now: fixedClock(time.Date(2024, 12, 1, 9, 0, 0, 0, time.UTC))})
	ids := map[string]string{}
	mk := func(name, team string) string {
		id, err := s.CreateClient(NewClient{Name: name, BirthYear: "1990", Team: team, Places: []Place{PlaceDagbesteding}})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
		return id
	}
	move := func(id, date, employer string, to ...Place) {
		t.Helper()
		if _, err := s.RecordMoveEmployer(id, to, date, "", employer); err != nil {
			t.Fatal(err)
		}
	}
	a, b, c, d := mk("Anna", "Noord"), mk("Bram", "Noord"), mk("Cem", "Zuid"), mk("Dewi", "Noord")
	move(a, "2025-01-15", "Garage Çelik", PlaceWerkervaring) // there now
	move(b, "2024-12-10", "garage celik", PlaceVrijwillig)   // before: left in February
	move(b, "2025-02-20", "Bakkerij De Zon", PlaceRegulier)  // there now
	move(c, "2025-03-01", "Bakkerij De Zon", PlaceBeschut)   // there now, team Zuid
	move(d, "2025-02-01", "", PlaceOpleiding)                // no employer
	return s, ids
}

// TestPlacements: per employer the people placed there now and before,
// since when and until when, and the kind of place; names that differ in
// case or accents are one employer; a team filter keeps its clients.
func TestPlacements(t *testing.T) {
	s, ids := employerFixture(t)
	got, err := s.Placements(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Employer != "Bakkerij De Zon" || got[1].Employer != "Garage Çelik" {
		t.Fatalf("employers %+v", got)
	}
	zon, celik := got[0], got[1]
	if len(zon.Now) != 2 || zon.Now[0].Name != "Cem" || zon.Now[1].Name != "Bram" || len(zon.Before) != 0 {
		t.Errorf("De Zon: now %+v, before %+v", zon.Now, zon.Before)
	}
	if p := zon.Now[0]; p.Since != "2025-03-01" || !slices.Equal(p.Places, []Place{PlaceBeschut}) || !p.Current() || p.Team != "Zuid" || p.Dossier != ids["Cem"] {
		t.Errorf("Cem at De Zon: %+v", p)
	}
	if len(celik.Now) != 1 || celik.Now[0].Name != "Anna" || len(celik.Before) != 1 {
		t.Fatalf("Çelik: now %+v, before %+v", celik.Now, celik.Before)
	}
	if p := celik.Before[0]; p.Name != "Bram" || p.Since != "2024-12-10" || p.Until != "2025-02-20" || p.Current() || !slices.Equal(p.Places, []Place{PlaceVrijwillig}) {
		t.Errorf("Bram before at Çelik: %+v", p)
	}
	zuid, err := s.Placements([]string{"Zuid"})
	if err != nil {
		t.Fatal(err)
	}
	if len(zuid) != 1 || zuid[0].Employer != "Bakkerij De Zon" || len(zuid[0].Now) != 1 {
		t.Errorf("team Zuid: %+v", zuid)
	}
}

// TestFlowReportByEmployer: the flow report breaks down by employer: who
// moved on to a place with it in the period, who was placed there at the
// period's end.
func TestFlowReportByEmployer(t *testing.T) {
	s, _ := employerFixture(t)
	r, err := s.FlowReport(FlowQuery{From: "2025-01-01", To: "2025-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	want := []EmployerFlow{
		{Employer: "Bakkerij De Zon", MovedOn: 2, AtEnd: 2},
		{Employer: "Garage Çelik", MovedOn: 1, AtEnd: 1},
	}
	if !slices.Equal(r.Employers, want) {
		t.Errorf("Q1: %+v, want %+v", r.Employers, want)
	}
	// Before Bram left Çelik: he is placed there at the end, but moved on
	// to it before the period.
	r, err = s.FlowReport(FlowQuery{From: "2025-01-01", To: "2025-01-31"})
	if err != nil {
		t.Fatal(err)
	}
	want = []EmployerFlow{{Employer: "Garage Çelik", MovedOn: 1, AtEnd: 2}}
	if !slices.Equal(r.Employers, want) {
		t.Errorf("January: %+v, want %+v", r.Employers, want)
	}
}

// TestRegisterChecks: the register's checks and search.
func TestRegisterChecks(t *testing.T) {
	for _, c := range []struct {
		kvk string
		ok  bool
	}{{"", true}, {"12345678", true}, {"1234567", false}, {"123456789", false}, {"1234567a", false}, {"１２３４５６７８", false}} {
		if err := CheckKvK(c.kvk); (err == nil) != c.ok {
			t.Errorf("CheckKvK(%q) = %v", c.kvk, err)
		}
	}
	for in, want := range map[string]string{"werkgever": OrgEmployer, "Werkgever": OrgEmployer, "employer": OrgEmployer, "gemeente": OrgMunicipality,
		"UWV": OrgUWV, "sociaal ontwikkelbedrijf": OrgSDC, "Zorgaanbieder": OrgCare, "bakker": ""} {
		if got, ok := ParseOrgKind(in); got != want || ok != (want != "") {
			t.Errorf("ParseOrgKind(%q) = %q, %v", in, got, ok)
		}
	}
	for _, c := range []struct {
		c  OrgContact
		ok bool
	}{
		{OrgContact{Name: "Ria"}, true},
		{OrgContact{Name: "Ria", Phone: "+31 (0)24-123 45 67", Email: "ria@zon.nl"}, true},
		{OrgContact{}, false},
		{OrgContact{Name: "Ria", Phone: "bel me"}, false},
		{OrgContact{Name: "Ria", Email: "ria"}, false},
		{OrgContact{Name: "Ria", Email: "a@b@c"}, false},
		{OrgContact{Name: "Ria\x1b[31m"}, false},
	} {
		if err := CheckContact(c.c); (err == nil) != c.ok {
			t.Errorf("CheckContact(%+v) = %v", c.c, err)
		}
	}
	for _, c := range []struct {
		o  Org
		ok bool
	}{
		{Org{Name: "Zon", Kind: OrgEmployer}, true},
		{Org{Name: " Zon", Kind: OrgEmployer}, false},
		{Org{Name: "Zon", Kind: "bakker"}, false},
		{Org{Name: "Zon\nBV", Kind: OrgEmployer}, false},
		{Org{Name: "Zon", Kind: OrgEmployer, KvK: "1"}, false},
	} {
		if err := CheckOrg(c.o); (err == nil) != c.ok {
			t.Errorf("CheckOrg(%+v) = %v", c.o, err)
		}
	}
	r := NewRegister([]Org{{Name: "Zon", Kind: OrgEmployer}, {Name: "Garage Çelik", Kind: OrgEmployer, KvK: "12345678"}, {Name: "Gemeente", Kind: OrgMunicipality}})
	if r2 := NewRegister(slices.Clone(r.Orgs)); r2.Version != r.Version || r.Version == "" {
		t.Error("the version is not a function of the organisations")
	}
	if r3 := NewRegister(append(slices.Clone(r.Orgs), Org{Name: "X", Kind: OrgOther})); r3.Version == r.Version {
		t.Error("the version did not change with the register")
	}
	if got := r.Find("CELIK"); len(got) != 1 || got[0].Name != "Garage Çelik" {
		t.Errorf("Find(CELIK) = %+v", got)
	}
	if got := r.Find("1234"); len(got) != 1 {
		t.Errorf("Find by KvK = %+v", got)
	}
	if got := r.Find("", OrgEmployer); len(got) != 2 {
		t.Errorf("Find employers = %+v", got)
	}
}
