package server

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// User is an account (storage.User).
type User = storage.User

// Team is a group of users that shares dossiers (storage.Team).
type Team = storage.Team

// validRole reports whether r is one of the protocol's roles.
func validRole(r string) bool {
	switch r {
	case protocol.RoleCoach, protocol.RoleWijkteam, protocol.RoleCoordinator, protocol.RoleAdmin:
		return true
	}
	return false
}

// checkUserName accepts names usable as op authors: 1..64 bytes of
// letters, digits, '.', '_', '-' and '@'.
func checkUserName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%w user name %q: use 1 to 64 characters", ErrInvalid, name)
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-@", r)) {
			return fmt.Errorf("%w user name %q: use letters, digits, '.', '_', '-' or '@'", ErrInvalid, name)
		}
	}
	if name == ServerAuthor {
		return fmt.Errorf("%w user name %q: reserved for the server", ErrInvalid, name)
	}
	return nil
}

// checkTeamName accepts the names dossiers carry in their team field: 1..64
// bytes, printable, no leading or trailing space.
func checkTeamName(name string) error {
	if name == "" || len(name) > 64 || strings.TrimSpace(name) != name {
		return fmt.Errorf("%w team name %q: use 1 to 64 characters without leading or trailing spaces", ErrInvalid, name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w team name %q: only printable characters", ErrInvalid, name)
		}
	}
	return nil
}

// getUser reads a user with its teams.
func getUser(tx Tx, name string) (User, error) {
	u, ok, err := tx.User(name)
	if err != nil {
		return u, fmt.Errorf("read user %s: %w", name, err)
	}
	if !ok {
		return u, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	u.Teams = tx.UserTeams(name)
	return u, nil
}

// putUser writes a user (without its teams, which are memberships).
func putUser(tx Tx, u User) error { return tx.PutUser(u) }

// listUsers returns every user, by name.
func listUsers(tx Tx) ([]User, error) {
	names, err := tx.UserNames()
	if err != nil {
		return nil, err
	}
	var out []User
	for _, n := range names {
		u, err := getUser(tx, n)
		if err != nil {
			return out, err
		}
		out = append(out, u)
	}
	return out, nil
}

func teamExists(tx Tx, name string) bool { return tx.HasTeam(name) }

// listTeams returns every team, by name.
func listTeams(tx Tx) ([]Team, error) {
	ts, err := tx.Teams()
	var out []Team
	for _, t := range ts {
		out = append(out, t.Team)
	}
	return out, err
}

// userTeams returns the teams a user is a member of, sorted.
func userTeams(tx Tx, user string) []string { return tx.UserTeams(user) }

// teamMembers returns the user names of a team, sorted.
func teamMembers(tx Tx, team string) []string { return tx.TeamMembers(team) }
