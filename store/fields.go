package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/brug-nl/brug/store/method"
)

// Sentinel errors. Callers test with errors.Is; messages wrap them with what
// was being done.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
	ErrLocked   = errors.New("brug is already open on this file")
	ErrNotBrug  = errors.New("not a brug database")
	ErrTooNew   = errors.New("database made by a newer brug")
	// ErrUpgrade: a read-only open of a file an older brug wrote, which
	// needs its layout upgraded (by an open that may write) first.
	ErrUpgrade   = errors.New("the file needs an upgrade")
	ErrAmbiguous = errors.New("more than one client matches")
	// ErrWrongKind: a laptop's file opened as a server's, or the other
	// way round (see FileKind).
	ErrWrongKind = errors.New("a brug file of the other kind")
)

// Kind says how a field's values merge and what they may hold.
type Kind int

// Field kinds. KindText is the only kind whose concurrent heads are a
// conflict; every other kind resolves to the newest head.
const (
	KindScalar Kind = iota // short free value (a name, a phone number)
	KindText               // free text: concurrent edits are kept as a conflict
	KindBool               // "1" or "0"
	KindDate               // YYYY-MM-DD or empty
	KindYear               // a birth year
	KindPlace              // one place code or empty
	KindPlaces             // comma-separated place codes
	KindStatus             // a step status
	KindEnum               // one of a fixed set of codes
)

// Maximum sizes of values, in bytes.
const (
	MaxScalar = 200
	MaxText   = 64 << 10
)

// Place is where a person stands on the way from day activities to work.
// The order is the order of the route: a move to an earlier place is a step
// back, which is allowed and normal.
type Place string

// The places, in route order.
const (
	PlaceDagbesteding  Place = "dagbesteding"
	PlaceVrijwillig    Place = "vrijwilligerswerk"
	PlaceOpleiding     Place = "opleiding"
	PlaceWerkervaring  Place = "werkervaringsplaats"
	PlaceBeschut       Place = "beschut-werk"
	PlaceBanenafspraak Place = "banenafspraak"
	PlaceRegulier      Place = "regulier-werk"
)

// Places lists all places in route order.
var places = []Place{PlaceDagbesteding, PlaceVrijwillig, PlaceOpleiding, PlaceWerkervaring, PlaceBeschut, PlaceBanenafspraak, PlaceRegulier}

// Places returns all places in route order.
func Places() []Place { return append([]Place(nil), places...) }

// Rank is the place's position on the route, -1 when unknown.
func (p Place) Rank() int {
	for i, q := range places {
		if q == p {
			return i
		}
	}
	return -1
}

// StepStatus is where a step of the method stands.
type StepStatus string

// Step statuses. A coach marks a step done; a coordinator signs it off or
// sends it back (to active, with a comment).
const (
	StepOpen      StepStatus = "open"
	StepActive    StepStatus = "active"
	StepDone      StepStatus = "done"
	StepSignedOff StepStatus = "signed-off"
)

// Enumerations of codes for enum fields. Display texts live in the tui's
// catalogue.
var (
	Benefits         = []string{"", "geen", "participatiewet", "wajong", "wia", "ww", "wlz", "anders"}
	IndicationKinds  = []string{"wmo", "wlz", "uwv-beschut", "doelgroepenregister", "wajong", "herbeoordeling", "anders"}
	ArrangementKinds = []string{"loonwaarde", "zelfredzaamheid"}
	JournalKinds     = []string{"bezoek", "gesprek", "telefoon", "overleg"}
	// ClosedReasons are why a trajectory was closed ("" while open):
	// work found, the goal reached otherwise, the person stopped, moved
	// away, was handed to another provider, died, or another reason (the
	// note says which).
	ClosedReasons = []string{"", "werk", "doel-bereikt", "gestopt", "verhuisd", "overgedragen", "overleden", "anders"}
)

// Entity kinds that live under a dossier, each with its own id.
const (
	EntityAgreement   = "agreement"
	EntityContact     = "contact"
	EntityJournal     = "journal"
	EntityMove        = "move"
	EntityIndication  = "indication"
	EntityArrangement = "arrangement"
	// EntityShare is a share of the dossier with another team, with the
	// person's consent (share.go).
	EntityShare = "share"
)

