package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/pgtest"
	"github.com/brug-nl/brug/sync/server/storage"
)

// odd is a team name that JSON and bytea escape.
const odd = "Zuid \\ \"west\""

// answers is what a transaction answers about a token, its device and
// user, a dossier's team, the count of changes and the last number.
type answers struct {
	Device       string
	DeviceOK     bool
	DeviceRec    storage.Device
	User         storage.User
	UserOK       bool
	Teams        []string
	TeamRecs     []storage.TeamRecord // of Teams, and of "Zuid \\ \"west\""
	DossierTeam  string
	Changes, Seq uint64
}

// ask asks tx through its methods (what the transaction keeps answers);
// with dev != "" of that device, without asking for the token's (which
// reads the device, user and teams afresh).
func ask(t *testing.T, tx *Tx, hash []byte, dossier, dev string) answers {
	t.Helper()
	var a answers
	if dev != "" {
		a.Device, a.DeviceOK = dev, true
	} else {
		a.Device, a.DeviceOK = tx.TokenDevice(hash)
	}
	var err error
	if a.DeviceOK {
		var ok bool
		if a.DeviceRec, ok, err = tx.Device(a.Device); err != nil || !ok {
			a.DeviceRec = storage.Device{ID: fmt.Sprintf("not found: %v", err)}
		}
	}
	name := a.DeviceRec.User
	if name == "" {
		name = "anna"
	}
	if a.User, a.UserOK, err = tx.User(name); err != nil {
		t.Fatal(err)
	}
	a.Teams = tx.UserTeams(name)
	if len(a.Teams) == 0 {
		a.Teams = nil
	}
	for _, team := range append(slices.Clone(a.Teams), odd) {
		r, ok, err := tx.Team(team)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			r.Name = "not found"
		}
		a.TeamRecs = append(a.TeamRecs, r)
	}
	a.DossierTeam = tx.DossierTeam(dossier)
	a.Changes, _ = tx.Changes()
	a.Seq = tx.LastSeq()
	return a
}

// fresh asks the database itself, past anything the transaction keeps.
func fresh(t *testing.T, tx *Tx, hash []byte, dossier, dev string) answers {
	t.Helper()
	c, ctx := tx.tx, tx.ctx
	var a answers
	if dev != "" {
		a.Device, a.DeviceOK = dev, true
	} else {
		err := c.QueryRow(ctx, "SELECT device FROM tokens WHERE hash = $1", hash).Scan(&a.Device)
		a.DeviceOK = err == nil
	}
	if a.DeviceOK {
		var raw []byte
		if err := c.QueryRow(ctx, "SELECT rec FROM devices WHERE id = $1", a.Device).Scan(&raw); err == nil {
			a.DeviceRec = mustJSON[storage.Device](t, raw)
		} else {
			a.DeviceRec = storage.Device{ID: "not found: <nil>"}
		}
	}
	name := a.DeviceRec.User
	if name == "" {
		name = "anna"
	}
	var raw []byte
	if err := c.QueryRow(ctx, "SELECT rec FROM users WHERE name = $1", name).Scan(&raw); err == nil {
		a.User, a.UserOK = mustJSON[storage.User](t, raw), true
	} else if !errors.Is(err, pgx.ErrNoRows) {
		t.Fatal(err)
	}
	rows, _ := c.Query(ctx, `SELECT team FROM members WHERE user_name = $1 ORDER BY team COLLATE "C"`, name)
	teams, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) > 0 {
		a.Teams = teams
	}
	for _, team := range append(slices.Clone(a.Teams), odd) {
		var r storage.TeamRecord
		var raw []byte
		if err := c.QueryRow(ctx, "SELECT rec FROM teams WHERE name = $1", team).Scan(&raw); err == nil {
			r = mustJSON[storage.TeamRecord](t, raw)
		} else {
			r.Name = "not found"
		}
		a.TeamRecs = append(a.TeamRecs, r)
	}
	if err := c.QueryRow(ctx, "SELECT team FROM dossier_team WHERE dossier = $1", []byte(dossier)).Scan(&a.DossierTeam); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		t.Fatal(err)
	}
	var n, last int64
	if err := c.QueryRow(ctx, "SELECT (SELECT n FROM changes), (SELECT last FROM seq_counter)").Scan(&n, &last); err != nil {
		t.Fatal(err)
	}
	a.Changes, a.Seq = uint64(n), uint64(last)
	return a
}

