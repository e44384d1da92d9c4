package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/brug-nl/brug/store/termsafe"
	"github.com/brug-nl/brug/sync/protocol"
)

// maxEnrollBytes limits an enrolment request.
const maxEnrollBytes = 4 << 10

// Error codes of protocol.Error bodies (see protocol.ErrorBadRequest...).
const (
	CodeBadRequest   = protocol.ErrorBadRequest
	CodeTooLarge     = protocol.ErrorTooLarge
	CodeUnsupported  = protocol.ErrorUnsupported
	CodeUnauthorized = protocol.ErrorUnauthorized
	CodeForbidden    = protocol.ErrorForbidden
	CodeInternal     = protocol.ErrorInternal
	CodeNotFound     = protocol.ErrorNotFound
	CodeMethod       = protocol.ErrorMethod
	CodeMediaType    = protocol.ErrorMediaType
)

// reqInfo carries what a handler learns about a request to the logging
// middleware (the user, once the token is checked), and the remote
// address to the handler, for the audit records of refusals.
// compact: the request accepts compact pages (acceptsOps).
type reqInfo struct {
	user, remote string
	compact      bool
}

type infoKey struct{}

// statusWriter remembers the status for the log line.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// allowed lists the methods of each path of the API, for the 405 answer's
// Allow header (a GET pattern of http.ServeMux also serves HEAD).
var allowed = map[string]string{
	protocol.PathEnroll:  http.MethodPost,
	protocol.PathSync:    http.MethodPost,
	protocol.PathDevice:  "GET, HEAD",
	protocol.PathWiped:   http.MethodPost,
	protocol.PathReads:   http.MethodPost,
	protocol.PathHealth:  "GET, HEAD",
	protocol.PathMetrics: "GET, HEAD",

	protocol.PathRegister: "GET, HEAD",
}

// routes builds the API. The order of wrapping: logging outermost, so every
// answer is logged, including the 404 and 405 of noRoute.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+protocol.PathEnroll, s.handleEnroll)
	mux.HandleFunc("POST "+protocol.PathSync, s.handleSync)
	mux.HandleFunc("GET "+protocol.PathDevice, s.handleDevice)
	mux.HandleFunc("POST "+protocol.PathWiped, s.handleWiped)
	mux.HandleFunc("POST "+protocol.PathReads, s.handleReads)
	mux.HandleFunc("GET "+protocol.PathRegister, s.handleRegister)
	mux.HandleFunc("GET "+protocol.PathHealth, s.handleHealth)
	if s.mtoken != "" {
		mux.Handle("GET "+protocol.PathMetrics, s.tokenMetrics(s.mtoken))
	} else {
		mux.HandleFunc(protocol.PathMetrics, func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusNotFound, CodeNotFound, "metrics are served on brug serve's metrics listener (--metrics-addr), not on the API")
		})
	}
	mux.HandleFunc("/", noRoute)
	return s.logRequests(mux)
}

// noRoute answers what no route matched with the protocol.Error body every
// 4xx has (docs/sync.md, "HTTP"), not the mux's plain text: 405 with an
// Allow header for a known path, 404 for any other.
func noRoute(w http.ResponseWriter, r *http.Request) {
	if methods, ok := allowed[r.URL.Path]; ok {
		w.Header().Set("Allow", methods)
		writeError(w, http.StatusMethodNotAllowed, CodeMethod, fmt.Sprintf("%s does not answer %s; use %s", r.URL.Path, r.Method, methods))
		return
	}
	writeError(w, http.StatusNotFound, CodeNotFound, fmt.Sprintf("there is no %s; the API has POST %s and POST %s (docs/openapi.yaml)", r.URL.Path, protocol.PathEnroll, protocol.PathSync))
}

// logRequests logs method, path, status, duration and user of each request.
// It never logs bodies: they hold dossier content.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The client's address as the trusted proxies tell it, for the
		// log and for the audit records of refused tokens alike.
		info := &reqInfo{remote: s.clientAddr(r)}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start), "user", info.user, "remote", info.remote)
	})
}

func infoOf(r *http.Request) *reqInfo {
	if i, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

// writeError answers with a protocol.Error.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(protocol.Error{Code: code, Message: msg})
}

