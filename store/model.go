package store

import (
	"sort"
	"strconv"
	"time"
)

// Value is the resolved value of a field with who set it and when. A text
// field with more than one head is a conflict: Heads holds them all, newest
// first, and Value shows the newest.
type Value struct {
	Value string    `json:"v,omitempty"`
	By    string    `json:"by,omitempty"`
	At    time.Time `json:"at,omitzero"`
	OpID  string    `json:"op,omitempty"`
	Heads []Head    `json:"heads,omitempty"` // only when conflicting
}

// Conflict reports whether the field has several concurrent texts.
func (v Value) Conflict() bool { return len(v.Heads) > 1 }

// Set reports whether the field was ever written.
func (v Value) Set() bool { return v.OpID != "" }

// Client is the materialised dossier of one person, derived from the heads
// of its fields. It is what screens show and exports write.
type Client struct {
	ID           string        `json:"id"`
	Exists       bool          `json:"exists"`
	Name         Value         `json:"name"`
	BirthYear    Value         `json:"birthyear"`
	Team         Value         `json:"team"`
	Coaches      Value         `json:"coaches"`
	Places       Value         `json:"places"`
	Benefit      Value         `json:"benefit"`
	RouteTarget  Value         `json:"route_target"`
	Steps        []StepState   `json:"steps"`
	Agreements   []Agreement   `json:"agreements,omitempty"`
	Contacts     []Contact     `json:"contacts,omitempty"`
	Journal      []Journal     `json:"journal,omitempty"`
	Moves        []Move        `json:"moves,omitempty"`
	Indications  []Indication  `json:"indications,omitempty"`
	Arrangements []Arrangement `json:"arrangements,omitempty"`
	Shares       []Share       `json:"shares,omitempty"`    // share.go
	Conflicts    []string      `json:"conflicts,omitempty"` // fields with several heads, sorted
	LastChange   HLC           `json:"last_change"`

	// Closed is the date (YYYY-MM-DD) the trajectory was closed, empty
	// while it is open or after it was reopened; ClosedReason is one of
	// ClosedReasons and ClosedNote a free text. See ClosedOn.
	Closed       Value `json:"closed,omitzero"`
	ClosedReason Value `json:"closed_reason,omitzero"`
	ClosedNote   Value `json:"closed_note,omitzero"`

	// MergedInto is the id of the dossier this one was merged into (it
	// is withdrawn then); MergedFrom lists the dossiers merged into this
	// one (MergeClients).
	MergedInto Value `json:"merged_into,omitzero"`
	MergedFrom Value `json:"merged_from,omitzero"`
}

// StepState is one step of the method for one client.
type StepState struct {
	N       int              `json:"n"`
	Status  Value            `json:"status"`
	Checks  map[string]Value `json:"checks,omitempty"`
	Answers map[string]Value `json:"answers,omitempty"`
	Note    Value            `json:"note"`
	Comment Value            `json:"comment"` // the coordinator's comment when sending back
}

// StatusOrOpen returns the step status, open when never set.
func (s StepState) StatusOrOpen() StepStatus {
	if s.Status.Value == "" {
		return StepOpen
	}
	return StepStatus(s.Status.Value)
}

// Checked reports whether checklist item id is ticked.
func (s StepState) Checked(id string) bool { return s.Checks[id].Value == "1" }

// Entity is what every removable entity carries.
type Entity struct {
	ID      string `json:"id"`
	Removed bool   `json:"removed,omitempty"` // tombstoned; kept so it can be undone
}

// Agreement is an afspraak: what, who owns it, when it is due, done or not.
type Agreement struct {
	Entity
	What   Value `json:"what"`
	Role   Value `json:"role"`
	Org    Value `json:"org"`
	Person Value `json:"person"`
	Due    Value `json:"due"`
	Done   Value `json:"done"`
}

// Contact is a person in the client's network.
type Contact struct {
	Entity
	Role  Value `json:"role"`
	Org   Value `json:"org"`
	Name  Value `json:"name"`
	Phone Value `json:"phone"`
	Email Value `json:"email"`
}

// Journal is a visit, call or meeting note. Each is its own entity, so two
// people writing notes offline never conflict.
type Journal struct {
	Entity
	Kind  Value `json:"kind"`
	Date  Value `json:"date"`
	Place Value `json:"place"`
	Text  Value `json:"text"`
}

