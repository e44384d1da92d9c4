package server

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
)

// Retention (docs/operations.md, "Retention"): a closed trajectory's
// dossier is kept for a period after the date it was closed (the closed
// field), then erased with `brug admin retention`. A region sets the
// periods with `brug serve --retention`, kept in the server's file so that
// every admin command reads the same policy.

// kRetention is the setting of the retention policy, as its text.
const kRetention = "retention"

// DefaultRetention is the policy of a region that set none: 15 years
// after closing, the term the Selectielijst gemeenten (Archiefwet) sets
// for Wmo 2015 support files (docs/operations.md says why).
const DefaultRetention = "15y"

// Period is a retention period in years and months.
type Period struct {
	Years, Months int
}

func (p Period) String() string {
	switch {
	case p.Months == 0:
		return strconv.Itoa(p.Years) + "y"
	case p.Years == 0:
		return strconv.Itoa(p.Months) + "m"
	}
	return fmt.Sprintf("%dy%dm", p.Years, p.Months)
}

// after is the day the period ends when it starts on day.
func (p Period) after(day time.Time) time.Time { return day.AddDate(p.Years, p.Months, 0) }

// longer reports whether p is longer than q.
func (p Period) longer(q Period) bool { return p.Years*12+p.Months > q.Years*12+q.Months }

// RetentionPolicy is a region's retention: Default for every closed
// dossier, and periods by a code the dossier carries (By): its benefit
// (participatiewet, wajong, wlz, ...) or the kind of one of its
// indications (wmo, wlz, uwv-beschut, ...). A dossier that carries codes
// of By is kept for the longest of their periods, and for Default when it
// carries none: a dossier is never erased before any period that applies.
type RetentionPolicy struct {
	Default Period
	By      map[string]Period
}

// ParseRetention reads a policy: a default period, then any CODE=PERIOD,
// separated by commas; a period is years and/or months ("15y", "6m",
// "1y6m"), at least a month, at most 100 years. E.g.
// "15y,wlz=20y,participatiewet=7y".
func ParseRetention(spec string) (RetentionPolicy, error) {
	var p RetentionPolicy
	parts := strings.Split(strings.TrimSpace(spec), ",")
	for i, part := range parts {
		part = strings.TrimSpace(part)
		code, period, hasCode := strings.Cut(part, "=")
		if !hasCode {
			period = code
		}
		per, err := parsePeriod(strings.TrimSpace(period))
		if err != nil {
			return RetentionPolicy{}, &RetentionError{Spec: spec, Problem: RetentionPeriod, Part: part, Period: err}
		}
		if !hasCode {
			if i != 0 {
				return RetentionPolicy{}, &RetentionError{Spec: spec, Problem: RetentionDefaultTwice}
			}
			p.Default = per
			continue
		}
		if i == 0 {
			return RetentionPolicy{}, &RetentionError{Spec: spec, Problem: RetentionNoDefault}
		}
		code = strings.TrimSpace(code)
		if !retentionCode(code) {
			return RetentionPolicy{}, &RetentionError{Spec: spec, Problem: RetentionUnknownCode, Code: code}
		}
		if p.By == nil {
			p.By = map[string]Period{}
		}
		if _, dup := p.By[code]; dup {
			return RetentionPolicy{}, &RetentionError{Spec: spec, Problem: RetentionCodeTwice, Code: code}
		}
		p.By[code] = per
	}
	return p, nil
}

// RetentionError is what is wrong with a retention policy
// (ParseRetention), in English (Error) and in Dutch (In). It wraps
// ErrInvalid.
type RetentionError struct {
	Spec    string // the policy as given
	Problem RetentionProblem
	Part    string       // the part with a bad period (RetentionPeriod)
	Period  *PeriodError // what is wrong with that period
	Code    string       // the code (RetentionUnknownCode, RetentionCodeTwice)
}

// RetentionProblem is what is wrong with a retention policy.
type RetentionProblem int

// The problems of a retention policy.
const (
	RetentionPeriod       RetentionProblem = iota // a period that is none
	RetentionDefaultTwice                         // a default period not first, or twice
	RetentionNoDefault                            // CODE=PERIOD before the default
	RetentionUnknownCode                          // a code that is no benefit or indication
	RetentionCodeTwice                            // a code given twice
)

func (e *RetentionError) Error() string {
	switch e.Problem {
	case RetentionPeriod:
		return fmt.Sprintf("%v retention %q: %q: %v", ErrInvalid, e.Spec, e.Part, e.Period)
	case RetentionDefaultTwice:
		return fmt.Sprintf("%v retention %q: the default period comes first, once; then CODE=PERIOD", ErrInvalid, e.Spec)
	case RetentionNoDefault:
		return fmt.Sprintf("%v retention %q: start with the default period (e.g. 15y), then CODE=PERIOD", ErrInvalid, e.Spec)
	case RetentionUnknownCode:
		return fmt.Sprintf("%v retention %q: %q is not a benefit or indication code (%s)", ErrInvalid, e.Spec, e.Code, strings.Join(retentionCodes(), ", "))
	}
	return fmt.Sprintf("%v retention %q: %s is given twice", ErrInvalid, e.Spec, e.Code)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *RetentionError) Unwrap() error { return ErrInvalid }

