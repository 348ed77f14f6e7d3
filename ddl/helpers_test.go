package ddl

import (
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// schemaCase is one schema set the tests render: its models and scripts.
type schemaCase struct {
	Name    string
	Models  []*model.Model
	Scripts []Script
}

// model returns the case's model of a dialect.
func (c *schemaCase) model(dialect model.Dialect) *model.Model {
	for _, m := range c.Models {
		if m.Dialect == dialect {
			return m
		}
	}
	return nil
}

// script returns the case's script of a dialect.
func (c *schemaCase) script(dialect model.Dialect) string {
	for _, s := range c.Scripts {
		if s.Dialect == dialect {
			return s.SQL
		}
	}
	return ""
}

var (
	caseMu    sync.Mutex
	caseCache = map[string]*schemaCase{}
)

// cachedCase builds a case once per test binary.
func cachedCase(t testing.TB, name string, build func(testing.TB) []*model.Model) *schemaCase {
	t.Helper()
	caseMu.Lock()
	defer caseMu.Unlock()
	if c, ok := caseCache[name]; ok {
		return c
	}
	models := build(t)
	scripts, err := RenderAll(models)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c := &schemaCase{Name: name, Models: models, Scripts: scripts}
	caseCache[name] = c
	return c
}

// exampleCase is the built-in example schema set.
func exampleCase(t testing.TB) *schemaCase {
	return cachedCase(t, "example", func(t testing.TB) []*model.Model { return compileExample(t, false).Models() })
}

// handmadeCase is the hand-built model of handmade_test.go.
func handmadeCase(t testing.TB) *schemaCase {
	return cachedCase(t, "handmade", func(testing.TB) []*model.Model {
		return []*model.Model{handmadeModel("pgsql"), handmadeModel("mssql")}
	})
}

// compileExample compiles the built-in example schema set, its files in
// the given order.
func compileExample(t testing.TB, reverse bool) *compiler.Result {
	t.Helper()
	files := example.Files()
	if reverse {
		for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
			files[i], files[j] = files[j], files[i]
		}
	}
	var d diag.List
	var projects []*apischema.Project
	for _, f := range files {
		if p := apischema.Parse(f.Name, f.Data, &d); p != nil {
			projects = append(projects, p)
		}
	}
	var res *compiler.Result
	if set := apischema.Build(projects, &d); set != nil {
		res = compiler.Compile(set, compiler.Options{}, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("example schema:\n%v", err)
	}
	return res
}

// compileFiles loads and compiles ApiSchema files (first = core).
func compileFiles(t testing.TB, files []string) *compiler.Result {
	t.Helper()
	var d diag.List
	set := apischema.Load(files, &d)
	var res *compiler.Result
	if set != nil {
		res = compiler.Compile(set, compiler.Options{}, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("compile %v:\n%v", files, err)
	}
	return res
}

// fixtureSet names the input files of one fixture schema set.
type fixtureSet struct {
	Name  string
	Files []string
}

// fixtureSets lists DS 5.0, Homograph and every dms/<case> of the shared
// fixture corpus (found by testenv, which skips when it is absent).
func fixtureSets(t testing.TB) []fixtureSet {
	t.Helper()
	out := []fixtureSet{
		{Name: "ds-5.0", Files: []string{testenv.DS50(t)}},
		{Name: "homograph", Files: []string{testenv.Homograph(t)}},
		{Name: "ds-5.0+sample", Files: []string{testenv.DS50(t), testenv.SampleDS50(t)}},
		{Name: "ds-5.0+sample+district", Files: []string{testenv.DS50(t), testenv.SampleDS50(t), testenv.DistrictExtension(t)}},
	}
	for _, c := range testenv.DMSCases(t) {
		out = append(out, fixtureSet{Name: "dms-" + c.Name, Files: c.Files})
	}
	return out
}

// ownSets lists the project's own schema cases, ../testdata/cases/<case>
// with inputs (the example case has none: it is exampleCase).
func ownSets(t testing.TB) []fixtureSet {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "testdata", "cases", "*", "inputs"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	var out []fixtureSet
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		out = append(out, fixtureSet{Name: "case-" + filepath.Base(filepath.Dir(dir)), Files: files})
	}
	return out
}

// fixtureCase compiles and renders one fixture set once per test binary.
func fixtureCase(t testing.TB, fs fixtureSet) *schemaCase {
	return cachedCase(t, fs.Name, func(t testing.TB) []*model.Model { return compileFiles(t, fs.Files).Models() })
}

// forEachCase runs fn as a subtest for the example, the hand-made model,
// the project's own testdata/cases and, in a "fixtures" subtest that skips
// when the corpus is absent, for DS 5.0, Homograph and every dms case.
func forEachCase(t *testing.T, parallel bool, fn func(t *testing.T, c *schemaCase)) {
	t.Helper()
	run := func(t *testing.T, name string, get func(testing.TB) *schemaCase) {
		t.Run(name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			fn(t, get(t))
		})
	}
	run(t, "example", exampleCase)
	run(t, "handmade", handmadeCase)
	for _, fs := range ownSets(t) {
		run(t, fs.Name, func(t testing.TB) *schemaCase { return fixtureCase(t, fs) })
	}
	t.Run("fixtures", func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		for _, fs := range fixtureSets(t) {
			run(t, fs.Name, func(t testing.TB) *schemaCase { return fixtureCase(t, fs) })
		}
	})
}

// mustDialect returns the named dialect or fails the test.
func mustDialect(t testing.TB, name model.Dialect) dialect.Dialect {
	t.Helper()
	d, err := all.For(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
