package server

import (
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Amsterdam for accessDay, also without zoneinfo on the machine

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Shares on the server (docs/sharing.md, docs/sync.md "Security"): a
// dossier belongs to its owning team and may be shared with other teams.
// The server keeps an index of the teams each dossier has a share with
// (storage.DossierShares, any share not removed), and judges access at
// every sync, session call and push with store.Access on the share's
// values as the heads of its fields hold them, for the day of the
// server's clock in the Netherlands (accessDay). So a share that expires or has still to start
// changes what devices see without any op.

// isShareField reports whether an op's field is a share's (share/ID/...).
func isShareField(field string) bool { return strings.HasPrefix(field, store.EntityShare+"/") }

// accessDay is the day (YYYY-MM-DD) access is judged for at now: the
// day in the Netherlands, where a share "until 3 November" ends at
// midnight, not an hour or two later as it would by UTC.
func accessDay(now time.Time) string { return now.In(dutchTime()).Format(time.DateOnly) }

// dutchTime is Europe/Amsterdam, from the time zone data built into the
// binary (time/tzdata), so a server without the system's zoneinfo judges
// the same days.
var dutchTime = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil { // not with time/tzdata built in; winter time then
		return time.FixedZone("CET", 3600)
	}
	return loc
})

// shareTerms reads the shares of a dossier from the heads of its share
// fields (the winning head of each, as the scalar merge rule shows it).
// On a backend that reads the heads of chosen fields (the bbolt file:
// store.Tx.HeadsWhere) only the share fields' heads are read; otherwise,
// and always in shareTermsFull, every head of the dossier is opened. The
// two give the same terms (TestShareTermsAsFromEveryHead).
func shareTerms(tx Tx, dossier string) ([]store.ShareTerms, error) {
	hw, ok := tx.(fieldHeadsReader)
	if !ok {
		return shareTermsFull(tx, dossier)
	}
	var terms shareFields
	err := hw.HeadsWhere(dossier, isShareField, func(field string, heads []store.Head) error {
		for _, h := range heads {
			terms.add(field, h)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return terms.terms(), nil
}

// fieldHeadsReader reads the heads of the fields of a dossier that keep
// accepts (store.Tx.HeadsWhere).
type fieldHeadsReader interface {
	HeadsWhere(dossier string, keep func(field string) bool, fn func(field string, heads []store.Head) error) error
}

// shareTermsFull is shareTerms from every head of the dossier, each op
// opened to find the share fields.
func shareTermsFull(tx Tx, dossier string) ([]store.ShareTerms, error) {
	keys, err := tx.HeadKeys(dkey(dossier), nil)
	if err != nil {
		return nil, err
	}
	var terms shareFields
	for _, k := range keys {
		op, err := tx.Op(dossier, idString(k[16:]))
		if err != nil {
			return nil, err
		}
		if !isShareField(op.Field) {
			continue
		}
		terms.add(op.Field, store.Head{ID: op.ID, Value: op.Value, HLC: op.HLC, Device: op.Device})
	}
	return terms.terms(), nil
}

// shareFields gathers the heads of a dossier's share fields by share.
type shareFields struct {
	byShare map[string]map[string][]store.Head // share id, field name: heads
	order   []string
}

// add records h, a head of field (share/ID/name; other fields are
// passed over).
func (s *shareFields) add(field string, h store.Head) {
	parts := strings.SplitN(field, "/", 3)
	if len(parts) != 3 || parts[0] != store.EntityShare {
		return
	}
	id, name := parts[1], parts[2]
	if s.byShare == nil {
		s.byShare = map[string]map[string][]store.Head{}
	}
	if s.byShare[id] == nil {
		s.byShare[id] = map[string][]store.Head{}
		s.order = append(s.order, id)
	}
	s.byShare[id][name] = append(s.byShare[id][name], h)
}

// terms are the shares' terms, by share id: each field's winning head.
func (s *shareFields) terms() []store.ShareTerms {
	slices.Sort(s.order)
	out := make([]store.ShareTerms, 0, len(s.order))
	for _, id := range s.order {
		f := s.byShare[id]
		v := func(name string) string {
			w, _ := winner(f[name])
			return w.Value
		}
		out = append(out, store.ShareTerms{ID: id, Removed: v("exists") != "1", Team: v("team"), Org: v("org"),
			Mode: v("mode"), From: v("from"), Until: v("until"), ConsentDate: v("consent_date"),
			ConsentHow: v("consent_how"), Withdrawn: v("withdrawn")})
	}
	return out
}

// accessState is what the access rule needs of a dossier, with team as
// its owning team.
func accessState(tx Tx, dossier, team string) (store.DossierAccess, error) {
	shares, err := shareTerms(tx, dossier)
	return store.DossierAccess{Team: team, Shares: shares}, err
}

// teamRef is a team with its organisation (storage.Team.Org; "" for a
// team of the region's default organisation).
func teamRef(tx Tx, team string) store.TeamRef {
	t, _, _ := tx.Team(team)
	return store.TeamRef{ID: team, Org: t.Org}
}

// reindexShares records the teams a dossier has shares with; call it
// after storing a share op. Any share op may change what devices see (a
// date, the consent, a withdrawal), so the view cache learns of it.
func (s *Server) reindexShares(tx Tx, dossier string) error {
	s.views.bump()
	shares, err := shareTerms(tx, dossier)
	if err != nil {
		return err
	}
	var teams []string
	for _, sh := range shares {
		if !sh.Removed && sh.Team != "" {
			teams = append(teams, sh.Team)
		}
	}
	slices.Sort(teams)
	teams = slices.Compact(teams)
	if slices.Equal(teams, tx.SharedTeams(string(dkey(dossier)))) {
		return nil
	}
	return tx.SetSharedTeams(string(dkey(dossier)), teams)
}

// sharedAccess is the most a user may do with a dossier of another team
// through shares with the user's teams, on day.
func sharedAccess(tx Tx, u User, d store.DossierAccess, day string) store.Decision {
	best := store.Decision{Reason: store.ReasonNotShared}
	for _, team := range u.Teams {
		dec := store.Access(d, teamRef(tx, team), day)
		switch {
		case dec.Write:
			return dec
		case dec.Read && !best.Read:
			best = dec
		case !dec.Read && !best.Read && best.Reason == store.ReasonNotShared:
			best = dec
		}
	}
	return best
}

// shareRule judges an op on a dossier of team (its owning team) that is
// not one of the user's: allowed when a share with one of the user's
// teams lets it write today. Share fields and the team field are the
// owning team's alone.
//
// Attack: a team the dossier is shared with (even read and write) writes
// share/ID/until or a new share of its own and extends its access past
// what the person consented to, or moves the dossier to itself.
func shareRule(b *opBatch, u User, op store.Op, team string, now time.Time) (*protocol.Refusal, error) {
	tx := b.tx
	terms, ok := b.shares[op.Dossier]
	if !ok {
		var err error
		if terms, err = shareTerms(tx, op.Dossier); err != nil {
			return nil, err
		}
		if b.shares == nil {
			b.shares = map[string][]store.ShareTerms{}
		}
		b.shares[op.Dossier] = terms
	}
	d := store.DossierAccess{Team: team, Shares: terms}
	dec := sharedAccess(tx, u, d, accessDay(now))
	switch {
	case dec.Read && (isShareField(op.Field) || op.Field == "team"):
		r := refuse(op, protocol.RefuseForbidden, "only the dossier's own team shares it, changes its shares or moves it; a team it is shared with cannot")
		return &r, nil
	case dec.Write:
		return nil, nil
	case dec.Read:
		r := refuse(op, protocol.RefuseReadOnly, "the dossier is shared with your team to read only")
		return &r, nil
	}
	r := refuse(op, protocol.RefuseForbidden, "the dossier belongs to team "+quote(team)+", which is not one of yours")
	return &r, nil
}

// transferRule judges a change of the team field of a dossier of team:
// a move to a team of another organisation needs a recorded consent for
// that organisation (store.CheckTransfer). A team without an organisation
// belongs to the region's default organisation (""), which a
// share naming no organisation consents to.
func transferRule(tx Tx, op store.Op, team string, now time.Time) (*protocol.Refusal, error) {
	if op.Field != "team" || op.Value == team || team == "" {
		return nil, nil
	}
	from, to := teamRef(tx, team), teamRef(tx, op.Value)
	d, err := accessState(tx, op.Dossier, team)
	if err != nil {
		return nil, err
	}
	if store.CheckTransfer(d, from.Org, to, accessDay(now)) == store.ReasonNone {
		return nil, nil
	}
	reason := "team " + quote(op.Value) + " belongs to " + quote(to.Org) + ", another organisation; record the person's consent to share the dossier with it first"
	if strings.TrimSpace(to.Org) == store.DefaultOrg {
		reason = "team " + quote(op.Value) + " names no organisation, so it belongs to the region's default organisation, another one; record the person's consent to share the dossier with a team of it (a share naming no organisation) first"
	}
	r := refuse(op, protocol.RefuseNoOrgConsent, reason)
	return &r, nil
}

func quote(s string) string { return `"` + s + `"` }

// rebuildShareIndex fills the share index from the op log when the file
// was written by a server that did not keep it (the setting share_index
// is missing).
func rebuildShareIndex(s *Server, tx Tx) error {
	if v, _ := tx.Setting(settingShareIndex); string(v) == "1" {
		return nil
	}
	var dossiers []string
	if err := tx.EachDossierTeam(func(dk, _ string) error {
		dossiers = append(dossiers, dk)
		return nil
	}); err != nil {
		return err
	}
	for _, dk := range dossiers {
		if err := s.reindexShares(tx, idString([]byte(dk))); err != nil {
			return err
		}
	}
	return tx.SetSetting(settingShareIndex, []byte("1"))
}

const settingShareIndex = "share_index"
