package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
)

// Enroll enrols this device with a one-time code an admin gave its user,
// with no EnrollOptions: a file that holds another user's data is refused
// with an *OtherUserError before anything is recorded.
func Enroll(ctx context.Context, hc *http.Client, st Store, tokens TokenStore, serverURL, code, deviceName string) (*protocol.EnrollResponse, error) {
	return EnrollWith(ctx, hc, st, tokens, serverURL, code, deviceName, EnrollOptions{})
}

// EnrollOptions say what EnrollWith may do with a file that holds another
// user's data (see Occupancy).
type EnrollOptions struct {
	// Adopt records the unsent changes of a file that was never enrolled,
	// made under another name, as the enrolled user: the person enrolling
	// says they made them (a local login name that differs from the
	// account's). Never done without it: that would sign another
	// person's work.
	Adopt bool
	// Replace, when set, is called when the file holds another user's
	// data, after the server accepted the code and before anything is
	// recorded. It must empty the file (the caller first sends the other
	// user's unsent changes with SendPending) and return the store to
	// record the enrolment in. When nil, such a file is refused.
	Replace func(other Occupant) (Store, error)
}

// Occupant is whose data a file holds.
type Occupant struct {
	User     string   // the user the file is enrolled for; "" when never enrolled
	URL      string   // the server it is enrolled with
	Dossiers int      // dossiers on the file
	Unsent   int      // changes made here that no server has yet
	Authors  []string // the authors of those changes, sorted
}

// Occupancy reads whose data st holds.
func Occupancy(st Store) (Occupant, error) {
	var o Occupant
	u, err := st.Meta(MetaUser)
	if err != nil {
		return o, err
	}
	o.User = string(u)
	if u, err = st.Meta(MetaURL); err != nil {
		return o, err
	}
	o.URL = string(u)
	stats, err := st.Stats()
	if err != nil {
		return o, err
	}
	o.Dossiers, o.Unsent = stats.Clients, stats.Outbox
	if o.Unsent > 0 {
		ops, _, err := st.Outbox(o.Unsent)
		if err != nil {
			return o, err
		}
		for _, op := range ops {
			if !slices.Contains(o.Authors, op.Author) {
				o.Authors = append(o.Authors, op.Author)
			}
		}
		slices.Sort(o.Authors)
	}
	return o, nil
}

// foreignTo reports whether the file holds data of someone other than
// user: it is enrolled for another user, or holds unsent changes made
// under another name (adopt allows those on a file never enrolled).
func (o Occupant) foreignTo(user string, adopt bool) bool {
	if o.User != "" {
		return o.User != user
	}
	for _, a := range o.Authors {
		if a != user && !adopt {
			return true
		}
	}
	return false
}

// OtherUserError refuses an enrolment on a file holding another user's
// data: logging in must not hand one person's dossiers, or the right to
// send their changes, to another.
type OtherUserError struct {
	User  string // who the code enrols
	Other Occupant
}

func (e *OtherUserError) Error() string {
	who := e.Other.User
	if who == "" {
		who = strings.Join(e.Other.Authors, ", ")
	}
	return fmt.Sprintf("the file holds the data of %s (%d dossiers, %d unsent changes), not of %s", who, e.Other.Dossiers, e.Other.Unsent, e.User)
}

// UnsentError is a file whose unsent changes could not all be sent: its
// data must not be wiped.
type UnsentError struct {
	Other   Occupant
	Left    int   // changes still unsent
	Refused int   // changes the server refused, listed on the device
	Err     error // why sending failed; nil when it went but some were refused
}

func (e *UnsentError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d changes of %s could not be sent: %v", e.Left, e.Other.User, e.Err)
	}
	return fmt.Sprintf("%d changes of %s are unsent and %d were refused by the server", e.Left, e.Other.User, e.Refused)
}

func (e *UnsentError) Unwrap() error { return e.Err }

