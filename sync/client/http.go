package client

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/brug-nl/brug/sync/protocol"
)

// Errors callers tell apart.
var (
	// ErrUnauthorized means the server does not know the device token: the
	// device was never enrolled, or it was revoked.
	ErrUnauthorized = errors.New("this device is not (or no longer) enrolled: run brug login")
	// ErrRevoked (an ErrUnauthorized) means an admin revoked this device:
	// a new code from the admin enrols it again.
	ErrRevoked = fmt.Errorf("%w: an admin revoked this device", ErrUnauthorized)
	// ErrDisabled (an ErrUnauthorized) means the device's user is
	// disabled or removed: a new code does not help; the admin decides.
	ErrDisabled = fmt.Errorf("%w: the account of this device is disabled", ErrUnauthorized)
	// ErrWipeOrdered (an ErrRevoked) means an admin revoked this device
	// and ordered it wiped: it sends nothing more and destroys its keys
	// and data (Syncer.Wipe).
	ErrWipeOrdered = fmt.Errorf("%w and ordered it wiped", ErrRevoked)
	// ErrWiped is what Sync returns after it wiped this device at the
	// admin's order: the database, its files and the token are gone.
	ErrWiped = errors.New("this device was wiped at the administrator's request")
	// ErrNotEnrolled means this database has no server configured.
	ErrNotEnrolled = errors.New("no sync server configured: run brug login URL CODE")
	// ErrUnreachable wraps every failure to reach the server or to read its
	// whole answer: the device is offline, the server is down, or the
	// connection broke. Trying again later is the remedy. A certificate
	// this computer does not trust is ErrUntrusted instead.
	ErrUnreachable = errors.New("cannot reach the sync server")
)

// maxResponseBytes bounds a response body after decompression: a pull
// page of protocol.MaxPullOps ops with long texts fits many times over.
const maxResponseBytes = 512 << 20

// ServerError is a 4xx or 5xx answer other than 401, with the server's
// explanation.
type ServerError struct {
	Status int
	Body   protocol.Error
}

func (e *ServerError) Error() string {
	msg := e.Body.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("server answered %d: %s", e.Status, msg)
}

// Temporary reports whether trying again later may help (a 5xx or 429).
func (e *ServerError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// NormalizeURL checks a server URL and returns it without a trailing
// slash, the form under which tokens and settings are kept.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not a server address: give it as https://host[:port]", raw)
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// post sends body as JSON (gzipped) to base+path and decodes a 200 answer
// into out.
func post(ctx context.Context, hc *http.Client, base, path, token string, body, out any) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(body); err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	return postRaw(ctx, hc, base, path, token, buf.Bytes(), out)
}

// postRaw sends an already gzipped JSON body and decodes a 200 answer
// into out.
func postRaw(ctx context.Context, hc *http.Client, base, path, token string, gz []byte, out any) error {
	b, _, err := postBody(ctx, hc, base, path, token, gz, false)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w at %s: answer is not valid: %w", ErrUnreachable, base, err)
	}
	return nil
}

// postBody sends an already gzipped JSON body and returns the whole body
// of a 200 answer, decompressed, and its media type. With compact it asks
// for a compact sync page (protocol.MediaTypeOps, zstd or gzip), which a
// server that does not know it answers with JSON as ever.
func postBody(ctx context.Context, hc *http.Client, base, path, token string, gz []byte, compact bool) ([]byte, string, error) {
	return roundTrip(ctx, hc, http.MethodPost, base, path, token, gz, compact)
}

// getJSON sends a GET without a body and decodes a 200 answer into out.
func getJSON(ctx context.Context, hc *http.Client, base, path, token string, out any) error {
	b, _, err := roundTrip(ctx, hc, http.MethodGet, base, path, token, nil, false)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w at %s: answer is not valid: %w", ErrUnreachable, base, err)
	}
	return nil
}