// Move is a step on the route between places, forward or back.
type Move struct {
	Entity
	From   Value `json:"from"`
	To     Value `json:"to"`
	Date   Value `json:"date"`
	Reason Value `json:"reason"`
	// Employer is the organisation (its register id, or a name) of a move
	// to a place with an employer (CheckMoveEmployer).
	Employer Value `json:"employer,omitzero"`
}

// Back reports whether the move is a step back on the route.
func (m Move) Back() bool {
	return maxRank(m.To.Value) < maxRank(m.From.Value)
}

func maxRank(list string) int {
	r := -1
	for _, p := range SplitList(list) {
		if k := Place(p).Rank(); k > r {
			r = k
		}
	}
	return r
}

// Indication is an indication or assessment (Wmo, Wlz, UWV advice, the
// target-group register).
type Indication struct {
	Entity
	Kind  Value `json:"kind"`
	Date  Value `json:"date"`
	Until Value `json:"until"`
	Note  Value `json:"note"`
}

// Arrangement is an arrangement for wage value or self-reliance.
type Arrangement struct {
	Entity
	Kind  Value `json:"kind"`
	Value Value `json:"value"`
	From  Value `json:"from"`
	To    Value `json:"to"`
}

// fieldHeads is the heads of one field, as stored.
type fieldHeads struct {
	Field string
	Heads []Head
}

// resolve turns heads into a Value under the merge rule.
func resolve(k Kind, heads []Head) Value {
	if len(heads) == 0 {
		return Value{}
	}
	best := heads[0]
	for _, h := range heads[1:] {
		if newer(h, best) {
			best = h
		}
	}
	v := Value{Value: best.Value, By: best.Author, At: best.HLC.Time().UTC(), OpID: best.ID}
	if k == KindText && len(heads) > 1 {
		v.Heads = sortedHeads(heads)
	}
	return v
}

func sortedHeads(hs []Head) []Head {
	out := append([]Head(nil), hs...)
	sort.Slice(out, func(i, j int) bool { return newer(out[i], out[j]) })
	return out
}

// project builds a client document from all heads of the dossier. It
// depends only on the set of heads, never on the order ops arrived in, so a
// rebuilt document equals the incrementally kept one.
func project(id string, steps int, all []fieldHeads) *Client {
	return projectFor(id, steps, all, false)
}

// projectSummary is project for summarise only: the fields that reach
// the summary only through LastChange and Conflicts (summaryNeutral: notes,
// answers, contacts, the journal...) count there and are not built into
// the document. summarise gives the same summary of it as of project's
// (TestProjectSummaryIsProject); the import derives its summaries so,
// and Store.Check compares them with materialise's, which uses project.
func projectSummary(id string, steps int, all []fieldHeads) *Client {
	return projectFor(id, steps, all, true)
}