// SendPending sends the unsent changes of the user the file is enrolled
// for, with that user's device token, before the file is handed to
// someone else. It fails with an *UnsentError unless afterwards no change
// waits and none is on the refused list: a change is never dropped
// unseen.
func SendPending(ctx context.Context, hc *http.Client, st Store, tokens TokenStore) error {
	o, err := Occupancy(st)
	if err != nil {
		return err
	}
	if o.Unsent > 0 {
		if o.User == "" || o.URL == "" {
			return &UnsentError{Other: o, Left: o.Unsent, Err: ErrNotEnrolled}
		}
		_, err := (&Syncer{Store: st, HTTP: hc, Tokens: tokens}).Sync(ctx)
		if err != nil {
			left, _ := st.OutboxLen()
			return &UnsentError{Other: o, Left: left, Err: err}
		}
	}
	left, err := st.OutboxLen()
	if err != nil {
		return err
	}
	refused, err := Refused(st)
	if err != nil {
		return err
	}
	if left > 0 || len(refused) > 0 {
		return &UnsentError{Other: o, Left: left, Refused: len(refused)}
	}
	return nil
}

// EnrollWith enrols this device with a one-time code an admin gave its
// user. The device token goes to tokens, never into the database; the
// server URL, the device id and the account name are recorded in st's
// meta. When the device moves to another server, the sync cursor starts
// over. A file that holds another user's data (see Occupancy) is refused
// with an *OtherUserError, or handed to opt.Replace, before anything is
// recorded; another person's changes are never signed as the new user's.
func EnrollWith(ctx context.Context, hc *http.Client, st Store, tokens TokenStore, serverURL, code, deviceName string, opt EnrollOptions) (*protocol.EnrollResponse, error) {
	base, err := NormalizeURL(serverURL)
	if err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, errors.New("no enrolment code given: ask your admin for one")
	}
	var resp protocol.EnrollResponse
	err = post(ctx, hc, base, protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, DeviceName: deviceName}, &resp)
	if err != nil {
		return nil, fmt.Errorf("enrol at %s: %w", base, err)
	}
	if resp.Token == "" {
		return nil, fmt.Errorf("enrol at %s: the server sent no token", base)
	}
	occ, err := Occupancy(st)
	if err != nil {
		return nil, err
	}
	adopt := false
	if occ.foreignTo(resp.User, opt.Adopt) {
		if opt.Replace == nil {
			return nil, &OtherUserError{User: resp.User, Other: occ}
		}
		if st, err = opt.Replace(occ); err != nil {
			return nil, err
		}
	} else {
		adopt = opt.Adopt && occ.User == "" && occ.Unsent > 0
	}
	if err := tokens.Set(base, resp.Token); err != nil {
		return nil, fmt.Errorf("keep the device token: %w", err)
	}
	old, err := st.Meta(MetaURL)
	if err != nil {
		return nil, err
	}
	if string(old) != base {
		// Another server: its epochs and erasure receipts are not this one's.
		for _, name := range []string{MetaCursor, MetaLast, MetaSkew, MetaEpoch, MetaErasure, MetaReport, MetaMethod, store.MetaRegister} {
			if err := st.SetMeta(name, nil); err != nil {
				return nil, err
			}
		}
	}
	for name, v := range map[string]string{MetaURL: base, MetaDevice: resp.DeviceID, MetaUser: resp.User, MetaRole: resp.Role} {
		if err := st.SetMeta(name, []byte(v)); err != nil {
			return nil, fmt.Errorf("record the sync server: %w", err)
		}
	}
	teams, err := json.Marshal(resp.Teams)
	if err != nil {
		return nil, err
	}
	if err := st.SetMeta(MetaTeams, teams); err != nil {
		return nil, fmt.Errorf("record the sync server: %w", err)
	}
	// Only when the person enrolling said so (opt.Adopt), on a file never
	// enrolled: their own work, recorded under a local name, becomes the
	// account's so that the server accepts it.
	if adopt {
		if _, err := st.AdoptOutbox(resp.User); err != nil {
			return nil, fmt.Errorf("record earlier changes as %s: %w", resp.User, err)
		}
	}
	return &resp, nil
}
