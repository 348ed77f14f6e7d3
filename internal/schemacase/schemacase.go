// Package schemacase compiles, once per test binary, the schema sets the
// ddl and provision tests run over: the built-in example,
// a hand-made model, the project's own testdata/cases and the shared
// fixtures (skipped when absent). Test-only.
package schemacase

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

// Case is one schema set the tests run over: its models, one per dialect.
type Case struct {
	Name   string
	Models []*model.Model
	// scripts caches Script.
	mu      sync.Mutex
	scripts map[model.Dialect]string
}

// Model returns the case's model of a dialect.
func (c *Case) Model(dialect model.Dialect) *model.Model {
	for _, m := range c.Models {
		if m.Dialect == dialect {
			return m
		}
	}
	return nil
}

// Script returns the case's script of a dialect, rendered by render (ddl's
// Render; the package cannot import ddl, whose own tests use it) once.
func (c *Case) Script(t testing.TB, d model.Dialect, render func(*model.Model) (string, error)) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.scripts[d]; ok {
		return s
	}
	m := c.Model(d)
	if m == nil {
		t.Fatalf("%s: no %s model", c.Name, d)
	}
	s, err := render(m)
	if err != nil {
		t.Fatalf("%s: render %s: %v", c.Name, d, err)
	}
	if c.scripts == nil {
		c.scripts = map[model.Dialect]string{}
	}
	c.scripts[d] = s
	return s
}

var (
	caseMu    sync.Mutex
	caseCache = map[string]*Case{}
)

// Cached builds a case once per test binary.
func Cached(t testing.TB, name string, build func(testing.TB) []*model.Model) *Case {
	t.Helper()
	caseMu.Lock()
	defer caseMu.Unlock()
	if c, ok := caseCache[name]; ok {
		return c
	}
	c := &Case{Name: name, Models: build(t)}
	caseCache[name] = c
	return c
}

// Example is the built-in example schema set.
func Example(t testing.TB) *Case {
	return Cached(t, "example", func(t testing.TB) []*model.Model { return CompileExample(t, false).Models() })
}

// Handmade is the hand-built model of HandmadeModel.
func Handmade(t testing.TB) *Case {
	return Cached(t, "handmade", func(testing.TB) []*model.Model {
		return []*model.Model{HandmadeModel(model.PgSQL), HandmadeModel(model.MSSQL)}
	})
}

// CompileExample compiles the built-in example schema set, its files in
// the given order.
func CompileExample(t testing.TB, reverse bool) *compiler.Result {
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

// CompileFiles loads and compiles ApiSchema files (first = core).
func CompileFiles(t testing.TB, files []string) *compiler.Result {
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

// Set names the input files of one schema set.
type Set struct {
	Name  string
	Files []string
}

// FixtureSets lists DS 5.0, Homograph and every dms/<case> of the shared
// fixture corpus (found by testenv, which skips when it is absent).
func FixtureSets(t testing.TB) []Set {
	t.Helper()
	out := []Set{
		{Name: "ds-5.0", Files: []string{testenv.DS50(t)}},
		{Name: "homograph", Files: []string{testenv.Homograph(t)}},
		{Name: "ds-5.0+sample", Files: []string{testenv.DS50(t), testenv.SampleDS50(t)}},
		{Name: "ds-5.0+sample+district", Files: []string{testenv.DS50(t), testenv.SampleDS50(t), testenv.DistrictExtension(t)}},
	}
	for _, c := range testenv.DMSCases(t) {
		out = append(out, Set{Name: "dms-" + c.Name, Files: c.Files})
	}
	return out
}

// OwnSets lists the project's own schema cases, ../testdata/cases/<case>
// with inputs (the example case has none: it is Example).
func OwnSets(t testing.TB) []Set {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "testdata", "cases", "*", "inputs"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	var out []Set
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		out = append(out, Set{Name: "case-" + filepath.Base(filepath.Dir(dir)), Files: files})
	}
	return out
}

// Fixture compiles and renders one fixture set once per test binary.
func Fixture(t testing.TB, fs Set) *Case {
	return Cached(t, fs.Name, func(t testing.TB) []*model.Model { return CompileFiles(t, fs.Files).Models() })
}

// ForEach runs fn as a subtest for the example, the hand-made model,
// the project's own testdata/cases and, in a "fixtures" subtest that skips
// when the corpus is absent, for DS 5.0, Homograph and every dms case.
func ForEach(t *testing.T, parallel bool, fn func(t *testing.T, c *Case)) {
	t.Helper()
	run := func(t *testing.T, name string, get func(testing.TB) *Case) {
		t.Run(name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			fn(t, get(t))
		})
	}
	run(t, "example", Example)
	run(t, "handmade", Handmade)
	for _, fs := range OwnSets(t) {
		run(t, fs.Name, func(t testing.TB) *Case { return Fixture(t, fs) })
	}
	t.Run("fixtures", func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		for _, fs := range FixtureSets(t) {
			run(t, fs.Name, func(t testing.TB) *Case { return Fixture(t, fs) })
		}
	})
}

// MustDialect returns the named dialect or fails the test.
func MustDialect(t testing.TB, name model.Dialect) dialect.Dialect {
	t.Helper()
	d, err := all.For(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
