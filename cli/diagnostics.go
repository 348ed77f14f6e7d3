package cli

import (
	"fmt"
	"io"

	"github.com/edfi-dmsc/dmsc/diag"
)

// printDiagnostics writes one `file:jsonpath: code: message` line per
// diagnostic to w (normally the invocation's stderr). Printing warnings does
// not fail the command; pass list.Warnings() after a successful stage and
// return list.Err() to fail on errors.
func printDiagnostics(w io.Writer, items []diag.Diagnostic) {
	for _, d := range items {
		fmt.Fprintln(w, d.String())
	}
}
