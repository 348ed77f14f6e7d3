package apischema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestParseOverlay: the overlay format is read strictly: every problem is
// a located error (warnings only for dropped collection paths and repeated
// types), never a panic.
func TestParseOverlay(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		// want renders the overlay: resources, then edges, then types.
		want, diags string
		nilOverlay  bool
	}{
		{name: "empty object", data: `{}`},
		{name: "full",
			data: `{"description":"d","securableElements":{"P/A":{"Student":["$.s"],"EducationOrganization":[{"jsonPath":"$.id","metaEdName":"AId"}]},"P/B":{}},
				"educationOrganizationHierarchy":{"School":{"LocalEducationAgency":"$.lea.id"},"LocalEducationAgency":{}},"educationOrganizationTypes":["School","LocalEducationAgency"]}`,
			want: "P/A:EducationOrganization=$.id/AId Student=$.s P/B: | School>LocalEducationAgency@$.lea.id | School,LocalEducationAgency"},
		{name: "bom", data: "\xef\xbb\xbf{\"securableElements\":{\"P/A\":{}}}", want: "P/A:"},
		{name: "invalid json", data: `{"securableElements":`, diags: "invalid-json $", nilOverlay: true},
		{name: "not an object", data: `[]`, diags: "wrong-type $", nilOverlay: true},
		{name: "unknown top key", data: `{"securableElement":{}}`, diags: "unknown-overlay-key $.securableElement"},
		{name: "bad resource keys", data: `{"securableElements":{"Student":{},"/A":{},"P/":{},"P/A/B":{}," P/A":{},"P/A":{}}}`,
			want:  "P/A:",
			diags: "bad-overlay-resource-name $.securableElements.Student\nbad-overlay-resource-name $.securableElements[' P/A']\nbad-overlay-resource-name $.securableElements['/A']\nbad-overlay-resource-name $.securableElements['P/']\nbad-overlay-resource-name $.securableElements['P/A/B']"},
		{name: "unknown kind is an error", data: `{"securableElements":{"P/A":{"Parent":["$.p"]}}}`, want: "P/A:",
			diags: "unknown-securable-kind $.securableElements['P/A'].Parent"},
		{name: "unknown item key is an error", data: `{"securableElements":{"P/A":{"EducationOrganization":[{"jsonPath":"$.id","metaEdName":"X","why":"?"}]}}}`,
			want:  "P/A:EducationOrganization=$.id/X",
			diags: "unknown-overlay-key $.securableElements['P/A'].EducationOrganization[0].why"},
		{name: "collection path warned", data: `{"securableElements":{"P/A":{"Student":["$.xs[*].s"]}}}`, want: "P/A:",
			diags: "warning securable-path-in-collection $.securableElements['P/A'].Student[0]"},
		{name: "hostile values", data: `{"description":1,"securableElements":[],"educationOrganizationHierarchy":{"A":"B","C":{"D":false}},"educationOrganizationTypes":[1," "]}`,
			want:  " |  | ",
			diags: "wrong-type $.description\nwrong-type $.educationOrganizationHierarchy.A\nwrong-type $.educationOrganizationHierarchy.C.D\nwrong-type $.educationOrganizationTypes[0]\nbad-value $.educationOrganizationTypes[1]\nwrong-type $.securableElements"},
		{name: "bad hierarchy paths", data: `{"educationOrganizationHierarchy":{"A":{"B":"b","C":"$.c[*].id"}},"educationOrganizationTypes":["A","A"]}`,
			want:  " |  | A",
			diags: "bad-jsonpath $.educationOrganizationHierarchy.A.B\nwarning securable-path-in-collection $.educationOrganizationHierarchy.A.C\nwarning duplicate-edorg-type $.educationOrganizationTypes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.List
			o := ParseOverlay("o.json", []byte(tc.data), &d)
			if got := diagLines(&d); got != tc.diags {
				t.Errorf("diagnostics\n got  %s\n want %s", got, tc.diags)
			}
			if (o == nil) != tc.nilOverlay {
				t.Fatalf("overlay nil = %v", o == nil)
			}
			if o == nil {
				return
			}
			if got := renderOverlay(o); got != tc.want {
				t.Errorf("overlay\n got  %q\n want %q", got, tc.want)
			}
			for _, item := range d.Items() {
				if !strings.HasPrefix(item.String(), "o.json:") {
					t.Errorf("diagnostic not located in the file: %s", item)
				}
			}
		})
	}
}