// writeJSON answers 200 with v, gzipped when the client accepts it. The
// gzip writer comes from the answers' pool (answer.go): one made afresh
// allocated about a megabyte for the few bytes of GET /v1/device, which
// every sync asks.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Accept-Encoding")
	gz := acceptsGzip(r)
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
	}
	aw := s.writers.get(w, gz)
	defer s.writers.put(aw)
	if err := json.NewEncoder(aw.bw).Encode(v); err != nil {
		return
	}
	if err := aw.bw.Flush(); err != nil || !gz {
		return
	}
	_ = aw.gz.Close()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// body returns the request body limited to max bytes after decompression;
// the body must be JSON (Content-Type application/json, in UTF-8 if a
// charset is given), and gzip is the one content encoding accepted.
func body(w http.ResponseWriter, r *http.Request, max int64) (io.Reader, func(), error) {
	if err := jsonContent(r.Header.Get("Content-Type")); err != nil {
		return nil, nil, err
	}
	raw := http.MaxBytesReader(w, r.Body, max)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return &limitReader{r: raw, n: max}, func() {}, nil
	case "gzip":
		// A gzip reader carries tens of kilobytes of decompressor state:
		// pooled, not allocated for each request of a burst.
		src := &limitReader{r: raw, n: max}
		gz, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if gz == nil {
			gz, err = gzip.NewReader(src)
		} else {
			err = gz.Reset(src)
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.Is(err, errTooLarge) || errors.As(err, &mbe) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%w: %v", errBadGzip, err)
		}
		return &limitReader{r: gzipErrors{gz}, n: max}, func() {
			gz.Close()
			gzipReaders.Put(gz)
		}, nil
	default:
		return nil, nil, fmt.Errorf("%w %q; send gzip or no content encoding", errEncoding, enc)
	}
}

// gzipReaders pools the readers of gzipped request bodies (body); a
// reader is put back only when its request is done with it.
var gzipReaders sync.Pool

// gzipErrors marks errors of the gzip stream (other than its end and the
// size limit) as errBadGzip, so a truncated stream reads as broken gzip
// rather than as broken JSON.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	var mbe *http.MaxBytesError
	if err != nil && err != io.EOF && !errors.Is(err, errTooLarge) && !errors.As(err, &mbe) {
		err = fmt.Errorf("%w: %v", errBadGzip, err)
	}
	return n, err
}

// jsonContent checks a request's Content-Type: application/json, with no
// charset or utf-8 (RFC 8259: JSON between systems is UTF-8).
func jsonContent(ct string) error {
	if strings.TrimSpace(ct) == "" {
		return fmt.Errorf("%w: the request has no Content-Type; send Content-Type: application/json", errMediaType)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("%w: the body must be JSON, not %q; send Content-Type: application/json", errMediaType, ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Errorf("%w: the body must be UTF-8, not %q; send Content-Type: application/json", errMediaType, cs)
	}
	return nil
}

var (
	errBadGzip   = errors.New("the gzip body is broken")
	errEncoding  = errors.New("unsupported content encoding")
	errMediaType = errors.New("unsupported media type")
)

// writeDecodeError maps a body or decoding error to a status; tooLarge
// says what to do about a body over max bytes.
func writeDecodeError(w http.ResponseWriter, err error, max int64, tooLarge string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errTooLarge) || errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("the request body is larger than %d bytes (after decompression); %s", max, tooLarge))
	case errors.Is(err, errMediaType):
		writeError(w, http.StatusUnsupportedMediaType, CodeMediaType, err.Error())
	case errors.Is(err, errEncoding):
		writeError(w, http.StatusUnsupportedMediaType, CodeUnsupported, err.Error())
	case errors.Is(err, errBadGzip):
		writeError(w, http.StatusBadRequest, CodeBadRequest, err.Error()+"; send it again, compressed with gzip, or uncompressed")
	default:
		writeError(w, http.StatusBadRequest, CodeBadRequest, err.Error())
	}
}

