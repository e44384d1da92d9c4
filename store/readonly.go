package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Read-only shares on a device (issue 11, docs/sharing.md "In the app"):
// a dossier shared with the user's team to read only arrives like any
// other, but the server refuses its edits (read_only). The device knows
// from the dossier's shares and the user's teams (the access rule,
// Access) which dossiers it holds read only, shows them so, and refuses
// their edits before any op is made.

// ErrReadOnly is the refusal of a change to a dossier the user's teams
// may read but not write (a read-only share).
var ErrReadOnly = errors.New("the dossier is shared with your team to read only")

// MetaSyncTeams is the meta setting (SetMeta) holding the user's teams on
// the sync server, as a JSON list; the sync client writes it at enrolment
// and after every sync (client.MetaTeams, the same name). An empty or
// missing list (no server) makes no dossier read only.
const MetaSyncTeams = "x_sync_teams"

// HeldReadOnly reports whether a user of teams may read dossier d on day
// but not write it: no team of theirs may write it (Access) and one may
// read it through a share. Without teams (no server) nothing is read only.
func HeldReadOnly(d DossierAccess, teams []string, day string) bool {
	read := false
	for _, t := range teams {
		dec := Access(d, TeamRef{ID: t}, day)
		if dec.Write {
			return false
		}
		read = read || dec.Read
	}
	return read
}

// ReadOnlyFor is HeldReadOnly for the client.
func (c *Client) ReadOnlyFor(teams []string, day string) bool {
	return HeldReadOnly(c.AccessState(), teams, day)
}

// SyncTeams returns the user's teams on the sync server (MetaSyncTeams);
// nil when the device is not enrolled or the list cannot be read.
func (s *Store) SyncTeams() []string {
	var out []string
	_ = s.db.View(func(tx *bolt.Tx) error {
		out = s.syncTeams(tx)
		return nil
	})
	return out
}

func (s *Store) syncTeams(tx *bolt.Tx) []string {
	b := tx.Bucket(bMeta)
	if b == nil {
		return nil
	}
	raw := b.Get([]byte(MetaSyncTeams))
	if raw == nil {
		return nil
	}
	plain, err := s.openFor(nil, raw)
	if err != nil {
		return nil
	}
	var teams []string
	if json.Unmarshal(plain, &teams) != nil {
		return nil
	}
	return teams
}

// checkWritable refuses a change to a dossier the user holds read only
// (ErrReadOnly), judged for today on the store's clock. A dossier of one
// of the user's teams is settled by its team field alone; only others are
// projected to read their shares.
func (s *Store) checkWritable(tx *bolt.Tx, dkey []byte, dossier string) error {
	teams := s.syncTeams(tx)
	if len(teams) == 0 {
		return nil
	}
	hs, err := s.readHeads(tx, cat(dkey, []byte("team")))
	if err != nil {
		return err
	}
	if team := resolve(KindScalar, hs).Value; team != "" && slices.Contains(teams, team) {
		return nil
	}
	all, err := s.dossierHeads(tx, dkey)
	if err != nil || len(all) == 0 {
		return err
	}
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	c := project(dossier, len(s.checklist), all)
	if c.ReadOnlyFor(teams, now().Format(time.DateOnly)) {
		return fmt.Errorf("change %s: %w", dossier, ErrReadOnly)
	}
	return nil
}
