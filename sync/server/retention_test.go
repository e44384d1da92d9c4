package server

import (
	"errors"
	"testing"
	"time"

	"github.com/brug-nl/brug/sync/protocol"
)

func TestParseRetention(t *testing.T) {
	for spec, want := range map[string]string{
		"15y":                               "15y",
		" 15y , wlz=20y,participatiewet=7y": "15y,participatiewet=7y,wlz=20y",
		"1y6m,wmo=18m":                      "1y6m,wmo=18m",
	} {
		p, err := ParseRetention(spec)
		if err != nil || p.String() != want {
			t.Errorf("ParseRetention(%q) = %q, %v; want %q", spec, p.String(), err, want)
		}
	}
	for _, bad := range []string{"", "15", "y", "15d", "0y", "101y", "wlz=20y", "15y,20y", "15y,maan=3y", "15y,wlz=20y,wlz=3y", "6m1y", "15y,wlz="} {
		if _, err := ParseRetention(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRetention(%q): %v, want ErrInvalid", bad, err)
		}
	}
}

// TestRetentionErrors: a policy's mistakes read in English as they always
// did, word for word, and in Dutch (In) without the English.
func TestRetentionErrors(t *testing.T) {
	for _, c := range []struct{ spec, en, nl string }{
		{"", "invalid retention \"\": \"\": a period is at least a month and at most 100 years", "een termijn is minstens een maand en hoogstens 100 jaar"},
		{"15", "invalid retention \"15\": \"15\": a period is years and months, e.g. 15y, 6m or 1y6m", "een termijn is jaren (y) en maanden (m), bijvoorbeeld 15y, 6m of 1y6m"},
		{"y", "invalid retention \"y\": \"y\": a period is years and months, e.g. 15y, 6m or 1y6m", ""},
		{"15d", "invalid retention \"15d\": \"15d\": a period is years and months, e.g. 15y, 6m or 1y6m", ""},
		{"0y", "invalid retention \"0y\": \"0y\": a period is at least a month and at most 100 years", ""},
		{"101y", "invalid retention \"101y\": \"101y\": a period is at least a month and at most 100 years", ""},
		{"wlz=20y", "invalid retention \"wlz=20y\": start with the default period (e.g. 15y), then CODE=PERIOD", "begin met de standaardtermijn (bijvoorbeeld 15y), daarna CODE=TERMIJN"},
		{"15y,20y", "invalid retention \"15y,20y\": the default period comes first, once; then CODE=PERIOD", "de standaardtermijn komt eerst, één keer; daarna CODE=TERMIJN"},
		{"15y,maan=3y", "invalid retention \"15y,maan=3y\": \"maan\" is not a benefit or indication code (anders, doelgroepenregister, geen, herbeoordeling, participatiewet, uwv-beschut, wajong, wia, wlz, wmo, ww)", "\"maan\" is geen code van een uitkering of indicatie (anders, doelgroepenregister, geen, herbeoordeling, participatiewet, uwv-beschut, wajong, wia, wlz, wmo, ww)"},
		{"15y,wlz=20y,wlz=3y", "invalid retention \"15y,wlz=20y,wlz=3y\": wlz is given twice", "wlz staat er twee keer in"},
		{"6m1y", "invalid retention \"6m1y\": \"6m1y\": give years before months, once", "geef de jaren voor de maanden, één keer"},
		{"15y,wlz=", "invalid retention \"15y,wlz=\": \"wlz=\": a period is at least a month and at most 100 years", "\"wlz=\": een termijn is minstens een maand en hoogstens 100 jaar"},
		{"2000y", "invalid retention \"2000y\": \"2000y\": 2000 is too large", "2000 is te groot"},
		{"1y2m3m", "invalid retention \"1y2m3m\": \"1y2m3m\": give months once", "geef de maanden één keer"},
		{"banaan", "invalid retention \"banaan\": \"banaan\": a period is years and months, e.g. 15y, 6m or 1y6m", ""},
	} {
		_, err := ParseRetention(c.spec)
		var re *RetentionError
		if !errors.As(err, &re) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("%q: %v (%T), want a RetentionError of ErrInvalid", c.spec, err, err)
		}
		if err.Error() != c.en || re.In("en") != c.en {
			t.Errorf("%q in English: %q, want %q", c.spec, err.Error(), c.en)
		}
		if c.nl != "" && re.In("nl") != c.nl {
			t.Errorf("%q in Dutch: %q, want %q", c.spec, re.In("nl"), c.nl)
		}
	}
}

