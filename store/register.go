package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The region's register (issue 11): the organisations that work on the
// people's routes (care providers, municipalities, social development
// companies, UWV, employers, schools), their teams and their business
// contacts. It holds no client data: the server keeps it and hands it to
// every device of the region (GET /v1/register, docs/sync.md), and a
// laptop keeps its copy in its file's sealed meta (MetaRegister).

// Organisation kinds, as stored and sent (Org.Kind).
const (
	OrgCare         = "care"         // zorgaanbieder
	OrgMunicipality = "municipality" // gemeente
	OrgSDC          = "sdc"          // sociaal ontwikkelbedrijf (social development company)
	OrgUWV          = "uwv"          // UWV
	OrgEmployer     = "employer"     // werkgever
	OrgSchool       = "school"       // school
	OrgOther        = "other"        // anders
)

// OrgKinds are the kinds in the order lists show them.
var OrgKinds = []string{OrgCare, OrgMunicipality, OrgSDC, OrgUWV, OrgEmployer, OrgSchool, OrgOther}

// orgKindNames are the Dutch words people write for each kind (in a CSV
// of employers, on the command line), folded.
var orgKindNames = map[string]string{
	"zorgaanbieder": OrgCare, "zorg": OrgCare,
	"gemeente":                 OrgMunicipality,
	"sociaal ontwikkelbedrijf": OrgSDC, "sob": OrgSDC, "sw-bedrijf": OrgSDC, "sw bedrijf": OrgSDC,
	"werkgever": OrgEmployer,
	"anders":    OrgOther, "overig": OrgOther,
}

// ParseOrgKind reads a kind as stored (employer) or in Dutch (werkgever,
// gemeente, ...), case and accents aside; false when it is neither.
func ParseOrgKind(s string) (string, bool) {
	f := strings.TrimSpace(FoldName(s))
	if slices.Contains(OrgKinds, f) {
		return f, true
	}
	k, ok := orgKindNames[f]
	return k, ok
}

