package store

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// TestArenaDecodeIsDecodeOp: the decoding a server's compact pages use
// gives every op back as decodeOp does, for ops of every shape (ids and
// prevs not in canonical form, UUIDs in fields, schema 4's JSON), and
// refuses what decodeOp refuses.
func TestArenaDecodeIsDecodeOp(t *testing.T) {
	tab := newActorTable()
	for i, op := range opBinaryCases() {
		dk, _ := idKey(op.Dossier)
		k, _ := idKey(op.ID)
		lkey := logKey(dk, k)
		for _, b := range [][]byte{encodeOp(lkey, &op, tab), mustJSON(t, op)} {
			want, err := decodeOp(lkey, b, tab)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			got, err := (&opArena{}).decode(lkey, b, tab, idString(dk))
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("case %d: got %+v, want %+v", i, got, want)
			}
		}
	}
	// One arena for all: an op's strings stay as they were while later
	// ops are decoded (none is written over).
	var arena opArena
	var got, want []Op
	for range 2000 { // past a block of text and one of prevs
		for _, op := range opBinaryCases() {
			dk, _ := idKey(op.Dossier)
			k, _ := idKey(op.ID)
			lkey := logKey(dk, k)
			b := encodeOp(lkey, &op, tab)
			g, err := arena.decode(lkey, b, tab, idString(dk))
			if err != nil {
				t.Fatal(err)
			}
			w, _ := decodeOp(lkey, b, tab)
			got, want = append(got, g), append(want, w)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("ops decoded with one arena changed as later ops were decoded")
	}
	op := opBinaryCases()[1]
	dk, _ := idKey(op.Dossier)
	k, _ := idKey(op.ID)
	lkey := logKey(dk, k)
	b := encodeOp(lkey, &op, tab)
	for n := range b {
		_, errOld := decodeOp(lkey, b[:n], tab)
		_, errNew := (&opArena{}).decode(lkey, b[:n], tab, idString(dk))
		if (errOld == nil) != (errNew == nil) {
			t.Errorf("cut at %d: decodeOp %v, opArena.decode %v", n, errOld, errNew)
		}
	}
	if _, err := (&opArena{}).decode(lkey, b, newActorTable(), idString(dk)); err == nil {
		t.Error("an op of an unknown actor decoded")
	}
}

func mustJSON(t *testing.T, op Op) []byte {
	t.Helper()
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDossierOpsIsDossierJSON: DossierOps gives the ops DossierJSON gives
// the JSON of, in the same order, with keep choosing the same ones, on a
// plain file and on an encrypted one.
func TestDossierOpsIsDossierJSON(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		var s *Store
		if encrypted {
			s = openEnc(t, filepath.Join(t.TempDir(), "brug.db"), &Encryption{Keyring: newMemKeyring()})
			t.Cleanup(func() { s.Close() })
		} else {
			s = openTest(t, Options{})
		}
		a := fillDossier(t, s, secrets{"Annelies Zwartveld", "bezocht thuis"})
		b := fillDossier(t, s, secrets{"Bartholomeus Kwak", "belde"})
		if _, err := s.Commit(a, Set("step/1/note", "een")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit(a, Edit("step/1/note", "twee", nil)); err != nil { // a conflict: two heads
			t.Fatal(err)
		}
		err := s.View(func(tx *Tx) error {
			for _, id := range []string{a, b} {
				dk, err := idKey(id)
				if err != nil {
					return err
				}
				heads, err := tx.HeadKeys(dk, nil)
				if err != nil {
					return err
				}
				all := func([]byte) bool { return true }
				odd := 0
				everyOther := func([]byte) bool { odd++; return odd%2 == 1 }
				head := func(k []byte) bool {
					for _, h := range heads {
						if string(h) == string(k) {
							return true
						}
					}
					return false
				}
				for name, keep := range map[string]func([]byte) bool{"all": all, "every other": everyOther, "heads": head} {
					odd = 0
					raws, err := tx.DossierJSON(dk, keep, nil)
					if err != nil {
						return err
					}
					odd = 0
					got, err := tx.DossierOps(dk, keep, nil)
					if err != nil {
						return err
					}
					if len(got) != len(raws) || len(got) == 0 {
						t.Errorf("encrypted %v, %s: %d ops, %d JSON", encrypted, name, len(got), len(raws))
						continue
					}
					for i, raw := range raws {
						var want Op
						if err := json.Unmarshal(raw, &want); err != nil {
							return err
						}
						if !reflect.DeepEqual(got[i], want) {
							t.Errorf("encrypted %v, %s, op %d: got %+v, want %+v", encrypted, name, i, got[i], want)
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
