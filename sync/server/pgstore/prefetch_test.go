package pgstore

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// prefetchAnswers is what a sync asks of what PrefetchedUpdate reads
// ahead: tokens' devices, the device, its user and teams, the dossiers'
// teams, the device's views, the ops' dossiers and the dossiers' op
// logs.
type prefetchAnswers struct {
	Token1, Token2     string
	Token1OK, Token2OK bool
	Device             storage.Device
	DeviceOK           bool
	User               storage.User
	UserOK             bool
	Teams              []string
	TeamRecs           []storage.TeamRecord
	DossierTeams       [2]string
	Views              [2]storage.ViewEntry
	ViewsOK            [2]bool
	OpDossiers         [3]string
	OpDossiersOK       [3]bool
	Known              [3]bool
	Heads              [2][]store.Head
	Erased, Exists     [2]bool
	Shared             [2][]string
}

func askPrefetched(t *testing.T, tx *Tx, h1, h2 []byte, d [2]string, ops [3]store.Op) prefetchAnswers {
	t.Helper()
	var a prefetchAnswers
	a.Token1, a.Token1OK = tx.TokenDevice(h1)
	a.Token2, a.Token2OK = tx.TokenDevice(h2)
	var err error
	if a.Device, a.DeviceOK, err = tx.Device(a.Token1); err != nil {
		t.Fatal(err)
	}
	if a.User, a.UserOK, err = tx.User(a.Device.User); err != nil {
		t.Fatal(err)
	}
	a.Teams = tx.UserTeams(a.Device.User)
	for _, team := range a.Teams {
		r, _, err := tx.Team(team)
		if err != nil {
			t.Fatal(err)
		}
		a.TeamRecs = append(a.TeamRecs, r)
	}
	for i, dossier := range d {
		dk := string(mk(dossier))
		a.DossierTeams[i] = tx.DossierTeam(dk)
		a.Views[i], a.ViewsOK[i] = tx.View(a.Token1, dk)
		a.Erased[i] = tx.Erased(dossier)
		a.Exists[i] = tx.Exists(dossier)
		a.Shared[i] = tx.SharedTeams(dk)
		if a.Heads[i], err = tx.Heads(dossier, "name"); err != nil {
			t.Fatal(err)
		}
	}
	for i, op := range ops {
		a.OpDossiers[i], a.OpDossiersOK[i] = tx.OpDossier(string(mk(op.ID)))
		a.Known[i] = tx.Known(op.Dossier, op.ID)
	}
	return a
}

