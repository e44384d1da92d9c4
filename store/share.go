package store

import (
	"fmt"
	"strings"
)

// Sharing a dossier with another team, with the person's consent.
//
// A dossier belongs to one team (its "team" field). A share is an entity
// of the dossier, share/<id>/<field>, like an agreement: each field is an
// op, so a share, a change to it and its withdrawal sync, merge by the
// one merge rule and show in the history. The fields:
//
//	exists        "1"; "0" removes a share recorded by mistake (a tombstone)
//	team          the team id the dossier is shared with
//	org           that team's organisation, as recorded when shared (the
//	              register's id when there is one, else its name)
//	purpose       what for, a short free text (one line, ≤ 200 bytes)
//	mode          read | readwrite
//	from, until   the first and last day of the share (inclusive)
//	consent_date  the day the person gave consent
//	consent_how   spoken | written
//	consent_by    who recorded the consent (a user name)
//	withdrawn     the day the consent was withdrawn ("" while it stands)
//
// Withdrawal is not removal: a withdrawn share stays in the dossier (the
// person's export lists it) and gives no access from that day on.
// Whether a team may read or write is decided by Access (access.go) from
// these values alone.

// ShareModes and ConsentHows are the codes of the share's enum fields.
var (
	ShareModes  = []string{"read", "readwrite"}
	ConsentHows = []string{"", "spoken", "written"} // "": not (yet) recorded
)

// Share modes.
const (
	ShareRead      = "read"
	ShareReadWrite = "readwrite"
)

var shareFields = map[string]Kind{
	"exists": KindBool, "team": KindScalar, "org": KindScalar, "purpose": KindScalar,
	"mode": KindEnum, "from": KindDate, "until": KindDate,
	"consent_date": KindDate, "consent_how": KindEnum, "consent_by": KindScalar,
	"withdrawn": KindDate,
}

// ShareField is field name of share id, "share/<id>/until".
func ShareField(id, name string) string { return EntityField(EntityShare, id, name) }

// Share is a share of the dossier with a team, as the dossier shows it.
type Share struct {
	Entity
	Team        Value `json:"team"`
	Org         Value `json:"org"`
	Purpose     Value `json:"purpose"`
	Mode        Value `json:"mode"`
	From        Value `json:"from"`
	Until       Value `json:"until"`
	ConsentDate Value `json:"consent_date"`
	ConsentHow  Value `json:"consent_how"`
	ConsentBy   Value `json:"consent_by"`
	Withdrawn   Value `json:"withdrawn"`
}

func shareOf(id string, f map[string]Value) Share {
	return Share{Entity: entity(id, f), Team: f["team"], Org: f["org"], Purpose: f["purpose"],
		Mode: f["mode"], From: f["from"], Until: f["until"], ConsentDate: f["consent_date"],
		ConsentHow: f["consent_how"], ConsentBy: f["consent_by"], Withdrawn: f["withdrawn"]}
}

func (s Share) fields() map[string]Value {
	return map[string]Value{"team": s.Team, "org": s.Org, "purpose": s.Purpose, "mode": s.Mode,
		"from": s.From, "until": s.Until, "consent_date": s.ConsentDate, "consent_how": s.ConsentHow,
		"consent_by": s.ConsentBy, "withdrawn": s.Withdrawn}
}

// Terms are the share's values, as the access rule reads them.
func (s Share) Terms() ShareTerms {
	return ShareTerms{ID: s.ID, Removed: s.Removed, Team: s.Team.Value, Org: s.Org.Value,
		Mode: s.Mode.Value, From: s.From.Value, Until: s.Until.Value,
		ConsentDate: s.ConsentDate.Value, ConsentHow: s.ConsentHow.Value, Withdrawn: s.Withdrawn.Value}
}

// AccessState is what the access rule needs of the dossier: its owning
// team and its shares.
func (c *Client) AccessState() DossierAccess {
	d := DossierAccess{Team: c.Team.Value}
	for _, s := range c.Shares {
		d.Shares = append(d.Shares, s.Terms())
	}
	return d
}

