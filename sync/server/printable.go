package server

import (
	"fmt"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/store/termsafe"
)

// checkPrintable refuses an op whose value or device id holds control or
// format characters (ESC, BEL, bidi overrides...): they reach the screens
// of every device of the team and of the admin (termsafe). Multi-line text
// fields may hold line breaks and tabs.
func checkPrintable(op store.Op) error {
	if err := termsafe.Check(op.Device); err != nil {
		return fmt.Errorf("%w op %s: device: %v", store.ErrInvalid, op.ID, err)
	}
	_, k, err := store.ParseField(op.Field)
	if err != nil {
		return nil // ValidateOp refuses the field
	}
	check := termsafe.Check
	if k == store.KindText {
		check = termsafe.CheckText
	}
	if err := check(op.Value); err != nil {
		return fmt.Errorf("%w value for %s: %v; remove it and type the text again", store.ErrInvalid, op.Field, err)
	}
	return nil
}
