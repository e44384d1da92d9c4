package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// ErrUntrusted means the server answered with a certificate this computer
// does not trust: an internal CA that is not installed, a certificate for
// another name, an expired one. Trying again does not help; it is not an
// ErrUnreachable. The *UntrustedError that wraps it says which.
var ErrUntrusted = errors.New("the server's certificate is not trusted by this computer")

// UntrustedKind is why a certificate was not trusted.
type UntrustedKind int

const (
	// UntrustedInvalid: the certificate is invalid for another reason.
	UntrustedInvalid UntrustedKind = iota
	// UntrustedIssuer: signed by an authority this computer does not know.
	UntrustedIssuer
	// UntrustedName: the certificate is for another host name.
	UntrustedName
	// UntrustedExpired: expired, or not valid yet (check the clock).
	UntrustedExpired
)

func (k UntrustedKind) String() string {
	switch k {
	case UntrustedIssuer:
		return "unknown issuer"
	case UntrustedName:
		return "wrong name"
	case UntrustedExpired:
		return "expired or not yet valid"
	}
	return "invalid"
}

// UntrustedError is a failed certificate check of the server at Base.
type UntrustedError struct {
	Base string
	Kind UntrustedKind
	Err  error // the TLS error
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("%v (%v) at %s: %v", ErrUntrusted, e.Kind, e.Base, e.Err)
}

// Is makes errors.Is(err, ErrUntrusted) true.
func (e *UntrustedError) Is(target error) bool { return target == ErrUntrusted }

func (e *UntrustedError) Unwrap() error { return e.Err }

// untrusted classifies a transport error: an *UntrustedError when the
// server's certificate failed the check, nil otherwise.
func untrusted(base string, err error) error {
	var (
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
	)
	kind := UntrustedInvalid
	switch {
	case errors.As(err, &ua):
		kind = UntrustedIssuer
	case errors.As(err, &he):
		kind = UntrustedName
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			kind = UntrustedExpired
		}
	case errors.As(err, &cve):
	default:
		return nil
	}
	return &UntrustedError{Base: base, Kind: kind, Err: err}
}
