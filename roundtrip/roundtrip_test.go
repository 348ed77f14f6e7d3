package roundtrip

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/compiler"
	_ "github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// exampleManifest compiles the built-in example schema set.
func exampleManifest(t *testing.T) *manifest.Manifest {
	t.Helper()
	return compiler.Manifest(relstoretest.Compile(t))
}

func TestLoadOrder(t *testing.T) {
	var got []string
	for _, r := range LoadOrder(exampleManifest(t)) {
		got = append(got, r.ProjectEndpoint+"/"+r.EndpointName)
	}
	want := []string{
		"example/addressTypeDescriptors",
		"example/gradeLevelDescriptors",
		"example/localEducationAgencies",
		"example/programTypeDescriptors",
		"example/schoolYearTypes",
		"example/schools",  // after LEAs and its descriptors
		"example/programs", // after both members of EducationOrganization
		"example/students",
		"example/studentSchoolAssociations",
		"extra/buses",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("load order\n got %q\nwant %q", got, want)
	}
}

func TestLoadOrderCycle(t *testing.T) {
	edge := func(target string) manifest.EdgeSource {
		return manifest.EdgeSource{Kind: manifest.EdgeReference, TargetProject: "P", TargetResource: target}
	}
	m := &manifest.Manifest{Resources: []manifest.Resource{
		{ProjectName: "P", ResourceName: "C", ProjectEndpoint: "p", EndpointName: "c", EdgeSources: []manifest.EdgeSource{edge("B")}},
		{ProjectName: "P", ResourceName: "B", ProjectEndpoint: "p", EndpointName: "b", EdgeSources: []manifest.EdgeSource{edge("C"), edge("Unknown")}},
		{ProjectName: "P", ResourceName: "A", ProjectEndpoint: "p", EndpointName: "a", EdgeSources: []manifest.EdgeSource{edge("C")}},
		{ProjectName: "P", ResourceName: "D", ProjectEndpoint: "p", EndpointName: "d", EdgeSources: []manifest.EdgeSource{edge("D")}},
	}}
	var got []string
	for _, r := range LoadOrder(m) {
		got = append(got, r.EndpointName)
	}
	// d references only itself: ready at once. b and c form a cycle, broken
	// at the smallest (b); a waits for c.
	if want := []string{"d", "b", "c", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("load order %q, want %q", got, want)
	}
}

