package authz

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// schemaResource is one concrete resource of an ApiSchema file (resource
// extensions excluded: they are authorized as the resource they extend).
type schemaResource struct {
	endpoint, name string
}

func (r schemaResource) String() string { return r.endpoint + "/" + r.name }

// schemaResources lists the resources of ApiSchema files in file order and,
// within a file, in resource name order (read with encoding/json only, so
// this test does not depend on the compiler).
func schemaResources(t *testing.T, files ...string) []schemaResource {
	t.Helper()
	type resourceSchema struct {
		ResourceName        string `json:"resourceName"`
		IsResourceExtension bool   `json:"isResourceExtension"`
	}
	type project struct {
		ProjectEndpointName string                    `json:"projectEndpointName"`
		ResourceSchemas     map[string]resourceSchema `json:"resourceSchemas"`
	}
	var out []schemaResource
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ProjectSchema  *project           `json:"projectSchema"`
			ProjectSchemas map[string]project `json:"projectSchemas"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var projects []project
		if doc.ProjectSchema != nil {
			projects = append(projects, *doc.ProjectSchema)
		}
		endpoints := make([]string, 0, len(doc.ProjectSchemas))
		for ep := range doc.ProjectSchemas {
			endpoints = append(endpoints, ep)
		}
		sort.Strings(endpoints)
		for _, ep := range endpoints {
			p := doc.ProjectSchemas[ep]
			p.ProjectEndpointName = ep
			projects = append(projects, p)
		}
		for _, p := range projects {
			var rs []schemaResource
			for _, r := range p.ResourceSchemas {
				if !r.IsResourceExtension {
					rs = append(rs, schemaResource{p.ProjectEndpointName, r.ResourceName})
				}
			}
			sort.Slice(rs, func(i, j int) bool { return rs[i].name < rs[j].name })
			out = append(out, rs...)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no resources in %v", files)
	}
	return out
}

// claimsFile describes one claims file of testdata/auth and what its
// decisions must be.
type claimsFile struct {
	name string
	// schemas returns the ApiSchema files of the schema set.
	schemas func(t *testing.T) []string
	// warnings are the expected warnings (the deliberate unknown strategy).
	warnings []string
	// shapes are the predicate shapes (see shape) the decisions must show.
	shapes []string
	// failing maps "claimSet action project/Resource" to the status of each
	// deliberate non-zero, non-403 status.
	failing map[string]int
}

var claimsFiles = []claimsFile{
	{
		name: "claims.example.json",
		schemas: func(t *testing.T) []string {
			root := testenv.RepoRoot(t)
			return []string{filepath.Join(root, "example", "example-core.json"), filepath.Join(root, "example", "example-extra.json")}
		},
		warnings: []string{
			`claims.example.json:$.claimsHierarchy[5].claims[1].claimSets[0].actions[0].authorizationStrategyOverrides[0].name: warning: unknown-strategy: unknown authorization strategy "BusWithCustomRouteRules": a request it applies to fails with 500 (security configuration)`,
		},
		shapes: []string{"relationship", "namespace", "none", "ownership", "unknown", "OR(relationship, …)", "AND(relationship, ownership)"},
		failing: map[string]int{
			"LegacyOdsVendor Read example/School":   501,
			"LegacyOdsVendor Update example/School": 501,
			"LegacyOdsVendor Read extra/Bus":        500,
		},
	},
	{
		name:    "claims.ds-5.0-sample.json",
		schemas: func(t *testing.T) []string { return []string{testenv.DS50(t), testenv.SampleDS50(t)} },
		warnings: []string{
			`claims.ds-5.0-sample.json:$.claimsHierarchy[5].claims[38].claimSets[1].actions[0].authorizationStrategyOverrides[0].name: warning: unknown-strategy: unknown authorization strategy "SectionWithCustomRosterRules": a request it applies to fails with 500 (security configuration)`,
		},
		shapes: []string{"relationship", "namespace", "none", "ownership", "unknown", "OR(relationship, …)",
			"AND(OR(relationship, …), namespace)", "AND(relationship, namespace)", "AND(relationship, ownership)"},
		failing: map[string]int{
			"LegacyOdsVendor Read ed-fi/School":   501,
			"LegacyOdsVendor Update ed-fi/School": 501,
			"LegacyOdsVendor Read ed-fi/Section":  500,
		},
	},
}

func loadClaimsFile(t *testing.T, name string) (*Claims, *diag.List) {
	t.Helper()
	var d diag.List
	path := filepath.Join(testenv.RepoRoot(t), "testdata", "auth", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := Parse(name, data, &d)
	if c == nil {
		t.Fatalf("%s: %v", name, d.Err())
	}
	return c, &d
}

// crud are the actions dmsc serves.
var crud = []Action{ActionCreate, ActionRead, ActionUpdate, ActionDelete}

// TestClaimsFiles: our claims files load with only their deliberate
// warnings; every resource of their schema set has a resource claim and
// every resource claim a resource; every (claim set, action, resource)
// resolves to a decision, none misconfigured except the deliberate ones;
// every strategy and combination the spec names appears. The decisions are
// kept in golden files (the example's in full, DS 5.0's summarized).
func TestClaimsFiles(t *testing.T) {
	for _, f := range claimsFiles {
		t.Run(f.name, func(t *testing.T) {
			c, d := loadClaimsFile(t, f.name)
			if got := diagStrings(d); !reflect.DeepEqual(got, f.warnings) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(f.warnings, "\n"))
			}
			resources := schemaResources(t, f.schemas(t)...)
			checkClaimsCoverage(t, c, resources)
			lines, seen := resolveAll(t, c, resources, f.failing)
			checkVocabulary(t, seen, f.shapes)
			base := strings.TrimSuffix(strings.TrimPrefix(f.name, "claims."), ".json")
			if f.name == "claims.example.json" {
				golden.Assert(t, "decisions."+base, []byte(strings.Join(lines, "\n")+"\n"))
			} else {
				golden.Assert(t, "decisions."+base, []byte(summarize(lines)))
			}
		})
	}
}

// checkClaimsCoverage: resources and resource claims correspond one to one.
func checkClaimsCoverage(t *testing.T, c *Claims, resources []schemaResource) {
	t.Helper()
	leaves := map[string]bool{}
	for _, l := range c.ResourceClaims() {
		leaves[fold(l)] = true
	}
	claimed := map[string]bool{}
	for _, r := range resources {
		name := ResourceClaimName(r.endpoint, r.name)
		if !leaves[fold(name)] {
			t.Errorf("%s: no resource claim %s", r, name)
		}
		claimed[fold(name)] = true
	}
	for _, l := range c.ResourceClaims() {
		if !claimed[fold(l)] {
			t.Errorf("resource claim %s names no resource of the schema set", l)
		}
	}
}

// vocabulary is what the decisions of a file showed.
type vocabulary struct {
	strategies map[string]bool
	shapes     map[string]bool
}

// resolveAll resolves every (claim set, action, resource), checks each
// decision and returns one line per decision plus what they showed.
func resolveAll(t *testing.T, c *Claims, resources []schemaResource, failing map[string]int) ([]string, vocabulary) {
	t.Helper()
	seen := vocabulary{map[string]bool{}, map[string]bool{}}
	failed := map[string]bool{}
	var lines []string
	for _, set := range c.ClaimSets() {
		for _, a := range crud {
			for _, r := range resources {
				key := fmt.Sprintf("%s %s %s", set.Name, a, r)
				d := c.Resolve(set.Name, r.endpoint, r.name, a)
				lines = append(lines, key+": "+d.String())
				switch {
				case d.Outcome == OutcomeNoStrategies:
					t.Errorf("%s: granted without a strategy", key)
				case d.Reason == ReasonNoResourceClaim || d.Reason == ReasonUnknownClaimSet:
					t.Errorf("%s: %s", key, d.Reason)
				case d.Status() == 500 || d.Status() == 501:
					if failing[key] != d.Status() {
						t.Errorf("%s: status %d (%s) is not deliberate", key, d.Status(), d)
					}
					failed[key] = true
				}
				if set.Name == "EdFiSandbox" && d.String() == "403 action-not-granted" {
					t.Errorf("%s: the sandbox is denied", key)
				}
				if d.Outcome == OutcomeAllowed {
					for _, s := range d.Strategies {
						seen.strategies[s.Name] = true
					}
					seen.shapes[shape(d.Predicate)] = true
				}
			}
		}
	}
	var missing []string
	for k := range failing {
		if !failed[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("%s: expected status %d, not seen", k, failing[k])
	}
	return lines, seen
}

// shape abstracts a predicate to its operators and strategy kinds:
// AND(OR(relationship, relationship), namespace).
func shape(p Predicate) string {
	if p.Op == OpStrategy {
		return p.Strategy.Kind.String()
	}
	parts := make([]string, len(p.Operands))
	for i, o := range p.Operands {
		parts[i] = shape(o)
	}
	if p.Op == OpAny {
		parts = parts[:1] // OR(relationship, …): the count does not matter
		return "OR(" + parts[0] + ", …)"
	}
	return p.Op.String() + "(" + strings.Join(parts, ", ") + ")"
}

// checkVocabulary: every strategy name and each of shapes appears in the
// file's decisions.
func checkVocabulary(t *testing.T, seen vocabulary, shapes []string) {
	t.Helper()
	for _, n := range StrategyNames() {
		if !seen.strategies[n] {
			t.Errorf("strategy %s appears in no decision", n)
		}
	}
	for _, s := range shapes {
		if !seen.shapes[s] {
			t.Errorf("no decision has the shape %s", s)
		}
	}
}

// summarize counts the decisions per claim set, action and decision.
func summarize(lines []string) string {
	type row struct {
		group, decision string
		n               int
	}
	var rows []*row
	index := map[string]*row{}
	for _, l := range lines {
		key, decision, _ := strings.Cut(l, ": ")
		f := strings.Fields(key)
		group := f[0] + " " + f[1]
		if r := index[group+"\x00"+decision]; r != nil {
			r.n++
			continue
		}
		r := &row{group, decision, 1}
		index[group+"\x00"+decision] = r
		rows = append(rows, r)
	}
	order := map[string]int{}
	for _, r := range rows {
		if _, ok := order[r.group]; !ok {
			order[r.group] = len(order)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].group != rows[j].group {
			return order[rows[i].group] < order[rows[j].group] // claim set and action order
		}
		if rows[i].n != rows[j].n {
			return rows[i].n > rows[j].n
		}
		return rows[i].decision < rows[j].decision
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %4d× %s\n", r.group, r.n, r.decision)
	}
	return b.String()
}

// TestExampleManifest: the example's compiled manifest names the same
// resources as its ApiSchema files, and ResolveResource resolves them as
// Resolve does.
func TestExampleManifest(t *testing.T) {
	root := testenv.RepoRoot(t)
	m, err := manifest.LoadFile(filepath.Join(root, "testdata", "cases", "example", "expected", "manifest.pgsql.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := loadClaimsFile(t, "claims.example.json")
	var fromManifest []string
	for i := range m.Resources {
		r := &m.Resources[i]
		fromManifest = append(fromManifest, r.ProjectEndpoint+"/"+r.ResourceName)
		for _, set := range c.ClaimSets() {
			for _, a := range crud {
				got, want := c.ResolveResource(set.Name, r, a), c.Resolve(set.Name, r.ProjectEndpoint, r.ResourceName, a)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s %s: %s vs %s", set.Name, a, r.ResourceName, got, want)
				}
			}
		}
	}
	var fromSchema []string
	for _, r := range schemaResources(t, claimsFiles[0].schemas(t)...) {
		fromSchema = append(fromSchema, r.String())
	}
	sort.Strings(fromManifest)
	sort.Strings(fromSchema)
	if !reflect.DeepEqual(fromManifest, fromSchema) {
		t.Errorf("manifest resources %q, ApiSchema resources %q", fromManifest, fromSchema)
	}
}

// TestImports: the package imports the standard library and only the dmsc
// packages the spec allows (manifest; diag and boundedfile for reading).
func TestImports(t *testing.T) {
	allowed := map[string]bool{
		"github.com/edfi-dmsc/dmsc/manifest":    true,
		"github.com/edfi-dmsc/dmsc/diag":        true,
		"github.com/edfi-dmsc/dmsc/boundedfile": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range parsed.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if !strings.Contains(first, ".") || allowed[p] {
				continue
			}
			t.Errorf("%s imports %s", f, p)
		}
	}
	if checked < 5 {
		t.Errorf("only %d files checked", checked)
	}
}
