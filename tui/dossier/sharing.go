package dossier

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
	"github.com/brug-nl/brug/tui/kit"
	"github.com/brug-nl/brug/tui/texts"
)

// The sharing screen (issue 11, docs/sharing.md): with which teams and
// organisations the dossier is shared, for what, read or read and write,
// from and until, with the person's consent. n shares, enter changes, X
// withdraws the consent (asks by a second X), x removes a share recorded
// by mistake. It is an entity list like the agreements, built on the one
// form engine (kit.Form).

// NewSharingScreen lists the shares of a dossier.
func NewSharingScreen(ctx *kit.Context, dossier string) kit.Screen {
	return newEntityScreen(ctx, dossier, sharingSpec())
}

// consentItems are the checklist items about the person's consent to
// share, per method id and step: on them D opens the sharing screen. A
// region's own method has none until its items are named here (a key in
// the method file would do it, but older devices' strict parser would
// refuse such a file).
var consentItems = map[string]map[int][]string{
	"bruggen-naar-werk": {1: {"c8"}, 6: {"c10"}},
}

// IsConsentItem reports whether item of step n of m is about the
// person's consent to share.
func IsConsentItem(m *method.Method, n int, item string) bool {
	if m == nil {
		return false
	}
	for _, id := range consentItems[m.ID][n] {
		if id == item {
			return true
		}
	}
	return false
}

// shareLabel is "team (organisation)" or the team alone.
func shareLabel(sh store.Share) string {
	if o := strings.TrimSpace(sh.Org.Value); o != "" {
		return sh.Team.Value + " (" + o + ")"
	}
	return sh.Team.Value
}

// soonEnd is the last day of the consent window from today
// (store.ConsentSoonDays later).
func soonEnd(today string) string {
	_, to, err := store.ConsentWindow(today, store.ConsentSoonDays)
	if err != nil {
		return today
	}
	return to
}

func sharingSpec() entitySpec {
	var asked string // the share whose withdrawal X asked for
	return entitySpec{
		kind:  store.EntityShare,
		title: "sharing.title",
		empty: "sharing.empty",
		rows: func(s *EntityScreen, w int) []entityRow {
			st, t := s.ctx.Styles, s.ctx.T
			today := kit.TodayOf(s.ctx)
			var rows []entityRow
			for _, sh := range s.Client.Shares {
				if sh.Removed {
					continue
				}
				head := shareLabel(sh) + t.S("entity.sep") + codeLabel(t, "sharing.mode.", sh.Mode.Value)
				r := entityRow{id: sh.ID, mark: " ", lines: []string{kit.Truncate(head, w)}}
				var state string
				switch {
				case sh.Withdrawn.Value != "":
					state = st.Warn.Render(t.F("sharing.withdrawn", kit.FormatDate(t, sh.Withdrawn.Value)))
				case sh.Until.Value != "" && sh.Until.Value < today:
					state = st.Muted.Render(t.S("sharing.ended"))
				case sh.ConsentDate.Value == "" || sh.ConsentHow.Value == "":
					state = st.Warn.Render(t.S("sharing.noconsent"))
				default:
					state = t.F("sharing.consent", kit.FormatDate(t, sh.ConsentDate.Value), codeLabel(t, "sharing.how.", sh.ConsentHow.Value))
					if by := sh.ConsentBy.Value; by != "" {
						state += ", " + t.F("sharing.consent.by", by)
					}
					if sh.Until.Value != "" && sh.Until.Value <= soonEnd(today) {
						r.mark = st.Warn.Render("!")
						state += " · " + st.Warn.Render(t.S("sharing.endsoon"))
					}
				}
				r.lines = append(r.lines, st.Muted.Render(kit.Truncate(period(t, sh.From.Value, sh.Until.Value), w)))
				if p := strings.TrimSpace(sh.Purpose.Value); p != "" {
					r.lines = append(r.lines, st.Muted.Render(kit.Truncate(p, w)))
				}
				r.lines = append(r.lines, kit.Truncate(state, w))
				if sh.ID == asked {
					for _, l := range kit.WrapText(t.F("sharing.withdraw.ask", shareLabel(sh)), w) {
						r.lines = append(r.lines, st.Warn.Render(l))
					}
				}
				rows = append(rows, r)
			}
			return rows
		},
		form: shareForm,
		key: func(s *EntityScreen, msg tea.KeyMsg) (bool, tea.Cmd) {
			if !key.Matches(msg, s.ctx.Keys.OnSharing.Withdraw) {
				asked = ""
				return false, nil
			}
			r, ok := s.current(s.rows())
			if !ok {
				return true, nil
			}
			if asked != r.id {
				asked = r.id
				s.follow()
				return true, nil
			}
			asked = ""
			st, dossier, id, today := s.ctx.Store, s.Dossier, r.id, kit.TodayOf(s.ctx)
			return true, kit.WriteCmd(s, dossier, "withdraw", id, func() error {
				c, err := st.Client(dossier)
				if err != nil {
					return err
				}
				changes, err := store.WithdrawShareChanges(c, id, today, today)
				if err != nil {
					return err
				}
				_, err = st.Commit(dossier, changes...)
				return err
			})
		},
		help: func(s *EntityScreen) []key.Binding { return []key.Binding{s.ctx.Keys.OnSharing.Withdraw} },
	}
}

// shareFields are the form's fields in the order of store.ShareInput.
var shareFields = []string{"team", "org", "purpose", "mode", "from", "until", "consent_date", "consent_how", "consent_by"}