func TestDescriptorPaths(t *testing.T) {
	m := exampleManifest(t)
	idx := NewDescriptors(m)
	for _, tc := range []struct {
		endpoint string
		want     []string
	}{
		{"schools", []string{"$.addresses[*].addressTypeDescriptor", "$.gradeLevels[*].gradeLevelDescriptor"}},
		{"programs", []string{"$.programTypeDescriptor"}},
		{"studentSchoolAssociations", []string{"$.entryGradeLevelDescriptor", "$.programs[*].programReference.programTypeDescriptor"}},
		{"students", nil},
	} {
		var r *manifest.Resource
		for i := range m.Resources {
			if m.Resources[i].EndpointName == tc.endpoint {
				r = &m.Resources[i]
			}
		}
		got := map[string]bool{}
		for _, p := range tc.want {
			got[p] = true
		}
		if paths := idx.Paths(r); !reflect.DeepEqual(paths, got) {
			t.Errorf("%s: descriptor paths %v, want %v", tc.endpoint, paths, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	const meta = `"id":"u1","_etag":"7","_lastModifiedDate":"2024-09-03T14:30:00Z"`
	for _, tc := range []struct {
		name, input, got string
		pruned           []string
		want             []string
	}{
		{name: "equal", input: `{"a":1.50,"b":["x"],"c":{"d":true}}`, got: `{` + meta + `,"c":{"d":true},"b":["x"],"a":1.5}`},
		{name: "input normalised", input: `{"a":1,"n":null,"e":[],"o":{"p":null}}`, got: `{` + meta + `,"a":1}`},
		{name: "pruned", input: `{"a":1,"x":2,"l":[{"y":3,"z":4}]}`, pruned: []string{"$.x", "$.l[0].z"}, got: `{` + meta + `,"a":1,"l":[{"y":3}]}`},
		{name: "pruned object emptied", input: `{"a":1,"_ext":{"nope":{"q":1}}}`, pruned: []string{"$._ext.nope"}, got: `{` + meta + `,"a":1}`},
		{name: "bad pruned path", input: `{"a":1}`, pruned: []string{"a"}, got: `{` + meta + `,"a":1}`,
			want: []string{`the write reported an unusable pruned path: path "a": must start with $`}},
		{name: "value differs", input: `{"a":{"b":"X"}}`, got: `{` + meta + `,"a":{"b":"Y"}}`, want: []string{`$.a.b: want "X", got "Y"`}},
		{name: "null in GET body", input: `{"a":1}`, got: `{` + meta + `,"a":1,"b":null}`, want: []string{`$.b: unexpected null`}},
		{name: "empty array in GET body", input: `{"a":1}`, got: `{` + meta + `,"a":1,"b":[]}`, want: []string{`$.b: unexpected []`}},
		{name: "descriptor case folded", input: `{"d":"uri://x/GradeLevelDescriptor#Ninth grade"}`, got: `{` + meta + `,"d":"uri://x/gradeLevelDescriptor#NINTH GRADE"}`},
		{name: "descriptor in collection folded", input: `{"l":[{"d":"uri://x/A#b"}]}`, got: `{` + meta + `,"l":[{"d":"uri://x/a#B"}]}`},
		{name: "descriptor differs", input: `{"d":"uri://x/A#b"}`, got: `{` + meta + `,"d":"uri://x/A#c"}`, want: []string{`$.d: want "uri://x/A#b", got "uri://x/A#c"`}},
		{name: "other strings keep case", input: `{"s":"Abc"}`, got: `{` + meta + `,"s":"abc"}`, want: []string{`$.s: want "Abc", got "abc"`}},
		{name: "metadata missing", input: `{"a":1}`, got: `{"a":1}`,
			want: []string{`$.id: missing (GET must add it)`, `$._etag: missing (GET must add it)`, `$._lastModifiedDate: missing (GET must add it)`}},
		{name: "metadata wrong", input: `{}`, got: `{"id":"u2","_etag":"","_lastModifiedDate":"yesterday"}`,
			want: []string{`$.id: want "u1" (the id the write returned), got "u2"`, `$._etag: want a non-empty string, got `, `$._lastModifiedDate: want an RFC 3339 date-time, got "yesterday"`}},
		{name: "metadata not a string", input: `{}`, got: `{"id":"u1","_etag":7,"_lastModifiedDate":"2024-09-03T14:30:00.123456Z"}`,
			want: []string{`$._etag: want a non-empty string, got 7`}},
		{name: "not JSON", input: `{}`, got: `{`, want: []string{`$: the GET body is not JSON: line 1, column 2: unexpected end of input in object`}},
		{name: "not an object", input: `{}`, got: `[1]`, want: []string{`$: the GET body is not a JSON object: [1]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input, err := jsonvalue.Decode([]byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			descriptors := map[string]bool{"$.d": true, "$.l[*].d": true}
			got := Compare(input, tc.pruned, "u1", []byte(tc.got), descriptors)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("differences\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// fakeStore is a Store over memory. A document is {"name": …}
// plus directives: "requires" names a document that must be loaded first
// (else a *relstore.ReferenceError), "invalid" gives a
// *relstore.ValidationError, "tamper" makes Get return a changed body and
// "extra" is pruned.
type fakeStore struct {
	m      *manifest.Manifest
	loaded map[string]bool
	bodies map[string]map[string]any
}

func (f *fakeStore) Manifest() *manifest.Manifest { return f.m }

func (f *fakeStore) Upsert(_ context.Context, _, _ string, body []byte) (relstore.WriteResult, error) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return relstore.WriteResult{}, &relstore.ValidationError{Problems: []relstore.Problem{{Path: "$", Message: err.Error()}}}
	}
	if req, ok := doc["requires"].(string); ok && !f.loaded[req] {
		return relstore.WriteResult{}, &relstore.ReferenceError{Unresolved: []relstore.UnresolvedReference{{Path: "$.requires", Target: "P:" + req, Reason: "not found"}}}
	}
	if doc["invalid"] == true {
		return relstore.WriteResult{}, &relstore.ValidationError{Problems: []relstore.Problem{{Path: "$.invalid", Message: "is invalid"}}}
	}
	var pruned []string
	if _, ok := doc["extra"]; ok {
		delete(doc, "extra")
		pruned = []string{"$.extra"}
	}
	name, _ := doc["name"].(string)
	f.loaded[name] = true
	id := "id-" + name
	f.bodies[id] = doc
	return relstore.WriteResult{ID: id, Created: true, ETag: "1", Pruned: pruned}, nil
}

func (f *fakeStore) Get(_ context.Context, _, _, id string) (relstore.Document, error) {
	doc, ok := f.bodies[id]
	if !ok {
		return relstore.Document{}, relstore.ErrNotFound
	}
	out := map[string]any{"id": id, "_etag": "1", "_lastModifiedDate": "2024-01-01T00:00:00Z"}
	for k, v := range doc {
		out[k] = v
	}
	if out["tamper"] == true {
		out["name"] = "tampered"
	}
	data, err := json.Marshal(out)
	return relstore.Document{ID: id, JSON: data, LastModified: time.Now()}, err
}

// writeDocs writes files (path relative to dir → content) below dir.
func writeDocs(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeDocs(t, dir, map[string]string{
		"example/students/001.json":     `{"name":"a","requires":"b"}`,
		"example/students/002.json":     `{"name":"b"}`,
		"example/students/003.json":     `{"name":"c","requires":"never"}`,
		"example/students/004.json":     `{"name":"d","tamper":true}`,
		"example/students/005.json":     `{"name":"e","extra":1}`,
		"example/students/006.json":     `{"name":"f","invalid":true}`,
		"example/students/007.json":     `{"name":`,
		"example/students/notes.txt":    `ignored`,
		"example/students/sub/001.json": `{"name":"ignored"}`,
		"example/schools/001.json":      `{"name":"s","requires":"a"}`,
		"example/widgets/001.json":      `{}`,
		"nope/things/001.json":          `{}`,
		"load-order.json":               `{}`,
		"example/001.json":              `{}`,
	})
	m := exampleManifest(t)
	set, err := Discover(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	res, err := Load(t.Context(), &fakeStore{m: m, loaded: map[string]bool{}, bodies: map[string]map[string]any{}}, set, func(done, total int) {
		calls++
		if done != calls || total != 8 {
			t.Errorf("progress %d/%d at call %d", done, total, calls)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 8 {
		t.Errorf("%d progress calls for 8 documents", calls)
	}
	// Written order: b before a (a waited for b), s (which waited for a)
	// after them.
	if want := []string{"example/students/002.json", "example/students/004.json", "example/students/005.json", "example/students/001.json", "example/schools/001.json"}; !reflect.DeepEqual(res.Written, want) {
		t.Errorf("written %q, want %q", res.Written, want)
	}
	rep := res.Report()
	counts := [4]int{rep.Loaded, rep.Equal, rep.Mismatched, rep.Rejected}
	if want := [4]int{5, 4, 1, 5}; counts != want {
		t.Errorf("loaded/equal/mismatched/rejected = %v, want %v", counts, want)
	}
	wantResources := map[string]Counts{
		"example/schools":  {Loaded: 1, Equal: 1},
		"example/students": {Loaded: 4, Equal: 3, Mismatched: 1, Rejected: 3},
		"example/widgets":  {Rejected: 1},
		"nope":             {Rejected: 1},
	}
	if !reflect.DeepEqual(rep.Resources, wantResources) {
		t.Errorf("resources %+v, want %+v", rep.Resources, wantResources)
	}
	if want := []string{"example/schools", "example/students", "example/widgets", "nope"}; !reflect.DeepEqual(rep.Order, want) {
		t.Errorf("order %q, want %q", rep.Order, want)
	}
	wantMismatches := []Mismatch{{File: "example/students/004.json", Diff: []string{`$.name: want "d", got "tampered"`}}}
	if !reflect.DeepEqual(rep.Mismatches, wantMismatches) {
		t.Errorf("mismatches %+v, want %+v", rep.Mismatches, wantMismatches)
	}
	var rejected []string
	for _, r := range rep.Rejections {
		rejected = append(rejected, r.File+": "+r.Error)
	}
	wantRejected := []string{
		"example/students/003.json: unresolved reference: $.requires: P:never not found",
		"example/students/006.json: validation failed: $.invalid: is invalid",
		"example/students/007.json: not valid JSON: line 1, column 9: unexpected end of input",
		"example/widgets: not a resource endpoint of project example: no resource is served at /example/widgets",
		"nope: not a project endpoint of the schema set (projects: example, extra)",
	}
	if !reflect.DeepEqual(rejected, wantRejected) {
		t.Errorf("rejections\n got %q\nwant %q", rejected, wantRejected)
	}
	if err := rep.Verdict(false); err == nil || err.Error() != "roundtrip: 1 of 5 loaded documents read back differently" {
		t.Errorf("verdict: %v", err)
	}
	if err := rep.Verdict(true); err == nil || !strings.Contains(err.Error(), "; 5 documents rejected (--strict)") {
		t.Errorf("strict verdict: %v", err)
	}
	if want := map[string][]string{"example/students/005.json": {"$.extra"}}; !reflect.DeepEqual(rep.Pruned, want) {
		t.Errorf("pruned %v, want %v", rep.Pruned, want)
	}
}

func TestVerdictClean(t *testing.T) {
	r := &Report{Loaded: 3, Equal: 3}
	for _, strict := range []bool{false, true} {
		if err := r.Verdict(strict); err != nil {
			t.Errorf("verdict(strict=%v) = %v", strict, err)
		}
	}
	r.Rejected = 1
	if err := r.Verdict(false); err != nil {
		t.Errorf("a rejection fails without --strict: %v", err)
	}
	if err := r.Verdict(true); err == nil {
		t.Errorf("a rejection passes with --strict")
	}
}
