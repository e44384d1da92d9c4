package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// User is an account. Its name is the author recorded on the ops it makes.
type User struct {
	Name     string    `json:"name"`
	Role     string    `json:"role"` // protocol.RoleCoach, RoleWijkteam, RoleCoordinator or RoleAdmin
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	Teams    []string  `json:"teams,omitempty"` // filled on read from the membership bucket
}

// Team is a group of users that shares dossiers: a dossier belongs to the
// team named in its `team` field.
type Team struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

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

// bucket returns one of the server's buckets; Open made them all.
func bucket(tx *store.Tx, name string) *bolt.Bucket {
	b, err := tx.Bucket(name)
	if err != nil || b == nil {
		// Open created every bucket; a missing one is a broken file.
		panic(fmt.Sprintf("server bucket %s missing: %v", name, err))
	}
	return b
}

// getJSON reads and unseals a JSON value; false when the key is absent.
func getJSON(tx *store.Tx, b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	plain, err := tx.Open(raw)
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(plain, v)
}

// putJSON seals and writes a JSON value.
func putJSON(tx *store.Tx, b *bolt.Bucket, key []byte, v any) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := tx.Seal(plain)
	if err != nil {
		return err
	}
	return b.Put(key, sealed)
}

// getUser reads a user with its teams.
func getUser(tx *store.Tx, name string) (User, error) {
	var u User
	ok, err := getJSON(tx, bucket(tx, bUsers), []byte(name), &u)
	if err != nil {
		return u, fmt.Errorf("read user %s: %w", name, err)
	}
	if !ok {
		return u, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	u.Teams = userTeams(tx, name)
	return u, nil
}

// putUser writes a user (without its teams, which live in bMembers).
func putUser(tx *store.Tx, u User) error {
	u.Teams = nil
	return putJSON(tx, bucket(tx, bUsers), []byte(u.Name), u)
}

// listUsers returns every user, by name.
func listUsers(tx *store.Tx) ([]User, error) {
	var out []User
	err := bucket(tx, bUsers).ForEach(func(k, _ []byte) error {
		u, err := getUser(tx, string(k))
		out = append(out, u)
		return err
	})
	return out, err
}

func teamExists(tx *store.Tx, name string) bool {
	return bucket(tx, bTeams).Get([]byte(name)) != nil
}

// listTeams returns every team, by name.
func listTeams(tx *store.Tx) ([]Team, error) {
	var out []Team
	err := bucket(tx, bTeams).ForEach(func(k, v []byte) error {
		var t Team
		_, err := getJSON(tx, bucket(tx, bTeams), k, &t)
		out = append(out, t)
		return err
	})
	return out, err
}

func memberKey(team, user string) []byte { return []byte(team + "\x00" + user) }

// userTeams returns the teams a user is a member of, sorted. Membership is
// keyed by team; a region has few enough teams and users to scan.
func userTeams(tx *store.Tx, user string) []string {
	var out []string
	suffix := []byte("\x00" + user)
	c := bucket(tx, bMembers).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if bytes.HasSuffix(k, suffix) {
			out = append(out, string(k[:len(k)-len(suffix)]))
		}
	}
	sort.Strings(out)
	return out
}

// teamMembers returns the user names of a team, sorted.
func teamMembers(tx *store.Tx, team string) []string {
	var out []string
	prefix := []byte(team + "\x00")
	c := bucket(tx, bMembers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}
