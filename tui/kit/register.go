package kit

import (
	"slices"
	"strings"

	"github.com/brug-nl/brug/store"
)

// RegisterStore is a store that keeps the region's register (issue 11):
// *store.Store does; a store without one (a test fake, a server's SSH
// session) shows an empty register.
type RegisterStore interface {
	Register() (store.Register, error)
}

// LoadRegister reads the register the device last received; empty when
// the store keeps none or it cannot be read.
func LoadRegister(st Store) store.Register {
	rs, ok := st.(RegisterStore)
	if !ok {
		return store.Register{}
	}
	r, err := rs.Register()
	if err != nil {
		return store.Register{}
	}
	return SafeCopy(r) // checked when it came, escaped still: it is shown
}

// UserOrgs names the organisations the user works for: those of their
// teams in the register, joined by ", "; "" when none is known.
func UserOrgs(r store.Register, teams []string) string {
	var orgs []string
	for _, t := range teams {
		if o := r.TeamOrg(t); o != "" && !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	return strings.Join(orgs, ", ")
}