func projectFor(id string, steps int, all []fieldHeads, lean bool) *Client {
	c := &Client{ID: id, Steps: make([]StepState, steps)}
	for i := range c.Steps {
		c.Steps[i].N = i + 1
	}
	ents := map[string]map[string]map[string]Value{} // entity kind -> id -> field -> value
	for _, fh := range all {
		p, k, err := ParseField(fh.Field)
		if err != nil {
			continue // a field this version does not know: kept in the log, not shown
		}
		if lean && summaryNeutral(p, steps) {
			for _, h := range fh.Heads {
				c.LastChange = max(c.LastChange, h.HLC)
			}
			if conflicted(k, fh.Heads) == 1 {
				c.Conflicts = append(c.Conflicts, fh.Field)
			}
			continue
		}
		v := resolve(k, fh.Heads)
		for _, h := range fh.Heads {
			if h.HLC > c.LastChange {
				c.LastChange = h.HLC
			}
		}
		if v.Conflict() {
			c.Conflicts = append(c.Conflicts, fh.Field)
		}
		switch p.Entity {
		case "":
			c.setField(p.Name, v)
		case "step":
			n := p.Step()
			for len(c.Steps) < n {
				c.Steps = append(c.Steps, StepState{N: len(c.Steps) + 1})
			}
			st := &c.Steps[n-1]
			switch p.Sub {
			case "check":
				if st.Checks == nil {
					st.Checks = map[string]Value{}
				}
				st.Checks[p.Item] = v
			case "answer":
				if st.Answers == nil {
					st.Answers = map[string]Value{}
				}
				st.Answers[p.Item] = v
			default:
				switch p.Name {
				case "status":
					st.Status = v
				case "note":
					st.Note = v
				case "comment":
					st.Comment = v
				}
			}
		default:
			if ents[p.Entity] == nil {
				ents[p.Entity] = map[string]map[string]Value{}
			}
			if ents[p.Entity][p.ID] == nil {
				ents[p.Entity][p.ID] = map[string]Value{}
			}
			ents[p.Entity][p.ID][p.Name] = v
		}
	}
	sort.Strings(c.Conflicts)
	for _, eid := range sortedKeys(ents[EntityAgreement]) {
		f := ents[EntityAgreement][eid]
		c.Agreements = append(c.Agreements, Agreement{Entity: entity(eid, f), What: f["what"], Role: f["role"], Org: f["org"], Person: f["person"], Due: f["due"], Done: f["done"]})
	}
	for _, eid := range sortedKeys(ents[EntityContact]) {
		f := ents[EntityContact][eid]
		c.Contacts = append(c.Contacts, Contact{Entity: entity(eid, f), Role: f["role"], Org: f["org"], Name: f["name"], Phone: f["phone"], Email: f["email"]})
	}
	for _, eid := range sortedKeys(ents[EntityJournal]) {
		f := ents[EntityJournal][eid]
		c.Journal = append(c.Journal, Journal{Entity: entity(eid, f), Kind: f["kind"], Date: f["date"], Place: f["place"], Text: f["text"]})
	}
	for _, eid := range sortedKeys(ents[EntityMove]) {
		f := ents[EntityMove][eid]
		c.Moves = append(c.Moves, Move{Entity: entity(eid, f), From: f["from"], To: f["to"], Date: f["date"], Reason: f["reason"], Employer: f["employer"]})
	}
	for _, eid := range sortedKeys(ents[EntityIndication]) {
		f := ents[EntityIndication][eid]
		c.Indications = append(c.Indications, Indication{Entity: entity(eid, f), Kind: f["kind"], Date: f["date"], Until: f["until"], Note: f["note"]})
	}
	for _, eid := range sortedKeys(ents[EntityArrangement]) {
		f := ents[EntityArrangement][eid]
		c.Arrangements = append(c.Arrangements, Arrangement{Entity: entity(eid, f), Kind: f["kind"], Value: f["value"], From: f["from"], To: f["to"]})
	}
	for _, eid := range sortedKeys(ents[EntityShare]) {
		c.Shares = append(c.Shares, shareOf(eid, ents[EntityShare][eid]))
	}
	// Dated lists read best in date order; ids (time-ordered) break ties.
	sort.SliceStable(c.Agreements, func(i, j int) bool { return c.Agreements[i].Due.Value < c.Agreements[j].Due.Value })
	sort.SliceStable(c.Journal, func(i, j int) bool { return c.Journal[i].Date.Value > c.Journal[j].Date.Value })
	sort.SliceStable(c.Moves, func(i, j int) bool { return c.Moves[i].Date.Value < c.Moves[j].Date.Value })
	return c
}

func entity(id string, f map[string]Value) Entity {
	return Entity{ID: id, Removed: f["exists"].Value != "1"}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *Client) setField(name string, v Value) {
	switch name {
	case "exists":
		c.Exists = v.Value == "1"
	case "name":
		c.Name = v
	case "birthyear":
		c.BirthYear = v
	case "team":
		c.Team = v
	case "coaches":
		c.Coaches = v
	case "places":
		c.Places = v
	case "benefit":
		c.Benefit = v
	case "route_target":
		c.RouteTarget = v
	case "closed":
		c.Closed = v
	case "closed_reason":
		c.ClosedReason = v
	case "closed_note":
		c.ClosedNote = v
	case "merged_into":
		c.MergedInto = v
	case "merged_from":
		c.MergedFrom = v
	}
}

// ClosedOn returns the date the trajectory was closed; false while it is
// open (never closed, or reopened).
func (c *Client) ClosedOn() (time.Time, bool) {
	return ClosedDate(c.Closed.Value)
}

// ClosedDate parses the value of a closed field; false for "" (open) or a
// value that is no date.
func ClosedDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v)
	return t, err == nil
}

// CurrentStep is the first step not done or signed off, or the last step
// when all are.
func (c *Client) CurrentStep() int {
	for _, s := range c.Steps {
		if st := s.StatusOrOpen(); st != StepDone && st != StepSignedOff {
			return s.N
		}
	}
	return len(c.Steps)
}

