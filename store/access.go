package store

import "strings"

// The access rule for shared dossiers: pure functions of a dossier's
// owning team and its shares (share.go), a team and a day. No bbolt, no
// clock, no server types: the sync server's policy, the SSH sessions and
// the tests call the same code. docs/sharing.md states the rule.

// Reason says why a team may not read (or not write) a dossier. The codes
// are English, for programs; the server reports them as refusal reasons.
type Reason string

// Reason codes.
const (
	ReasonNone           Reason = ""           // allowed
	ReasonNotShared      Reason = "not_shared" // no share with the team
	ReasonNotStarted     Reason = "share_not_started"
	ReasonExpired        Reason = "share_expired"
	ReasonWithdrawn      Reason = "share_withdrawn" // the person withdrew consent
	ReasonNoConsent      Reason = "no_consent"      // no consent recorded (or recorded for a later day)
	ReasonReadOnly       Reason = "read_only"       // the share lets the team read, not write
	ReasonNoOrgConsent   Reason = "no_consent_for_org"
	reasonRemovedIgnored Reason = "removed" // internal: a share removed by mistake counts as none
)

// ShareTerms are one share's values as the access rule reads them (the
// field values of share/<id>/..., see share.go).
type ShareTerms struct {
	ID          string
	Removed     bool // exists is not "1": recorded by mistake, counts as no share
	Team        string
	Org         string
	Mode        string
	From        string // YYYY-MM-DD, first day; "" no start
	Until       string // YYYY-MM-DD, last day (inclusive); "" no end
	ConsentDate string
	ConsentHow  string
	Withdrawn   string // the day consent was withdrawn; "" while it stands
}

// DossierAccess is what the rule needs of a dossier: its owning team and
// its shares (Client.AccessState builds it).
type DossierAccess struct {
	Team   string
	Shares []ShareTerms
}

// TeamRef is a team and the organisation it belongs to (its register id
// or name; "" unknown).
type TeamRef struct {
	ID  string
	Org string
}

// Decision is what a team may do with a dossier on a day. Reason is why
// it may not write ("" when it may): read_only when it may read only,
// else why it may not read either. Share is the id of the share that
// grants access ("" for the owning team or no access).
type Decision struct {
	Read, Write bool
	Reason      Reason
	Share       string
}

// shareStatus is the status of one share for one team on day: ReasonNone
// when it is active (consent recorded, started, not expired, not
// withdrawn). The checks go in this order, so a share both withdrawn and
// expired reads as withdrawn.
func shareStatus(s ShareTerms, day string) Reason {
	switch {
	case s.Removed:
		return reasonRemovedIgnored
	case s.Withdrawn != "" && s.Withdrawn <= day:
		return ReasonWithdrawn
	case s.Until != "" && day > s.Until:
		return ReasonExpired
	case s.From != "" && day < s.From:
		return ReasonNotStarted
	case s.ConsentDate == "" || s.ConsentHow == "" || s.ConsentDate > day:
		return ReasonNoConsent
	}
	return ReasonNone
}

// refusalRank orders the reasons of inactive shares when a team has
// several: the one reported is the most useful to the user (a share that
// will start, then one that needs its consent recorded, then one that
// expired, then one withdrawn).
var refusalRank = map[Reason]int{ReasonNotStarted: 0, ReasonNoConsent: 1, ReasonExpired: 2, ReasonWithdrawn: 3}

// Access says whether team may read and write dossier d on day
// (YYYY-MM-DD). The owning team may do both. Another team may read while
// a share with it is active (not removed, not withdrawn on or before day,
// from ≤ day ≤ until, consent recorded on or before day) and write when
// such a share is readwrite. With several shares the most permissive
// active one counts; with none active the reason of the most useful
// inactive one is given (refusalRank), not_shared when there is none.
// The team's organisation plays no part in reads and writes (it does in
// CheckTransfer).
func Access(d DossierAccess, team TeamRef, day string) Decision {
	if team.ID != "" && team.ID == d.Team {
		return Decision{Read: true, Write: true}
	}
	out := Decision{Reason: ReasonNotShared}
	for _, s := range d.Shares {
		if s.Team != team.ID || team.ID == "" {
			continue
		}
		st := shareStatus(s, day)
		switch {
		case st == reasonRemovedIgnored:
		case st == ReasonNone && s.Mode == ShareReadWrite:
			return Decision{Read: true, Write: true, Share: s.ID}
		case st == ReasonNone:
			if !out.Read {
				out = Decision{Read: true, Reason: ReasonReadOnly, Share: s.ID}
			}
		case !out.Read:
			if r, ok := refusalRank[out.Reason]; !ok || refusalRank[st] < r {
				out.Reason = st
			}
		}
	}
	return out
}

// DefaultOrg is the organisation of a team that names none: the region's
// default organisation. A TeamRef or a share whose Org is empty (or only
// spaces) names it; it is an organisation like any other for
// CheckTransfer, so moves between it and a named one need consent too.
const DefaultOrg = ""

// CheckTransfer says whether dossier d may move to team to on day, seen
// from its owning team's organisation fromOrg: within one organisation
// always; to a team of another organisation only when a share names that
// organisation (Org, compared without case and outer spaces; an empty Org
// names the region's default organisation, DefaultOrg, as the team's
// does) with consent recorded on or before day, not withdrawn and not
// expired by day (ReasonNoOrgConsent otherwise). It judges consent only;
// whether the user may move the dossier at all is the server's policy.
func CheckTransfer(d DossierAccess, fromOrg string, to TeamRef, day string) Reason {
	if sameOrg(fromOrg, to.Org) {
		return ReasonNone
	}
	for _, s := range d.Shares {
		if sameOrg(s.Org, to.Org) && consentStands(s, day) {
			return ReasonNone
		}
	}
	return ReasonNoOrgConsent
}

// consentStands: the share's consent is recorded on or before day and
// neither withdrawn nor past the share's until by day (the share may
// still have to start).
func consentStands(s ShareTerms, day string) bool {
	return !s.Removed && s.ConsentDate != "" && s.ConsentHow != "" && s.ConsentDate <= day &&
		(s.Withdrawn == "" || s.Withdrawn > day) && (s.Until == "" || day <= s.Until)
}

func sameOrg(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