// clientFields are the fields of the dossier itself.
var clientFields = map[string]Kind{
	"exists":       KindBool,
	"name":         KindScalar,
	"birthyear":    KindYear,
	"team":         KindScalar,
	"coaches":      KindScalar,
	"places":       KindPlaces,
	"benefit":      KindEnum,
	"route_target": KindPlace,
	// A closed trajectory: the date it was closed ("" when open, or
	// reopened by a later op), why (ClosedReasons) and a free note.
	// Retention periods count from the date (docs/operations.md).
	"closed":        KindDate,
	"closed_reason": KindEnum,
	"closed_note":   KindText,
	// A merge of two dossiers of the same person (MergeClients): the
	// dossier that went records the id of the one it went into; the one
	// kept records, one line per merge, which dossier came in and the
	// values of it that differed from its own.
	"merged_into": KindScalar,
	"merged_from": KindText,
}

// ClientFieldNames are the names of the dossier's own fields, sorted (for
// the catalogues that name them for people).
func ClientFieldNames() []string { return slices.Sorted(maps.Keys(clientFields)) }

// EntityKinds are the kinds of entity a dossier holds, sorted.
func EntityKinds() []string { return slices.Sorted(maps.Keys(entityFields)) }

// EntityFieldNames are the names of an entity kind's fields, sorted; none
// for an unknown kind.
func EntityFieldNames(entity string) []string { return slices.Sorted(maps.Keys(entityFields[entity])) }

// entityFields are the fields of each entity kind.
var entityFields = map[string]map[string]Kind{
	EntityAgreement:   {"exists": KindBool, "what": KindText, "role": KindScalar, "org": KindScalar, "person": KindScalar, "due": KindDate, "done": KindBool},
	EntityContact:     {"exists": KindBool, "role": KindScalar, "org": KindScalar, "name": KindScalar, "phone": KindScalar, "email": KindScalar},
	EntityJournal:     {"exists": KindBool, "kind": KindEnum, "date": KindDate, "place": KindScalar, "text": KindText},
	EntityMove:        {"exists": KindBool, "from": KindPlaces, "to": KindPlaces, "date": KindDate, "reason": KindText, "employer": KindScalar},
	EntityIndication:  {"exists": KindBool, "kind": KindEnum, "date": KindDate, "until": KindDate, "note": KindText},
	EntityArrangement: {"exists": KindBool, "kind": KindEnum, "value": KindScalar, "from": KindDate, "to": KindDate},
	EntityShare:       shareFields,
}

var enumValues = map[string][]string{
	"benefit":                    Benefits,
	"closed_reason":              ClosedReasons,
	EntityIndication + ".kind":   IndicationKinds,
	EntityArrangement + ".kind":  ArrangementKinds,
	EntityJournal + ".kind":      JournalKinds,
	EntityShare + ".mode":        ShareModes,
	EntityShare + ".consent_how": ConsentHows,
}

// FieldPath is a parsed field name.
type FieldPath struct {
	Entity string // "" for the dossier itself, "step", or an entity kind
	ID     string // entity id, or the step number for steps
	Sub    string // "check" or "answer" for step items, else ""
	Item   string // checklist item or question id
	Name   string // the field name ("status", "due", ...), or the item id
}

// Step returns the step number of a step field, 0 otherwise.
func (p FieldPath) Step() int {
	if p.Entity != "step" {
		return 0
	}
	n, _ := strconv.Atoi(p.ID)
	return n
}