// shareForm opens the form for a new share or to change one.
func shareForm(s *EntityScreen, id string) kit.Screen {
	t, ctx := s.ctx.T, s.ctx
	var cur store.Share
	for _, sh := range s.Client.Shares {
		if sh.ID == id {
			cur = sh
		}
	}
	label := func(name string) string { return fieldLabel(t, store.EntityShare, name) }
	today := kit.TodayOf(ctx)
	fields := []kit.FormField{
		{Name: "team", Label: label("team"), Kind: kit.FieldLine, Value: cur.Team.Value, Required: true},
		{Name: "org", Label: label("org"), Kind: kit.FieldLine, Value: cur.Org.Value},
		{Name: "purpose", Label: label("purpose"), Kind: kit.FieldLine, Value: cur.Purpose.Value, Required: true},
		{Name: "mode", Label: label("mode"), Kind: kit.FieldChoice, Options: append([]string(nil), store.ShareModes...), Value: cur.Mode.Value,
			OptLabel: func(c string) string { return codeLabel(t, "sharing.mode.", c) }},
		{Name: "from", Label: label("from"), Kind: kit.FieldDate, Value: cur.From.Value, Required: true},
		{Name: "until", Label: label("until"), Kind: kit.FieldDate, Value: cur.Until.Value, Required: true},
		{Name: "consent_date", Label: label("consent_date"), Kind: kit.FieldDate, Value: cur.ConsentDate.Value, NotAfterToday: true},
		{Name: "consent_how", Label: label("consent_how"), Kind: kit.FieldChoice, Options: append([]string(nil), store.ConsentHows...), Value: cur.ConsentHow.Value,
			OptLabel: func(c string) string { return t.S("sharing.how." + c) }},
		{Name: "consent_by", Label: label("consent_by"), Kind: kit.FieldLine, Value: cur.ConsentBy.Value},
	}
	title, saved := t.S("sharing.edit"), t.S("status.saved")
	sid := id
	if id == "" {
		sid = store.NewID()
		title, saved = t.S("sharing.new"), t.S("sharing.added")
		fields[3].Value = store.ShareRead
		fields[4].Value = today
		fields[5].Value = time.Date(ctx.Now().Year(), 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		fields[6].Value = today
		fields[8].Value = ctx.User
	}
	dossier := s.Dossier
	// The organisation a share names is the one the person consents to
	// for a move (store.CheckTransfer): the register's, for a team it
	// lists; empty, the region's default organisation, for a team without one.
	reg := kit.LoadRegister(ctx.Store)
	save := func(st kit.Store, values map[string]string) error {
		c, err := st.Client(dossier)
		if err != nil {
			return err
		}
		in := shareInput(values)
		if o := reg.TeamOrg(strings.TrimSpace(in.Team)); o != "" {
			in.Org = o
		}
		changes, err := store.ShareChanges(c, sid, in, today)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		_, err = st.Commit(dossier, changes...)
		return err
	}
	f := kit.NewForm(ctx, dossier, title, fields, save, saved)
	f.Check = func(values map[string]string) (int, string) {
		team, org := strings.TrimSpace(values["team"]), strings.TrimSpace(values["org"])
		if o := reg.TeamOrg(team); o != "" && org != "" && !strings.EqualFold(org, o) {
			return slices.Index(shareFields, "org"), t.F("sharing.err.org", team, o)
		}
		errs := shareInput(values).Validate(today)
		for i, name := range shareFields {
			if err := errs[name]; err != nil {
				return i, shareErrText(t, err)
			}
		}
		return -1, ""
	}
	return f
}

// shareInput is the form's values as the store's share input.
func shareInput(v map[string]string) store.ShareInput {
	return store.ShareInput{Team: v["team"], Org: v["org"], Purpose: v["purpose"], Mode: v["mode"], From: v["from"],
		Until: v["until"], ConsentDate: v["consent_date"], ConsentHow: v["consent_how"], ConsentBy: v["consent_by"]}
}

// shareErrText says in the user's words what is wrong with a share field.
func shareErrText(t *texts.Texts, err error) string {
	switch {
	case errors.Is(err, store.ErrRequired):
		return t.S("sharing.err.required")
	case errors.Is(err, store.ErrUntilBeforeFrom):
		return t.S("sharing.err.order")
	case errors.Is(err, store.ErrConsentRequired):
		return t.S("sharing.err.consent")
	case errors.Is(err, store.ErrFutureDay):
		return t.S("sharing.err.future")
	case errors.Is(err, store.ErrShareOwnTeam):
		return t.S("sharing.err.ownteam")
	case errors.Is(err, store.ErrWithdrawn):
		return t.S("sharing.err.withdrawn")
	}
	return t.Cause(err)
}

// sharingLines are the overview's lines on sharing: with whom the dossier
// is shared now and until when (shares neither removed, withdrawn nor
// ended), a consent that ends within store.ConsentSoonDays marked.
func (o *Overview) sharingLines(width int) []string {
	t, st, c := o.ctx.T, o.ctx.Styles, o.Client
	today := kit.TodayOf(o.ctx)
	soon := soonEnd(today)
	var parts []string
	warn := false
	for _, sh := range c.Shares {
		if sh.Removed || sh.Withdrawn.Value != "" || (sh.Until.Value != "" && sh.Until.Value < today) {
			continue
		}
		p := shareLabel(sh)
		if sh.Until.Value != "" {
			p = t.F("sharing.until", p, kit.FormatDate(t, sh.Until.Value))
			if sh.Until.Value <= soon {
				p += " (" + t.S("sharing.endsoon") + ")"
				warn = true
			}
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return nil
	}
	parts[0] = t.S("sharing.overview") + ": " + parts[0]
	style := &st.Muted
	if warn {
		style = &st.Warn
	}
	return wrapJoin(parts, " · ", width, style)
}
