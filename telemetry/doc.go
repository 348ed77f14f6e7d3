// Package telemetry is what dmsc reports about itself while it serves:
// a small Recorder interface that the server (and, later, the runtime and
// the DocumentCache projector) call, a no-op implementation, and a
// Prometheus implementation with its /metrics exposition.
//
// Labels are bounded: operations come from a fixed vocabulary (Operation
// constants), resources from the routes the server knows (an unknown path
// is recorded as ResourceNone), statuses as classes (2xx, 4xx, 5xx), so a
// hostile client cannot grow the series.
package telemetry
