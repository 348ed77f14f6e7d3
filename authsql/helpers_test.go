package authsql_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// exampleOverlay is the test overlay giving the example schema securable
// elements.
const exampleOverlay = "testdata/example.overlay.json"

// compiled is one schema set compiled with an auth overlay.
type compiled struct {
	res *compiler.Result
	// manifests by dialect.
	manifests map[model.Dialect]*manifest.Manifest
}

var (
	compiledMu    sync.Mutex
	compiledCache = map[string]*compiled{}
)

// compileSet compiles a schema set (nil files: the built-in example) with
// the overlay at overlayPath, once per test binary.
func compileSet(t testing.TB, name string, files []string, overlayPath string) *compiled {
	t.Helper()
	compiledMu.Lock()
	defer compiledMu.Unlock()
	if c, ok := compiledCache[name]; ok {
		return c
	}
	var d diag.List
	var set *apischema.Set
	if files == nil {
		var projects []*apischema.Project
		for _, f := range example.Files() {
			if p := apischema.Parse(f.Name, f.Data, &d); p != nil {
				projects = append(projects, p)
			}
		}
		if !d.HasErrors() {
			set = apischema.Build(projects, &d)
		}
	} else {
		set = apischema.Load(files, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: load: %v", name, err)
	}
	o := apischema.LoadOverlay(overlayPath, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("%s: overlay: %v", name, err)
	}
	set.ApplyAuthOverlay(o, &d)
	res := compiler.Compile(set, compiler.Options{}, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("%s: compile: %v", name, err)
	}
	c := &compiled{res: res, manifests: map[model.Dialect]*manifest.Manifest{}}
	for _, m := range res.Models() {
		c.manifests[m.Dialect] = compiler.Manifest(m)
	}
	compiledCache[name] = c
	return c
}

// exampleSet is the example schema with testdata/example.overlay.json.
func exampleSet(t testing.TB) *compiled {
	return compileSet(t, "example", nil, exampleOverlay)
}

// ds50Set is DS 5.0 + Sample with the project's DS 5.0 overlay (skipped
// without the fixtures).
func ds50Set(t testing.TB) *compiled {
	t.Helper()
	files := []string{testenv.DS50(t), testenv.SampleDS50(t)}
	return compileSet(t, "ds-5.0+sample", files, filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "ds-5.0.overlay.json"))
}

// loadClaims loads a claims file of ../testdata/auth.
func loadClaims(t testing.TB, name string) *authz.Claims {
	t.Helper()
	var d diag.List
	c := authz.LoadFile(filepath.Join(testenv.RepoRoot(t), "testdata", "auth", name), &d)
	if d.HasErrors() || c == nil {
		t.Fatalf("claims %s: %v", name, d.Err())
	}
	return c
}

// resource finds project/name in m.
func resource(t testing.TB, m *manifest.Manifest, project, name string) *manifest.Resource {
	t.Helper()
	for i := range m.Resources {
		if r := &m.Resources[i]; r.ProjectName == project && r.ResourceName == name {
			return r
		}
	}
	t.Fatalf("no resource %s/%s", project, name)
	return nil
}

// leaf is a one-strategy tree.
func leaf(name string) authz.Predicate {
	return authz.Predicate{Op: authz.OpStrategy, Strategy: authz.LookupStrategy(name)}
}

// any and all build composite trees.
func anyOf(ps ...authz.Predicate) authz.Predicate {
	return authz.Predicate{Op: authz.OpAny, Operands: ps}
}
func allOf(ps ...authz.Predicate) authz.Predicate {
	return authz.Predicate{Op: authz.OpAll, Operands: ps}
}

// form is one rendering of a tree: a dialect and a grant shape.
type form struct {
	label   string
	dialect model.Dialect
	shape   authsql.Shape
}

// forms are the renderings the golden files show: PostgreSQL, SQL Server
// with listed claims, and SQL Server with a table-valued parameter.
var forms = []form{
	{"pgsql", model.PgSQL, authsql.Shape{Claims: 3, Prefixes: 2}},
	{"pgsql, count", model.PgSQL, authsql.Shape{Claims: 3, Prefixes: 2, MergeIn: true}},      // shown where it differs
	{"pgsql, page keys", model.PgSQL, authsql.Shape{Claims: 3, Prefixes: 2, KeyArray: true}}, // shown where it differs
	{"pgsql, keyset page keys", model.PgSQL, authsql.Shape{Claims: 3, Prefixes: 2, KeyArray: true, AfterParam: "$3"}},
	{"mssql, 3 claims", model.MSSQL, authsql.Shape{Claims: 3, Prefixes: 2}},
	{"mssql, 2000 claims", model.MSSQL, authsql.Shape{Claims: authsql.MSSQLMaxListClaims, Prefixes: 2}},
}

