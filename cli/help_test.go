package cli

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
)

// TestHelpGolden keeps the help texts under review: adding a command or
// flag changes them, and `make golden` rewrites testdata/*.golden.
func TestHelpGolden(t *testing.T) {
	for name, args := range map[string][]string{
		"help":         {"--help"},
		"version-help": {"version", "--help"},
	} {
		r := runCLI(t, args...)
		mustCode(t, r, ExitOK)
		golden.Assert(t, name, []byte(r.stdout))
	}
}
