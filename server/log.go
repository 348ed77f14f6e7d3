package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Bounds of what the server logs: the request URI and an error's detail
// are cut (saying how many bytes were left out), so that with the
// Pruned-Properties value (at most 4 KiB) no log line exceeds maxLogLine
// bytes. Every Write to a log is one line.
const (
	maxLogURI    = 2048
	maxLogDetail = 2048
	maxLogLine   = 8192
)

// logMu serialises every log write of the package, so that lines of
// concurrent requests (and the request and error logs sharing one stream)
// never interleave.
var logMu sync.Mutex

// lockedWriter writes to w under logMu, one line per Write, each cut to
// maxLogLine bytes.
type lockedWriter struct {
	w io.Writer
}

// Write implements io.Writer.
func (l *lockedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > maxLogLine {
		cut := fmt.Sprintf("... (%d bytes cut)\n", len(p)-maxLogLine)
		q := make([]byte, 0, maxLogLine+len(cut))
		q = append(append(q, p[:maxLogLine]...), cut...)
		p = q
	}
	logMu.Lock()
	defer logMu.Unlock()
	if _, err := l.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// clip cuts s to max bytes, saying how many were left out.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes cut)", s[:max], len(s)-max)
}

// logURI is the request URI as logged: control and non-ASCII bytes
// %-escaped (no terminal escapes in the log), cut to maxLogURI bytes.
func logURI(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c < 0x21 || c > 0x7e {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return clip(b.String(), maxLogURI)
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader implements http.ResponseWriter.
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests wraps h so that every request logs one entry once
// answered: method, request URI, status, duration, request id, plus the
// pruned properties of a write. With logger set the entry is a structured
// slog record ("request"), else one line to w.
func logRequests(h http.Handler, w io.Writer, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw}
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		pruned := rec.Header().Get(HeaderPrunedProperties)
		if logger != nil {
			attrs := []any{"method", clip(r.Method, 32), "uri", logURI(r), "status", rec.status,
				"duration_ms", float64(elapsed.Microseconds()) / 1000, "request_id", RequestID(r.Context())}
			if inf := infoFrom(r.Context()); inf != nil {
				attrs = append(attrs, "operation", string(inf.op), "resource", inf.resource)
			}
			if pruned != "" {
				attrs = append(attrs, "pruned", pruned)
			}
			logger.Info("request", attrs...)
			return
		}
		line := fmt.Sprintf("%s %s %d %s", clip(r.Method, 32), logURI(r), rec.status, elapsed.Round(time.Microsecond))
		if id := RequestID(r.Context()); id != "" {
			line += " req=" + id
		}
		if pruned != "" {
			line += " pruned: " + pruned
		}
		fmt.Fprintln(w, line)
	})
}

// recoverPanics wraps h so that a panic answers 500 (when nothing was
// written yet) and is logged with a stack cut to maxLogLine.
func recoverPanics(h http.Handler, errLog io.Writer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			stack := strings.ReplaceAll(string(debug.Stack()), "\n", " | ")
			fmt.Fprintf(errLog, "dmsc: panic serving %s %s: %s; %s\n", clip(r.Method, 32), logURI(r), clip(fmt.Sprint(v), maxLogDetail), stack)
			if rec.status == 0 {
				p := newProblem(http.StatusInternalServerError, TypeInternal, "Internal Server Error",
					"An unexpected error occurred; the server log has the details.")
				WriteProblem(rec, p)
			}
		}()
		h.ServeHTTP(rec, r)
	})
}
