package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAccessTable(t *testing.T) {
	active := ShareTerms{ID: "s1", Team: "b", Org: "Gemeente", Mode: ShareRead, From: "2026-11-01", Until: "2026-11-30",
		ConsentDate: "2026-10-30", ConsentHow: "spoken"}
	with := func(edit func(*ShareTerms)) ShareTerms { s := active; edit(&s); return s }
	rw := with(func(s *ShareTerms) { s.Mode = ShareReadWrite })
	day := "2026-11-10"
	for _, tc := range []struct {
		name         string
		shares       []ShareTerms
		team, day    string
		read, write  bool
		reason       Reason
		grantedShare string
	}{
		{"owner", nil, "a", day, true, true, ReasonNone, ""},
		{"owner with a withdrawn share of its own", []ShareTerms{with(func(s *ShareTerms) { s.Team = "a"; s.Withdrawn = day })}, "a", day, true, true, ReasonNone, ""},
		{"not shared", []ShareTerms{active}, "c", day, false, false, ReasonNotShared, ""},
		{"no team", []ShareTerms{with(func(s *ShareTerms) { s.Team = "" })}, "", day, false, false, ReasonNotShared, ""},
		{"read", []ShareTerms{active}, "b", day, true, false, ReasonReadOnly, "s1"},
		{"readwrite", []ShareTerms{rw}, "b", day, true, true, ReasonNone, "s1"},
		{"first day", []ShareTerms{rw}, "b", "2026-11-01", true, true, ReasonNone, "s1"},
		{"last day", []ShareTerms{rw}, "b", "2026-11-30", true, true, ReasonNone, "s1"},
		{"not started", []ShareTerms{rw}, "b", "2026-10-31", false, false, ReasonNotStarted, ""},
		{"expired", []ShareTerms{rw}, "b", "2026-12-01", false, false, ReasonExpired, ""},
		{"withdrawn today", []ShareTerms{with(func(s *ShareTerms) { s.Withdrawn = day })}, "b", day, false, false, ReasonWithdrawn, ""},
		{"withdrawal tomorrow", []ShareTerms{with(func(s *ShareTerms) { s.Withdrawn = "2026-11-11" })}, "b", day, true, false, ReasonReadOnly, "s1"},
		{"withdrawn and expired", []ShareTerms{with(func(s *ShareTerms) { s.Withdrawn = "2026-11-02" })}, "b", "2026-12-05", false, false, ReasonWithdrawn, ""},
		{"no consent", []ShareTerms{with(func(s *ShareTerms) { s.ConsentDate = "" })}, "b", day, false, false, ReasonNoConsent, ""},
		{"consent without how", []ShareTerms{with(func(s *ShareTerms) { s.ConsentHow = "" })}, "b", day, false, false, ReasonNoConsent, ""},
		{"consent given later", []ShareTerms{with(func(s *ShareTerms) { s.ConsentDate = "2026-11-20" })}, "b", day, false, false, ReasonNoConsent, ""},
		{"removed", []ShareTerms{with(func(s *ShareTerms) { s.Removed = true })}, "b", day, false, false, ReasonNotShared, ""},
		{"unknown mode reads only", []ShareTerms{with(func(s *ShareTerms) { s.Mode = "" })}, "b", day, true, false, ReasonReadOnly, "s1"},
		{"open ended", []ShareTerms{with(func(s *ShareTerms) { s.From, s.Until = "", "" })}, "b", "2099-01-01", true, false, ReasonReadOnly, "s1"},
		{"read and readwrite: write", []ShareTerms{active, with(func(s *ShareTerms) { s.ID = "s2"; s.Mode = ShareReadWrite })}, "b", day, true, true, ReasonNone, "s2"},
		{"readwrite withdrawn, read active", []ShareTerms{with(func(s *ShareTerms) { s.ID = "s2"; s.Mode = ShareReadWrite; s.Withdrawn = day }), active}, "b", day, true, false, ReasonReadOnly, "s1"},
		{"expired and not started: not started", []ShareTerms{
			with(func(s *ShareTerms) { s.Until = "2026-11-05" }),
			with(func(s *ShareTerms) { s.ID = "s2"; s.From = "2026-11-15" })}, "b", day, false, false, ReasonNotStarted, ""},
		{"withdrawn and no consent: no consent", []ShareTerms{
			with(func(s *ShareTerms) { s.Withdrawn = "2026-11-05" }),
			with(func(s *ShareTerms) { s.ID = "s2"; s.ConsentDate = "" })}, "b", day, false, false, ReasonNoConsent, ""},
	} {
		got := Access(DossierAccess{Team: "a", Shares: tc.shares}, TeamRef{ID: tc.team, Org: "x"}, tc.day)
		want := Decision{Read: tc.read, Write: tc.write, Reason: tc.reason, Share: tc.grantedShare}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, want)
		}
	}
}

