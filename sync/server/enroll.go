package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/brug-nl/brug/store"
	"github.com/brug-nl/brug/sync/protocol"
	"github.com/brug-nl/brug/sync/server/storage"
)

// CodeLifetime is how long an enrolment code can be used.
const CodeLifetime = 24 * time.Hour

// Device is an enrolled replica of one user (storage.Device).
type Device = storage.Device

// enrolCode is the stored form of a one-time code (storage.EnrolCode).
type enrolCode = storage.EnrolCode

// codeEncoding is Crockford's base32: digits and letters without I, L, O
// and U, so a code is safe to paste into any shell and a misread letter
// is forgiven (normCode reads O as 0 and I or L as 1).
var codeEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newCode makes a human-typable code of 80 random bits, e.g.
// "K7QM-XR2P-9TBD-HW4N".
func newCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("brug: no random source: %v", err))
	}
	s := codeEncoding.EncodeToString(b) // 16 characters
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// normCode lets people type a code in lower case, with or without dashes
// and spaces, and with O for 0 or I and L for 1.
func normCode(c string) string {
	c = strings.ToUpper(c)
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ':
			return -1
		case 'O':
			return '0'
		case 'I', 'L':
			return '1'
		}
		return r
	}, c)
}

// newToken makes a device token of 32 random bytes.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("brug: no random source: %v", err))
	}
	return "brug_" + base64.RawURLEncoding.EncodeToString(b)
}

// hash is the SHA-256 of a secret. Codes and tokens carry 80 and 256 random
// bits, so an unsalted fast hash is enough: there is nothing to guess.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// createCode stores a new code for user and returns it.
func createCode(tx Tx, user string, now time.Time) (string, time.Time, error) {
	code := newCode()
	exp := now.Add(CodeLifetime)
	err := tx.PutCode(hash(normCode(code)), enrolCode{User: user, Expires: exp})
	return code, exp, err
}

// enroll spends a code and registers a device; it returns the device and
// its token. Every failure is ErrUnauthorized with a message for the user.
func enroll(tx Tx, code, deviceName string, now time.Time) (Device, string, error) {
	key := hash(normCode(code))
	c, ok, err := tx.Code(key)
	if err != nil {
		return Device{}, "", err
	}
	switch {
	case !ok:
		return Device{}, "", fmt.Errorf("%w: unknown enrolment code; check it, or ask your admin for a new one", ErrUnauthorized)
	case !c.Used.IsZero():
		return Device{}, "", fmt.Errorf("%w: this enrolment code was used already; ask your admin for a new one", ErrUnauthorized)
	case !now.Before(c.Expires):
		return Device{}, "", fmt.Errorf("%w: this enrolment code expired (codes last 24 hours); ask your admin for a new one", ErrUnauthorized)
	}
	u, err := getUser(tx, c.User)
	if err != nil {
		return Device{}, "", fmt.Errorf("%w: the account of this code is gone; ask your admin", ErrUnauthorized)
	}
	if u.Disabled {
		return Device{}, "", fmt.Errorf("%w: the account %s is disabled; ask your admin", ErrUnauthorized, u.Name)
	}
	c.Used = now
	if err := tx.PutCode(key, c); err != nil {
		return Device{}, "", err
	}
	token := newToken()
	th := hash(token)
	d := Device{ID: store.NewID(), User: u.Name, Name: deviceName, TokenHash: hex.EncodeToString(th), Created: now}
	if err := tx.PutDevice(d); err != nil {
		return Device{}, "", err
	}
	if err := tx.PutToken(th, d.ID); err != nil {
		return Device{}, "", err
	}
	return d, token, nil
}

// authError is a refused device token with the protocol.Error code that
// tells the device what happened (unknown token, revoked device, disabled
// user), so that its app says what to do: enrol again, or ask the admin.
type authError struct {
	code string
	msg  string
}

func (e *authError) Error() string { return ErrUnauthorized.Error() + ": " + e.msg }
func (e *authError) Unwrap() error { return ErrUnauthorized }

// authCode is the protocol.Error code of an authentication error.
func authCode(err error) string {
	var ae *authError
	if errors.As(err, &ae) {
		return ae.code
	}
	return protocol.ErrorUnauthorized
}

// authenticate finds the device and user of a bearer token. A revoked
// device, an unknown token or a disabled (or removed) user is an
// ErrUnauthorized carrying its own code (authCode).
func authenticate(tx Tx, token string) (Device, User, error) {
	var d Device
	th := hash(token)
	unknown := &authError{protocol.ErrorUnknownToken, "unknown device token; enrol this device again with `brug login`"}
	id, ok := tx.TokenDevice(th)
	if !ok {
		return d, User{}, unknown
	}
	d, ok, err := tx.Device(id)
	if err != nil {
		return d, User{}, err
	}
	if !ok || !tokenOf(d, th) {
		return Device{}, User{}, unknown
	}
	if wipeOrder(d) {
		return d, User{}, &authError{protocol.ErrorWipe, "an admin revoked this device and ordered it wiped: destroy its keys and data, send nothing, then report on " + protocol.PathWiped}
	}
	if !d.Revoked.IsZero() {
		return d, User{}, &authError{protocol.ErrorRevoked, "this device was revoked; ask your admin for a new enrolment code"}
	}
	u, err := getUser(tx, d.User)
	if err != nil {
		return d, User{}, &authError{protocol.ErrorDisabled, "the account of this device is gone; ask your admin"}
	}
	if u.Disabled {
		return d, User{}, &authError{protocol.ErrorDisabled, fmt.Sprintf("the account %s is disabled; ask your admin", u.Name)}
	}
	return d, u, nil
}

// tokenOf reports whether th is the hash of d's token.
func tokenOf(d Device, th []byte) bool {
	want, _ := hex.DecodeString(d.TokenHash)
	return subtle.ConstantTimeCompare(want, th) == 1
}

// listDevices returns devices, all or one user's, oldest first.
func listDevices(tx Tx, user string) ([]Device, error) {
	var out []Device
	err := tx.EachDevice(func(d Device) error {
		if user == "" || d.User == user {
			out = append(out, d)
		}
		return nil
	})
	return out, err
}