// OrgContact is a business contact of an organisation: a person to call
// about placements, never a client.
type OrgContact struct {
	Name  string `json:"name"`
	Role  string `json:"role,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Org is an organisation of the register. Teams is filled in the
// register (the teams whose organisation it is); it is not stored with
// the organisation.
type Org struct {
	Name     string       `json:"name"`
	Kind     string       `json:"kind"`
	KvK      string       `json:"kvk,omitempty"` // Chamber of Commerce number, 8 digits
	Contacts []OrgContact `json:"contacts,omitempty"`
	Teams    []string     `json:"teams,omitempty"`
}

// Register is the region's register as devices receive it: every
// organisation, by name, and its version (a hash of the rest), which the
// server sends as the ETag of GET /v1/register.
type Register struct {
	Version string `json:"version"`
	Orgs    []Org  `json:"orgs"`
}

// Errors of the register's checks; each wraps ErrInvalid.
var (
	ErrOrgName  = fmt.Errorf("%w organisation name", ErrInvalid)
	ErrOrgKind  = fmt.Errorf("%w organisation kind", ErrInvalid)
	ErrKvK      = fmt.Errorf("%w KvK number", ErrInvalid)
	ErrContact  = fmt.Errorf("%w contact", ErrInvalid)
	maxOrgField = MaxContactField
)

// CheckOrgName checks an organisation's name: 1 to 200 characters of
// printable text on one line.
func CheckOrgName(name string) error {
	if strings.TrimSpace(name) != name || name == "" || utf8.RuneCountInString(name) > maxOrgField || !printableLine(name) {
		return fmt.Errorf("%w %q: 1 to %d printable characters on one line, without spaces around", ErrOrgName, name, maxOrgField)
	}
	return nil
}

// CheckKvK checks a KvK number: empty (none) or exactly 8 digits.
func CheckKvK(kvk string) error {
	if kvk == "" {
		return nil
	}
	if len(kvk) != 8 || strings.Trim(kvk, "0123456789") != "" {
		return fmt.Errorf("%w %q: 8 digits", ErrKvK, kvk)
	}
	return nil
}

// CheckContact checks a business contact: a name, and role, phone and
// e-mail of printable text on one line; a phone of digits, spaces and
// + - ( ); an e-mail with one @.
func CheckContact(c OrgContact) error {
	for _, v := range []string{c.Name, c.Role, c.Phone, c.Email} {
		if utf8.RuneCountInString(v) > maxOrgField || !printableLine(v) {
			return &ContactError{Value: v}
		}
	}
	if strings.TrimSpace(c.Name) == "" {
		return &ContactError{Field: "name"}
	}
	if c.Phone != "" && strings.Trim(c.Phone, "0123456789 +-()") != "" {
		return &ContactError{Field: "phone", Value: c.Phone}
	}
	if c.Email != "" {
		at := strings.Index(c.Email, "@")
		if at <= 0 || at == len(c.Email)-1 || strings.Count(c.Email, "@") != 1 || strings.ContainsAny(c.Email, " <>,;") {
			return &ContactError{Field: "email", Value: c.Email}
		}
	}
	return nil
}

// ContactError is ErrContact with what is wrong, so that the app can say
// it in the user's language: Field is "name" (missing), "phone" or
// "email" (not one), or "" for a value (Value) that is too long or not
// printable text on one line.
type ContactError struct{ Field, Value string }

// MaxContactField is the most characters a contact's name, role, phone
// or e-mail has.
const MaxContactField = 200

func (e *ContactError) Error() string {
	switch e.Field {
	case "name":
		return fmt.Sprintf("%v: a name is needed", ErrContact)
	case "phone":
		return fmt.Sprintf("%v phone %q: digits, spaces and + - ( )", ErrContact, e.Value)
	case "email":
		return fmt.Sprintf("%v e-mail %q", ErrContact, e.Value)
	}
	return fmt.Sprintf("%v %q: at most %d printable characters on one line", ErrContact, e.Value, maxOrgField)
}

// Unwrap makes errors.Is(err, ErrContact) (and ErrInvalid) hold.
func (e *ContactError) Unwrap() error { return ErrContact }

// CheckOrg checks an organisation as stored: its name, kind, KvK number
// and contacts.
func CheckOrg(o Org) error {
	if err := CheckOrgName(o.Name); err != nil {
		return err
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		return fmt.Errorf("%w %q: one of %s", ErrOrgKind, o.Kind, strings.Join(OrgKinds, ", "))
	}
	if err := CheckKvK(o.KvK); err != nil {
		return err
	}
	for _, c := range o.Contacts {
		if err := CheckContact(c); err != nil {
			return err
		}
	}
	return nil
}

func printableLine(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// NewRegister sorts orgs by name and computes the version.
func NewRegister(orgs []Org) Register {
	orgs = slices.Clone(orgs)
	slices.SortFunc(orgs, func(a, b Org) int { return strings.Compare(a.Name, b.Name) })
	for i := range orgs {
		orgs[i].Teams = slices.Sorted(slices.Values(orgs[i].Teams))
	}
	if orgs == nil {
		orgs = []Org{}
	}
	raw, _ := json.Marshal(orgs) // plain strings: cannot fail
	sum := sha256.Sum256(raw)
	return Register{Version: hex.EncodeToString(sum[:16]), Orgs: orgs}
}

// Org finds an organisation by name, as written.
func (r Register) Org(name string) (Org, bool) {
	i := slices.IndexFunc(r.Orgs, func(o Org) bool { return o.Name == name })
	if i < 0 {
		return Org{}, false
	}
	return r.Orgs[i], true
}

// TeamOrg is the organisation of a team, "" when the register names none.
func (r Register) TeamOrg(team string) string {
	for _, o := range r.Orgs {
		if slices.Contains(o.Teams, team) {
			return o.Name
		}
	}
	return ""
}

// Find returns the organisations that match what was typed: every word of
// q (folded: case and accents do not count) is in the organisation's
// name, kind, KvK number, one of its teams or one of its contacts' names
// or roles. An empty q matches all. kinds, when given, keeps only those.
func (r Register) Find(q string, kinds ...string) []Org {
	words := strings.Fields(FoldName(q))
	var out []Org
	for _, o := range r.Orgs {
		if len(kinds) > 0 && !slices.Contains(kinds, o.Kind) {
			continue
		}
		hay := []string{FoldName(o.Name), o.Kind, o.KvK}
		for _, t := range o.Teams {
			hay = append(hay, FoldName(t))
		}
		for _, c := range o.Contacts {
			hay = append(hay, FoldName(c.Name), FoldName(c.Role))
		}
		all := strings.Join(hay, "\x00")
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(all, w) }) {
			out = append(out, o)
		}
	}
	return out
}

// MetaRegister is the name under which a laptop keeps the register in its
// file's meta (sealed like all meta: Store.SetMeta).
const MetaRegister = "x_register"

// Register reads the register the device last received; an empty one
// (no version) before the first.
func (s *Store) Register() (Register, error) {
	raw, err := s.Meta(MetaRegister)
	if err != nil || len(raw) == 0 {
		return Register{}, err
	}
	var r Register
	if err := json.Unmarshal(raw, &r); err != nil {
		return Register{}, fmt.Errorf("%w: the register kept in the file: %v", ErrInvalid, err)
	}
	return r, nil
}

// SetRegister keeps the register a device received, after checking every
// organisation in it (what came over the network is not trusted blindly).
func (s *Store) SetRegister(r Register) error {
	for _, o := range r.Orgs {
		if err := CheckOrg(o); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.SetMeta(MetaRegister, raw)
}