// In is the error in lang: Error() for English, else Dutch, without the
// policy (the message around it names it).
func (e *RetentionError) In(lang string) string {
	if lang == "en" {
		return e.Error()
	}
	switch e.Problem {
	case RetentionPeriod:
		nl := e.Period.dutch()
		if e.Part != strings.TrimSpace(e.Spec) {
			nl = fmt.Sprintf("%q: %s", e.Part, nl)
		}
		return nl
	case RetentionDefaultTwice:
		return "de standaardtermijn komt eerst, één keer; daarna CODE=TERMIJN"
	case RetentionNoDefault:
		return "begin met de standaardtermijn (bijvoorbeeld 15y), daarna CODE=TERMIJN"
	case RetentionUnknownCode:
		return fmt.Sprintf("%q is geen code van een uitkering of indicatie (%s)", e.Code, strings.Join(retentionCodes(), ", "))
	}
	return e.Code + " staat er twee keer in"
}

// PeriodError is what is wrong with a period of a retention policy.
type PeriodError struct {
	Problem PeriodProblem
	Number  string // the number that is too large (PeriodTooLarge)
}

// PeriodProblem is what is wrong with a period.
type PeriodProblem int

// The problems of a period.
const (
	PeriodShape       PeriodProblem = iota // not years and months
	PeriodTooLarge                         // a number over 1200
	PeriodOrder                            // months before years, or years twice
	PeriodMonthsTwice                      // months twice
	PeriodRange                            // under a month or over 100 years
)

func (e *PeriodError) Error() string {
	switch e.Problem {
	case PeriodTooLarge:
		return e.Number + " is too large"
	case PeriodOrder:
		return "give years before months, once"
	case PeriodMonthsTwice:
		return "give months once"
	case PeriodRange:
		return "a period is at least a month and at most 100 years"
	}
	return "a period is years and months, e.g. 15y, 6m or 1y6m"
}

// dutch is the error in Dutch.
func (e *PeriodError) dutch() string {
	switch e.Problem {
	case PeriodTooLarge:
		return e.Number + " is te groot"
	case PeriodOrder:
		return "geef de jaren voor de maanden, één keer"
	case PeriodMonthsTwice:
		return "geef de maanden één keer"
	case PeriodRange:
		return "een termijn is minstens een maand en hoogstens 100 jaar"
	}
	return "een termijn is jaren (y) en maanden (m), bijvoorbeeld 15y, 6m of 1y6m"
}

func parsePeriod(s string) (Period, *PeriodError) {
	var p Period
	rest := s
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return Period{}, &PeriodError{Problem: PeriodShape}
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 1200 {
			return Period{}, &PeriodError{Problem: PeriodTooLarge, Number: rest[:i]}
		}
		switch rest[i] {
		case 'y':
			if p.Years != 0 || p.Months != 0 {
				return Period{}, &PeriodError{Problem: PeriodOrder}
			}
			p.Years = n
		case 'm':
			if p.Months != 0 {
				return Period{}, &PeriodError{Problem: PeriodMonthsTwice}
			}
			p.Months = n
		default:
			return Period{}, &PeriodError{Problem: PeriodShape}
		}
		rest = rest[i+1:]
	}
	if total := p.Years*12 + p.Months; total < 1 || total > 1200 {
		return Period{}, &PeriodError{Problem: PeriodRange}
	}
	return p, nil
}

