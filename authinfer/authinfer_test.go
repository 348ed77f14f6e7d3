package authinfer

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// loadSet loads files as a schema set, failing the test on errors.
func loadSet(t *testing.T, files ...string) (*apischema.Set, *diag.List) {
	t.Helper()
	var d diag.List
	set := apischema.Load(files, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("load %v: %v", files, err)
	}
	return set, &d
}

// stripped returns the ApiSchema file at path without its authorization
// metadata: every resource's securableElements and the project's
// educationOrganizationHierarchy and educationOrganizationTypes.
func stripped(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	strip := func(p map[string]any) {
		delete(p, "educationOrganizationHierarchy")
		delete(p, "educationOrganizationTypes")
		rs, _ := p["resourceSchemas"].(map[string]any)
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok {
				delete(m, "securableElements")
			}
		}
	}
	if p, ok := doc["projectSchema"].(map[string]any); ok {
		strip(p)
	}
	if ps, ok := doc["projectSchemas"].(map[string]any); ok {
		for _, p := range ps {
			strip(p.(map[string]any))
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("securableElements")) || bytes.Contains(out, []byte("educationOrganizationHierarchy")) {
		t.Fatal("stripping left authorization metadata behind")
	}
	return out
}

// strippedSet loads the DS 5.0 core with the extension at ext, stripped.
func strippedSet(t *testing.T, ext string) (*apischema.Set, *diag.List) {
	t.Helper()
	var d diag.List
	core := apischema.LoadFile(testenv.DS50(t), &d)
	e := apischema.Parse(ext, stripped(t, ext), &d)
	if d.HasErrors() || core == nil || e == nil {
		t.Fatalf("parse: %v", d.Err())
	}
	set := apischema.Build([]*apischema.Project{core, e}, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return set, &d
}

// TestReproducesDeclared is the proof of the rule: on the fixtures that
// MetaEd wrote with their authorization metadata (Sample for DS 5.0 and
// Homograph), stripped of it and loaded with the DS 5.0 core, inference
// gives back every declared securableElements list exactly (paths, names
// and order) and the declared educationOrganizationTypes exactly; the
// derived hierarchy equals the declared one except Sample's School →
// PostSecondaryInstitution, which Sample's copy has because MetaEd wrote it
// against DS 6.0's School (the derived one is DS 5.0's).
func TestReproducesDeclared(t *testing.T) {
	type hierarchyDiff struct{ typ, parent string }
	for _, tc := range []struct {
		name     string
		file     func(testing.TB) string
		project  string
		onlyInDe []hierarchyDiff // edges the declared copy has and DS 5.0 does not derive
	}{
		{"sample-ds50", testenv.SampleDS50, "Sample", []hierarchyDiff{{"School", "PostSecondaryInstitution"}}},
		{"homograph", testenv.Homograph, "Homograph", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file(t)
			declared, _ := loadSet(t, testenv.DS50(t), file)
			set, _ := strippedSet(t, file)
			var d diag.List
			res := Infer(set, &d)
			n := 0
			for _, rr := range res.Resources {
				if rr.Resource.Project.ProjectName != tc.project {
					continue
				}
				if rr.Resource.SecurableOrigin.From != apischema.AuthAbsent {
					t.Fatalf("%s: stripped set still declares securableElements", rr.Key())
				}
				want := declared.Resource(tc.project, rr.Resource.ResourceName)
				if want.SecurableOrigin.From != apischema.AuthSchema {
					t.Fatalf("%s: the fixture declares no securableElements", rr.Key())
				}
				n++
				if !rr.Elements.Equal(want.Securable) {
					t.Errorf("%s:\n inferred %s\n declared %s", rr.Key(), render(rr.Elements), render(want.Securable))
				}
			}
			// Resource extensions are merged away; the fixture's own
			// (empty) lists for them are checked by TestExtensionsDeclareNone.
			if n == 0 {
				t.Fatal("no resource compared")
			}
			p := declared.Project(tc.project)
			if got, want := strings.Join(res.EdOrgTypes, ","), strings.Join(p.EdOrgTypes, ","); got != want {
				t.Errorf("types\n derived  %s\n declared %s", got, want)
			}
			derived := map[hierarchyDiff]string{}
			for _, e := range res.Hierarchy {
				derived[hierarchyDiff{e.Type, e.ParentType}] = e.Path.String()
			}
			allowed := map[hierarchyDiff]bool{}
			for _, x := range tc.onlyInDe {
				allowed[x] = true
			}
			seen := map[hierarchyDiff]bool{}
			for _, e := range p.EdOrgHierarchy {
				k := hierarchyDiff{e.Type, e.ParentType}
				seen[k] = true
				got, ok := derived[k]
				switch {
				case allowed[k]:
					if ok {
						t.Errorf("%s → %s is derived, but DS 5.0's %s has no such reference", e.Type, e.ParentType, e.Type)
					}
					delete(allowed, k)
				case !ok:
					t.Errorf("declared %s → %s (%s) is not derived", e.Type, e.ParentType, e.Path)
				case got != e.Path:
					t.Errorf("%s → %s: derived at %s, declared at %s", e.Type, e.ParentType, got, e.Path)
				}
			}
			for k := range allowed {
				t.Errorf("the expected difference %s → %s is gone from the declared copy", k.typ, k.parent)
			}
			for _, e := range res.Hierarchy {
				if !seen[hierarchyDiff{e.Type, e.ParentType}] {
					t.Errorf("derived %s → %s (%s) is not declared", e.Type, e.ParentType, e.Path)
				}
			}
		})
	}
}

