package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestExtensionSchemaSets runs `dmsc ddl emit` on DS 5.0 with the real
// Sample extension (and with our own District extension of the same
// collection items too), which must succeed, and on DS 5.0 with the Sample
// generated for DS 6.0, which must fail with the one error of
// testdata/sample-ds60-refused.golden (fixture paths shown as
// $DMSC_FIXTURES).
func TestExtensionSchemaSets(t *testing.T) {
	fixtures := testenv.Fixtures(t)
	for _, c := range []struct {
		name  string
		files []string
	}{
		{"ds-5.0+sample", []string{testenv.DS50(t), testenv.SampleDS50(t)}},
		{"ds-5.0+sample+district", []string{testenv.DS50(t), testenv.SampleDS50(t), testenv.DistrictExtension(t)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"ddl", "emit", "-q", "-o", filepath.Join(t.TempDir(), "out")}
			for _, f := range c.files {
				args = append(args, "-s", f)
			}
			mustCode(t, runCLI(t, args...), ExitOK)
		})
	}
	t.Run("ds-5.0+sample-ds60", func(t *testing.T) {
		r := runCLI(t, "ddl", "emit", "-q", "-o", filepath.Join(t.TempDir(), "out"), "-s", testenv.DS50(t), "-s", testenv.SampleDS60(t))
		mustCode(t, r, ExitFailure)
		golden.Assert(t, "sample-ds60-refused", []byte(strings.ReplaceAll(r.stderr, fixtures, "$DMSC_FIXTURES")))
	})
}
