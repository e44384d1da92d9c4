package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/method"
)

// stepWeights is how clients spread over the steps: a funnel, as in a real
// region, where more people are getting to know the way than are in work.
var stepWeights = []float64{0.34, 0.26, 0.17, 0.10, 0.08, 0.05}

// routeTargets are the places a route aims at, with their weights.
var routeTargets = []struct {
	place  store.Place
	weight float64
}{
	{store.PlaceWerkervaring, 0.22}, {store.PlaceBeschut, 0.22}, {store.PlaceBanenafspraak, 0.26},
	{store.PlaceRegulier, 0.10}, {store.PlaceVrijwillig, 0.12}, {store.PlaceOpleiding, 0.08},
}

var benefits = []string{"wajong", "wajong", "participatiewet", "participatiewet", "wlz", "geen", "wia"}

// builder makes the ops of one client. Events are scheduled at times and
// run in time order, so that each op's Prev names the heads its author had
// seen, as on a real laptop.
type builder struct {
	r       *rand.Rand
	m       *method.Method
	now     time.Time
	dossier string

	coach, colleague, coordinator person
	team                          string

	events []event
	ops    []store.Op
	heads  map[string][]string // field -> current head op ids
	places string              // the client's current places
	last   store.HLC
	at     time.Time // the time of the event being run
	detail float64   // scales optional content to the ops budget
}

type event struct {
	at  time.Time
	seq int
	run func()
}

// schedule queues fn to run at t (never after now).
func (b *builder) schedule(t time.Time, fn func()) {
	if latest := b.now.Add(-time.Hour); t.After(latest) {
		t = latest
	}
	b.events = append(b.events, event{at: t, seq: len(b.events), run: fn})
}

func (b *builder) runEvents() {
	sort.SliceStable(b.events, func(i, j int) bool {
		if !b.events[i].at.Equal(b.events[j].at) {
			return b.events[i].at.Before(b.events[j].at)
		}
		return b.events[i].seq < b.events[j].seq
	})
	for _, e := range b.events {
		b.at = e.at
		e.run()
	}
	b.events = nil
}

// hlc is the next timestamp at the current event's time; it never goes
// backwards within a client, so every op is later than those it replaces.
func (b *builder) hlc() store.HLC {
	h := store.MakeHLC(b.at, 0)
	if h <= b.last {
		h = b.last + 1
	}
	b.last = h
	return h
}

// set writes field as p, replacing the field's current heads.
func (b *builder) set(p person, field, value string) string {
	prev := b.heads[field]
	id := b.op(p, field, value, prev)
	b.heads[field] = []string{id}
	return id
}

// op appends one op and returns its id.
func (b *builder) op(p person, field, value string, prev []string) string {
	h := b.hlc()
	id := randomID(b.r, h.Time())
	b.ops = append(b.ops, store.Op{ID: id, Dossier: b.dossier, Field: field, Value: value,
		HLC: h, Device: p.Device, Author: p.Handle, Prev: slices.Clone(prev)})
	return id
}

// conflict writes two texts to field from two laptops that had both seen
// the same heads: the merge rule keeps both as a conflict.
func (b *builder) conflict(a, c person, field, va, vc string) {
	prev := b.heads[field]
	ida := b.op(a, field, va, prev)
	idc := b.op(c, field, vc, prev)
	b.heads[field] = []string{ida, idc}
}

// entity creates an entity with fields set in the given order.
func (b *builder) entity(p person, kind string, kv ...string) string {
	id := randomID(b.r, b.at)
	b.set(p, store.EntityField(kind, id, "exists"), "1")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			b.set(p, store.EntityField(kind, id, kv[i]), kv[i+1])
		}
	}
	return id
}