// TestExtensionsDeclareNone: the fixtures' resource extensions declare
// empty securableElements, which is what MetaEd writes for them (their
// elements are the extended resource's) and what inference assumes.
func TestExtensionsDeclareNone(t *testing.T) {
	for _, file := range []string{testenv.SampleDS50(t), testenv.SampleDS60(t)} {
		var d diag.List
		p := apischema.LoadFile(file, &d)
		if p == nil || d.HasErrors() {
			t.Fatalf("%s: %v", file, d.Err())
		}
		n := 0
		for _, r := range p.Resources {
			if !r.IsResourceExtension {
				continue
			}
			n++
			if r.SecurableOrigin.From != apischema.AuthSchema || !r.Securable.IsEmpty() {
				t.Errorf("%s %s: origin %s, elements %s", file, r.EndpointName, r.SecurableOrigin.From, render(r.Securable))
			}
		}
		if n == 0 {
			t.Errorf("%s: no resource extension", file)
		}
	}
}

// TestHierarchyCopiesWarn: inference compares each project's declared copy
// of the hierarchy with the derived one; Sample's School →
// PostSecondaryInstitution is the one difference (a warning naming it),
// Homograph's copy agrees.
func TestHierarchyCopiesWarn(t *testing.T) {
	for _, tc := range []struct {
		name string
		file func(testing.TB) string
		want []string
	}{
		{"sample-ds50", testenv.SampleDS50, []string{"edorg-hierarchy-differs: Sample's copy of educationOrganizationHierarchy differs from the one derived by MetaEd's rule from the loaded schema set, which is used: School → PostSecondaryInstitution ($.postSecondaryInstitutionReference.postSecondaryInstitutionId), which that one lacks"}},
		{"homograph", testenv.Homograph, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, _ := loadSet(t, testenv.DS50(t), tc.file(t))
			var d diag.List
			Infer(set, &d)
			var got []string
			for _, w := range d.Warnings() {
				if w.Code == apischema.CodeHierarchyDiffers {
					got = append(got, w.Code+": "+w.Message)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("warnings\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestDS50Overlay: inference on DS 5.0 still produces exactly the reviewed
// overlay testdata/auth/ds-5.0.overlay.json (so a change of the rules or of
// the loader shows up as a diff to review; -update rewrites it), and the
// overlay loads and applies to DS 5.0 without a diagnostic.
func TestDS50Overlay(t *testing.T) {
	set, _ := loadSet(t, testenv.DS50(t))
	var d diag.List
	res := Infer(set, &d)
	var lines []string
	for _, w := range d.Items() {
		lines = append(lines, w.Code+": "+w.Message)
	}
	if len(lines) > 0 {
		t.Errorf("inference diagnostics on DS 5.0:\n%s", strings.Join(lines, "\n"))
	}
	got := res.ForOverlay(set, false).JSON()
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "auth")
	golden.AssertFile(t, dir, "ds-5.0.overlay.json", got)

	var od diag.List
	o := apischema.ParseOverlay("ds-5.0.overlay.json", got, &od)
	fresh, _ := loadSet(t, testenv.DS50(t))
	fresh.ApplyAuthOverlay(o, &od)
	if od.Len() > 0 {
		t.Errorf("applying the overlay to DS 5.0: %v", od.Items())
	}
	for _, r := range fresh.Resources {
		if r.SecurableOrigin.From != apischema.AuthOverlay {
			t.Errorf("%s: origin %s after the overlay", r.ResourceName, r.SecurableOrigin.From)
		}
	}
	if fresh.Core.EdOrgHierarchyOrigin.From != apischema.AuthOverlay || fresh.Core.EdOrgTypesOrigin.From != apischema.AuthOverlay {
		t.Error("the overlay's hierarchy or types were not applied")
	}
}

// render prints elements for failure messages.
func render(e apischema.SecurableElements) string {
	o := apischema.Overlay{Resources: []apischema.OverlayResource{{ProjectName: "p", ResourceName: "r", Elements: e}}}
	s := string(o.JSON())
	s = strings.Join(strings.Fields(s), " ")
	return s
}

// mustPath parses a JSONPath literal of a test.
func mustPath(t *testing.T, s string) jsonpath.Path {
	t.Helper()
	p, err := jsonpath.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDerivedHierarchyMatchesFixtures: the hierarchy and types derived from
// DS 5.0 alone equal every fixture's declared copy (Sample for DS 5.0 and
// for DS 6.0, Homograph) except Sample's School → PostSecondaryInstitution,
// the one difference reported, once per Sample file.
func TestDerivedHierarchyMatchesFixtures(t *testing.T) {
	set, _ := loadSet(t, testenv.DS50(t))
	var d diag.List
	res := Infer(set, &d)
	var edges []apischema.EdOrgParent
	for _, e := range res.Hierarchy {
		edges = append(edges, apischema.EdOrgParent{Type: e.Type, ParentType: e.ParentType, Path: e.Path.String()})
	}
	for _, tc := range []struct {
		file func(testing.TB) string
		want string
	}{
		{testenv.SampleDS50, "School → PostSecondaryInstitution ($.postSecondaryInstitutionReference.postSecondaryInstitutionId), which that one lacks"},
		{testenv.SampleDS60, "School → PostSecondaryInstitution ($.postSecondaryInstitutionReference.postSecondaryInstitutionId), which that one lacks"},
		{testenv.Homograph, ""},
	} {
		var ld, cd diag.List
		p := apischema.LoadFile(tc.file(t), &ld)
		if p == nil {
			t.Fatal(ld.Err())
		}
		apischema.CompareEdOrgCopies("DS 5.0's", edges, true, res.EdOrgTypes, true, p, &cd)
		var got []string
		for _, w := range cd.Items() {
			_, after, _ := strings.Cut(w.Message, "which is used: ")
			got = append(got, after)
		}
		if strings.Join(got, "\n") != tc.want {
			t.Errorf("%s: differences %q, want %q", p.File, got, tc.want)
		}
	}
}