// roundTrip sends a request (a POST with an already gzipped JSON body,
// or a GET without one) and returns the whole body of a 200 answer,
// decompressed, and its media type.
func roundTrip(ctx context.Context, hc *http.Client, method, base, path, token string, gz []byte, compact bool) ([]byte, string, error) {
	var rd io.Reader
	if gz != nil {
		rd = bytes.NewReader(gz)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, "", fmt.Errorf("request to %s: %w", base, err)
	}
	if gz != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if compact {
		req.Header.Set("Accept", protocol.MediaTypeOps+", application/json;q=0.5")
		req.Header.Set("Accept-Encoding", "zstd, gzip")
	}
	req.Header.Set("User-Agent", "brug")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if uerr := untrusted(base, err); uerr != nil {
			return nil, "", uerr
		}
		return nil, "", fmt.Errorf("%w at %s: %w", ErrUnreachable, base, err)
	}
	defer resp.Body.Close()
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	gzipped := enc == "gzip"
	if resp.StatusCode == http.StatusOK && (gzipped || enc == "zstd") {
		read := readGzip
		if !gzipped {
			read = readZstd
		}
		b, err := read(resp.Body)
		if err != nil {
			return nil, "", fmt.Errorf("%w at %s: read answer: %w", ErrUnreachable, base, err)
		}
		return b, ctype, nil
	}
	r := io.Reader(resp.Body)
	// We asked for gzip ourselves, so the transport leaves decoding to us.
	if gzipped {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, "", fmt.Errorf("%w at %s: read answer: %w", ErrUnreachable, base, err)
		}
		defer zr.Close()
		r = zr
	}
	r = io.LimitReader(r, maxResponseBytes)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		var pe protocol.Error
		b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
		_ = json.Unmarshal(b, &pe)
		io.Copy(io.Discard, r)
		switch pe.Code {
		case protocol.ErrorWipe:
			return nil, "", ErrWipeOrdered
		case protocol.ErrorRevoked:
			return nil, "", ErrRevoked
		case protocol.ErrorDisabled:
			return nil, "", ErrDisabled
		}
		return nil, "", ErrUnauthorized
	case resp.StatusCode != http.StatusOK:
		se := &ServerError{Status: resp.StatusCode}
		b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
		_ = json.Unmarshal(b, &se.Body)
		if se.Temporary() {
			return nil, "", fmt.Errorf("%w at %s: %w", ErrUnreachable, base, se)
		}
		return nil, "", se
	}
	// Read the whole body before decoding: a cut connection shows as an
	// error here, not as a half-applied answer.
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("%w at %s: read answer: %w", ErrUnreachable, base, err)
	}
	return b, ctype, nil
}

// zstdDecoder decompresses compact answers; DecodeAll may be called by
// several goroutines at once.
var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxResponseBytes))
})

// readZstd reads a whole zstd-compressed answer and returns it
// decompressed, at most maxResponseBytes of it: a frame that says it is
// larger is refused before anything that size is allocated.
func readZstd(body io.Reader) ([]byte, error) {
	zb, err := io.ReadAll(io.LimitReader(body, maxResponseBytes))
	if err != nil {
		return nil, err
	}
	dec, err := zstdDecoder()
	if err != nil {
		return nil, err
	}
	return dec.DecodeAll(zb, nil)
}

// readGzip reads a whole gzipped answer and returns it decompressed. It
// reads the compressed body first, so that the gzip trailer's size makes
// the buffer the right size at once: a pull page is megabytes, and growing
// a buffer to it allocated twice that per page.
func readGzip(body io.Reader) ([]byte, error) {
	zb, err := io.ReadAll(io.LimitReader(body, maxResponseBytes))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(zb))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	size := 0
	if len(zb) >= 4 {
		size = int(binary.LittleEndian.Uint32(zb[len(zb)-4:])) // ISIZE: the size mod 2^32
	}
	if size > maxResponseBytes {
		size = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(zr, maxResponseBytes)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
