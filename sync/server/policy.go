package server

import (
	"fmt"
	"slices"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// The one policy for ops: whether a user may store an op, judged the same
// way for a device's push (Server.push) and for an SSH session's write
// (Session.hook). Each channel only maps the verdict to its own answer: a
// refusal in the sync response, or an error that rolls the action back.

// opActor is who writes: the account, and for a push the replica id the
// device's ops must carry ("" for an SSH session, whose ops the server's
// own store makes).
type opActor struct {
	user    User
	replica string
}

// opBatch is what the policy knows of the ops written together (one push,
// or one action of a session) beyond the transaction: the team each
// dossier had before them, whether the server held the dossier before,
// and the team a new dossier is created with. A dossier is judged by the
// team it had before the batch; one the server does not know is judged
// by the team it is created with, the earliest team op in the batch, so
// that a coach who created a dossier offline and handed it to another
// team before syncing makes a transfer, not a refused dossier stuck on
// one laptop.
type opBatch struct {
	tx      Tx
	applied bool // the store applied the ops already (a session's hook)
	// headsLater leaves the heads rule to the apply that follows the
	// verdict (boundedApplier): the rule is judged last, so nothing
	// else changes, and the field's heads are read once, not twice.
	headsLater bool
	// prechecked says the ops passed precheck (a push's, before its
	// transaction), which refuses what checkPrintable refuses, with
	// the same code: not checked again here.
	prechecked bool
	before     map[string]string
	existed    func(dossier string) bool
	newTeam    map[string]store.Head // new dossier -> its earliest acceptable team op
	noTeam     map[string]string     // new dossier -> a team it names that the server lacks
	// shares caches the shares of dossiers judged through shareRule:
	// their ops are refused for a user of a team they are shared with, so
	// the batch does not change them for that user.
	shares map[string][]store.ShareTerms
}

// newOpBatch reads what the policy needs of ops before judging them. skip
// marks ops refused already (the push's prechecks); applied says the ops
// are in the log already, and existed then tells whether the server held
// a dossier before them (tx.Exists cannot).
func newOpBatch(tx Tx, a opActor, ops []store.Op, skip func(i int) bool, bound store.HLC, applied bool, existed func(string) bool) *opBatch {
	b := &opBatch{tx: tx, applied: applied, before: map[string]string{}, existed: existed,
		newTeam: map[string]store.Head{}, noTeam: map[string]string{}}
	if b.existed == nil {
		b.existed = tx.Exists
	}
	// An op stamped too far ahead, or not the actor's, creates no dossier;
	// neither does a team op naming a team the server lacks.
	for i, op := range ops {
		if skip(i) || op.Author != a.user.Name || (a.replica != "" && op.Device != a.replica) || op.Field != "team" || (a.replica != "" && op.HLC > bound) || b.teamBefore(op.Dossier) != "" {
			continue
		}
		if !teamExists(tx, op.Value) {
			b.noTeam[op.Dossier] = op.Value
			continue
		}
		h := store.Head{ID: op.ID, Value: op.Value, HLC: op.HLC, Device: op.Device}
		if cur, ok := b.newTeam[op.Dossier]; !ok || h.HLC < cur.HLC || (h.HLC == cur.HLC && h.ID < cur.ID) {
			b.newTeam[op.Dossier] = h
		}
	}
	return b
}

// teamBefore is the team the dossier had before the batch ("" for none).
func (b *opBatch) teamBefore(dossier string) string {
	t, ok := b.before[dossier]
	if !ok {
		t = dossierTeam(b.tx, dossier)
		b.before[dossier] = t
	}
	return t
}

// verdict is the policy's answer for one op: known (a push of an op the
// server holds: acknowledged, not stored again), or refused with a
// reason code (protocol.Refuse*), or neither: accepted.
type verdict struct {
	known   bool
	refusal *protocol.Refusal
}

// judgeOp is the policy: whether actor a may store op, given the batch it
// comes in and the state through b.tx, at now.
//
// Attack: with a copy of the rules per channel, a rule added to one left
// the other open; a user refused over sync could make the same write over SSH.
func judgeOp(b *opBatch, a opActor, op store.Op, now time.Time) (verdict, error) {
	tx, u := b.tx, a.user
	no := func(code, reason string) (verdict, error) {
		r := refuse(op, code, reason)
		return verdict{refusal: &r}, nil
	}
	switch {
	case op.Author != u.Name:
		return no(protocol.RefuseAuthor, fmt.Sprintf("the op's author %q is not this device's user %q", op.Author, u.Name))
	case a.replica != "" && op.Device != a.replica:
		return no(protocol.RefuseDevice, fmt.Sprintf("the op's device %q is not this device's %q; a device pushes only the ops it made", op.Device, a.replica))
	case !b.applied && tx.Known(op.Dossier, op.ID):
		return verdict{known: true}, nil
	}
	if !b.prechecked {
		if err := checkPrintable(op); err != nil {
			return no(protocol.RefuseInvalid, err.Error())
		}
	}
	bound := store.ClockBound(now)
	switch {
	case idElsewhere(tx, op):
		return no(protocol.RefuseInvalid, "the op id is already used by an op of another dossier; every op needs an id of its own")
	case a.replica != "" && op.HLC > bound:
		// (A session's ops are stamped by the server's own clock, which
		// may run one tick past the bound after it saw an op at it.)
		return no(protocol.RefuseClock, fmt.Sprintf("the op is stamped %s, more than %s ahead of the server's clock (%s); set this device's clock right", stampText(op.HLC), protocol.MaxClockAhead, now.Format(time.RFC3339)))
	case tx.Erased(op.Dossier):
		return no(protocol.RefuseErased, "the dossier was erased; it cannot be changed any more")
	case !mayWrite(u.Role):
		return no(protocol.RefuseForbidden, fmt.Sprintf("the role %s does not change dossiers", u.Role))
	}
	team := b.teamBefore(op.Dossier)
	if team == "" {
		team = b.newTeam[op.Dossier].Value
		if team == "" {
			if b.existed(op.Dossier) {
				return no(protocol.RefuseForbidden, "the dossier has no team; set a team of yours in the same push")
			} else if t, ok := b.noTeam[op.Dossier]; ok {
				return no(protocol.RefuseInvalid, fmt.Sprintf("the new dossier is in team %q, which this server does not have; choose one of your teams", t))
			}
			return no(protocol.RefuseUnknown, "the server does not know this dossier; a new dossier needs a team op in the same push")
		}
	}
	if !inTeams(u, team) {
		// A team the dossier is shared with (shares.go).
		if r, err := shareRule(b, u, op, team, now); r != nil || err != nil {
			return verdict{refusal: r}, err
		}
	}
	if op.Field == "team" && !teamExists(tx, op.Value) {
		return no(protocol.RefuseInvalid, fmt.Sprintf("there is no team %q on this server", op.Value))
	}
	if r, err := transferRule(tx, op, team, now); r != nil || err != nil {
		return verdict{refusal: r}, err
	}
	if r := signOffRule(tx, u, op); r != nil {
		return verdict{refusal: r}, nil
	}
	if b.applied {
		// The op is applied already, so this is stricter than a push: an
		// op that is a head of a field holding more than the bound is
		// refused even if it replaced some. A resolve, or any write
		// naming every value it replaces, leaves one head and passes;
		// only a field over the bound from before the bound needs one.
		hs, err := tx.Heads(op.Dossier, op.Field)
		if err != nil {
			return verdict{}, err
		}
		if len(hs) > protocol.MaxFieldHeads && slices.ContainsFunc(hs, func(h store.Head) bool { return h.ID == op.ID }) {
			return no(protocol.RefuseHeads, fmt.Sprintf("the field %q would hold %d conflicting values, more than %d; resolve the conflict first", op.Field, len(hs), protocol.MaxFieldHeads))
		}
		return verdict{}, nil
	}
	if b.headsLater {
		return verdict{}, nil
	}
	r, err := headsRule(tx, op)
	return verdict{refusal: r}, err
}

// RefusedError is the policy's refusal of a session's write: it wraps
// ErrInvalid for an op that is wrong in itself (RefuseInvalid, Unknown,
// Method) and ErrForbidden for the rest, and carries the refusal with
// the code a push would have answered.
type RefusedError struct{ Refusal protocol.Refusal }

func (e *RefusedError) Error() string { return fmt.Sprintf("%v: %s", e.Unwrap(), e.Refusal.Reason) }

// Unwrap gives ErrInvalid or ErrForbidden.
func (e *RefusedError) Unwrap() error {
	switch e.Refusal.Code {
	case protocol.RefuseInvalid, protocol.RefuseUnknown, protocol.RefuseMethod:
		return ErrInvalid
	}
	return ErrForbidden
}