// describe renders the golden text of one resource: its elements, each
// tree in each form, and the claims file's decisions for it.
func describe(t testing.TB, c *compiled, project, name string, trees []authz.Predicate, claims *authz.Claims) string {
	t.Helper()
	var b strings.Builder
	pg := c.manifests[model.PgSQL]
	res := resource(t, pg, project, name)
	fmt.Fprintf(&b, "# %s/%s\n", project, name)
	for _, f := range []model.Dialect{model.PgSQL, model.MSSQL} {
		m := c.manifests[f]
		rel, err := authsql.RootRelation(m, resource(t, m, project, name))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "# r (%s): %s\n", f, rel)
	}
	if len(res.SecurableElements) == 0 {
		b.WriteString("# no securable elements\n")
	}
	for _, e := range res.SecurableElements {
		var hops []string
		for _, h := range e.Hops {
			hops = append(hops, h.TargetResource)
		}
		fmt.Fprintf(&b, "# element %d: %s %s %s column %q hops [%s] subject %s/%s %q\n",
			e.Ordinal, e.Subject, e.Site, e.Path, e.Column, strings.Join(hops, " "), e.SubjectProject, e.SubjectResource, e.SubjectColumn)
	}
	// The trees: the given ones, then the claims file's composite ones.
	seen := map[string]bool{}
	var all []authz.Predicate
	add := func(p authz.Predicate) {
		if !seen[p.String()] {
			seen[p.String()] = true
			all = append(all, p)
		}
	}
	for _, p := range trees {
		add(p)
	}
	type decision struct{ action, tree string }
	byDecision := map[decision][]string{}
	var decisions []decision
	if claims != nil {
		for _, cs := range claims.ClaimSets() {
			for _, a := range []authz.Action{authz.ActionCreate, authz.ActionRead, authz.ActionUpdate, authz.ActionDelete} {
				d := claims.ResolveResource(cs.Name, res, a)
				key := decision{string(a), d.String()}
				if st := d.Status(); st == 0 {
					key.tree = d.Predicate.String()
					add(d.Predicate)
				}
				if _, ok := byDecision[key]; !ok {
					decisions = append(decisions, key)
				}
				byDecision[key] = append(byDecision[key], cs.Name)
			}
		}
	}
	for _, p := range all {
		fmt.Fprintf(&b, "\n## %s\n", p)
		last, base := map[model.Dialect]string{}, map[model.Dialect]string{}
		for _, f := range forms {
			m := c.manifests[f.dialect]
			r, err := authsql.Build(m, resource(t, m, project, name), p, f.shape)
			if err != nil {
				var ae *authsql.Error
				if !errors.As(err, &ae) {
					t.Fatalf("%s/%s %s: untyped error %v", project, name, p, err)
				}
				if f.shape.KeyArray || f.shape.MergeIn {
					continue // the same error as the IN form
				}
				fmt.Fprintf(&b, "%s: error %d %s: %s\n", f.label, ae.Status(), ae.Kind, ae.Message)
				if f.dialect == model.MSSQL {
					break // the same for every SQL Server shape
				}
				continue
			}
			if f.shape.Claims >= authsql.MSSQLMaxListClaims && !r.UsesClaims {
				continue // the same as the listed form
			}
			derived := f.shape.KeyArray || f.shape.MergeIn
			if derived && (r.SQL == last[f.dialect] || r.SQL == base[f.dialect]) {
				continue // nothing the page keys or the count test differently
			}
			if !derived {
				base[f.dialect] = r.SQL
			}
			last[f.dialect] = r.SQL
			fmt.Fprintf(&b, "%s: %s\n", f.label, r.SQL)
		}
		// The reach a page of persons lists its keys from, where there is one.
		for _, sh := range []authsql.Shape{{Claims: 3, Prefixes: 2}, {Claims: 3, Prefixes: 2, AfterParam: "$3"}} {
			if r, ok, err := authsql.Reach(pg, res, p, sh); err == nil && ok {
				label := "pgsql, reach"
				if sh.AfterParam != "" {
					label = "pgsql, keyset reach"
				}
				fmt.Fprintf(&b, "%s: %s\n", label, r.SQL)
			}
		}
	}
	if claims != nil {
		fmt.Fprintf(&b, "\n## decisions of %s\n", filepath.Base(claims.File()))
		sort.SliceStable(decisions, func(i, j int) bool { return decisions[i].action < decisions[j].action })
		for _, d := range decisions {
			fmt.Fprintf(&b, "%s %s: %s\n", d.action, strings.Join(byDecision[d], ", "), d.tree)
		}
	}
	return b.String()
}