// TestRetentionListsAndErasesDossiersPastTheirPeriod: only closed
// dossiers past their period are due (the longest period of their codes,
// else the default); a listing erases nothing; erasing takes only the
// confirmed ones, through the erase path (devices are told, receipts are
// kept), with an audit record each and one for the run.
func TestRetentionListsAndErasesDossiersPastTheirPeriod(t *testing.T) {
	e := newEnv(t)
	e.teams("Noord")
	a := e.user("anna", protocol.RoleCoach, "Noord")
	mk := func(name, closed, benefit string) string {
		id, ops := a.create("Noord", name)
		if closed != "" {
			ops = append(ops, a.op(id, "closed", closed), a.op(id, "closed_reason", "werk"))
		}
		if benefit != "" {
			ops = append(ops, a.op(id, "benefit", benefit))
		}
		a.sync(ops...)
		return id
	}
	// Today is t0 (2026); the policy keeps Wlz files 20 years.
	e.must(e.srv.SetRetention("15y,wlz=20y"))
	old := mk("Oud Gesloten", "2010-01-01", "")            // 2025: due
	wlz := mk("Wlz Gesloten", "2010-01-01", "wlz")         // 2030: not yet
	recent := mk("Net Gesloten", "2020-06-30", "")         // 2035: not yet
	open := mk("Nog Open", "", "")                         // open
	reopened := mk("Heropend", "2001-01-01", "")           // reopened below
	also := mk("Ook Oud", "2009-05-01", "participatiewet") // no period of its own: default, due
	a.sync(a.op(reopened, "closed", ""))
	_ = open

	rep, err := e.admin.Retention(false, nil)
	e.must(err)
	var ids []string
	for _, d := range rep.Due {
		ids = append(ids, d.ID)
	}
	if len(ids) != 2 || ids[0] != also || ids[1] != old || rep.Policy != "15y,wlz=20y" {
		t.Fatalf("due: %+v (policy %s), want %s then %s", rep.Due, rep.Policy, also, old)
	}
	if rep.Due[1].Name != "Oud Gesloten" || rep.Due[1].Period != "15y" || rep.Due[1].Closed != "2010-01-01" {
		t.Errorf("due entry: %+v", rep.Due[1])
	}
	if e.erased(old) {
		t.Fatal("a listing erased")
	}
	// The admin confirmed only the old one.
	rep, err = e.admin.Retention(true, []string{old, wlz, recent})
	e.must(err)
	if rep.Erased != 1 || !e.erased(old) || e.erased(also) || e.erased(wlz) || e.erased(recent) {
		t.Fatalf("erased %d: old %v also %v", rep.Erased, e.erased(old), e.erased(also))
	}
	if resp := a.sync(); len(resp.Erased) != 1 || resp.Erased[0] != old {
		t.Fatalf("the device was not told: %+v", resp.Erased)
	}
	var eraseRec, runRec int
	for _, en := range e.auditAll() {
		switch {
		case en.Action == "erase" && en.Dossier == old && en.Detail == "retention: closed 2010-01-01, period 15y":
			eraseRec++
		case en.Action == "retention":
			runRec++
		}
	}
	if eraseRec != 1 || runRec != 1 {
		t.Fatalf("audit: %d erase records, %d retention records", eraseRec, runRec)
	}
	if es, _ := e.admin.Erasures(old); len(es) != 1 || len(es[0].Devices) != 1 {
		t.Fatalf("erasure record: %+v", es)
	}
	// Time passes: the Wlz dossier falls due in 2030.
	e.clock.Add(5 * 366 * 24 * time.Hour)
	rep, err = e.admin.Retention(false, nil)
	e.must(err)
	found := false
	for _, d := range rep.Due {
		found = found || d.ID == wlz && d.Code == "wlz" && d.Period == "20y"
	}
	if !found {
		t.Fatalf("the Wlz dossier is not due in 2031: %+v", rep.Due)
	}
}
