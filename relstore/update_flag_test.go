package relstore

// The blank import registers golden's -update flag, so that
// `go test ./... -update` (the documented way to rewrite golden files) runs
// in this package too. Test-only: the runtime itself never imports it.
import _ "github.com/edfi-dmsc/dmsc/golden"