func mustJSON[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// What a transaction keeps of what it read (txconn.go: a token's device,
// user and teams read at once, the records asked again, the count of
// changes, the last number) answers as the database would after each of
// the writes a transaction may make between two questions: access
// changes (a role, a team joined or left, a user deleted, a device
// revoked or moved to another user, a token moved, a dossier moved to
// another team) and numbers given. Each write is followed by the
// questions from both sides, in the same transaction.
func TestTransactionKeepsWhatTheDatabaseWouldAnswer(t *testing.T) {
	s := openStorageT(t, pgtest.DB(t), "", store.Options{})
	hash := make([]byte, 32)
	hash[0] = 7
	dossier := string(mk(store.NewID()))
	now := time.Now().UTC().Truncate(time.Second)
	mustUpdate(t, s, func(tx storage.Tx) error {
		for _, name := range []string{"Noord", "Zuid", odd} {
			if err := tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: name, Created: now}}); err != nil {
				return err
			}
		}
		for _, u := range []string{"anna", "bram"} {
			if err := tx.PutUser(storage.User{Name: u, Role: "coach", Created: now}); err != nil {
				return err
			}
		}
		if err := tx.AddMember("Noord", "anna"); err != nil {
			return err
		}
		if err := tx.PutDevice(storage.Device{ID: "dev1", User: "anna", Name: "laptop", Created: now}); err != nil {
			return err
		}
		if err := tx.PutToken(hash, "dev1"); err != nil {
			return err
		}
		return tx.SetDossierTeam(dossier, "Noord")
	})
	steps := []struct {
		name  string
		write func(tx *Tx) error
	}{
		{"nothing", func(*Tx) error { return nil }},
		{"role", func(tx *Tx) error { return tx.PutUser(storage.User{Name: "anna", Role: "coordinator", Created: now}) }},
		{"team joined", func(tx *Tx) error { return tx.AddMember("Zuid", "anna") }},
		{"team left", func(tx *Tx) error { return tx.RemoveMember("Noord", "anna") }},
		{"odd team joined", func(tx *Tx) error { return tx.AddMember(odd, "anna") }},
		{"team's organisation", func(tx *Tx) error {
			return tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: "Zuid", Created: now, Org: "Gemeente \\ x"}})
		}},
		{"odd team's organisation", func(tx *Tx) error {
			return tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: odd, Created: now, Org: "Wijk"}})
		}},
		{"dossier moved", func(tx *Tx) error { return tx.SetDossierTeam(dossier, "Zuid") }},
		{"dossier's team gone", func(tx *Tx) error { return tx.SetDossierTeam(dossier, "") }},
		{"device revoked", func(tx *Tx) error {
			return tx.PutDevice(storage.Device{ID: "dev1", User: "anna", Name: "laptop", Created: now, Revoked: now})
		}},
		{"device to another user", func(tx *Tx) error {
			return tx.PutDevice(storage.Device{ID: "dev1", User: "bram", Name: "laptop", Created: now})
		}},
		{"user deleted", func(tx *Tx) error { return tx.DeleteUser("bram") }},
		{"token to another device", func(tx *Tx) error {
			if err := tx.PutDevice(storage.Device{ID: "dev2", User: "anna", Name: "phone", Created: now}); err != nil {
				return err
			}
			return tx.PutToken(hash, "dev2")
		}},
		{"a number", func(tx *Tx) error {
			op := testOp(store.NewID(), "name", "x")
			if _, err := tx.ApplyJSON(op, nil); err != nil {
				return err
			}
			_, err := tx.NumberOp(op.ID, op.Dossier)
			return err
		}},
		{"a fresh number", func(tx *Tx) error { _, err := tx.NextSeq(); return err }},
		{"numbers raised", func(tx *Tx) error { return tx.RaiseSeq(tx.LastSeq() + 5) }},
		{"a view", func(tx *Tx) error {
			return tx.PutView("dev2", dossier, storage.ViewEntry{State: 1, Seq: tx.LastSeq()})
		}},
	}
	err := s.Update(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		for _, st := range steps {
			before := ask(t, tx, hash, dossier, "") // read (and kept) before the write
			if err := st.write(tx); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			// What was kept (the token's device as before), then all
			// afresh.
			if got, want := ask(t, tx, hash, dossier, before.Device), fresh(t, tx, hash, dossier, before.Device); !reflect.DeepEqual(got, want) {
				t.Errorf("after %s, of device %s: the transaction answers\n%+v\nthe database\n%+v", st.name, before.Device, got, want)
			}
			got, want := ask(t, tx, hash, dossier, ""), fresh(t, tx, hash, dossier, "")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after %s: the transaction answers\n%+v\nthe database\n%+v", st.name, got, want)
			}
			if st.name != "nothing" && st.name != "a view" && reflect.DeepEqual(before, got) {
				t.Errorf("after %s: nothing changed; the step tests nothing", st.name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A View: the same answers as the database gives in its snapshot.
	if err := s.View(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		got := ask(t, tx, hash, dossier, "")
		got2 := ask(t, tx, hash, dossier, "dev2")
		if want := fresh(t, tx, hash, dossier, ""); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got2, want) {
			t.Errorf("in a View: the transaction answers\n%+v\n%+v\nthe database\n%+v", got, got2, want)
		}
		if !slices.Equal(got.Teams, []string{"Zuid", odd}) || got.TeamRecs[0].Org != "Gemeente \\ x" || got.TeamRecs[1].Org != "Wijk" {
			t.Errorf("in a View: teams %v %+v, want Zuid and %s with their organisations", got.Teams, got.TeamRecs, odd)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