// ParseField splits a field name and returns its kind. It checks grammar
// only; ValidateValue checks the value, and the method check is separate.
func ParseField(field string) (FieldPath, Kind, error) {
	bad := func(why string) (FieldPath, Kind, error) {
		return FieldPath{}, 0, fmt.Errorf("%w field %q: %s", ErrInvalid, field, why)
	}
	var buf [4]string
	parts := splitField(&buf, field)
	switch {
	case len(parts) == 1:
		k, ok := clientFields[parts[0]]
		if !ok {
			return bad("unknown client field")
		}
		return FieldPath{Name: parts[0]}, k, nil
	case parts[0] == "step":
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 1 || n > 99 || strconv.Itoa(n) != parts[1] {
			return bad("step number must be 1..99")
		}
		p := FieldPath{Entity: "step", ID: parts[1]}
		switch {
		case len(parts) == 3 && parts[2] == "status":
			p.Name = "status"
			return p, KindStatus, nil
		case len(parts) == 3 && (parts[2] == "note" || parts[2] == "comment"):
			p.Name = parts[2]
			return p, KindText, nil
		case len(parts) == 4 && (parts[2] == "check" || parts[2] == "answer"):
			if !validItemID(parts[3]) {
				return bad("item id must be lower case letters, digits, - or _")
			}
			p.Sub, p.Item, p.Name = parts[2], parts[3], parts[3]
			if parts[2] == "check" {
				return p, KindBool, nil
			}
			return p, KindText, nil
		}
		return bad("unknown step field")
	case len(parts) == 3:
		fields, ok := entityFields[parts[0]]
		if !ok {
			return bad("unknown entity")
		}
		if !ValidID(parts[1]) {
			return bad("entity id is not an id")
		}
		k, ok := fields[parts[2]]
		if !ok {
			return bad("unknown " + parts[0] + " field")
		}
		return FieldPath{Entity: parts[0], ID: parts[1], Name: parts[2]}, k, nil
	}
	return bad("unknown field")
}

// splitField is strings.Split(field, "/"), without allocating for the up
// to four parts a known field has (ParseField runs for every op pulled).
func splitField(parts *[4]string, field string) []string {
	if strings.Count(field, "/") >= 4 {
		return strings.Split(field, "/")
	}
	n := 0
	for {
		i := strings.IndexByte(field, '/')
		if i < 0 {
			parts[n] = field
			return parts[: n+1 : n+1]
		}
		parts[n], field = field[:i], field[i+1:]
		n++
	}
}

