//go:build unix

package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// certDER is the DER of the PEM certificate in file.
func certDER(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s holds no PEM", file)
	}
	return blk.Bytes
}

// copyFile replaces dst's contents with src's.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// servedCert makes a new TLS connection to the server at url (https://...)
// and returns the certificate it shows; roots must trust it.
func servedCert(t *testing.T, url string, roots *x509.CertPool) []byte {
	t.Helper()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(url, "https://"), &tls.Config{RootCAs: roots})
	if err != nil {
		return nil // not trusted (yet): the caller polls
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Raw
}

// servesCert polls until new connections see want.
func servesCert(t *testing.T, s *serving, roots *x509.CertPool, want []byte, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !bytes.Equal(servedCert(t, s.url, roots), want) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the server does not show the expected certificate:\n%s", what, s.stderr)
		}
		time.Sleep(10 * time.Millisecond) // polling, not synchronisation
	}
}

func TestServeTLSReloadOnSIGHUP(t *testing.T) {
	h := newHarness(t)
	certA, keyA, poolA := selfSigned(t)
	certB, keyB, poolB := selfSigned(t)
	// The server serves from its own copies, first of pair A.
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	copyFile(t, certA, cert)
	copyFile(t, keyA, key)
	derA, derB := certDER(t, certA), certDER(t, certB)
	roots := poolA.Clone()
	roots.AppendCertsFromPEM(mustRead(t, certB))

	// A poll interval of an hour: only the signal can reload here.
	s := startServe(t, h, filepath.Join(t.TempDir(), "region.db"), "--tls-cert", cert, "--tls-key", key, "--tls-poll", "1h")
	if !bytes.Equal(servedCert(t, s.url, poolA), derA) {
		t.Fatalf("a client trusting pair A cannot connect:\n%s", s.stderr)
	}

	copyFile(t, certB, cert)
	copyFile(t, keyB, key)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	servesCert(t, s, poolB, derB, "after SIGHUP")
	waitOutput(t, s.stderr, regexpQuote("Nieuw TLS-certificaat geladen uit "+cert), s.done)

	// A broken pair (the key of A with the certificate of B) is refused
	// with a warning, and B stays in use.
	copyFile(t, keyA, key)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, s.stderr, regexpQuote("Kan het nieuwe TLS-certificaat uit "+cert+" niet laden"), s.done)
	if got := servedCert(t, s.url, roots); !bytes.Equal(got, derB) {
		t.Fatalf("after a broken pair the server no longer shows pair B:\n%s", s.stderr)
	}
	if strings.Contains(s.stderr.String(), "PRIVATE KEY") {
		t.Errorf("the log shows key material:\n%s", s.stderr)
	}
	if code := s.stop(); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, s.stderr)
	}
}

func TestServeTLSReloadOnFileChange(t *testing.T) {
	h := newHarness(t)
	certA, keyA, poolA := selfSigned(t)
	certB, keyB, poolB := selfSigned(t)
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	copyFile(t, certA, cert)
	copyFile(t, keyA, key)
	s := startServe(t, h, filepath.Join(t.TempDir(), "region.db"), "--tls-cert", cert, "--tls-key", key, "--tls-poll", "20ms")
	servesCert(t, s, poolA, certDER(t, certA), "at start")

	// A renewal that writes the certificate first and the key a moment
	// later: the half-written state is refused, the whole pair taken.
	copyFile(t, certB, cert)
	waitOutput(t, s.stderr, regexpQuote("Kan het nieuwe TLS-certificaat uit "+cert+" niet laden"), s.done)
	servesCert(t, s, poolA, certDER(t, certA), "certificate without its key")
	copyFile(t, keyB, key)
	servesCert(t, s, poolB, certDER(t, certB), "after the files changed")

	// A file that disappears (a renewal swapping it) keeps B in use.
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, s.stderr, regexpQuote("key.pem: no such file"), s.done)
	servesCert(t, s, poolB, certDER(t, certB), "key file missing")
	if code := s.stop(); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, s.stderr)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func regexpQuote(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }
