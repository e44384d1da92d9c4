package store

import (
	"errors"
	"testing"
)

func TestParseFieldAndValue(t *testing.T) {
	id := NewID()
	tests := []struct {
		field, value string
		kind         Kind
		ok           bool
	}{
		{"name", "Sanne", KindScalar, true},
		{"name", "two\nlines", KindScalar, false},
		{"birthyear", "1990", KindYear, true},
		{"birthyear", "90", KindYear, false},
		{"places", "dagbesteding,werkervaringsplaats", KindPlaces, true},
		{"places", "dagbesteding,maan", KindPlaces, false},
		{"route_target", "banenafspraak", KindPlace, true},
		{"benefit", "wajong", KindEnum, true},
		{"benefit", "lotto", KindEnum, false},
		{"exists", "1", KindBool, true},
		{"exists", "yes", KindBool, false},
		{"step/3/status", "done", KindStatus, true},
		{"step/3/status", "finished", KindStatus, false},
		{"step/3/check/c2", "1", KindBool, true},
		{"step/3/answer/q1", "Ze wil graag\nmet dieren werken.", KindText, true},
		{"step/3/note", "", KindText, true},
		{"agreement/" + id + "/due", "2026-12-01", KindDate, true},
		{"agreement/" + id + "/due", "1-12-2026", KindDate, false},
		{"agreement/" + id + "/what", "Bellen met UWV", KindText, true},
		{"journal/" + id + "/kind", "bezoek", KindEnum, true},
		{"indication/" + id + "/kind", "uwv-beschut", KindEnum, true},
		{"arrangement/" + id + "/kind", "loonwaarde", KindEnum, true},
		{"move/" + id + "/to", "beschut-werk", KindPlaces, true},
		{"contact/" + id + "/email", "a@b.nl", KindScalar, true},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			p, k, err := ParseField(tt.field)
			if err != nil {
				t.Fatalf("ParseField: %v", err)
			}
			if k != tt.kind {
				t.Errorf("kind = %d, want %d", k, tt.kind)
			}
			err = ValidateValue(p, k, tt.value)
			if (err == nil) != tt.ok {
				t.Errorf("ValidateValue(%q) = %v, want ok=%v", tt.value, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestParseFieldRefusesBadNames(t *testing.T) {
	for _, f := range []string{"", "nam", "step/0/status", "step/03/status", "step/x/status", "step/1/check/C1",
		"step/1/check/", "step/1/answer/q1/x", "agreement/notanid/due", "agreement/" + NewID() + "/colour",
		"planet/" + NewID() + "/name", "step/1/wat", "a/b/c/d/e"} {
		if _, _, err := ParseField(f); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseField(%q) = %v, want ErrInvalid", f, err)
		}
	}
}

func TestValidateOpAgainstMethod(t *testing.T) {
	s := openTest(t, Options{})
	d := NewID()
	good := mkOp(d, "step/1/check/c1", "1", 1<<20, "dev")
	if err := ValidateOp(good, s.Method()); err != nil {
		t.Fatalf("valid op refused: %v", err)
	}
	for _, f := range []string{"step/9/status", "step/1/check/zz9", "step/1/answer/zz9"} {
		op := mkOp(d, f, "1", 1<<20, "dev")
		if f == "step/9/status" {
			op.Value = "done"
		}
		if err := ValidateOp(op, s.Method()); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateOp(%s) = %v, want ErrInvalid", f, err)
		}
	}
	bad := good
	bad.Author = ""
	if err := ValidateOp(bad, nil); err == nil {
		t.Error("op without author accepted")
	}
	bad = good
	bad.Prev = []string{"nope"}
	if err := ValidateOp(bad, nil); err == nil {
		t.Error("op with a bad prev id accepted")
	}
}
