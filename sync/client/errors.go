package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/brug-nl/brug/store"
)

// MethodError says why a method file the server sent was refused
// (Result.MethodRefused), in English (Error) and in the user's language
// (In), as the app and the CLI print it under their own message.
type MethodError struct {
	// Problem is MethodNoInfo, MethodTooLarge or MethodHash.
	Problem MethodProblem
	// Size and Max are the file's size and the limit, in bytes, of a
	// MethodTooLarge.
	Size, Max int
}

// MethodProblem is what was wrong with a method file a server sent.
type MethodProblem int

// The problems of a method file a server sent. A file that does not
// parse is refused with the parser's *method.ParseError instead.
const (
	MethodNoInfo   MethodProblem = iota // no id, version and hash beside it
	MethodTooLarge                      // over protocol.MaxMethodBytes
	MethodHash                          // its hash is not the one announced
)

func (e *MethodError) Error() string {
	switch e.Problem {
	case MethodTooLarge:
		return fmt.Sprintf("the server's method file is %d bytes; at most %d", e.Size, e.Max)
	case MethodHash:
		return "the server's method file does not match its hash"
	}
	return "the server sent a method file without its id, version and hash"
}

// In is the error in lang: Error() for English, else Dutch.
func (e *MethodError) In(lang string) string {
	if english(lang) {
		return e.Error()
	}
	switch e.Problem {
	case MethodTooLarge:
		return fmt.Sprintf("het methodebestand van de server is te groot (%d bytes; hoogstens %d); meld het aan je beheerder", e.Size, e.Max)
	case MethodHash:
		return "het methodebestand van de server kwam anders aan dan de server zei (het controlegetal klopt niet); de volgende synchronisatie probeert het opnieuw, meld het aan je beheerder als het blijft"
	}
	return "de server stuurde een methodebestand zonder naam, versie en controlegetal; meld het aan je beheerder"
}

// PulledError is a sync that stopped because this device's store refused
// ops the server sent as invalid: the server's brug knows fields or
// values this one does not (a newer version), or the region's method
// differs from the one on this device. Err is the store's refusal.
type PulledError struct {
	N   int // the ops that were to be applied
	Err error
}

func (e *PulledError) Error() string {
	return fmt.Sprintf("apply %d pulled ops (update brug if this repeats): %v", e.N, e.Err)
}

// Unwrap makes errors.Is(err, store.ErrInvalid) hold.
func (e *PulledError) Unwrap() error { return e.Err }

// In is the error in lang: Error() for English, else Dutch.
func (e *PulledError) In(lang string) string {
	if english(lang) {
		return e.Error()
	}
	return "de server stuurde wijzigingen die deze versie van brug niet kan verwerken (de server heeft een nieuwere brug, of een andere methode); werk brug bij, of vraag je beheerder om hulp als dit blijft gebeuren"
}

// pulledError is err of applying n pulled ops, as returned by Sync: a
// PulledError when the store refused the ops as invalid, else err with
// what was being done (a full disk or a damaged file says more by its
// own cause).
func pulledError(n int, err error) error {
	if errors.Is(err, store.ErrInvalid) {
		return &PulledError{N: n, Err: err}
	}
	return fmt.Errorf("apply %d pulled ops (update brug if this repeats): %w", n, err)
}

// english reports whether lang asks for English: "en", or a region tag
// such as "en-GB".
func english(lang string) bool {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	base, _, _ = strings.Cut(base, "_")
	return base == "en"
}
