package store

import (
	"errors"
	"testing"
)

func TestParseDaySaysWhichDayDoesNotExist(t *testing.T) {
	for in, want := range map[string]string{"14-3-2025": "2025-03-14", "2025-03-14": "2025-03-14", "29/2/2024": "2024-02-29", "1.12.2025": "2025-12-01"} {
		if got, err := ParseDay(in); err != nil || got != want {
			t.Errorf("ParseDay(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]DayError{"31-02-2026": {31, 2, 2026}, "29-2-2025": {29, 2, 2025}, "2026-04-31": {31, 4, 2026}} {
		_, err := ParseDay(in)
		var de *DayError
		if !errors.As(err, &de) || *de != want || !errors.Is(err, ErrNoSuchDay) {
			t.Errorf("ParseDay(%q) = %v, want day %+v", in, err, want)
		}
	}
	for _, in := range []string{"gisteren", "32-1-2025", "1-13-2025", ""} {
		_, err := ParseDay(in)
		var de *DayError
		if err == nil || errors.As(err, &de) || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDay(%q) = %v, want a general ErrInvalid", in, err)
		}
	}
}

func TestCheckDayPhoneEmail(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"due 1900", CheckDay("1900-01-01", ""), ErrOldDay},
		{"move tomorrow", CheckDay("2025-11-15", "2025-11-14"), ErrFutureDay},
		{"move today", CheckDay("2025-11-14", "2025-11-14"), nil},
		{"due next year", CheckDay("2026-11-15", ""), nil},
		{"phone abc", CheckPhone("abc"), ErrPhone},
		{"phone 12", CheckPhone("12"), ErrPhone},
		{"phone mobile", CheckPhone("06-12345678"), nil},
		{"phone intl", CheckPhone("+31 (0)6 1234 5678"), nil},
		{"mail piet@@", CheckEmail("piet@@"), ErrEmail},
		{"mail no domain dot", CheckEmail("piet@home"), ErrEmail},
		{"mail with name", CheckEmail("Piet <piet@example.nl>"), ErrEmail},
		{"mail ok", CheckEmail("piet.jansen@gemeente.nl"), nil},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) || (c.want == nil && c.err != nil) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}

func TestBirthYearInTheFutureIsRefused(t *testing.T) {
	defer func(f func() int) { nowYear = f }(nowYear)
	nowYear = func() int { return 2026 }
	if errs := (NewClient{Name: "Anna", BirthYear: "2027"}).Validate(); !errors.Is(errs["birthyear"], ErrFutureYear) {
		t.Errorf("2027 in 2026: %v", errs)
	}
	if errs := (NewClient{Name: "Anna", BirthYear: "2026"}).Validate(); errs != nil {
		t.Errorf("this year refused: %v", errs)
	}
	s := openTest(t, Options{})
	if _, err := s.CreateClient(NewClient{Name: "Anna", BirthYear: "2030"}); !errors.Is(err, ErrFutureYear) {
		t.Errorf("CreateClient with a future birth year: %v", err)
	}
}

func TestRecordChangesAndWithdraw(t *testing.T) {
	s := openTest(t, Options{})
	id, err := s.CreateClient(NewClient{Name: "Anna", BirthYear: "1990", Team: "Noord", Places: []Place{PlaceDagbesteding}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(id)
	if ch, errs := RecordChanges(c, NewClient{Name: " Anna ", BirthYear: "1990", Team: "Noord"}); errs != nil || len(ch) != 0 {
		t.Fatalf("unchanged record: %v %v", ch, errs)
	}
	if _, errs := RecordChanges(c, NewClient{Name: "", Team: "Noord"}); errs["name"] == nil {
		t.Fatal("an empty name passed")
	}
	ch, errs := RecordChanges(c, NewClient{Name: "Anna de Wit", BirthYear: "1990", Team: "Zuid", Benefit: "wajong", Places: []Place{PlaceRegulier}})
	if errs != nil {
		t.Fatal(errs)
	}
	if _, err := s.Commit(id, ch...); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Client(id)
	if c.Name.Value != "Anna de Wit" || c.Team.Value != "Zuid" || c.Benefit.Value != "wajong" || c.Places.Value != "dagbesteding" {
		t.Fatalf("after the record change: %+v", c)
	}
	if _, err := s.Commit(id, Withdraw()); err != nil {
		t.Fatal(err)
	}
	sums, _ := s.Summaries()
	if len(sums) != 1 || !sums[0].Removed {
		t.Fatalf("withdrawn client's summary: %+v", sums)
	}
	if _, err := s.Commit(id, Restore()); err != nil {
		t.Fatal(err)
	}
	if c, _ = s.Client(id); !c.Exists || c.Name.Value != "Anna de Wit" || s.Erased(id) {
		t.Fatalf("restored client: %+v", c)
	}
}
