package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/server/storage"
)

// The backend writes the buckets, keys and encodings the server wrote
// before it had a storage interface, so files written then open unchanged
// and older servers read files written now. Each record is written through
// the interface and read back raw.
func TestLayoutIsTheServerFileOfBefore(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "server.db"), store.Options{Kind: store.FileServer, Author: "server", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	op, dossier := store.NewID(), store.NewID()
	ok16, dk16 := key(op), key(dossier)
	err = db.Update(func(stx storage.Tx) error {
		tx := stx.(*Tx)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(tx.PutUser(storage.User{Name: "anna", Role: "coach", Created: at, Teams: []string{"Noord"}}))
		must(tx.PutTeam(storage.TeamRecord{Team: storage.Team{Name: "Noord", Created: at}}))
		must(tx.AddMember("Noord", "anna"))
		must(tx.PutToken([]byte{1, 2, 3}, "dev1"))
		seq, err := tx.NumberOp(op, dossier)
		must(err)
		must(tx.SetDossierTeam(string(dk16), "Noord"))
		must(tx.PutView("dev1", string(dk16), storage.ViewEntry{State: 'i', Seq: seq}))
		must(tx.PutRefusal(string(dk16), string(ok16), at, "forbidden"))
		must(tx.AppendAudit(storage.AuditEntry{Time: at, Channel: "cli", User: "anna", Action: "x"}))
		must(tx.AppendEpoch(storage.Epoch{ID: "e1", Start: seq, Started: at}))
		must(tx.SetSetting("public_url", []byte("https://brug.example")))

		raw := func(bucket string, k []byte) []byte {
			t.Helper()
			v := tx.bucket(bucket).Get(k)
			if v == nil {
				t.Fatalf("%s: no key %q", bucket, k)
			}
			return v
		}
		jsonIs := func(bucket string, k []byte, want string) {
			t.Helper()
			plain, err := tx.Open(raw(bucket, k))
			must(err)
			if string(plain) != want {
				t.Errorf("%s %q = %s, want %s", bucket, k, plain, want)
			}
		}
		jsonIs("x_users", []byte("anna"), `{"name":"anna","role":"coach","created":"2026-12-05T10:00:00Z"}`)
		jsonIs("x_teams", []byte("Noord"), `{"name":"Noord","created":"2026-12-05T10:00:00Z"}`)
		// The audit log: entry 1 is the chain's start (genesis), entry 2
		// the record of before with its hash at the end (the fields an
		// older server reads are as they were).
		chained := func(k uint64, want string) {
			t.Helper()
			plain, err := tx.Open(raw("x_audit", binary.BigEndian.AppendUint64(nil, k)))
			must(err)
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(want) + `,"hash":"[0-9a-f]{64}"}$`).Match(plain) {
				t.Errorf("x_audit %d = %s, want %s with a hash", k, plain, want)
			}
		}
		chained(1, `{"seq":1,"time":"2026-12-05T10:00:00Z","channel":"server","user":"brug serve","action":"audit chain start","detail":"covers 0 earlier entries"`)
		chained(2, `{"seq":2,"time":"2026-12-05T10:00:00Z","channel":"cli","user":"anna","action":"x"`)
		if v := raw("x_members", []byte("Noord\x00anna")); !bytes.Equal(v, []byte{1}) {
			t.Errorf("x_members value %q", v)
		}
		if v := raw("x_tokens", []byte{1, 2, 3}); string(v) != "dev1" {
			t.Errorf("x_tokens value %q", v)
		}
		if v := raw("x_seq", binary.BigEndian.AppendUint64(nil, seq)); !bytes.Equal(v, append(bytes.Clone(ok16), dk16...)) || tx.bucket("x_seq").Sequence() != seq {
			t.Errorf("x_seq value %x, counter %d", v, tx.bucket("x_seq").Sequence())
		}
		if v := raw("x_op_dossier", ok16); !bytes.Equal(v, dk16) {
			t.Errorf("x_op_dossier value %x", v)
		}
		if v := raw("x_dossier_team", dk16); string(v) != "Noord" {
			t.Errorf("x_dossier_team value %q", v)
		}
		raw("x_team_dossiers", append([]byte("Noord\x00"), dk16...))
		if v := raw("x_view", append([]byte("dev1\x00"), dk16...)); !bytes.Equal(v, append([]byte{'i'}, binary.BigEndian.AppendUint64(nil, seq)...)) {
			t.Errorf("x_view value %x", v)
		}
		if v := raw("x_refused", append(bytes.Clone(dk16), ok16...)); !bytes.Equal(v, append(binary.BigEndian.AppendUint64(nil, uint64(at.Unix())), "forbidden"...)) {
			t.Errorf("x_refused value %x", v)
		}
		var e storage.Epoch
		if err := json.Unmarshal(raw("x_epochs", binary.BigEndian.AppendUint64(nil, 1)), &e); err != nil || e.ID != "e1" {
			t.Errorf("x_epochs is not plain JSON: %+v %v", e, err)
		}
		if v := raw("x_server", []byte("public_url")); string(v) != "https://brug.example" {
			t.Errorf("x_server value %q", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
