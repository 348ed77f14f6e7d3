package telemetry

// The blank import registers golden's -update flag, so that
// `go test ./... -update` (the documented way to rewrite golden files) runs
// in this package too.
import _ "github.com/edfi-dmsc/dmsc/golden"
