package server

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/brug-nl/brug/sync/protocol"
)

// What an operator needs around the API (issue 13): the client's address
// behind a reverse proxy, metrics on their own listener, a health check
// that sees a store that cannot write, and the public URL for invites.

// Settings of the server (storage.Settings).
const (
	kHealth    = "health"     // the time of the last health check's write
	kPublicURL = "public_url" // the URL devices use (brug serve --public-url)
)

// healthEvery is how long a health answer is reused: a probe every second
// must not cost a page write and fsync every second.
const healthEvery = 5 * time.Second

// healthCheck caches the answer of the last write check.
type healthCheck struct {
	mu  sync.Mutex
	at  time.Time // when it last ran; zero before the first
	err error
}

// checkHealth writes a small record to the server's own bucket, at most
// once per healthEvery, so a full disk or a file system remounted
// read-only makes /healthz fail rather than only reads answering.
func (s *Server) checkHealth() error {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	now := s.now()
	if !h.at.IsZero() && now.Sub(h.at) < healthEvery && now.Sub(h.at) >= 0 {
		return h.err
	}
	h.err = s.db.Update(func(tx Tx) error {
		return tx.SetSetting(kHealth, []byte(now.UTC().Format(time.RFC3339Nano)))
	})
	h.at = now
	return h.err
}

// handleHealth answers "ok" when the store takes a write, else 503 with
// what failed.
func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	err := s.checkHealth()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		s.log.Error("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "store cannot write: the disk may be full or read-only; see the server's log\n")
		return
	}
	_, _ = io.WriteString(w, "ok\n")
}

// MetricsHandler serves /metrics and /healthz, for a listener of its own
// (brug serve --metrics-addr): the API's listener is public, and the
// metrics tell outsiders how busy a region is.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+protocol.PathMetrics, s.metricsHandler())
	mux.HandleFunc("GET "+protocol.PathHealth, s.handleHealth)
	mux.HandleFunc("/", http.NotFound)
	return mux
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// tokenMetrics serves /metrics on the API's listener to a bearer of the
// metrics token only.
func (s *Server) tokenMetrics(token string) http.Handler {
	want := []byte(token)
	h := s.metricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := bearer(r)
		// Constant time: a comparison that stops at the first wrong byte
		// lets a client guess the token byte by byte from answer times.
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="brug metrics"`)
			writeError(w, http.StatusUnauthorized, CodeUnauthorized, "no or wrong metrics token; send Authorization: Bearer TOKEN (brug serve --metrics-token)")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ParseTrustedProxy reads a --trusted-proxy value: a CIDR prefix
// (10.0.0.0/8) or one address (127.0.0.1).
func ParseTrustedProxy(v string) (netip.Prefix, error) {
	v = strings.TrimSpace(v)
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w: %q is no CIDR prefix (10.0.0.0/8) or address", ErrInvalid, v)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// clientAddr is the address of the client of r. Behind a trusted reverse
// proxy it is the right-most address of X-Forwarded-For that is not a
// trusted proxy itself; else it is the peer's address.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		// Attack: a client sends X-Forwarded-For: 10.1.2.3 itself to hide
		// its address in the logs; only a proxy we trust may say it.
		return host
	}
	// Each proxy appends the address it saw; read from the right and stop
	// at the first hop no trusted proxy vouches for (anything left of it
	// the client may have written).
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := host
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a broken hop: trust nothing left of it
		}
		client = a.Unmap().String()
		if !s.trusted(a) {
			break
		}
	}
	return client
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// CheckPublicURL checks a --public-url value: an absolute http or https
// URL with a host and no query or fragment. It returns it without a
// trailing slash.
func CheckPublicURL(v string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%w: %q is no URL like https://brug.example.nl", ErrInvalid, v)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// SetPublicURL keeps the URL devices use in the server's file, so that
// `brug admin invite`, in this process or another, prints the full login
// command.
func (s *Server) SetPublicURL(v string) error {
	v, err := CheckPublicURL(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx Tx) error {
		return tx.SetSetting(kPublicURL, []byte(v))
	})
}

// PublicURL is the URL kept by SetPublicURL, or "".
func (s *Server) PublicURL() (string, error) {
	var v string
	err := s.db.View(func(tx Tx) error {
		b, err := tx.Setting(kPublicURL)
		v = string(b)
		return err
	})
	return v, err
}
