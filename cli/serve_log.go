package cli

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// serveLogWriter serialises writes of concurrent requests to one stream.
type serveLogWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write implements io.Writer.
func (l *serveLogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// serveStatusRecorder remembers the status a handler answered with.
type serveStatusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader implements http.ResponseWriter.
func (s *serveStatusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (s *serveStatusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *serveStatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logServeRequests wraps h so that every request logs one line to w: method,
// request URI, status and duration, plus the pruned properties of a write.
func logServeRequests(h http.Handler, w io.Writer) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &serveStatusRecorder{ResponseWriter: rw}
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		line := fmt.Sprintf("%s %s %d %s", r.Method, r.URL.RequestURI(), rec.status, time.Since(start).Round(time.Microsecond))
		if pruned := rec.Header().Get(headerPruned); pruned != "" {
			line += " pruned: " + pruned
		}
		fmt.Fprintln(w, line)
	})
}
