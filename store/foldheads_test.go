package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// TestFoldHeadsIsClientAndSummary: a dossier folded from its head ops
// (FoldHeads, Summarise: what a server whose log is elsewhere does) is
// the dossier Client gives and the summary Summaries keeps, through
// conflicts, removed entities and moves; Dossiers lists every dossier
// with ops once, in key order.
func TestFoldHeadsIsClientAndSummary(t *testing.T) {
	s := openTest(t, Options{})
	a, err := s.CreateClient(NewClient{Name: "Sara", BirthYear: "1990", Team: "Noord", Places: []Place{PlaceWerkervaring}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateClient(NewClient{Name: "Bram", Team: "Zuid"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ToggleCheck(a, 1, "c1"); err != nil {
		t.Fatal(err)
	}
	ag, err := s.AddEntity(a, EntityAgreement, map[string]string{"what": "CV", "due": "2026-12-01"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveEntity(a, EntityAgreement, ag); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordMove(a, []Place{PlaceDagbesteding}, "2026-11-02", "proef"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(a, Set("step/1/note", "een")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(a, Edit("step/1/note", "twee", nil)); err != nil { // a conflict
		t.Fatal(err)
	}
	if _, err := s.Commit(b, Set("step/1/status", string(StepDone))); err != nil {
		t.Fatal(err)
	}
	sums, err := s.Summaries()
	if err != nil {
		t.Fatal(err)
	}
	checklist := Checklist(s.Method())
	var listed [][]byte
	err = s.View(func(tx *Tx) error {
		if err := tx.Dossiers(func(dk []byte) error { listed = append(listed, dk); return nil }); err != nil {
			return err
		}
		for i, dk := range listed {
			keys, err := tx.HeadKeys(dk, nil)
			if err != nil {
				return err
			}
			raws, err := tx.DossierJSON(dk, func(k []byte) bool {
				return slices.ContainsFunc(keys, func(h []byte) bool { return bytes.Equal(h, k) })
			}, nil)
			if err != nil {
				return err
			}
			var heads []Op
			for _, raw := range raws {
				var op Op
				if err := json.Unmarshal(raw, &op); err != nil {
					return err
				}
				heads = append(heads, op)
			}
			slices.Reverse(heads) // order does not matter
			id := idString(dk)
			got, err := FoldHeads(id, heads, checklist)
			if err != nil {
				return err
			}
			want, err := s.Client(id)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("FoldHeads(%s) =\n%+v\nClient =\n%+v", id, got, want)
			}
			if sm := Summarise(got, checklist); i >= len(sums) || !reflect.DeepEqual(sm, sums[i]) {
				t.Errorf("Summarise(%s) = %+v, Summaries has %+v", id, sm, sums)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || len(sums) != 2 || idString(listed[0]) != sums[0].ID || idString(listed[1]) != sums[1].ID {
		t.Errorf("Dossiers listed %d dossiers, Summaries %+v", len(listed), sums)
	}
	if _, err := FoldHeads(a, nil, checklist); err == nil {
		t.Error("a dossier without ops folded")
	}
}
