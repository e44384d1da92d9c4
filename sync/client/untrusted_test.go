package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// expiredServer is a TLS server on 127.0.0.1 whose certificate expired
// yesterday, and a pool that trusts it.
func expiredServer(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: "brug expired"},
		NotBefore:             time.Now().Add(-48 * time.Hour),
		NotAfter:              time.Now().Add(-24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return ts, pool
}

func TestUntrustedCertificateIsNotOffline(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	ts.StartTLS()
	defer ts.Close()
	trusting := x509.NewCertPool()
	trusting.AddCert(ts.Certificate())
	expired, expiredPool := expiredServer(t)

	for _, tc := range []struct {
		name string
		url  string
		cfg  *tls.Config
		want UntrustedKind
	}{
		// The laptop lacks the region's CA.
		{"unknown issuer", ts.URL, &tls.Config{}, UntrustedIssuer},
		// The CA is trusted but the certificate is for another host.
		{"wrong name", ts.URL, &tls.Config{RootCAs: trusting, ServerName: "brug.example.nl"}, UntrustedName},
		{"expired", expired.URL, &tls.Config{RootCAs: expiredPool}, UntrustedExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tc.cfg}}
			defer hc.CloseIdleConnections()
			var out struct{}
			err := post(context.Background(), hc, tc.url, "/v1/sync", "tok", struct{}{}, &out)
			var ue *UntrustedError
			if !errors.Is(err, ErrUntrusted) || !errors.As(err, &ue) {
				t.Fatalf("err = %v, want ErrUntrusted", err)
			}
			if errors.Is(err, ErrUnreachable) {
				t.Errorf("an untrusted certificate is reported as unreachable: %v", err)
			}
			if ue.Kind != tc.want || ue.Base != tc.url {
				t.Errorf("kind %v at %s, want %v at %s", ue.Kind, ue.Base, tc.want, tc.url)
			}
		})
	}

	// A server that is not there is still unreachable, not untrusted.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out struct{}
	err = post(context.Background(), &http.Client{}, "https://"+addr, "/v1/sync", "", struct{}{}, &out)
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrUntrusted) {
		t.Fatalf("closed port: %v", err)
	}
}