// renderOverlay prints resources, edges and types, separated by " | "
// (sections that are absent are left out when all are).
func renderOverlay(o *Overlay) string {
	var rs []string
	for _, r := range o.Resources {
		rs = append(rs, r.Key()+":"+renderElements(r.Elements))
	}
	var es []string
	for _, e := range o.EdOrgHierarchy {
		es = append(es, e.Type+">"+e.ParentType+"@"+e.Path)
	}
	out := strings.Join(rs, " ")
	if o.HasHierarchy || o.HasTypes {
		out += " | " + strings.Join(es, " ") + " | " + strings.Join(o.EdOrgTypes, ",")
	}
	return out
}

// TestLoadOverlayBounded: only a regular file of at most MaxOverlaySize
// bytes is read.
func TestLoadOverlayBounded(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxOverlaySize + 1); err != nil {
		f.Close()
		t.Skipf("cannot create a sparse file: %v", err)
	}
	f.Close()
	ok := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(ok, []byte(`{"securableElements":{"P/A":{}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{dir, dir + ": read-failed: cannot read file: not a regular file (a directory)"},
		{huge, huge + ": read-failed: cannot read file: it holds 16777217 bytes, more than the 16 MiB an --auth-overlay file may hold"},
		{filepath.Join(dir, "missing.json"), ""},
		{ok, ""},
	} {
		var d diag.List
		o := LoadOverlay(tc.path, &d)
		errs := d.Errors()
		switch {
		case tc.path == ok:
			if o == nil || len(errs) > 0 {
				t.Errorf("%s: %v", tc.path, errs)
			}
		case len(errs) != 1 || o != nil:
			t.Errorf("%s: overlay %v, errors %v", tc.path, o != nil, errs)
		case tc.want != "" && errs[0].String() != tc.want:
			t.Errorf("got  %s\nwant %s", errs[0], tc.want)
		case errs[0].Code != CodeReadFailed:
			t.Errorf("%s: code %s", tc.path, errs[0].Code)
		}
	}
}

// TestOverlayJSONRoundTrip: JSON renders an overlay that parses back to
// the same overlay, byte for byte when rendered again (keys sorted).
func TestOverlayJSONRoundTrip(t *testing.T) {
	src := `{"securableElements":{"Q/Z":{"Namespace":["$.ns"]},"P/A":{"Student":["$.b","$.a"],"EducationOrganization":[{"jsonPath":"$.y","metaEdName":"Y"},{"jsonPath":"$.x","metaEdName":"X"}],"Contact":["$.c-q_1"]}},
		"educationOrganizationTypes":["B","A"],"educationOrganizationHierarchy":{"B":{"A":"$.a.id"},"A":{}},"description":"<&>"}`
	var d diag.List
	o := ParseOverlay("o.json", []byte(src), &d)
	if d.Len() > 0 {
		t.Fatal(d.Items())
	}
	first := o.JSON()
	again := ParseOverlay("o.json", first, &d)
	if d.Len() > 0 {
		t.Fatal(d.Items())
	}
	if renderOverlay(again) != renderOverlay(o) || again.Description != "<&>" {
		t.Errorf("round trip changed the overlay:\n%s\n%s", renderOverlay(o), renderOverlay(again))
	}
	if second := again.JSON(); string(second) != string(first) {
		t.Errorf("rendering is not stable:\n%s\n%s", first, second)
	}
	// Keys sorted, list order kept.
	if i, j := strings.Index(string(first), `"P/A"`), strings.Index(string(first), `"Q/Z"`); i < 0 || j < i {
		t.Errorf("resources not sorted:\n%s", first)
	}
	if !strings.Contains(string(first), "\"$.b\",\n        \"$.a\"") {
		t.Errorf("a list was reordered:\n%s", first)
	}
}

// resDoc is one current-format resource named name with an optional
// securableElements JSON.
func resDoc(name, securable string) string {
	se := ""
	if securable != "" {
		se = `,"securableElements":` + securable
	}
	return `"` + strings.ToLower(name) + `s":{"resourceName":"` + name + `","isDescriptor":false,"isResourceExtension":false,"identityJsonPaths":["$.id"],"arrayUniquenessConstraints":[],
  "documentPathsMapping":{"Id":{"isReference":false,"path":"$.id"}},"jsonSchemaForInsert":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}` + se + `}`
}

// projDoc is a current-format project file.
func projDoc(name string, extension bool, extra string, resources ...string) string {
	ext := "false"
	if extension {
		ext = "true"
	}
	return `{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"` + name + `","projectEndpointName":"` + strings.ToLower(name) + `","projectVersion":"1","isExtensionProject":` + ext + extra +
		`,"resourceSchemas":{` + strings.Join(resources, ",") + `}}}`
}

// buildSet parses the docs (named by project) into a set.
func buildSet(t *testing.T, docs ...string) *Set {
	t.Helper()
	var d diag.List
	var ps []*Project
	for i, doc := range docs {
		if p := Parse("f"+string(rune('0'+i))+".json", []byte(doc), &d); p != nil {
			ps = append(ps, p)
		}
	}
	set := Build(ps, &d)
	if d.HasErrors() || set == nil {
		t.Fatalf("build: %v", d.Errors())
	}
	return set
}

// TestApplyAuthOverlay: the merge rule (the schema's own metadata wins),
// strict keys, the warning for resources with neither, and the comparison
// of an extension's copy of the hierarchy with the core's.
func TestApplyAuthOverlay(t *testing.T) {
	hier := `,"educationOrganizationHierarchy":{"School":{"LocalEducationAgency":"$.lea.id"}},"educationOrganizationTypes":["School","EducationOrganization"]`
	coreWith := projDoc("P", false, hier, resDoc("A", `{"Student":["$.own"]}`), resDoc("B", ""))
	coreWithout := projDoc("P", false, "", resDoc("A", `{"Student":["$.own"]}`), resDoc("B", ""))
	extSame := projDoc("X", true, hier, resDoc("C", `{}`))
	extOther := projDoc("X", true, `,"educationOrganizationHierarchy":{"School":{"LocalEducationAgency":"$.other.id","PostSecondaryInstitution":"$.psi.id"}},"educationOrganizationTypes":["School","PostSecondaryInstitution"]`, resDoc("C", `{}`))
	overlay := `{"securableElements":{"P/B":{"Staff":["$.staff"]}},"educationOrganizationHierarchy":{"School":{"LocalEducationAgency":"$.lea.id"}},"educationOrganizationTypes":["School","EducationOrganization"]}`
	for _, tc := range []struct {
		name    string
		docs    []string
		overlay string // "" for none
		// want renders each resource's origin and elements, then the
		// core's hierarchy and types origins.
		want  string
		diags string
	}{
		{name: "no overlay", docs: []string{coreWithout},
			want:  "P/A=schema:Student=$.own P/B=absent: hierarchy=absent types=absent",
			diags: "warning no-securable-elements f0.json:$.projectSchema.resourceSchemas: 1 of 2 resources of P have no securableElements (pass --auth-overlay FILE (dmsc auth infer proposes one)); they are treated as having none, so relationship-based authorization cannot grant them"},
		{name: "overlay supplies what is missing", docs: []string{coreWithout}, overlay: overlay,
			want: "P/A=schema:Student=$.own P/B=overlay:Staff=$.staff hierarchy=overlay types=overlay"},
		{name: "the schema's own win", docs: []string{coreWith},
			overlay: `{"securableElements":{"P/A":{"Staff":["$.x"]},"P/B":{}},"educationOrganizationHierarchy":{},"educationOrganizationTypes":[]}`,
			want:    "P/A=schema:Student=$.own P/B=overlay: hierarchy=schema types=schema",
			diags: "warning overlay-ignored o.json:$.educationOrganizationHierarchy: P declares its own educationOrganizationHierarchy (f0.json); the schema's wins and the overlay's is ignored\n" +
				"warning overlay-ignored o.json:$.educationOrganizationTypes: P declares its own educationOrganizationTypes (f0.json); the schema's win and the overlay's are ignored\n" +
				"warning overlay-ignored o.json:$.securableElements['P/A']: P/A declares its own securableElements (f0.json:$.projectSchema.resourceSchemas.as.securableElements); the schema's win and this entry is ignored"},
		{name: "unknown project", docs: []string{coreWithout}, overlay: `{"securableElements":{"Q/B":{},"P/B":{}}}`,
			want:  "P/A=schema:Student=$.own P/B=absent: hierarchy=absent types=absent",
			diags: "unknown-overlay-project o.json:$.securableElements['Q/B']: Q/B: the schema set has no project \"Q\" (projects: P)"},
		{name: "unknown resource suggested", docs: []string{coreWithout}, overlay: `{"securableElements":{"P/Bb":{},"P/Zebra":{}}}`,
			want: "P/A=schema:Student=$.own P/B=absent: hierarchy=absent types=absent",
			diags: "unknown-overlay-resource o.json:$.securableElements['P/Bb']: P/Bb: project P has no resource \"Bb\"; did you mean \"B\"?\n" +
				"unknown-overlay-resource o.json:$.securableElements['P/Zebra']: P/Zebra: project P has no resource \"Zebra\""},
		{name: "extension copy agrees", docs: []string{coreWith, extSame},
			want:  "P/A=schema:Student=$.own P/B=absent: X/C=schema: hierarchy=schema types=schema",
			diags: "warning no-securable-elements f0.json:$.projectSchema.resourceSchemas: 1 of 2 resources of P have no securableElements (pass --auth-overlay FILE (dmsc auth infer proposes one)); they are treated as having none, so relationship-based authorization cannot grant them"},
		{name: "extension copy differs", docs: []string{coreWithout, extOther}, overlay: overlay,
			want: "P/A=schema:Student=$.own P/B=overlay:Staff=$.staff X/C=schema: hierarchy=overlay types=overlay",
			diags: "warning edorg-hierarchy-differs f1.json:$.projectSchema.educationOrganizationHierarchy: X's copy of educationOrganizationHierarchy differs from P's (from the overlay o.json), which is used: School → LocalEducationAgency at $.other.id, where that one has $.lea.id; School → PostSecondaryInstitution ($.psi.id), which that one lacks\n" +
				"warning edorg-hierarchy-differs f1.json:$.projectSchema.educationOrganizationTypes: X's copy of educationOrganizationTypes differs from P's (from the overlay o.json), which are used: adds PostSecondaryInstitution, lacks EducationOrganization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := buildSet(t, tc.docs...)
			var d diag.List
			var o *Overlay
			if tc.overlay != "" {
				o = ParseOverlay("o.json", []byte(tc.overlay), &d)
				if d.Len() > 0 {
					t.Fatalf("overlay: %v", d.Items())
				}
			}
			set.ApplyAuthOverlay(o, &d)
			var lines []string
			for _, x := range d.Items() {
				s := x.Code + " " + x.File + ":" + x.Path + ": " + x.Message
				if x.Severity == diag.Warning {
					s = "warning " + s
				}
				lines = append(lines, s)
			}
			if got := strings.Join(lines, "\n"); got != tc.diags {
				t.Errorf("diagnostics\n got  %s\n want %s", got, tc.diags)
			}
			var parts []string
			for _, r := range set.Resources {
				parts = append(parts, r.Project.ProjectName+"/"+r.ResourceName+"="+r.SecurableOrigin.From.String()+":"+renderElements(r.Securable))
			}
			parts = append(parts, "hierarchy="+set.Core.EdOrgHierarchyOrigin.From.String(), "types="+set.Core.EdOrgTypesOrigin.From.String())
			if got := strings.Join(parts, " "); got != tc.want {
				t.Errorf("result\n got  %s\n want %s", got, tc.want)
			}
		})
	}
}

// TestApplyDS50Overlay applies the reviewed DS 5.0 overlay to DS 5.0 with
// each current-format fixture: the fixture's own elements are kept (no
// overlay entry names them), nothing is left without elements, and the one
// difference between the overlay's hierarchy and a fixture's copy is
// Sample's School → PostSecondaryInstitution (a warning). A resource
// extension cannot be keyed.
func TestApplyDS50Overlay(t *testing.T) {
	overlayFile := filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "ds-5.0.overlay.json")
	for _, tc := range []struct {
		name string
		file func(testing.TB) string
		want []string
	}{
		{"sample-ds50", testenv.SampleDS50, []string{"edorg-hierarchy-differs: Sample's copy of educationOrganizationHierarchy differs from Ed-Fi's (from the overlay " + overlayFile + "), which is used: School → PostSecondaryInstitution ($.postSecondaryInstitutionReference.postSecondaryInstitutionId), which that one lacks"}},
		{"homograph", testenv.Homograph, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.List
			set := Load([]string{testenv.DS50(t), tc.file(t)}, &d)
			if set == nil {
				t.Fatal(d.Err())
			}
			var od diag.List
			o := LoadOverlay(overlayFile, &od)
			set.ApplyAuthOverlay(o, &od)
			var got []string
			for _, x := range od.Items() {
				got = append(got, x.Code+": "+x.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics\n got  %q\n want %q", got, tc.want)
			}
			for _, r := range set.Resources {
				want := AuthOverlay
				if r.Project.ProjectName != "Ed-Fi" {
					want = AuthSchema
				}
				if r.SecurableOrigin.From != want {
					t.Errorf("%s/%s: origin %s, want %s", r.Project.ProjectName, r.ResourceName, r.SecurableOrigin.From, want)
				}
			}
		})
	}
	t.Run("resource extension key", func(t *testing.T) {
		var d diag.List
		set := Load([]string{testenv.DS50(t), testenv.SampleDS50(t)}, &d)
		if set == nil {
			t.Fatal(d.Err())
		}
		o := ParseOverlay("o.json", []byte(`{"securableElements":{"Sample/Student":{}}}`), &d)
		set.ApplyAuthOverlay(o, &d)
		errs := d.Errors()
		if len(errs) != 1 || errs[0].String() != "o.json:$.securableElements['Sample/Student']: unknown-overlay-resource: Sample/Student: project Sample has no resource \"Student\"; Sample's Student is a resource extension, whose securable elements are those of the resource it extends" {
			t.Errorf("errors %v", errs)
		}
	})
}

// FuzzParseOverlay: arbitrary bytes never panic the overlay reader, and
// every diagnostic is located in the file and coded.
func FuzzParseOverlay(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"securableElements":{"P/A":{"Student":["$.s"],"EducationOrganization":[{"jsonPath":"$.id","metaEdName":"X"}]}}}`,
		`{"educationOrganizationHierarchy":{"A":{"B":"$.b"}},"educationOrganizationTypes":["A"]}`,
		`{"securableElements":{"P/A":{"EducationOrganization":[null,{"jsonPath":[]}]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d diag.List
		o := ParseOverlay("fuzz.json", data, &d)
		if o == nil && !d.HasErrors() {
			t.Fatalf("no overlay and no error for %q", data)
		}
		for _, item := range d.Items() {
			if item.Code == "" || item.Message == "" || !strings.HasPrefix(item.String(), "fuzz.json") {
				t.Fatalf("malformed diagnostic %q", item.String())
			}
		}
		if o != nil && !d.HasErrors() {
			var d2 diag.List
			if again := ParseOverlay("fuzz.json", o.JSON(), &d2); again == nil || d2.HasErrors() {
				t.Fatalf("the rendering of a clean overlay does not parse: %v", d2.Items())
			}
		}
	})
}
