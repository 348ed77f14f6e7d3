package telemetry

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPrometheusExposition: recorded requests and writes appear in the
// text exposition with bounded labels (status classes, "-" for no
// resource), beside the Go runtime collector.
func TestPrometheusExposition(t *testing.T) {
	p := NewPrometheus()
	p.Request(Request{Operation: OpGet, Resource: "ed-fi/schools", Status: 200, Duration: 3 * time.Millisecond})
	p.Request(Request{Operation: OpGet, Resource: "ed-fi/schools", Status: 404, Duration: time.Millisecond})
	p.Request(Request{Operation: OpUpdate, Resource: "ed-fi/sessions", Status: 204, Duration: 9 * time.Millisecond,
		Write: Write{EdgesInserted: 2, EdgesDeleted: 1, Closure: 5, Bumped: 7}})
	p.Request(Request{Operation: OpOther, Status: 404, Duration: time.Microsecond})
	p.Request(Request{Operation: OpQuery, Resource: "ed-fi/schools", Status: 200, Duration: time.Millisecond, RoundTrips: 1})
	p.Retry("deadlock")
	p.LockWait(2 * time.Millisecond)
	p.RegisterReadShapes(shapeCounts{3, 1, 2})
	w := httptest.NewRecorder()
	p.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	text := string(body)
	for _, want := range []string{
		`dmsc_requests_total{operation="get",resource="ed-fi/schools",status="2xx"} 1`,
		`dmsc_requests_total{operation="get",resource="ed-fi/schools",status="4xx"} 1`,
		`dmsc_requests_total{operation="other",resource="-",status="4xx"} 1`,
		`dmsc_request_duration_seconds_count{operation="update",resource="ed-fi/sessions"} 1`,
		`dmsc_edge_rows_changed_total{change="inserted",resource="ed-fi/sessions"} 2`,
		`dmsc_edge_rows_changed_total{change="deleted",resource="ed-fi/sessions"} 1`,
		`dmsc_identity_closure_documents_sum{resource="ed-fi/sessions"} 5`,
		`dmsc_cascade_etags_bumped_total{resource="ed-fi/sessions"} 7`,
		`dmsc_request_round_trips_bucket{operation="query",le="1"} 1`,
		`dmsc_write_retries_total{reason="deadlock"} 1`,
		`dmsc_write_lock_round_trip_seconds_count 1`,
		`dmsc_read_shape_gets_total{outcome="hit"} 3`,
		`dmsc_read_shape_gets_total{outcome="stale"} 1`,
		`dmsc_read_shape_gets_total{outcome="miss"} 2`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the exposition lacks %s", want)
		}
	}
	if strings.Contains(text, `change="updated"`) {
		t.Error("a zero edge count created a series")
	}
}

// shapeCounts is a ReadShapeSource of fixed counts.
type shapeCounts [3]int64

// ReadShapeCounts implements ReadShapeSource.
func (c shapeCounts) ReadShapeCounts() (int64, int64, int64) { return c[0], c[1], c[2] }

// TestStatusClass covers the status labels.
func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{200: "2xx", 304: "3xx", 403: "4xx", 503: "5xx", 0: "other", 999: "other"} {
		if got := StatusClass(status); got != want {
			t.Errorf("StatusClass(%d) = %q, want %q", status, got, want)
		}
	}
}
