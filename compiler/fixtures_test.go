package compiler

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// fixtureCase is one upstream DMS generator fixture (dms/<case>).
type fixtureCase struct {
	Name  string
	Dir   string
	Files []string
}

// fixtureCases lists ../shared/fixtures/dms/<case> with their input files in
// fixture.json order (first = core).
func fixtureCases(t testing.TB) []fixtureCase {
	t.Helper()
	root := filepath.Join(testenv.Fixtures(t), "dms")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []fixtureCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			APISchemaFiles []string `json:"apiSchemaFiles"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		c := fixtureCase{Name: e.Name(), Dir: dir}
		for _, n := range f.APISchemaFiles {
			c.Files = append(c.Files, filepath.Join(dir, "inputs", n))
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

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

// TestCompileRealSchemas compiles the full DS 5.0 core, the Homograph
// project alone and every upstream fixture case with zero errors, and
// prints their sizes.
func TestCompileRealSchemas(t *testing.T) {
	fx := testenv.Fixtures(t)
	sets := []fixtureCase{
		{Name: "ds-5.0", Files: []string{filepath.Join(fx, "apischema", "ds-5.0", "ApiSchema.json")}},
		{Name: "homograph", Files: []string{filepath.Join(fx, "apischema", "homograph", "ApiSchema.json")}},
	}
	sets = append(sets, fixtureCases(t)...)
	for _, c := range sets {
		t.Run(c.Name, func(t *testing.T) {
			res := compileFiles(t, c.Files)
			for _, m := range res.Models() {
				t.Logf("%s %s: %s", c.Name, m.Dialect, Summary(m))
			}
		})
	}
}
