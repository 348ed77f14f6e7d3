package compiler

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// compileFiles loads and compiles files, failing the test on any error.
func compileFiles(t testing.TB, files []string) *Result {
	t.Helper()
	var d diag.List
	set := apischema.Load(files, &d)
	var res *Result
	if set != nil {
		res = Compile(set, Options{}, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("compile %v:\n%v", files, err)
	}
	return res
}

// TestCompileRealSchemas compiles the full DS 5.0 core (alone, with the
// real Sample extension and with our own District extension too), the
// Homograph project alone and every upstream fixture case with zero errors, and
// prints their sizes.
func TestCompileRealSchemas(t *testing.T) {
	sets := []testenv.Case{
		{Name: "ds-5.0", Files: []string{testenv.DS50(t)}},
		{Name: "homograph", Files: []string{testenv.Homograph(t)}},
		{Name: "ds-5.0+sample", Files: []string{testenv.DS50(t), testenv.SampleDS50(t)}},
		{Name: "ds-5.0+sample+district", Files: []string{testenv.DS50(t), testenv.SampleDS50(t), testenv.DistrictExtension(t)}},
	}
	sets = append(sets, testenv.DMSCases(t)...)
	for _, c := range sets {
		t.Run(c.Name, func(t *testing.T) {
			res := compileFiles(t, c.Files)
			for _, m := range res.Models() {
				t.Logf("%s %s: %s", c.Name, m.Dialect, Summary(m))
			}
		})
	}
}