// retentionCodes are the codes a policy may name: benefits and
// indication kinds.
func retentionCodes() []string {
	var out []string
	for _, c := range append(slices.Clone(store.Benefits), store.IndicationKinds...) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func retentionCode(c string) bool { return slices.Contains(retentionCodes(), c) }

// String writes the policy as ParseRetention reads it.
func (p RetentionPolicy) String() string {
	parts := []string{p.Default.String()}
	codes := make([]string, 0, len(p.By))
	for c := range p.By {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		parts = append(parts, c+"="+p.By[c].String())
	}
	return strings.Join(parts, ",")
}

// periodFor is the period that applies to a dossier, and the code it
// comes from ("" for the default).
func (p RetentionPolicy) periodFor(c *store.Client) (Period, string) {
	var codes []string
	if c.Benefit.Value != "" {
		codes = append(codes, c.Benefit.Value)
	}
	for _, in := range c.Indications {
		if !in.Removed && in.Kind.Value != "" {
			codes = append(codes, in.Kind.Value)
		}
	}
	best, from, found := Period{}, "", false
	for _, code := range codes {
		if per, ok := p.By[code]; ok && (!found || per.longer(best)) {
			best, from, found = per, code, true
		}
	}
	if !found {
		return p.Default, ""
	}
	return best, from
}

// SetRetention keeps the region's retention policy in the server's file
// (brug serve --retention) and audits a change of it.
func (s *Server) SetRetention(spec string) error {
	p, err := ParseRetention(spec)
	if err != nil {
		return err
	}
	text := p.String()
	return s.db.Update(func(tx Tx) error {
		if old, err := tx.Setting(kRetention); err != nil || string(old) == text {
			return err
		}
		if err := tx.SetSetting(kRetention, []byte(text)); err != nil {
			return err
		}
		return audit(tx, AuditEntry{Time: s.now().UTC(), Channel: ChannelCLI, User: "brug serve", Action: "retention policy", Detail: text})
	})
}

// retention reads the policy kept in the file, or the default.
func retention(tx Tx) (RetentionPolicy, error) {
	b, err := tx.Setting(kRetention)
	if err != nil {
		return RetentionPolicy{}, err
	}
	text := string(b)
	if text == "" {
		text = DefaultRetention
	}
	return ParseRetention(text)
}

// RetentionDue is a closed dossier past its retention period.
type RetentionDue struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"` // for the admin's terminal only; never audited
	Team      string    `json:"team,omitempty"`
	Closed    string    `json:"closed"` // YYYY-MM-DD
	Reason    string    `json:"reason,omitempty"`
	Period    string    `json:"period"`         // the period that applies
	Code      string    `json:"code,omitempty"` // the benefit or indication code it comes from; "" for the default
	Due       time.Time `json:"due"`            // the day the period ended
	Erased    bool      `json:"erased,omitempty"`
	EraseFail string    `json:"erase_failed,omitempty"`
}

// RetentionReport is what `brug admin retention` lists and did.
type RetentionReport struct {
	Policy string         `json:"policy"`
	Today  string         `json:"today"` // YYYY-MM-DD, UTC
	Due    []RetentionDue `json:"due,omitempty"`
	Erased int            `json:"erased,omitempty"`
}

// Retention lists the dossiers whose trajectory was closed longer ago
// than their retention period (closed + period before today, UTC),
// oldest due first. With erase, it erases those of them named in confirm
// (the list the admin saw and confirmed; one reopened or not due any
// more in between is left alone), each through the one erase path with
// an `erase` audit record saying why, and writes one `retention` record
// for the run.
func (a *Admin) Retention(erase bool, confirm []string) (RetentionReport, error) {
	today := a.s.now().UTC().Truncate(24 * time.Hour)
	var rep RetentionReport
	rep.Today = today.Format(time.DateOnly)
	var policy RetentionPolicy
	var closed []string
	err := a.s.db.View(func(tx Tx) error {
		var err error
		if policy, err = retention(tx); err != nil {
			return err
		}
		// Only dossiers with a closed date need reading whole.
		return tx.EachDossierTeam(func(dk, _ string) error {
			id := idString([]byte(dk))
			hs, err := tx.Heads(id, "closed")
			if err != nil {
				return err
			}
			if w, ok := winner(hs); ok && w.Value != "" {
				closed = append(closed, id)
			}
			return nil
		})
	})
	if err != nil {
		return rep, err
	}
	rep.Policy = policy.String()
	for _, id := range closed {
		c, err := a.s.client(id)
		if err != nil {
			return rep, fmt.Errorf("read %s: %w", id, err)
		}
		on, ok := c.ClosedOn()
		if !ok {
			continue
		}
		per, code := policy.periodFor(c)
		due := per.after(on)
		if !due.Before(today) {
			continue
		}
		rep.Due = append(rep.Due, RetentionDue{ID: id, Name: c.Name.Value, Team: c.Team.Value, Closed: c.Closed.Value,
			Reason: c.ClosedReason.Value, Period: per.String(), Code: code, Due: due})
	}
	sort.Slice(rep.Due, func(i, j int) bool {
		if !rep.Due[i].Due.Equal(rep.Due[j].Due) {
			return rep.Due[i].Due.Before(rep.Due[j].Due)
		}
		return rep.Due[i].ID < rep.Due[j].ID
	})
	if !erase {
		return rep, nil
	}
	for i := range rep.Due {
		d := &rep.Due[i]
		if !slices.Contains(confirm, d.ID) {
			continue
		}
		why := fmt.Sprintf("retention: closed %s, period %s", d.Closed, d.Period)
		if d.Code != "" {
			why += " (" + d.Code + ")"
		}
		if err := a.s.erase(d.ID, AuditEntry{Channel: a.Channel, User: a.Actor, Action: "erase", Dossier: d.ID, Detail: why}); err != nil {
			d.EraseFail = err.Error()
			continue
		}
		d.Erased = true
		rep.Erased++
	}
	err = a.s.db.Update(func(tx Tx) error {
		return a.record(tx, "retention", "", fmt.Sprintf("policy %s; %d of %d due dossiers erased", rep.Policy, rep.Erased, len(rep.Due)))
	})
	return rep, err
}
