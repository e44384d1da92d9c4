package server

import (
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Access by team (docs/sync.md, "Security"): a dossier belongs to the team
// named by the winning head of its `team` field. Coaches and wijkteam
// members read and write the dossiers of their teams; coordinators too
// (they review and sign off across their teams); admins manage accounts and
// read no dossier through sync.

// mayRead reports whether a user of role r sees the dossiers of their
// teams through sync.
func mayRead(role string) bool { return role != protocol.RoleAdmin }

// mayWrite reports whether a user of role r may push ops for the dossiers
// of their teams.
func mayWrite(role string) bool { return role != protocol.RoleAdmin }

// dkey is the 16-byte key form of an id the caller has validated.
func dkey(id string) []byte {
	u := uuid.MustParse(id)
	return u[:]
}

// idString is the text form of a 16-byte id key.
func idString(k []byte) string {
	u, _ := uuid.FromBytes(k)
	return u.String()
}

// dossierTeam returns the team a dossier belongs to, "" when the server
// knows no team for it.
func dossierTeam(tx Tx, dossier string) string {
	return tx.DossierTeam(string(dkey(dossier)))
}

// winner is the head the scalar merge rule shows: highest (HLC, device, id),
// as in store (docs/merge.md).
func winner(hs []store.Head) (store.Head, bool) {
	if len(hs) == 0 {
		return store.Head{}, false
	}
	w := hs[0]
	for _, h := range hs[1:] {
		if h.HLC > w.HLC || h.HLC == w.HLC && (h.Device > w.Device || h.Device == w.Device && h.ID > w.ID) {
			w = h
		}
	}
	return w, true
}

// reindexTeam derives a dossier's team from the heads of its team field
// and updates the team indexes; call it after applying a team op.
func (s *Server) reindexTeam(tx Tx, dossier string) error {
	hs, err := tx.Heads(dossier, "team")
	if err != nil {
		return err
	}
	team := ""
	if w, ok := winner(hs); ok {
		team = w.Value
	}
	return s.setDossierTeam(tx, dossier, team)
}

// setDossierTeam records the team of a dossier ("" forgets it). Every
// change of the team index goes through here, so that the view cache
// learns of it (viewcache.go).
func (s *Server) setDossierTeam(tx Tx, dossier, team string) error {
	old := dossierTeam(tx, dossier)
	if old == team {
		return nil
	}
	s.views.bump()
	return tx.SetDossierTeam(string(dkey(dossier)), team)
}

// visible returns the dossiers (as 16-byte keys in string form) a user
// sees through sync: those of their teams and those shared with their
// teams by a share active on day (shares.go), unless erased. The result
// may be the view cache's own set: it must not be changed.
func (s *Server) visible(tx Tx, u User, day string) map[string]bool {
	if !mayRead(u.Role) {
		return map[string]bool{}
	}
	if len(u.Teams) == 1 {
		if sh := s.views.shared(tx, u.Teams[0], day); len(sh) > 0 {
			out := maps.Clone(s.views.team(tx, u.Teams[0]))
			maps.Copy(out, sh)
			return out
		}
		return s.views.team(tx, u.Teams[0])
	}
	return s.views.union(tx, u.Teams, day)
}

// seesDossier reports whether a user sees a dossier (a 16-byte key in
// string form) on day, as visible does, without building the set.
func (s *Server) seesDossier(tx Tx, u User, dk, day string) bool {
	if !mayRead(u.Role) {
		return false
	}
	for _, team := range u.Teams {
		if s.views.team(tx, team)[dk] || s.views.shared(tx, team, day)[dk] {
			return true
		}
	}
	return false
}

// recentTeams are the teams under which the index of recent ops files
// the ops of the dossiers a user sees on day: their own teams and the
// owning teams of the dossiers shared with them. The owning teams come
// with the cached shared sets (viewCache.sharedSet), which are read again
// whenever a dossier's team or a share changes, so a settled pull does not
// look up the team of every shared dossier.
func (s *Server) recentTeams(tx Tx, u User, day string) []string {
	teams := u.Teams
	for _, team := range u.Teams {
		for _, t := range s.views.sharedSet(tx, team, day).owners {
			if t != "" && !slices.Contains(teams, t) {
				if len(teams) == len(u.Teams) {
					teams = slices.Clone(u.Teams)
				}
				teams = append(teams, t)
			}
		}
	}
	return teams
}

// seer is seesDossier for many dossiers of one pull: the user's sets are
// taken once (the pull's transaction does not change them), not per op.
func (s *Server) seer(tx Tx, u User, day string) func(dk string) bool {
	if !mayRead(u.Role) {
		return func(string) bool { return false }
	}
	sets := make([]map[string]bool, 0, 2*len(u.Teams))
	for _, team := range u.Teams {
		sets = append(sets, s.views.team(tx, team))
		if sh := s.views.shared(tx, team, day); len(sh) > 0 {
			sets = append(sets, sh)
		}
	}
	return func(dk string) bool {
		for _, set := range sets {
			if set[dk] {
				return true
			}
		}
		return false
	}
}

// inTeams reports whether team is one of the user's.
func inTeams(u User, team string) bool { return team != "" && slices.Contains(u.Teams, team) }