func TestCheckTransferTable(t *testing.T) {
	consent := ShareTerms{ID: "s1", Team: "w", Org: "Gemeente Oss", Mode: ShareRead, From: "2026-11-01", Until: "2026-11-30",
		ConsentDate: "2026-10-30", ConsentHow: "written"}
	with := func(edit func(*ShareTerms)) ShareTerms { s := consent; edit(&s); return s }
	to := TeamRef{ID: "w2", Org: " gemeente oss"}
	day := "2026-11-10"
	for _, tc := range []struct {
		name    string
		shares  []ShareTerms
		fromOrg string
		to      TeamRef
		day     string
		want    Reason
	}{
		{"same organisation", nil, "Zorg BV", TeamRef{ID: "t", Org: "zorg bv"}, day, ReasonNone},
		{"no organisations known yet", nil, "", TeamRef{ID: "t"}, day, ReasonNone},
		{"other organisation, no share", nil, "Zorg BV", to, day, ReasonNoOrgConsent},
		{"other organisation, consent for it", []ShareTerms{consent}, "Zorg BV", to, day, ReasonNone},
		{"consent for it, share not started yet", []ShareTerms{with(func(s *ShareTerms) { s.From = "2026-11-20" })}, "Zorg BV", to, day, ReasonNone},
		{"consent for another organisation", []ShareTerms{with(func(s *ShareTerms) { s.Org = "UWV" })}, "Zorg BV", to, day, ReasonNoOrgConsent},
		{"consent withdrawn", []ShareTerms{with(func(s *ShareTerms) { s.Withdrawn = "2026-11-09" })}, "Zorg BV", to, day, ReasonNoOrgConsent},
		{"consent expired", []ShareTerms{consent}, "Zorg BV", to, "2026-12-01", ReasonNoOrgConsent},
		{"no consent recorded", []ShareTerms{with(func(s *ShareTerms) { s.ConsentDate = "" })}, "Zorg BV", to, day, ReasonNoOrgConsent},
		{"consent given later", []ShareTerms{with(func(s *ShareTerms) { s.ConsentDate = "2026-11-11" })}, "Zorg BV", to, day, ReasonNoOrgConsent},
		{"removed share", []ShareTerms{with(func(s *ShareTerms) { s.Removed = true })}, "Zorg BV", to, day, ReasonNoOrgConsent},
		// Teams without an organisation belong to the region's default
		// organisation (DefaultOrg); a share naming none is consent for it.
		// org -> org is above.
		{"org to none, no share", nil, "Zorg BV", TeamRef{ID: "t"}, day, ReasonNoOrgConsent},
		{"org to none, consent for the default organisation", []ShareTerms{with(func(s *ShareTerms) { s.Org = "" })}, "Zorg BV", TeamRef{ID: "t"}, day, ReasonNone},
		{"org to none, org written as spaces", []ShareTerms{with(func(s *ShareTerms) { s.Org = "  " })}, "Zorg BV", TeamRef{ID: "t", Org: DefaultOrg}, day, ReasonNone},
		{"org to none, consent for a named organisation only", []ShareTerms{consent}, "Zorg BV", TeamRef{ID: "t"}, day, ReasonNoOrgConsent},
		{"org to none, default consent withdrawn", []ShareTerms{with(func(s *ShareTerms) { s.Org, s.Withdrawn = "", "2026-11-01" })}, "Zorg BV", TeamRef{ID: "t"}, day, ReasonNoOrgConsent},
		{"org to none, default consent expired", []ShareTerms{with(func(s *ShareTerms) { s.Org = "" })}, "Zorg BV", TeamRef{ID: "t"}, "2026-12-01", ReasonNoOrgConsent},
		{"none to org, no share", nil, "", to, day, ReasonNoOrgConsent},
		{"none to org, consent for it", []ShareTerms{consent}, "", to, day, ReasonNone},
		{"none to org, consent for the default organisation only", []ShareTerms{with(func(s *ShareTerms) { s.Org = "" })}, "", to, day, ReasonNoOrgConsent},
		{"none to none", nil, "", TeamRef{ID: "t"}, day, ReasonNone},
		{"none to none, spaces", nil, " ", TeamRef{ID: "t"}, day, ReasonNone},
	} {
		if got := CheckTransfer(DossierAccess{Team: "a", Shares: tc.shares}, tc.fromOrg, tc.to, tc.day); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// refAccess computes access from scratch, from the definition in
// docs/sharing.md, without shareStatus or refusalRank.
func refAccess(owner string, shares map[string]map[string]string, team, day string) Decision {
	if team == owner {
		return Decision{Read: true, Write: true}
	}
	var readBy, writeBy string
	seen := map[Reason]bool{}
	for _, id := range sortedKeys(shares) {
		f := shares[id]
		if f["exists"] != "1" || f["team"] != team {
			continue
		}
		withdrawn := f["withdrawn"] != "" && f["withdrawn"] <= day
		expired := f["until"] != "" && f["until"] < day
		early := f["from"] != "" && f["from"] > day
		consent := f["consent_date"] != "" && f["consent_how"] != "" && f["consent_date"] <= day
		switch {
		case withdrawn:
			seen[ReasonWithdrawn] = true
		case expired:
			seen[ReasonExpired] = true
		case early:
			seen[ReasonNotStarted] = true
		case !consent:
			seen[ReasonNoConsent] = true
		case f["mode"] == "readwrite":
			if writeBy == "" {
				writeBy = id
			}
		default:
			if readBy == "" {
				readBy = id
			}
		}
	}
	switch {
	case writeBy != "":
		return Decision{Read: true, Write: true, Share: writeBy}
	case readBy != "":
		return Decision{Read: true, Reason: ReasonReadOnly, Share: readBy}
	}
	for _, r := range []Reason{ReasonNotStarted, ReasonNoConsent, ReasonExpired, ReasonWithdrawn} {
		if seen[r] {
			return Decision{Reason: r}
		}
	}
	return Decision{Reason: ReasonNotShared}
}

// Random shares, changes, withdrawals and removals, made here or arriving
// concurrently from another device, go through the store (ops, merge,
// projection) and the access rule; every team's access on every day
// equals access computed from scratch from the ops themselves.
func TestPropertyAccessFromOps(t *testing.T) {
	teams := []string{"a", "b", "c"}
	days := make([]string, 0, 12)
	for d := 1; d <= 12; d++ {
		days = append(days, fmt.Sprintf("2026-11-%02d", d*2))
	}
	for seed := uint64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		s := openTest(t, Options{Now: fixedClock(t0)})
		d := newShareClient(t, s)
		if _, err := s.Commit(d, Set("team", "a")); err != nil {
			t.Fatal(err)
		}
		type head struct {
			hlc    HLC
			device string
			id     string
			value  string
		}
		heads := map[string][]head{} // field -> heads, as the reference keeps them
		var ids []string
		pick := func(vals ...string) string { return vals[r.IntN(len(vals))] }
		day := func() string { return pick(append([]string{""}, days...)...) }
		for step := 0; step < 25; step++ {
			var field, value string
			if len(ids) == 0 || r.IntN(4) == 0 {
				ids = append(ids, NewID())
				id := ids[len(ids)-1]
				changes := []Change{Set(ShareField(id, "exists"), "1"), Set(ShareField(id, "team"), pick("b", "c", "a")),
					Set(ShareField(id, "mode"), pick("read", "readwrite")), Set(ShareField(id, "from"), day()),
					Set(ShareField(id, "until"), day()), Set(ShareField(id, "consent_date"), day()),
					Set(ShareField(id, "consent_how"), pick("", "spoken", "written"))}
				ops, err := s.Commit(d, changes...)
				if err != nil {
					t.Fatal(err)
				}
				for _, op := range ops {
					heads[op.Field] = []head{{op.HLC, op.Device, op.ID, op.Value}}
				}
				continue
			}
			id := ids[r.IntN(len(ids))]
			switch r.IntN(9) {
			case 0:
				field, value = "withdrawn", day()
			case 1:
				field, value = "exists", pick("0", "1")
			case 2:
				field, value = "team", pick("b", "c")
			case 3:
				field, value = "mode", pick("read", "readwrite")
			case 4:
				field, value = "from", day()
			case 5:
				field, value = "until", day()
			case 6:
				field, value = "consent_date", day()
			case 7:
				field, value = "consent_how", pick("", "spoken", "written")
			default:
				field, value = "withdrawn", ""
			}
			field = ShareField(id, field)
			if r.IntN(3) == 0 {
				// From another device, concurrent with what is here: no prev.
				op := mkOp(d, field, value, MakeHLC(t0.Add(time.Duration(r.IntN(200))*time.Second), 0), pick("dev-x", "dev-y"))
				if _, err := s.ApplyRemote([]Op{op}); err != nil {
					t.Fatal(err)
				}
				heads[field] = append(heads[field], head{op.HLC, op.Device, op.ID, op.Value})
				continue
			}
			ops, err := s.Commit(d, Set(field, value))
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range ops {
				heads[field] = []head{{op.HLC, op.Device, op.ID, op.Value}}
			}
		}
		// The reference state: per field the head with the highest
		// (hlc, device, id).
		ref := map[string]map[string]string{}
		for field, hs := range heads {
			p, _, err := ParseField(field)
			if err != nil || p.Entity != EntityShare {
				continue
			}
			best := hs[0]
			for _, h := range hs[1:] {
				if h.hlc > best.hlc || h.hlc == best.hlc && (h.device > best.device || h.device == best.device && h.id > best.id) {
					best = h
				}
			}
			if ref[p.ID] == nil {
				ref[p.ID] = map[string]string{}
			}
			ref[p.ID][p.Name] = best.value
		}
		c, err := s.Client(d)
		if err != nil {
			t.Fatal(err)
		}
		state := c.AccessState()
		for _, team := range teams {
			for _, dy := range days {
				got := Access(state, TeamRef{ID: team}, dy)
				want := refAccess("a", ref, team, dy)
				if got != want {
					t.Fatalf("seed %d team %s day %s: %+v, want %+v (shares %v)", seed, team, dy, got, want, ref)
				}
			}
		}
	}
}