// A transaction begun by PrefetchedUpdate (what a group of syncs asks
// first, read with its BEGIN) answers every question as the same
// transaction does when it reads each on demand, after each of the
// writes a sync or an admin may make before asking: access changes (a
// role, a team joined or left, a share given and withdrawn, a dossier
// moved, a device revoked or given to another user, a token moved, a
// user deleted), views written and dropped, ops stored and numbered, a
// dossier erased. Each step is a transaction of its own: read ahead,
// write, ask; then the same questions with everything the transaction
// kept dropped. Every other step reads ahead for one sync of one op, the
// others for several.
func TestPrefetchedUpdateAnswersAsOnDemand(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	h1, h2 := make([]byte, 32), make([]byte, 32)
	h1[0], h2[0] = 1, 2 // h2: no device's
	d := [2]string{store.NewID(), store.NewID()}
	dk := [2]string{string(mk(d[0])), string(mk(d[1]))}
	now := time.Now().UTC().Truncate(time.Second)
	first := testOp(d[0], "name", "Jan")
	mustUpdate(t, s, func(tx storage.Tx) error {
		for _, name := range []string{"Noord", "Zuid"} {
			if err := tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: name, Created: now}}); err != nil {
				return err
			}
		}
		for _, u := range []string{"anna", "bram"} {
			if err := tx.PutUser(storage.User{Name: u, Role: "coach", Created: now}); err != nil {
				return err
			}
		}
		for _, err := range []error{
			tx.AddMember("Noord", "anna"),
			tx.AddMember("Zuid", "bram"),
			tx.PutDevice(storage.Device{ID: "dev1", User: "anna", Name: "laptop", Created: now}),
			tx.PutDevice(storage.Device{ID: "dev2", User: "bram", Name: "laptop", Created: now}),
			tx.PutToken(h1, "dev1"),
			tx.SetDossierTeam(dk[0], "Noord"),
			tx.PutView("dev1", dk[0], storage.ViewEntry{State: 'i', Seq: 1}),
		} {
			if err != nil {
				return err
			}
		}
		if _, err := tx.ApplyJSON(first, nil); err != nil {
			return err
		}
		_, err := tx.NumberOp(first.ID, first.Dossier)
		return err
	})
	second := testOp(d[0], "name", "Piet", first.ID)
	third := testOp(d[1], "name", "Kees")
	ops := [3]store.Op{first, second, third}
	apply := func(tx *Tx, op store.Op) error {
		if _, err := tx.ApplyJSON(op, nil); err != nil {
			return err
		}
		_, err := tx.NumberOp(op.ID, op.Dossier)
		return err
	}
	steps := []struct {
		name  string
		write func(tx *Tx) error
	}{
		{"nothing", func(*Tx) error { return nil }},
		{"an op pushed", func(tx *Tx) error { return apply(tx, second) }},
		{"an op to a new dossier", func(tx *Tx) error { return apply(tx, third) }},
		{"role", func(tx *Tx) error { return tx.PutUser(storage.User{Name: "anna", Role: "coordinator", Created: now}) }},
		{"team joined", func(tx *Tx) error { return tx.AddMember("Zuid", "anna") }},
		{"shared", func(tx *Tx) error { return tx.SetSharedTeams(dk[0], []string{"Zuid"}) }},
		{"team left", func(tx *Tx) error { return tx.RemoveMember("Noord", "anna") }},
		{"share withdrawn", func(tx *Tx) error { return tx.SetSharedTeams(dk[0], nil) }},
		{"team's organisation", func(tx *Tx) error {
			return tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: "Zuid", Created: now, Org: "Gemeente"}})
		}},
		{"dossier moved", func(tx *Tx) error { return tx.SetDossierTeam(dk[0], "Zuid") }},
		{"new dossier's team", func(tx *Tx) error { return tx.SetDossierTeam(dk[1], "Noord") }},
		{"view written", func(tx *Tx) error {
			return tx.PutView("dev1", dk[1], storage.ViewEntry{State: 'i', Seq: tx.LastSeq()})
		}},
		{"views written", func(tx *Tx) error {
			return tx.PutViews("dev1", []string{dk[0], dk[1]}, storage.ViewEntry{State: 'o', Seq: tx.LastSeq()})
		}},
		{"view dropped", func(tx *Tx) error { return tx.DeleteView("dev1", dk[0]) }},
		{"device seen", func(tx *Tx) error {
			return tx.PutDevice(storage.Device{ID: "dev1", User: "anna", Name: "laptop", Created: now, LastSeen: now})
		}},
		{"device revoked", func(tx *Tx) error {
			return tx.PutDevice(storage.Device{ID: "dev1", User: "anna", Name: "laptop", Created: now, Revoked: now})
		}},
		{"device to another user", func(tx *Tx) error {
			return tx.PutDevice(storage.Device{ID: "dev1", User: "bram", Name: "laptop", Created: now})
		}},
		{"token to another device", func(tx *Tx) error { return tx.PutToken(h1, "dev2") }},
		{"a second token", func(tx *Tx) error { return tx.PutToken(h2, "dev1") }},
		{"user deleted", func(tx *Tx) error { return tx.DeleteUser("bram") }},
		{"dossier erased", func(tx *Tx) error { return tx.MarkErased(dk[0]) }},
		{"its numbers dropped", func(tx *Tx) error { return tx.DropDossierOps(dk[0]) }},
	}
	for i, st := range steps {
		pre := storage.SyncPrefetch{
			Tokens:   [][]byte{h1, h2},
			Ops:      []string{string(mk(first.ID)), string(mk(second.ID)), string(mk(third.ID))},
			Dossiers: dk[:],
			Views:    []storage.TokenView{{Token: h1, Dossier: dk[0]}, {Token: h1, Dossier: dk[1]}, {Token: h2, Dossier: dk[0]}},
		}
		if i%2 == 1 {
			pre = storage.SyncPrefetch{
				Tokens:   [][]byte{h1},
				Ops:      []string{string(mk(second.ID))},
				Dossiers: dk[:1],
				Views:    []storage.TokenView{{Token: h1, Dossier: dk[0]}},
			}
		}
		err := s.PrefetchedUpdate(pre, func(stx storage.Tx) error {
			tx := stx.(*Tx)
			if st.name == "nothing" && (len(tx.tx.memo.tokens) != 2 || len(tx.tx.memo.views) != 2 || len(tx.dos) != 2 || len(tx.opDossier) != 3) {
				t.Errorf("read ahead: %d tokens, %d views, %d dossiers, %d ops; want 2, 2, 2, 3",
					len(tx.tx.memo.tokens), len(tx.tx.memo.views), len(tx.dos), len(tx.opDossier))
			}
			if err := st.write(tx); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			got := askPrefetched(t, tx, h1, h2, d, ops)
			// On demand: nothing kept.
			tx.tx.memo, tx.dos, tx.opDossier = &recordMemo{}, nil, nil
			want := askPrefetched(t, tx, h1, h2, d, ops)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after %s: read ahead, the transaction answers\n%+v\non demand\n%+v", st.name, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
