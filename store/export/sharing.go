package export

import (
	"sort"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
)

// SharedWith is one share of the dossier as the person's export lists
// it (docs/sharing.md): with whom (team and organisation), for what, how,
// from and until, the consent, whether it was withdrawn or removed, when
// and by whom it was recorded, and every change made to it. Withdrawn and
// removed shares are listed too: the person has the right to know the
// dossier was shared.
type SharedWith struct {
	ID          string        `json:"id"`
	Team        string        `json:"team"`
	Org         string        `json:"org"`
	Purpose     string        `json:"purpose"`
	Mode        string        `json:"mode"`
	From        string        `json:"from"`
	Until       string        `json:"until"`
	ConsentDate string        `json:"consent_date"`
	ConsentHow  string        `json:"consent_how"`
	ConsentBy   string        `json:"consent_by"`
	Withdrawn   string        `json:"withdrawn"`
	Removed     bool          `json:"removed"`
	Recorded    time.Time     `json:"recorded"`
	RecordedBy  string        `json:"recorded_by"`
	Changes     []ShareChange `json:"changes"`
}

// ShareChange is one op on a share's fields.
type ShareChange struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	Field string    `json:"field"`
	Value string    `json:"value"`
}

// Sharing lists every share of the dossier c, oldest first, with the
// values it has now (c.Shares) and its history from ops.
func Sharing(c *store.Client, ops []store.Op) []SharedWith {
	byID := map[string]*SharedWith{}
	for _, s := range c.Shares {
		byID[s.ID] = &SharedWith{ID: s.ID, Team: s.Team.Value, Org: s.Org.Value, Purpose: s.Purpose.Value,
			Mode: s.Mode.Value, From: s.From.Value, Until: s.Until.Value, ConsentDate: s.ConsentDate.Value,
			ConsentHow: s.ConsentHow.Value, ConsentBy: s.ConsentBy.Value, Withdrawn: s.Withdrawn.Value,
			Removed: s.Removed, Changes: []ShareChange{}}
	}
	sorted := append([]store.Op(nil), ops...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].HLC < sorted[j].HLC })
	for _, op := range sorted {
		rest, ok := strings.CutPrefix(op.Field, store.EntityShare+"/")
		if !ok {
			continue
		}
		id, name, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		s := byID[id]
		if s == nil {
			// A share the projection lacks (should not happen): list it
			// from its ops alone.
			s = &SharedWith{ID: id, Changes: []ShareChange{}}
			byID[id] = s
		}
		at := op.HLC.Time().UTC()
		if s.Recorded.IsZero() {
			s.Recorded, s.RecordedBy = at, op.Author
		}
		s.Changes = append(s.Changes, ShareChange{At: at, By: op.Author, Field: name, Value: op.Value})
	}
	out := make([]SharedWith, 0, len(byID))
	for _, s := range byID {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Recorded.Equal(out[j].Recorded) {
			return out[i].Recorded.Before(out[j].Recorded)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// sharing renders the shares and who read the dossier on this laptop.
func (x *exporter) sharing(ops []store.Op) {
	t := x.t
	x.heading(2, t.S("export.sharing"))
	shares := Sharing(x.c, ops)
	if len(shares) == 0 {
		x.para(t.S("export.sharing.none"))
	} else {
		x.para(t.S("export.sharing.intro"))
		x.line("| " + strings.Join([]string{t.S("export.sharing.org"), t.S("export.sharing.purpose"), t.S("export.sharing.mode"),
			t.S("export.sharing.period"), t.S("export.sharing.consent"), t.S("export.sharing.state"), t.S("export.sharing.recorded")}, " | ") + " |")
		x.line("|---|---|---|---|---|---|---|")
		for _, s := range shares {
			org := mdInline(s.Org)
			if s.Org == "" {
				org = t.S("export.empty")
			}
			if s.Team != "" {
				org += " (" + t.F("export.sharing.team", mdInline(s.Team)) + ")"
			}
			consent := t.S("export.sharing.noconsent")
			if s.ConsentDate != "" {
				consent = s.ConsentDate + ", " + x.code("export.sharing.how.", s.ConsentHow)
				if s.ConsentBy != "" {
					consent += ", " + t.F("export.sharing.consentby", mdInline(s.ConsentBy))
				}
			}
			state := t.S("export.sharing.standing")
			switch {
			case s.Removed:
				state = t.S("export.sharing.removed")
			case s.Withdrawn != "":
				state = t.F("export.sharing.withdrawn", s.Withdrawn)
			}
			cells := []string{org, mdInline(s.Purpose), x.code("export.sharing.mode.", s.Mode), x.period(s.From, s.Until),
				consent, state, t.F("export.by", mdInline(s.RecordedBy), stamp(s.Recorded))}
			for i := range cells {
				cells[i] = cellSafe(cells[i])
			}
			x.line("| " + strings.Join(cells, " | ") + " |")
		}
		x.line("")
		for _, s := range shares {
			if len(s.Changes) <= 1 {
				continue
			}
			name := s.Org
			if name == "" {
				name = s.Team
			}
			x.line(t.F("export.sharing.changes", mdInline(name)))
			for _, ch := range s.Changes {
				x.line("- " + stamp(ch.At) + " · " + mdInline(ch.By) + " · `" + ch.Field + "` = " + mdInline(ch.Value))
			}
			x.line("")
		}
	}
}

// reads renders who read the dossier, from this laptop's read log.
func (x *exporter) reads(reads []store.ReadEntry) {
	t := x.t
	x.heading(2, t.S("export.reads"))
	x.para(t.S("export.reads.intro"))
	if len(reads) == 0 {
		x.para(t.S("export.none"))
		return
	}
	x.line("| " + strings.Join([]string{t.S("export.history.when"), t.S("export.history.who"), t.S("export.reads.org"),
		t.S("export.reads.what"), t.S("export.reads.channel"), t.S("export.history.dev")}, " | ") + " |")
	x.line("|---|---|---|---|---|---|")
	for _, r := range reads {
		who := mdInline(r.User)
		if r.Role != "" {
			who += " (" + mdInline(r.Role) + ")"
		}
		cells := []string{stamp(r.At), who, mdInline(r.Org), x.code("export.reads.action.", r.Action),
			x.code("export.reads.via.", r.Channel), "`" + shortID(r.Device) + "`"}
		for i := range cells {
			cells[i] = cellSafe(cells[i])
		}
		x.line("| " + strings.Join(cells, " | ") + " |")
	}
	x.line("")
}
