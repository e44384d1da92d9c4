package server

import (
	"fmt"
	"slices"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// Receipts of erasures and drops (docs/sync.md, "Receipts"). Every device
// confirms each erasure and each drop it applied in its next request
// (SyncRequest.ConfirmErased, ConfirmDropped). The server keeps the first
// confirmation of each (x_receipts, with its time) and audits it, so that
// `brug admin erasures` can say, per erased dossier, which devices that
// held it have not confirmed yet. A dossier that comes back into a
// device's view loses the device's receipt of its drop: when it leaves
// again, the device confirms anew.
// (storage.Receipts: no content, ids, names and times only.)

// Audit actions of receipts.
const (
	ActionEraseConfirmed = "erase confirmed" // a device confirmed it erased a dossier
	ActionDropConfirmed  = "drop confirmed"  // a device confirmed it removed a dossier that left its view
)

// Kinds of receipts.
const (
	receiptErased = "erased"
	receiptDrop   = "drop"
)

// receipt is a device's confirmation of an erasure or a drop
// (storage.Receipt).
type receipt = storage.Receipt

// Erasure is what the server keeps of an erased dossier: when, by whom,
// and the devices that held it then, each with its confirmation.
type Erasure struct {
	Dossier string          `json:"dossier"`
	At      time.Time       `json:"at"`
	By      string          `json:"by"`
	Devices []ErasureHolder `json:"devices,omitempty"`
}

// ErasureHolder is a device that held an erased dossier: Confirmed is when
// it confirmed the erasure, zero while it has not. Revoked and Wiped are
// the device's, for the listing (a lost laptop never confirms; one wiped
// holds nothing any more).
type ErasureHolder struct {
	Device    string    `json:"device"`
	Replica   string    `json:"replica,omitempty"`
	User      string    `json:"user"`
	Name      string    `json:"name,omitempty"`
	Confirmed time.Time `json:"confirmed,omitzero"`
	Revoked   time.Time `json:"revoked,omitzero"`
	Wiped     time.Time `json:"wiped,omitzero"`
}

// erasureRecord is the stored form of an Erasure (storage.ErasureRecord).
type erasureRecord = storage.ErasureRecord

// recordErasure keeps, in the erasure's transaction, when and by whom a
// dossier was erased and which devices held it: those with the dossier
// in their view (x_view, state in). An erasure made again (after a
// restore, or to finish one cut off) keeps the first record.
func recordErasure(tx Tx, id string, at time.Time, by string) error {
	dk := string(dkey(id))
	if _, ok, err := tx.Erasure(dk); ok || err != nil {
		return err
	}
	holders, err := tx.DossierHolders(dk, viewIn, viewErased)
	if err != nil {
		return err
	}
	return tx.PutErasure(dk, erasureRecord{At: at, By: by, Holders: holders})
}

// forgetReceipt removes a device's receipt for a dossier: the dossier is
// sent to it (again), and a later drop must be confirmed anew.
func forgetReceipt(tx Tx, dk []byte, device string) error {
	return tx.DeleteReceipt(string(dk), device)
}

// confirm records a device's confirmations of a sync: erasures of
// dossiers the server erased, and drops the server told it of (its view
// holds the drop). Others are ignored: a device cannot make up receipts
// for what it was never told. A confirmation already recorded is not
// recorded or audited again, so a request repeated after a lost answer
// changes nothing.
func (s *Server) confirm(tx Tx, d Device, u User, erased, dropped []string) error {
	now := s.now().UTC()
	put := func(id, kind, action string) error {
		dk := string(dkey(id))
		if _, ok, err := tx.Receipt(dk, d.ID); ok || err != nil {
			return err
		}
		if err := tx.PutReceipt(dk, d.ID, receipt{Kind: kind, At: now}); err != nil {
			return err
		}
		return audit(tx, AuditEntry{Time: now, Channel: ChannelSync, User: u.Name, Device: d.ID, Action: action, Dossier: id})
	}
	told := func(id string, states ...byte) bool {
		v, ok := tx.View(d.ID, string(dkey(id)))
		return ok && slices.Contains(states, v.State)
	}
	for _, id := range erased {
		if !store.ValidID(id) || !tx.Erased(id) || !told(id, viewErased, viewIn) {
			continue
		}
		if err := put(id, receiptErased, ActionEraseConfirmed); err != nil {
			return err
		}
	}
	for _, id := range dropped {
		if !store.ValidID(id) || !told(id, viewDrop) {
			continue
		}
		if err := put(id, receiptDrop, ActionDropConfirmed); err != nil {
			return err
		}
	}
	return nil
}

// erasures reads the erasure records, all or one dossier's (id ""), with
// their holders and confirmations, oldest erasure first.
func erasures(tx Tx, id string) ([]Erasure, error) {
	devices := map[string]Device{}
	ds, err := listDevices(tx, "")
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		devices[d.ID] = d
	}
	var out []Erasure
	read := func(dk []byte, rec erasureRecord) error {
		e := Erasure{Dossier: idString(dk), At: rec.At, By: rec.By}
		holder := func(dev string) *ErasureHolder {
			for i := range e.Devices {
				if e.Devices[i].Device == dev {
					return &e.Devices[i]
				}
			}
			d := devices[dev]
			e.Devices = append(e.Devices, ErasureHolder{Device: dev, Replica: d.Replica, User: d.User, Name: d.Name, Revoked: d.Revoked, Wiped: d.Wiped})
			return &e.Devices[len(e.Devices)-1]
		}
		for _, dev := range rec.Holders {
			holder(dev)
		}
		// Receipts of this dossier: a device may confirm that it erased
		// it without being a holder on record (it held the dossier in a
		// view the server had already forgotten).
		err := tx.DossierReceipts(string(dk), func(dev string, r receipt) error {
			if r.Kind == receiptErased {
				holder(dev).Confirmed = r.At
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("receipt of %s: %w", idString(dk), err)
		}
		slices.SortFunc(e.Devices, func(a, b ErasureHolder) int {
			if c := a.Confirmed.Compare(b.Confirmed); c != 0 {
				return c
			}
			return compareStrings(a.User+a.Device, b.User+b.Device)
		})
		out = append(out, e)
		return nil
	}
	if id != "" {
		rec, ok, err := tx.Erasure(string(dkey(id)))
		if err != nil {
			return nil, fmt.Errorf("erasure of %s: %w", id, err)
		}
		if !ok {
			return nil, nil
		}
		return out, read(dkey(id), rec)
	}
	err = tx.EachErasure(func(dk string, rec erasureRecord) error { return read([]byte(dk), rec) })
	slices.SortFunc(out, func(a, b Erasure) int { return a.At.Compare(b.At) })
	return out, err
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Pending reports whether some device that held the dossier has not
// confirmed its erasure, not counting wiped devices (they hold nothing).
func (e Erasure) Pending() int {
	n := 0
	for _, h := range e.Devices {
		if h.Confirmed.IsZero() && h.Wiped.IsZero() {
			n++
		}
	}
	return n
}

// Erasures lists erased dossiers, all or one (an id), with the devices
// that held each and when each confirmed the erasure. Dossiers erased
// before the server kept erasure records are not listed.
func (a *Admin) Erasures(client string) ([]Erasure, error) {
	if client != "" && !store.ValidID(client) {
		return nil, fmt.Errorf("%w: give the dossier's id; an erased dossier has no name any more", ErrInvalid)
	}
	var out []Erasure
	err := a.s.db.View(func(tx Tx) error {
		var err error
		out, err = erasures(tx, client)
		return err
	})
	return out, err
}