// move records a move on the route the way Store.RecordMove does.
func (b *builder) move(p person, to, reason string) {
	id := randomID(b.r, b.at)
	b.set(p, store.MoveField(id, "exists"), "1")
	b.set(p, store.MoveField(id, "from"), b.places)
	b.set(p, store.MoveField(id, "to"), to)
	b.set(p, store.MoveField(id, "date"), day(b.at))
	b.set(p, "places", to)
	if reason != "" {
		b.set(p, store.MoveField(id, "reason"), reason)
	}
	b.places = to
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// between returns a working-hours moment on a day between a and c.
func (b *builder) between(a, c time.Time) time.Time {
	if !c.After(a) {
		return a
	}
	t := a.Add(time.Duration(b.r.Int64N(int64(c.Sub(a)))))
	y, mo, d := t.Date()
	t = time.Date(y, mo, d, 8, 30, 0, 0, t.Location()).Add(time.Duration(b.r.IntN(8*3600)) * time.Second)
	switch {
	case t.Before(a):
		return a
	case t.After(c):
		return c
	}
	return t
}

// client builds every op of client i.
func (reg *region) client(i int, m *method.Method) []store.Op {
	r := rand.New(rand.NewPCG(uint64(reg.opt.Seed), uint64(i)+1))
	tm := reg.teams[r.IntN(len(reg.teams))]
	ci := r.IntN(len(tm.Coaches))
	b := &builder{r: r, m: m, now: reg.opt.Now, heads: map[string][]string{},
		coach: tm.Coaches[ci], colleague: tm.Coaches[(ci+1)%len(tm.Coaches)],
		coordinator: reg.coordinators[r.IntN(len(reg.coordinators))], team: tm.Name,
		detail: float64(reg.opt.OpsPerClient) / DefaultOpsPerClient}
	steps := len(m.Steps)
	if steps == 0 {
		return nil
	}
	// The first clients cover every step, the rest follow the funnel.
	cur := i%steps + 1
	if i >= steps {
		cur = weighted(r, stepWeights[:min(steps, len(stepWeights))]) + 1
	}
	finished := cur == steps && chance(r, 0.4)

	// The timeline: how long each step took, and how far the current one
	// has come.
	dur := make([]time.Duration, steps+1)
	total := time.Duration(0)
	for k := 1; k <= cur; k++ {
		dur[k] = time.Duration(14+r.IntN(42)) * 24 * time.Hour
		if k == cur && !finished {
			dur[k] = time.Duration(2+r.IntN(28)) * 24 * time.Hour
		}
		total += dur[k]
	}
	start := b.now.Add(-total - time.Duration(24+r.IntN(48))*time.Hour)
	y, mo, d := start.Date()
	start = time.Date(y, mo, d, 9, r.IntN(60), r.IntN(60), 0, start.Location())
	ws := make([]time.Time, steps+2) // ws[k]: start of step k
	ws[1] = start
	for k := 1; k <= cur; k++ {
		ws[k+1] = ws[k].Add(dur[k])
	}
	b.dossier = randomID(r, start)

	target := routeTargets[weightedTargets(r)].place
	b.schedule(start, func() { b.create(reg.names[i], r) })
	b.indicationsAtStart(start, r)
	for k := 1; k <= cur; k++ {
		done := k < cur || finished
		b.stepWork(k, ws[k], ws[k+1], done)
		b.stepContacts(k, ws[k], ws[k+1], target)
		b.stepAgreements(k, ws[k], ws[k+1])
		if done {
			b.stepDone(k, ws[k+1], k == steps)
		}
	}
	b.route(cur, ws, target)
	b.conditions(cur, ws, target)
	if i%25 == 7 {
		b.textConflict(cur)
	}
	b.runEvents()

	// Journal entries fill the client up to its share of the ops budget:
	// later steps have a longer history.
	budget := float64(reg.opt.OpsPerClient) * (0.45 + 0.3*float64(cur-1)) * (0.85 + 0.3*r.Float64())
	for n := 0; n == 0 || float64(len(b.ops)+5) <= budget; n++ {
		b.at = b.between(start, b.now.Add(-2*time.Hour))
		// A journal entry is its own entity: its ops replace nothing, so
		// their clock starts from its own time, not after the history.
		last := b.last
		b.last = 0
		b.journal()
		b.last = max(last, b.last)
	}
	return b.ops
}

func weighted(r *rand.Rand, ws []float64) int {
	sum := 0.0
	for _, w := range ws {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

func weightedTargets(r *rand.Rand) int {
	ws := make([]float64, len(routeTargets))
	for i, t := range routeTargets {
		ws[i] = t.weight
	}
	return weighted(r, ws)
}

// create makes the dossier, as the new-client form does.
func (b *builder) create(name string, r *rand.Rand) {
	c := b.coach
	b.set(c, "exists", "1")
	b.set(c, "name", name)
	b.set(c, "birthyear", strconv.Itoa(b.now.Year()-19-r.IntN(42)))
	b.set(c, "team", b.team)
	coaches := c.Name
	if chance(r, 0.35) {
		coaches += ", " + b.colleague.Name
	}
	b.set(c, "coaches", coaches)
	b.places = string(store.PlaceDagbesteding)
	b.set(c, "places", b.places)
	b.set(c, "benefit", pick(r, benefits))
	b.set(c, store.FieldStepStatus(1), string(store.StepActive))
}

// byWhom is mostly the coach, sometimes the colleague.
func (b *builder) byWhom() person {
	if chance(b.r, 0.15) {
		return b.colleague
	}
	return b.coach
}

// stepWork ticks checklist items, answers questions and writes a note in
// step k between from and to.
func (b *builder) stepWork(k int, from, to time.Time, done bool) {
	st, ok := b.m.Step(k)
	if !ok {
		return
	}
	r := b.r
	pTick, pAnswer := 0.85, 0.4*b.detail
	if !done {
		pTick, pAnswer = 0.1+0.6*r.Float64(), 0.25*b.detail
	}
	end := to
	if !done {
		end = b.now.Add(-2 * time.Hour)
	}
	for _, it := range st.Checklist {
		if !chance(r, pTick) {
			continue
		}
		field := store.FieldCheck(k, it.ID)
		t := b.between(from, end)
		p := b.byWhom()
		b.schedule(t, func() { b.set(p, field, "1") })
		if chance(r, 0.04) { // ticked by mistake, unticked, ticked again later
			b.schedule(t.Add(10*time.Minute), func() { b.set(p, field, "0") })
			b.schedule(b.between(t.Add(time.Hour), end), func() { b.set(p, field, "1") })
		}
	}
	for _, q := range st.Questions {
		if !chance(r, pAnswer) {
			continue
		}
		field := store.FieldAnswer(k, q.ID)
		text := answerFor(r, k, q.ID)
		t := b.between(from, end)
		p := b.byWhom()
		b.schedule(t, func() { b.set(p, field, text) })
		if chance(r, 0.15*b.detail) { // revised later by the coach
			extra := text + "\n\nAanvulling: " + pick(r, stepNotes)
			b.schedule(b.between(t.Add(time.Hour), end), func() { b.set(b.coach, field, extra) })
		}
	}
	if chance(r, 0.3*b.detail) {
		note := pick(r, stepNotes)
		b.schedule(b.between(from, end), func() { b.set(b.coach, store.FieldStepNote(k), note) })
	}
}

func answerFor(r *rand.Rand, step int, q string) string {
	if pool := answers[step][q]; len(pool) > 0 {
		return pick(r, pool)
	}
	return pick(r, genericAnswers)
}

// stepDone marks step k done at t and starts the next; a coordinator signs
// some steps off and sends a few back first.
func (b *builder) stepDone(k int, t time.Time, last bool) {
	r := b.r
	field := store.FieldStepStatus(k)
	b.schedule(t, func() {
		b.set(b.coach, field, string(store.StepDone))
		if !last {
			b.set(b.coach, store.FieldStepStatus(k+1), string(store.StepActive))
		}
	})
	back := chance(r, 0.08)
	signed := chance(r, 0.5)
	comment := pick(r, sendBackComments)
	when := t.Add(time.Duration(1+r.IntN(4)) * 24 * time.Hour)
	if when.After(b.now.Add(-2 * time.Hour)) {
		return // too recent for the coordinator to have looked
	}
	if back {
		b.schedule(when, func() {
			b.set(b.coordinator, field, string(store.StepActive))
			b.set(b.coordinator, store.FieldStepComment(k), comment)
		})
		when = when.Add(2 * 24 * time.Hour)
		b.schedule(when, func() { b.set(b.coach, field, string(store.StepDone)) })
		when = when.Add(24 * time.Hour)
	}
	if signed && when.Before(b.now.Add(-2*time.Hour)) {
		b.schedule(when, func() { b.set(b.coordinator, field, string(store.StepSignedOff)) })
	}
}

// contact adds a network contact with a fictional phone number and mail
// address.
func (b *builder) contact(role, org string) {
	r := b.r
	name := pick(r, firstNames) + " " + pick(r, lastNames)
	phone := ""
	if chance(r, 0.7) {
		phone = fmt.Sprintf("06-0%07d", r.IntN(10_000_000))
	}
	email := ""
	if org != "" && chance(r, 0.4) {
		email = handle(name) + "@" + domain(org) + ".example"
	}
	p := b.byWhom()
	b.entity(p, store.EntityContact, "role", role, "org", org, "name", name, "phone", phone, "email", email)
}

// stepContacts adds the partners that come into view in step k.
func (b *builder) stepContacts(k int, from, to time.Time, target store.Place) {
	r := b.r
	type c struct{ role, org string }
	var cs []c
	switch k {
	case 1:
		cs = append(cs, c{"begeleider dagbesteding", pick(r, careProviders)})
		if chance(r, 0.6) {
			cs = append(cs, c{pick(r, []string{"moeder", "vader", "zus", "broer", "mentor", "bewindvoerder"}), ""})
		}
	case 2:
		cs = append(cs, c{"klantmanager Werk & Inkomen", municipality})
		if target == store.PlaceBeschut {
			cs = append(cs, c{"consulent Beschut Werk", municipality})
		}
		if strings.HasPrefix(b.team, "Wijkteam") && chance(r, 0.5) {
			cs = append(cs, c{"wijkteamlid", b.team})
		}
		others := []c{{"Wmo-consulent", municipality}, {"arbeidsdeskundige", uwv}, {"accountmanager", wsp}}
		for _, j := range r.Perm(len(others))[:r.IntN(2)] {
			cs = append(cs, others[j])
		}
	case 5:
		cs = append(cs, c{"werkgever", pick(r, employers)})
		if chance(r, 0.3) {
			cs = append(cs, c{"jobcoach", sob})
		}
	}
	for _, x := range cs {
		b.schedule(b.between(from, minTime(to, b.now)), func() { b.contact(x.role, x.org) })
	}
}

// stepAgreements makes one or two agreements in step k; those due before
// now are mostly done, the rest are overdue.
func (b *builder) stepAgreements(k int, from, to time.Time) {
	r := b.r
	pool := agreementPools[k]
	if len(pool) == 0 {
		return
	}
	n := 0
	switch x := r.Float64() / b.detail; {
	case x < 0.08:
		n = 2
	case x < 0.55:
		n = 1
	}
	for _, j := range r.Perm(len(pool))[:min(n, len(pool))] {
		a := pool[j]
		made := b.between(from, minTime(to, b.now.Add(-3*time.Hour)))
		due := made.Add(time.Duration(5+r.IntN(25)) * 24 * time.Hour)
		person := b.coach.Name
		if a.role != "jobcoach" {
			person = pick(r, firstNames) + " " + pick(r, lastNames)
		}
		var id string
		b.schedule(made, func() {
			id = b.entity(b.coach, store.EntityAgreement, "what", a.what, "role", a.role, "org", a.org,
				"person", person, "due", day(due))
		})
		doneAt := due.Add(time.Duration(r.IntN(6)-4) * 24 * time.Hour)
		pDone := 0.7
		if k < 3 {
			pDone = 0.85
		}
		if doneAt.Before(b.now) && doneAt.After(made) && chance(r, pDone) {
			b.schedule(doneAt, func() { b.set(b.byWhom(), store.AgreementField(id, "done"), "1") })
		}
	}
}

// indicationsAtStart records the indication the day activities run on.
func (b *builder) indicationsAtStart(start time.Time, r *rand.Rand) {
	kind := "wmo"
	if chance(r, 0.25) {
		kind = "wlz"
	}
	date := start.AddDate(0, 0, -100-r.IntN(600))
	until := date.AddDate(2+r.IntN(2), 0, 0)
	note := pick(r, indicationNotes[kind])
	b.schedule(start.Add(time.Duration(1+r.IntN(3))*24*time.Hour), func() {
		b.entity(b.coach, store.EntityIndication, "kind", kind, "date", day(date), "until", day(until), "note", note)
	})
}

// route sets the route target in step 3 and records the moves of steps 4
// to 6: one foot in each world first, sometimes a step back, and the target
// place at the end.
func (b *builder) route(cur int, ws []time.Time, target store.Place) {
	r := b.r
	if cur < 3 {
		return
	}
	b.schedule(b.between(ws[3], minTime(ws[4], b.now)), func() { b.set(b.coach, "route_target", string(target)) })
	dag := string(store.PlaceDagbesteding)
	if cur == 4 && chance(r, 0.3) {
		b.schedule(b.between(ws[4], b.now), func() {
			b.move(b.coach, dag+","+string(store.PlaceVrijwillig), pick(b.r, forwardReasons))
		})
	}
	if cur < 5 {
		return
	}
	inter := store.PlaceWerkervaring
	switch target {
	case store.PlaceBeschut, store.PlaceVrijwillig, store.PlaceOpleiding, store.PlaceWerkervaring:
		inter = target
	}
	oneFoot := dag + "," + string(inter)
	t := ws[5].Add(time.Duration(2+r.IntN(5)) * 24 * time.Hour)
	b.schedule(t, func() { b.move(b.coach, oneFoot, pick(b.r, forwardReasons)) })
	if chance(r, 0.3) { // a step back, and often forward again
		tb := b.between(t.Add(7*24*time.Hour), minTime(ws[cur+1], b.now))
		b.schedule(tb, func() { b.move(b.coach, dag, pick(b.r, backReasons)) })
		if chance(r, 0.6) {
			b.schedule(b.between(tb.Add(14*24*time.Hour), b.now), func() { b.move(b.coach, oneFoot, pick(b.r, forwardReasons)) })
		}
	}
	if cur == 6 && chance(r, 0.6) {
		end := string(target)
		if chance(r, 0.35) {
			end = dag + "," + end // keeps a day in day activities
		}
		if end != oneFoot {
			b.schedule(b.between(ws[6], b.now), func() { b.move(b.coach, end, pick(b.r, forwardReasons)) })
		}
	}
}

// conditions records the indications and arrangements of step 4.
func (b *builder) conditions(cur int, ws []time.Time, target store.Place) {
	r := b.r
	if cur < 4 {
		return
	}
	from, to := ws[4], minTime(ws[5], b.now)
	switch target {
	case store.PlaceBeschut:
		note := pick(r, indicationNotes["uwv-beschut"])
		d := b.between(from, to)
		b.schedule(d, func() { b.entity(b.coach, store.EntityIndication, "kind", "uwv-beschut", "date", day(d), "note", note) })
	case store.PlaceBanenafspraak, store.PlaceRegulier:
		note := pick(r, indicationNotes["doelgroepenregister"])
		d := b.between(from, to)
		b.schedule(d, func() {
			b.entity(b.coach, store.EntityIndication, "kind", "doelgroepenregister", "date", day(d), "note", note)
		})
	default:
		return
	}
	lw := fmt.Sprintf("%d%%", 30+5*r.IntN(10))
	d := b.between(from, to)
	b.schedule(d, func() {
		b.entity(b.coach, store.EntityArrangement, "kind", "loonwaarde", "value", lw,
			"from", day(d), "to", day(d.AddDate(1, 0, 0)))
	})
	if chance(r, 0.5) {
		lvl := pick(r, zelfredzaamheidLevels)
		d2 := b.between(from, to)
		b.schedule(d2, func() {
			b.entity(b.coach, store.EntityArrangement, "kind", "zelfredzaamheid", "value", lvl, "from", day(d2))
		})
	}
	if cur == 6 && chance(r, 0.2) {
		d3 := b.between(ws[6], b.now)
		b.schedule(d3, func() {
			b.entity(b.coach, store.EntityIndication, "kind", "herbeoordeling", "date", day(d3),
				"note", indicationNotes["herbeoordeling"][0])
		})
	}
}

// textConflict has the coach and a colleague (or the coordinator) write
// the same answer on two laptops that had not synced: both texts stay.
func (b *builder) textConflict(cur int) {
	r := b.r
	k := 1 + r.IntN(cur)
	st, ok := b.m.Step(k)
	if !ok || len(st.Questions) == 0 {
		return
	}
	q := pick(r, st.Questions).ID
	field := store.FieldAnswer(k, q)
	va, vc := answerFor(r, k, q), pick(r, conflictAnswers)
	other := b.colleague
	if other.Device == b.coach.Device || chance(r, 0.3) {
		other = b.coordinator
	}
	// After every other answer op (those lie at least two hours back), so
	// no later edit settles the conflict.
	t := b.now.Add(-time.Hour - time.Duration(r.IntN(50))*time.Minute)
	b.schedule(t, func() { b.conflict(b.coach, other, field, va, vc) })
}

// journal writes one visit, call or meeting note at the current time.
func (b *builder) journal() {
	r := b.r
	kind := pick(r, store.JournalKinds)
	text := pick(r, journalTexts[kind])
	place := ""
	if kind != "telefoon" {
		place = pick(r, dayPlaces)
	}
	b.entity(b.byWhom(), store.EntityJournal, "kind", kind, "date", day(b.at), "place", place, "text", text)
}

func minTime(a, c time.Time) time.Time {
	if a.Before(c) {
		return a
	}
	return c
}

// domain makes a mail domain from an organisation's name: its last word
// that has letters, lower case.
func domain(org string) string {
	words := strings.Fields(strings.ToLower(org))
	for i := len(words) - 1; i >= 0; i-- {
		w := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, words[i])
		if w != "" {
			return w
		}
	}
	return "org"
}
