package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/telemetry"
)

// recorded collects what a Recorder received.
type recorded struct{ reqs []telemetry.Request }

// Request implements telemetry.Recorder.
func (r *recorded) Request(q telemetry.Request) { r.reqs = append(r.reqs, q) }

// TestRequestIDs: a client's acceptable X-Request-Id is kept, anything else
// (empty, too long, spaces, control bytes, non-ASCII) replaced by a fresh
// 16-hex-digit id; the answer carries it and the request log names it.
func TestRequestIDs(t *testing.T) {
	for _, c := range []struct {
		name, in string
		keep     bool
	}{
		{"a client's id", "abc-123_X.y", true},
		{"64 bytes", strings.Repeat("a", 64), true},
		{"none", "", false},
		{"65 bytes", strings.Repeat("a", 65), false},
		{"a space", "a b", false},
		{"a terminal escape", "\x1b[2J", false},
		{"non-ASCII", "é", false},
		{"a log injection", "x\nGET / 200", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var log bytes.Buffer
			h := New(&fakeStore{}, Options{Log: &log})
			req := httptest.NewRequest("GET", "/health", nil)
			if c.in != "" {
				req.Header[HeaderRequestID] = []string{c.in}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			got := w.Header().Get(HeaderRequestID)
			if c.keep && got != c.in || !c.keep && (len(got) != 16 || got == c.in) {
				t.Errorf("X-Request-Id %q for %q", got, c.in)
			}
			if !strings.HasSuffix(log.String(), " req="+got+"\n") {
				t.Errorf("log %q does not name request %s", log.String(), got)
			}
		})
	}
}

// TestMetricsRecorded: every request is recorded once with its
// operation, resource (bounded: a path that matches no route is "-"),
// status and duration; /metrics serves the handler given, and is a 404
// without one.
func TestMetricsRecorded(t *testing.T) {
	rec := &recorded{}
	h := New(&fakeStore{}, Options{Metrics: rec, MetricsHandler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "metrics here")
	})})
	for _, c := range []struct {
		method, path string
		op           telemetry.Operation
		resource     string
	}{
		{"GET", "/health", telemetry.OpInfo, telemetry.ResourceNone},
		{"GET", "/metrics", telemetry.OpInfo, telemetry.ResourceNone},
		{"GET", "/data/nowhere/" + strings.Repeat("x", 100), telemetry.OpOther, telemetry.ResourceNone},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		last := rec.reqs[len(rec.reqs)-1]
		if last.Operation != c.op || last.Resource != c.resource || last.Status != w.Code || last.Duration <= 0 {
			t.Errorf("%s %.40s: recorded %+v, answered %d", c.method, c.path, last, w.Code)
		}
		if c.path == "/metrics" && w.Body.String() != "metrics here" {
			t.Errorf("/metrics: %q", w.Body.String())
		}
	}
	if len(rec.reqs) != 3 {
		t.Errorf("%d requests recorded, want 3", len(rec.reqs))
	}
	// A write: its resource and what it changed.
	st := &fakeStore{write: relstore.WriteResult{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", ETag: "2",
		Edges: relstore.EdgeStats{Inserted: 3, Deleted: 1}, Cascade: relstore.CascadeStats{Closure: 4, Bumped: 6}}}
	rec = &recorded{}
	req := httptest.NewRequest("POST", "/data/ed-fi/schools", strings.NewReader(`{"schoolId":1}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	New(st, Options{Metrics: rec}).ServeHTTP(w, req)
	want := telemetry.Request{Operation: telemetry.OpUpsert, Resource: "ed-fi/schools", Status: w.Code,
		Write: telemetry.Write{EdgesInserted: 3, EdgesDeleted: 1, Closure: 4, Bumped: 6}}
	if len(rec.reqs) != 1 {
		t.Fatalf("%d requests recorded for one POST", len(rec.reqs))
	}
	got := rec.reqs[0]
	got.Duration = 0
	if got != want {
		t.Errorf("POST recorded %+v, want %+v", got, want)
	}
	w = httptest.NewRecorder()
	New(&fakeStore{}, Options{}).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("/metrics without a handler: %d, want 404", w.Code)
	}
}

// TestStructuredLog: with Options.Logger the request log is one JSON
// record per request with its id, operation and resource.
func TestStructuredLog(t *testing.T) {
	var buf bytes.Buffer
	h := New(&fakeStore{}, Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	req := httptest.NewRequest("GET", "/health", nil)
	req.Header.Set(HeaderRequestID, "req-1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	for k, want := range map[string]any{"msg": "request", "method": "GET", "uri": "/health", "status": float64(200), "request_id": "req-1", "operation": "info"} {
		if rec[k] != want {
			t.Errorf("%s = %v, want %v (record %v)", k, rec[k], want, rec)
		}
	}
}