// Reasons a share typed by a person is refused beyond its fields' kinds
// (ShareInput.Validate). Each wraps ErrInvalid.
var (
	ErrRequired        = fmt.Errorf("%w: required", ErrInvalid)
	ErrUntilBeforeFrom = fmt.Errorf("%w: the last day is before the first", ErrInvalid)
	ErrConsentRequired = fmt.Errorf("%w: a share that has started needs the person's consent", ErrInvalid)
	ErrShareOwnTeam    = fmt.Errorf("%w: the dossier already belongs to that team", ErrInvalid)
	ErrWithdrawn       = fmt.Errorf("%w: the share is withdrawn", ErrInvalid)
)

// ShareInput is what the sharing form asks. Days are YYYY-MM-DD.
type ShareInput struct {
	Team        string
	Org         string
	Purpose     string
	Mode        string
	From        string
	Until       string
	ConsentDate string
	ConsentHow  string
	ConsentBy   string // empty: the store's author
}

// Validate says what is wrong with the form on day today, field by
// field (keys are the share's field names), or nil: team, purpose, mode,
// from and until are required, until not before from; the consent's day
// is not after today, and a share that has started by today (from ≤
// today) needs the consent's day and how. A share that starts later may
// be recorded before the consent is; it gives no access until it is.
func (in ShareInput) Validate(today string) map[string]error {
	errs := map[string]error{}
	check := func(name, value string) {
		p, k, _ := ParseField(ShareField(NewIDZero, name))
		if err := ValidateValue(p, k, value); err != nil {
			errs[name] = err
		}
	}
	for name, v := range in.values() {
		check(name, v)
	}
	for name, v := range map[string]string{"team": in.Team, "purpose": in.Purpose, "mode": in.Mode, "from": in.From, "until": in.Until} {
		if strings.TrimSpace(v) == "" && errs[name] == nil {
			errs[name] = ErrRequired
		}
	}
	for name, v := range map[string]string{"from": in.From, "until": in.Until} {
		if errs[name] == nil {
			if err := CheckDay(v, ""); err != nil {
				errs[name] = err
			}
		}
	}
	if errs["from"] == nil && errs["until"] == nil && in.Until < in.From {
		errs["until"] = ErrUntilBeforeFrom
	}
	if errs["consent_date"] == nil {
		if err := CheckDay(in.ConsentDate, today); err != nil {
			errs["consent_date"] = err
		}
	}
	consent := in.ConsentDate != "" || in.ConsentHow != ""
	if (consent || (in.From != "" && in.From <= today)) && errs["consent_date"] == nil && errs["consent_how"] == nil {
		if in.ConsentDate == "" {
			errs["consent_date"] = ErrConsentRequired
		}
		if in.ConsentHow == "" {
			errs["consent_how"] = ErrConsentRequired
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// NewIDZero is a well-formed id for parsing a field path of an entity not
// yet made.
const NewIDZero = "00000000-0000-7000-8000-000000000000"

func (in ShareInput) values() map[string]string {
	return map[string]string{"team": strings.TrimSpace(in.Team), "org": strings.TrimSpace(in.Org),
		"purpose": strings.TrimSpace(in.Purpose), "mode": in.Mode, "from": in.From, "until": in.Until,
		"consent_date": in.ConsentDate, "consent_how": in.ConsentHow, "consent_by": strings.TrimSpace(in.ConsentBy)}
}

// firstErr returns the error of the first field, in the form's order.
func firstErr(errs map[string]error) error {
	for _, f := range []string{"team", "org", "purpose", "mode", "from", "until", "consent_date", "consent_how", "consent_by"} {
		if errs[f] != nil {
			return fmt.Errorf("share %s: %w", f, errs[f])
		}
	}
	return nil
}

// ShareChanges are the changes that make share id of client c what in
// says (id new: a new share), validated as the form is on day today; a
// share with the dossier's own team is refused. Only fields whose value
// differs are changed, so changing the until day is one op.
func ShareChanges(c *Client, id string, in ShareInput, today string) ([]Change, error) {
	if errs := in.Validate(today); errs != nil {
		return nil, firstErr(errs)
	}
	if strings.TrimSpace(in.Team) == c.Team.Value {
		return nil, fmt.Errorf("share team: %w", ErrShareOwnTeam)
	}
	var old Share
	found := false
	for _, s := range c.Shares {
		if s.ID == id {
			old, found = s, true
		}
	}
	if found && old.Withdrawn.Value != "" && !old.Removed {
		return nil, fmt.Errorf("change share: %w", ErrWithdrawn)
	}
	var out []Change
	if !found || old.Removed {
		out = append(out, Set(ShareField(id, "exists"), "1"))
	}
	vals := in.values()
	of := old.fields()
	for _, name := range []string{"team", "org", "purpose", "mode", "from", "until", "consent_date", "consent_how", "consent_by"} {
		if v := vals[name]; v != of[name].Value || of[name].Conflict() {
			out = append(out, Set(ShareField(id, name), v))
		}
	}
	return out, nil
}

// WithdrawShareChanges are the changes that withdraw share id on day
// (not after today): the person withdrew consent. It stays in the dossier.
func WithdrawShareChanges(c *Client, id, day, today string) ([]Change, error) {
	if err := CheckDay(day, today); err != nil {
		return nil, fmt.Errorf("withdraw share: %w", err)
	}
	if day == "" {
		return nil, fmt.Errorf("withdraw share: %w", ErrRequired)
	}
	for _, s := range c.Shares {
		if s.ID == id && !s.Removed {
			if s.Withdrawn.Value != "" {
				return nil, fmt.Errorf("withdraw share: %w", ErrWithdrawn)
			}
			return []Change{Set(ShareField(id, "withdrawn"), day)}, nil
		}
	}
	return nil, fmt.Errorf("share %s: %w", id, ErrNotFound)
}

// ShareDossier records a new share of dossier (consent_by defaults to
// the store's author) on day today and returns its id.
func (s *Store) ShareDossier(dossier string, in ShareInput, today string) (string, error) {
	return s.changeShare(dossier, NewID(), in, today)
}

// ChangeShare changes share id of dossier to what in says.
func (s *Store) ChangeShare(dossier, id string, in ShareInput, today string) error {
	_, err := s.changeShare(dossier, id, in, today)
	return err
}

func (s *Store) changeShare(dossier, id string, in ShareInput, today string) (string, error) {
	c, err := s.Client(dossier)
	if err != nil {
		return "", err
	}
	if in.ConsentBy == "" && (in.ConsentDate != "" || in.ConsentHow != "") {
		in.ConsentBy = s.author
	}
	changes, err := ShareChanges(c, id, in, today)
	if err != nil {
		return "", err
	}
	if _, err := s.Commit(dossier, changes...); err != nil {
		return "", fmt.Errorf("share: %w", err)
	}
	return id, nil
}

// WithdrawShare records that the person withdrew the consent of share id
// on day (not after today).
func (s *Store) WithdrawShare(dossier, id, day, today string) error {
	c, err := s.Client(dossier)
	if err != nil {
		return err
	}
	changes, err := WithdrawShareChanges(c, id, day, today)
	if err != nil {
		return err
	}
	_, err = s.Commit(dossier, changes...)
	return err
}

// CheckMoveEmployer checks a route move's employer (an organisation's
// register id or name): only a move to a place with an employer
// (volunteering, a work-experience place, beschut werk, a banenafspraak
// job or regular work) names one.
func CheckMoveEmployer(to []Place, employer string) error {
	if strings.TrimSpace(employer) == "" {
		return nil
	}
	p, k, _ := ParseField(MoveField(NewIDZero, "employer"))
	if err := ValidateValue(p, k, employer); err != nil {
		return err
	}
	for _, pl := range to {
		switch pl {
		case PlaceVrijwillig, PlaceWerkervaring, PlaceBeschut, PlaceBanenafspraak, PlaceRegulier:
			return nil
		}
	}
	return ErrNoEmployerPlace
}

// ErrNoEmployerPlace: an employer named on a move to a place without one.
var ErrNoEmployerPlace = fmt.Errorf("%w: no employer at that place", ErrInvalid)
