package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"log/slog"
	"os"
	"sync"
	"time"
)

// tlsPollEvery is how often brug serve looks whether its certificate or
// key file changed (a Let's Encrypt renewal writes new files in place).
const tlsPollEvery = 5 * time.Second

// certHolder keeps the TLS pair brug serve hands out and replaces it when
// the files hold a new valid pair: on SIGHUP and when they change. A new
// pair that does not load (half written, key of another certificate)
// leaves the last good one in use, so a botched renewal does not take the
// server down.
type certHolder struct {
	certFile, keyFile string
	logger            *slog.Logger
	msg               func(key string, args ...any) string

	mu   sync.Mutex
	cert *tls.Certificate
	seen [sha256.Size]byte // digest of the files at the last attempt
}

// newCertHolder loads the pair once; its error is the caller's to report.
func newCertHolder(certFile, keyFile string, logger *slog.Logger, msg func(string, ...any) string) (*certHolder, error) {
	h := &certHolder{certFile: certFile, keyFile: keyFile, logger: logger, msg: msg}
	sum, certPEM, keyPEM, err := h.read()
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	h.cert, h.seen = &cert, sum
	return h, nil
}

// GetCertificate is the tls.Config hook: the pair in use now.
func (h *certHolder) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cert, nil
}

// read returns the files' contents and a digest of both.
func (h *certHolder) read() (sum [sha256.Size]byte, certPEM, keyPEM []byte, err error) {
	if certPEM, err = os.ReadFile(h.certFile); err != nil {
		return sum, nil, nil, err
	}
	if keyPEM, err = os.ReadFile(h.keyFile); err != nil {
		return sum, nil, nil, err
	}
	d := sha256.New()
	d.Write(certPEM)
	d.Write([]byte{0})
	d.Write(keyPEM)
	copy(sum[:], d.Sum(nil))
	return sum, certPEM, keyPEM, nil
}

// reload loads the files again. force (SIGHUP) tries even when they look
// unchanged; the poll only acts on a change and warns once per bad
// version of the files, not every few seconds.
func (h *certHolder) reload(force bool) {
	sum, certPEM, keyPEM, err := h.read()
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil && !force && bytes.Equal(sum[:], h.seen[:]) {
		return
	}
	if err == nil {
		h.seen = sum
		var cert tls.Certificate
		if cert, err = tls.X509KeyPair(certPEM, keyPEM); err == nil {
			h.cert = &cert
			h.logger.Info(h.msg("serve.tlsreloaded", h.certFile), "event", "tls_reloaded", "cert", h.certFile)
			return
		}
	} else if !force {
		// A file missing for a moment (renewal tools swap symlinks):
		// say it once, and try again when it is back.
		var zero [sha256.Size]byte
		if h.seen == zero {
			return
		}
		h.seen = zero
	}
	// The error names the file and what is wrong with it, never the key.
	h.logger.Warn(h.msg("serve.tlsreloadfailed", h.certFile, err), "event", "tls_reload_failed", "cert", h.certFile, "error", err.Error())
}

// watch reloads on every value of hup and when the files change, polled
// every interval, until ctx ends.
func (h *certHolder) watch(ctx context.Context, hup <-chan os.Signal, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			h.reload(true)
		case <-t.C:
			h.reload(false)
		}
	}
}