// Summary is what the client list shows of a client. It is kept in its own
// bucket so the list opens without reading whole dossiers.
type Summary struct {
	ID          string   `json:"id"`
	Name        string   `json:"n"`
	Team        string   `json:"t,omitempty"`
	Places      string   `json:"p,omitempty"`
	CurrentStep int      `json:"s"`
	StepsDone   int      `json:"d"`           // steps done or signed off
	Progress    []uint8  `json:"g,omitempty"` // per step: percent of the checklist ticked
	NextDue     string   `json:"due,omitempty"`
	NextWhat    string   `json:"what,omitempty"`
	OpenDues    []string `json:"dues,omitempty"` // due days of open agreements, sorted
	dueIDs      []string // the agreement ids of OpenDues, in the same order
	Conflicts   int      `json:"c,omitempty"`
	LastChange  HLC      `json:"l"`
	Removed     bool     `json:"r,omitempty"`
	// Waiting are the steps marked done that wait for a coordinator's
	// review, in step order. The review queue is built from these, so a
	// coordinator's list never reads (and audits) whole dossiers.
	Waiting []WaitingStep `json:"w,omitempty"`
	// ShareEnds are the last days (until) of the dossier's shares that
	// stand (not removed, not withdrawn, with an end), sorted: the list
	// flags consents that end soon from these (ConsentEndsWithin).
	ShareEnds []string `json:"se,omitempty"`
	// BirthYear is the client's birth year as entered (the list's
	// duplicate mark compares it with the name, store.DupKey).
	BirthYear string `json:"b,omitempty"`
}

// WaitingStep is a step a coach marked done, waiting to be signed off or
// sent back.
type WaitingStep struct {
	Step  int    `json:"n"`
	Since HLC    `json:"h"`           // when it was marked done
	By    string `json:"b,omitempty"` // who marked it done
}

// OverdueOn counts the open agreements due before day (YYYY-MM-DD).
func (s Summary) OverdueOn(day string) int {
	n := 0
	for _, d := range s.OpenDues {
		if d < day {
			n++
		}
	}
	return n
}

// summarise derives the list summary of a client, given the checklist size
// of each step of the method.
func summarise(c *Client, checklist []int) Summary {
	s := Summary{ID: c.ID, Name: c.Name.Value, Team: c.Team.Value, Places: c.Places.Value, BirthYear: c.BirthYear.Value,
		CurrentStep: c.CurrentStep(), Conflicts: len(c.Conflicts), LastChange: c.LastChange, Removed: !c.Exists}
	for i, st := range c.Steps {
		switch st.StatusOrOpen() {
		case StepDone:
			s.StepsDone++
			s.Waiting = append(s.Waiting, WaitingStep{Step: st.N, Since: MakeHLC(st.Status.At, 0), By: st.Status.By})
		case StepSignedOff:
			s.StepsDone++
		}
		total := 0
		if i < len(checklist) {
			total = checklist[i]
		}
		ticked := 0
		for _, v := range st.Checks {
			if v.Value == "1" {
				ticked++
			}
		}
		pct := 0
		if total > 0 {
			pct = min(100, ticked*100/total)
		}
		s.Progress = append(s.Progress, uint8(pct))
	}
	type due struct{ day, id, what string }
	var dues []due
	for _, a := range c.Agreements {
		if a.Removed || a.Done.Value == "1" || a.Due.Value == "" || !c.Exists {
			continue
		}
		dues = append(dues, due{a.Due.Value, a.ID, a.What.Value})
	}
	sort.Slice(dues, func(i, j int) bool {
		if dues[i].day != dues[j].day {
			return dues[i].day < dues[j].day
		}
		return dues[i].id < dues[j].id
	})
	for i, d := range dues {
		if i == 0 {
			s.NextDue, s.NextWhat = d.day, firstLine(d.what, 60)
		}
		s.OpenDues = append(s.OpenDues, d.day)
		s.dueIDs = append(s.dueIDs, d.id)
	}
	for _, sh := range c.Shares {
		if c.Exists && !sh.Removed && sh.Withdrawn.Value == "" && sh.Until.Value != "" {
			s.ShareEnds = append(s.ShareEnds, sh.Until.Value)
		}
	}
	sort.Strings(s.ShareEnds)
	return s
}

func firstLine(s string, max int) string {
	for i, r := range s {
		if r == '\n' {
			s = s[:i]
			break
		}
	}
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// Age returns the client's age in the given year, or 0 when unknown.
func (c *Client) Age(year int) int {
	y, err := strconv.Atoi(c.BirthYear.Value)
	if err != nil {
		return 0
	}
	return year - y
}
