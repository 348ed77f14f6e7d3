package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/telemetry"
)

// HeaderRequestID carries a request's id: a client's own (1 to 64
// letters, digits, '.', '_' or '-') is kept, any other is replaced by a
// fresh one. Every answer carries it, and every log line of the request
// names it.
const HeaderRequestID = "X-Request-Id"

// maxRequestIDBytes bounds a client's request id.
const maxRequestIDBytes = 64

// reqInfo is what the handler tells the observing middleware about a
// request: its id, operation, resource and what a write changed.
type reqInfo struct {
	id        string
	op        telemetry.Operation
	resource  string
	write     telemetry.Write
	startedAt time.Time
}

// reqInfoKey keys the *reqInfo in a request's context.
type reqInfoKey struct{}

// infoFrom returns the request's *reqInfo (nil outside observe).
func infoFrom(ctx context.Context) *reqInfo {
	inf, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return inf
}

// RequestID returns the id of the request whose context ctx is ("" when
// it was not served by this package's handler).
func RequestID(ctx context.Context) string {
	if inf := infoFrom(ctx); inf != nil {
		return inf.id
	}
	return ""
}

// requestID returns the client's id when it is acceptable, else a fresh
// random one (16 hex digits).
func requestID(r *http.Request) string {
	if v := r.Header.Get(HeaderRequestID); validRequestID(v) {
		return v
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID reports whether a client's request id may be kept (and
// logged as it is).
func validRequestID(v string) bool {
	if v == "" || len(v) > maxRequestIDBytes {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// observe wraps h so that every request gets an id (HeaderRequestID) and
// a *reqInfo the handler fills, and, once answered, is recorded by rec.
func observe(h http.Handler, rec telemetry.Recorder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inf := &reqInfo{id: requestID(r), op: telemetry.OpOther, resource: telemetry.ResourceNone, startedAt: time.Now()}
		w.Header().Set(HeaderRequestID, inf.id)
		sr := &statusRecorder{ResponseWriter: w}
		ctx, trips := relstore.WithRoundTrips(context.WithValue(r.Context(), reqInfoKey{}, inf))
		h.ServeHTTP(sr, r.WithContext(ctx))
		if sr.status == 0 {
			sr.status = http.StatusOK
		}
		rec.Request(telemetry.Request{Operation: inf.op, Resource: inf.resource, Status: sr.status,
			Duration: time.Since(inf.startedAt), Write: inf.write, RoundTrips: trips.Count(), Statements: trips.Statements()})
	})
}

// noteRoute records the operation and resource of a matched request.
func noteRoute(r *http.Request, op telemetry.Operation, rt route) {
	if inf := infoFrom(r.Context()); inf != nil {
		inf.op, inf.resource = op, rt.project+"/"+rt.resource
	}
}

// noteWrite records what a successful write changed.
func noteWrite(r *http.Request, res relstore.WriteResult) {
	if inf := infoFrom(r.Context()); inf != nil {
		inf.write = telemetry.Write{EdgesInserted: res.Edges.Inserted, EdgesUpdated: res.Edges.Updated,
			EdgesDeleted: res.Edges.Deleted, Closure: res.Cascade.Closure, Bumped: res.Cascade.Bumped}
	}
}

// reqSuffix is " (request ID)" for an error log line of r, "" without an
// id.
func reqSuffix(r *http.Request) string {
	if id := RequestID(r.Context()); id != "" {
		return " (request " + id + ")"
	}
	return ""
}

// slogWriter turns the error log's lines into slog error records.
type slogWriter struct{ l *slog.Logger }

// Write implements io.Writer: one record per line.
func (s slogWriter) Write(p []byte) (int, error) {
	s.l.Error(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// serveMetrics serves GET /metrics with Options.MetricsHandler (404
// without one).
func (h *handler) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if h.opts.MetricsHandler == nil {
		WriteProblem(w, notFound("no route matches "+clip(r.URL.Path, 64)))
		return
	}
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, "GET")
		return
	}
	h.opts.MetricsHandler.ServeHTTP(w, r)
}
