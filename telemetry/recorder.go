package telemetry

import "time"

// Operation is what a request did, as recorded.
type Operation string

// The operations a server records.
const (
	OpGet    Operation = "get"    // GET /data/{project}/{resource}/{id}
	OpQuery  Operation = "query"  // GET /data/{project}/{resource}
	OpUpsert Operation = "upsert" // POST
	OpUpdate Operation = "update" // PUT
	OpDelete Operation = "delete" // DELETE
	OpInfo   Operation = "info"   // /, /health, /ready, /metrics
	OpOther  Operation = "other"  // refused before a route matched
)

// ResourceNone is the resource label of a request that matched no
// resource route.
const ResourceNone = "-"

// Request is one served request.
type Request struct {
	// Operation and Resource ("{projectEndpoint}/{endpoint}", or
	// ResourceNone) label it.
	Operation Operation
	Resource  string
	// Status is the HTTP status answered.
	Status int
	// Duration is from the first byte of the handler to its return.
	Duration time.Duration
	// Write holds what a successful write changed (zero otherwise).
	Write Write
	// RoundTrips and Statements count the database round trips and SQL
	// statements the request made.
	RoundTrips, Statements int64
}

// Write is what one successful write changed.
type Write struct {
	// EdgesInserted, EdgesUpdated and EdgesDeleted count the
	// dms.ReferenceEdge rows the write's edge diff changed.
	EdgesInserted, EdgesUpdated, EdgesDeleted int64
	// Closure is the size of the identity closure of an identity change
	// (0 without one); Bumped the ETags the cascade bumped.
	Closure int
	Bumped  int64
}

// Recorder receives what the server observes. Implementations must be
// safe for concurrent use and must not block.
type Recorder interface {
	// Request records one served request.
	Request(r Request)
}

// Nop records nothing.
type Nop struct{}

// Request implements Recorder.
func (Nop) Request(Request) {}

// StatusClass returns the label of an HTTP status: "2xx" … "5xx", or
// "other".
func StatusClass(status int) string {
	switch {
	case status >= 200 && status < 300:
		return "2xx"
	case status >= 300 && status < 400:
		return "3xx"
	case status >= 400 && status < 500:
		return "4xx"
	case status >= 500 && status < 600:
		return "5xx"
	}
	return "other"
}