func validItemID(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ValidateValue checks that value fits the field's kind. Its error is a
// *ValueError.
func ValidateValue(p FieldPath, k Kind, value string) error {
	bad := func(why ValueProblem) error { return &ValueError{Field: p.Name, Problem: why, Value: value} }
	if !utf8.ValidString(value) {
		return bad(ValueNotUTF8)
	}
	if k == KindText {
		if len(value) > MaxText {
			return &ValueError{Field: p.Name, Problem: ValueTooLong, Max: MaxText}
		}
		return nil
	}
	if len(value) > MaxScalar {
		return &ValueError{Field: p.Name, Problem: ValueTooLong, Max: MaxScalar}
	}
	if strings.ContainsAny(value, "\n\r\t") {
		return bad(ValueLineBreak)
	}
	switch k {
	case KindBool:
		if value != "0" && value != "1" {
			return bad(ValueNotBool)
		}
	case KindDate:
		if value != "" {
			if _, err := time.Parse(time.DateOnly, value); err != nil {
				return bad(ValueNotDate)
			}
		}
	case KindYear:
		if value != "" {
			y, err := strconv.Atoi(value)
			if err != nil || y < 1900 || y > 2100 {
				return bad(ValueNotYear)
			}
		}
	case KindPlace:
		if value != "" && Place(value).Rank() < 0 {
			return bad(ValueUnknownPlace)
		}
	case KindPlaces:
		for _, v := range SplitList(value) {
			if Place(v).Rank() < 0 {
				return &ValueError{Field: p.Name, Problem: ValueUnknownPlace, Value: v}
			}
		}
	case KindStatus:
		switch StepStatus(value) {
		case StepOpen, StepActive, StepDone, StepSignedOff:
		default:
			return bad(ValueUnknownStatus)
		}
	case KindEnum:
		key := p.Name
		if p.Entity != "" {
			key = p.Entity + "." + p.Name
		}
		for _, v := range enumValues[key] {
			if v == value {
				return nil
			}
		}
		return bad(ValueUnknownCode)
	}
	return nil
}

// ValueError is a value that does not fit its field (ValidateValue): the
// field's name, what is wrong, the value (or the code or place that is
// wrong in it; not kept for ValueTooLong) and, for ValueTooLong, the
// limit in bytes. It wraps ErrInvalid; the app says it in the user's
// language (tui/texts).
type ValueError struct {
	Field   string
	Problem ValueProblem
	Value   string
	Max     int
}

// ValueProblem is what is wrong with a value.
type ValueProblem int

// The problems of a value.
const (
	ValueNotUTF8       ValueProblem = iota // not valid UTF-8
	ValueTooLong                           // longer than Max bytes
	ValueLineBreak                         // a line break or tab in a one-line value
	ValueNotBool                           // not "0" or "1"
	ValueNotDate                           // not YYYY-MM-DD
	ValueNotYear                           // not a year 1900..2100
	ValueUnknownPlace                      // a place code that is none
	ValueUnknownStatus                     // a step status that is none
	ValueUnknownCode                       // not one of the field's codes
)

func (e *ValueError) Error() string {
	var why string
	switch e.Problem {
	case ValueNotUTF8:
		why = "not valid UTF-8"
	case ValueTooLong:
		why = fmt.Sprintf("longer than %d bytes", e.Max)
	case ValueLineBreak:
		why = "contains a line break"
	case ValueNotBool:
		why = `must be "0" or "1"`
	case ValueNotDate:
		why = "must be a date YYYY-MM-DD"
	case ValueNotYear:
		why = "must be a year between 1900 and 2100"
	case ValueUnknownPlace:
		why = "unknown place " + e.Value
	case ValueUnknownStatus:
		why = "unknown step status " + e.Value
	default:
		why = "unknown code " + e.Value
	}
	return fmt.Sprintf("%v value for %s: %s", ErrInvalid, e.Field, why)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValueError) Unwrap() error { return ErrInvalid }

// ValidateOp checks an op's shape, field and value, and, when m is given,
// that step fields name a step, item or question of the method.
func ValidateOp(op Op, m *method.Method) error {
	_, _, err := checkOp(&op, m)
	return err
}

// checkOp is ValidateOp, and returns the op's id and dossier as keys.
func checkOp(op *Op, m *method.Method) (key, dkey [16]byte, err error) {
	var ok bool
	if key, ok = idArray(op.ID); !ok {
		return key, dkey, fmt.Errorf("%w op id %q", ErrInvalid, op.ID)
	}
	if dkey, ok = idArray(op.Dossier); !ok {
		return key, dkey, fmt.Errorf("%w dossier id %q", ErrInvalid, op.Dossier)
	}
	return key, dkey, checkOpRest(op, m)
}

func checkOpRest(op *Op, m *method.Method) error { return checkOpFields(op, m, true) }

// checkOpFields is checkOpRest; without prevs it does not check that the
// prevs are ids (the caller has them as keys: Import.AddKeyed), only
// how many there are.
func checkOpFields(op *Op, m *method.Method, prevs bool) error {
	if op.Device == "" || len(op.Device) > 64 || op.Author == "" || len(op.Author) > 64 {
		return fmt.Errorf("%w op %s: device and author must be 1..64 bytes", ErrInvalid, op.ID)
	}
	if op.HLC == 0 {
		return fmt.Errorf("%w op %s: no timestamp", ErrInvalid, op.ID)
	}
	if len(op.Prev) > 64 {
		return fmt.Errorf("%w op %s: more than 64 prev ids", ErrInvalid, op.ID)
	}
	for _, p := range op.Prev {
		if prevs && !ValidID(p) {
			return fmt.Errorf("%w op %s: prev %q is not an id", ErrInvalid, op.ID, p)
		}
	}
	p, k, err := ParseField(op.Field)
	if err != nil {
		return err
	}
	if err := ValidateValue(p, k, op.Value); err != nil {
		return err
	}
	if m != nil && p.Entity == "step" {
		st, ok := m.Step(p.Step())
		if !ok {
			return fmt.Errorf("%w field %q: the method has no step %d", ErrInvalid, op.Field, p.Step())
		}
		switch p.Sub {
		case "check":
			if _, ok := st.Item(p.Item); !ok {
				return fmt.Errorf("%w field %q: step %d has no checklist item %s", ErrInvalid, op.Field, p.Step(), p.Item)
			}
		case "answer":
			if _, ok := st.Question(p.Item); !ok {
				return fmt.Errorf("%w field %q: step %d has no question %s", ErrInvalid, op.Field, p.Step(), p.Item)
			}
		}
	}
	return nil
}

// SplitList splits a comma-separated list value, dropping empty parts.
func SplitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