// writeAuthError maps an authentication or account error to a status.
func (s *Server) writeAuthError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrUnauthorized):
		w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
		writeError(w, http.StatusUnauthorized, authCode(err), err.Error())
	case errors.Is(err, ErrForbidden):
		writeError(w, http.StatusForbidden, CodeForbidden, err.Error())
	default:
		s.log.Error("request failed", "err", err)
		writeError(w, http.StatusInternalServerError, CodeInternal, "the server could not answer; try again later")
	}
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// What to do about an oversize body, per endpoint.
const (
	enrollTooLarge = "an enrolment sends only code and device_name"
	syncTooLarge   = "send fewer ops per push"
)

// handleEnroll spends a one-time code and answers with a device token.
func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	rd, done, err := body(w, r, maxEnrollBytes)
	if err != nil {
		writeDecodeError(w, err, maxEnrollBytes, enrollTooLarge)
		return
	}
	defer done()
	var req protocol.EnrollRequest
	if err := decodeJSON(rd, &req); err != nil {
		writeDecodeError(w, err, maxEnrollBytes, enrollTooLarge)
		return
	}
	name := strings.TrimSpace(req.DeviceName)
	if len(name) > 100 {
		writeError(w, http.StatusBadRequest, CodeBadRequest, "device_name: must be one line of at most 100 bytes")
		return
	}
	// The name is shown in admins' terminals (`brug admin device list`,
	// the audit log): no escape sequences or bidi tricks (termsafe).
	if err := termsafe.Check(name); err != nil {
		writeError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("device_name: %v; send a name of letters, digits, spaces and punctuation", err))
		return
	}
	if name == "" {
		name = "(no name)"
	}
	var resp protocol.EnrollResponse
	err = s.db.Update(func(tx Tx) error {
		d, token, err := enroll(tx, req.Code, name, s.now().UTC())
		if err != nil {
			return err
		}
		u, err := getUser(tx, d.User)
		if err != nil {
			return err
		}
		resp = protocol.EnrollResponse{Token: token, DeviceID: d.ID, User: u.Name, Role: u.Role, Teams: u.Teams}
		infoOf(r).user = u.Name
		return audit(tx, AuditEntry{Time: s.now().UTC(), Channel: ChannelSync, User: u.Name, Device: d.ID, Action: ActionEnroll, Detail: "device " + name})
	})
	if err != nil {
		s.writeAuthError(w, err)
		return
	}
	s.writeJSON(w, r, resp)
}

// handleSync is one sync round trip (docs/sync.md, "HTTP").
func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="brug"`)
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "no device token; send Authorization: Bearer TOKEN (enrol with `brug login`)")
		return
	}
	// A lost laptop ordered wiped is told before its body is read: what
	// it pushes is none of the server's business any more.
	if s.refuseWipe(w, token) {
		return
	}
	rd, done, err := body(w, r, protocol.MaxRequestBytes)
	if err != nil {
		writeDecodeError(w, err, protocol.MaxRequestBytes, syncTooLarge)
		return
	}
	defer done()
	req, err := decodeSyncRequest(rd)
	if err != nil {
		writeDecodeError(w, err, protocol.MaxRequestBytes, syncTooLarge)
		return
	}
	info := infoOf(r)
	info.compact = acceptsOps(r)
	ans, res, err := s.doSync(token, req, info, func(a *answer, solo bool) *preparedAnswer { return s.prepareAnswer(r, a, solo) })
	s.sendSync(w, r, ans, res, err)
	s.metrics.duration.Observe(time.Since(start).Seconds())
}

// sendSync answers a sync with what doSync returned: an error, with
// nothing of the answer (which may have been prepared while a transaction
// that then failed committed: its deliveries were never recorded), or the
// answer.
func (s *Server) sendSync(w http.ResponseWriter, r *http.Request, ans *answer, res syncResult, err error) {
	if err != nil {
		s.writeAuthError(w, err)
		return
	}
	s.metrics.syncs.Inc()
	s.metrics.opsIn.Add(float64(res.stored))
	s.metrics.opsOut.Add(float64(ans.count()))
	for code, n := range res.refusals {
		s.metrics.refusals.WithLabelValues(code).Add(float64(n))
	}
	if ans.early != nil {
		ans.early.send(w)
	} else {
		s.writeAnswer(w, r, ans)
	}
}
