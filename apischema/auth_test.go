package apischema

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// authDoc is a current-format file with one resource `as` (A, identity
// $.id, a reference to itself at $.bRef) whose securableElements is
// securable (omitted when "") and a project with hierarchy and types
// members extra (a JSON fragment starting with a comma, or "").
func authDoc(securable, extra string) string {
	se := ""
	if securable != "" {
		se = `,"securableElements":` + securable
	}
	return `{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"P","projectEndpointName":"p","projectVersion":"1","isExtensionProject":false` + extra + `,
 "resourceSchemas":{"as":{"resourceName":"A","isDescriptor":false,"isResourceExtension":false,"identityJsonPaths":["$.id"],"arrayUniquenessConstraints":[],
  "documentPathsMapping":{"Id":{"isReference":false,"path":"$.id"}},
  "jsonSchemaForInsert":{"type":"object","properties":{"id":{"type":"integer"},"ns":{"type":"string"}},"required":["id"]}` + se + `}}}}`
}

// diagLines renders diagnostics as `code: message` lines, in order.
func diagLines(d *diag.List) string {
	var out []string
	for _, x := range d.Items() {
		s := x.Code + " " + x.Path
		if x.Severity == diag.Warning {
			s = "warning " + s
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

// TestSecurableElementsParse: the shapes MetaEd writes parse into
// Resource.Securable; paths under [*] and repeated paths are dropped with a
// warning, unknown kinds warned; hostile shapes are located errors, never a
// panic.
func TestSecurableElementsParse(t *testing.T) {
	const base = "$.projectSchema.resourceSchemas.as.securableElements"
	for _, tc := range []struct {
		name, securable string
		// want renders the parsed elements (kind=path[/name] lines).
		want  string
		diags string
		from  AuthFrom
	}{
		{name: "absent", from: AuthAbsent},
		{name: "all empty", securable: `{"Contact":[],"EducationOrganization":[],"Namespace":[],"Staff":[],"Student":[]}`, from: AuthSchema},
		{name: "every kind",
			securable: `{"Contact":["$.c"],"EducationOrganization":[{"jsonPath":"$.sRef.schoolId","metaEdName":"SchoolId"},{"jsonPath":"$.id","metaEdName":"AId"}],"Namespace":["$.ns"],"Staff":["$.staffRef.staffUniqueId"],"Student":["$.s1","$.s2"]}`,
			want:      "Contact=$.c EducationOrganization=$.sRef.schoolId/SchoolId EducationOrganization=$.id/AId Namespace=$.ns Staff=$.staffRef.staffUniqueId Student=$.s1 Student=$.s2",
			from:      AuthSchema},
		{name: "missing kinds are empty", securable: `{"Student":["$.s"]}`, want: "Student=$.s", from: AuthSchema},
		{name: "collection paths ignored",
			securable: `{"Student":["$.xs[*].studentReference.studentUniqueId","$.s"],"EducationOrganization":[{"jsonPath":"$.xs[*].id","metaEdName":"X"}]}`,
			want:      "Student=$.s",
			diags:     "warning securable-path-in-collection " + base + ".EducationOrganization[0].jsonPath\nwarning securable-path-in-collection " + base + ".Student[0]",
			from:      AuthSchema},
		{name: "duplicates ignored", securable: `{"Student":["$.s","$.s"]}`, want: "Student=$.s",
			diags: "warning duplicate-securable-element " + base + ".Student[1]", from: AuthSchema},
		{name: "unknown kind warned", securable: `{"Parent":["$.p"],"Student":["$.s"]}`, want: "Student=$.s",
			diags: "warning unknown-securable-kind " + base + ".Parent", from: AuthSchema},
		{name: "not an object", securable: `[]`, diags: "wrong-type " + base},
		{name: "kind not an array", securable: `{"Student":"$.s"}`, diags: "wrong-type " + base + ".Student", from: AuthSchema},
		{name: "path not a string", securable: `{"Staff":[7,null]}`, diags: "wrong-type " + base + ".Staff[0]\nwrong-type " + base + ".Staff[1]", from: AuthSchema},
		{name: "bad path", securable: `{"Contact":["c","$..x",""]}`,
			diags: "bad-jsonpath " + base + ".Contact[0]\nbad-jsonpath " + base + ".Contact[1]\nbad-jsonpath " + base + ".Contact[2]", from: AuthSchema},
		{name: "edorg item not an object", securable: `{"EducationOrganization":["$.id"]}`, diags: "wrong-type " + base + ".EducationOrganization[0]", from: AuthSchema},
		{name: "edorg item missing keys", securable: `{"EducationOrganization":[{}]}`,
			diags: "missing-key " + base + ".EducationOrganization[0]\nmissing-key " + base + ".EducationOrganization[0]", from: AuthSchema},
		{name: "edorg item empty name", securable: `{"EducationOrganization":[{"jsonPath":"$.id","metaEdName":""}]}`,
			diags: "bad-value " + base + ".EducationOrganization[0].metaEdName", from: AuthSchema},
		{name: "edorg item wrong types", securable: `{"EducationOrganization":[{"jsonPath":1,"metaEdName":{}}]}`,
			diags: "wrong-type " + base + ".EducationOrganization[0].jsonPath\nwrong-type " + base + ".EducationOrganization[0].metaEdName", from: AuthSchema},
		{name: "edorg not an array", securable: `{"EducationOrganization":{"jsonPath":"$.id"}}`, diags: "wrong-type " + base + ".EducationOrganization", from: AuthSchema},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.List
			p := Parse("a.json", []byte(authDoc(tc.securable, "")), &d)
			if got := diagLines(&d); got != tc.diags {
				t.Errorf("diagnostics\n got  %s\n want %s", got, tc.diags)
			}
			if p == nil {
				t.Fatal("no project")
			}
			r := p.Resources[0]
			if got := renderElements(r.Securable); got != tc.want {
				t.Errorf("elements\n got  %s\n want %s", got, tc.want)
			}
			if r.SecurableOrigin.From != tc.from {
				t.Errorf("origin %s, want %s", r.SecurableOrigin.From, tc.from)
			}
			if tc.from == AuthSchema && (r.SecurableOrigin.File != "a.json" || r.SecurableOrigin.Path != base) {
				t.Errorf("origin at %s:%s", r.SecurableOrigin.File, r.SecurableOrigin.Path)
			}
		})
	}
}

// renderElements prints elements as kind=path[/metaEdName] words.
func renderElements(e SecurableElements) string {
	var out []string
	for _, k := range SecurableKinds() {
		if k == KindEdOrg {
			for _, x := range e.EducationOrganization {
				out = append(out, string(k)+"="+x.JSONPath.String()+"/"+x.MetaEdName)
			}
			continue
		}
		for _, p := range e.Paths(k) {
			out = append(out, string(k)+"="+p.String())
		}
	}
	return strings.Join(out, " ")
}

// TestEdOrgHierarchyParse: educationOrganizationHierarchy and
// educationOrganizationTypes are read with their origin; bad parent paths
// are errors, parents under [*] and repeated types are warned and dropped.
func TestEdOrgHierarchyParse(t *testing.T) {
	const base = "$.projectSchema"
	for _, tc := range []struct {
		name, extra    string
		edges, types   string
		diags          string
		hasH, hasTypes bool
	}{
		{name: "absent"},
		{name: "declared",
			extra: `,"educationOrganizationHierarchy":{"School":{"LocalEducationAgency":"$.leaRef.localEducationAgencyId"},"StateEducationAgency":{}},"educationOrganizationTypes":["School","StateEducationAgency","EducationOrganization"]`,
			edges: "School>LocalEducationAgency@$.leaRef.localEducationAgencyId", types: "School,StateEducationAgency,EducationOrganization", hasH: true, hasTypes: true},
		{name: "empty", extra: `,"educationOrganizationHierarchy":{},"educationOrganizationTypes":[]`, hasH: true, hasTypes: true},
		{name: "bad and collection paths",
			extra: `,"educationOrganizationHierarchy":{"A":{"B":"b","C":"$.cs[*].c","D":"$.d"}}`,
			edges: "A>D@$.d", hasH: true,
			diags: "bad-jsonpath " + base + ".educationOrganizationHierarchy.A.B\nwarning securable-path-in-collection " + base + ".educationOrganizationHierarchy.A.C"},
		{name: "repeated type", extra: `,"educationOrganizationTypes":["A","B","A"]`, types: "A,B", hasTypes: true,
			diags: "warning duplicate-edorg-type " + base + ".educationOrganizationTypes"},
		{name: "hostile shapes", extra: `,"educationOrganizationHierarchy":{"A":[],"B":{"C":1}},"educationOrganizationTypes":{"x":1}`, hasH: true,
			diags: "wrong-type " + base + ".educationOrganizationHierarchy.A\nwrong-type " + base + ".educationOrganizationHierarchy.B.C\nwrong-type " + base + ".educationOrganizationTypes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d diag.List
			p := Parse("a.json", []byte(authDoc("", tc.extra)), &d)
			if got := diagLines(&d); got != tc.diags {
				t.Errorf("diagnostics\n got  %s\n want %s", got, tc.diags)
			}
			if p == nil {
				t.Fatal("no project")
			}
			var edges []string
			for _, e := range p.EdOrgHierarchy {
				edges = append(edges, e.Type+">"+e.ParentType+"@"+e.Path)
			}
			if got := strings.Join(edges, " "); got != tc.edges {
				t.Errorf("edges %q, want %q", got, tc.edges)
			}
			if got := strings.Join(p.EdOrgTypes, ","); got != tc.types {
				t.Errorf("types %q, want %q", got, tc.types)
			}
			if (p.EdOrgHierarchyOrigin.From == AuthSchema) != tc.hasH || (p.EdOrgTypesOrigin.From == AuthSchema) != tc.hasTypes {
				t.Errorf("origins %s/%s, want hierarchy %v types %v", p.EdOrgHierarchyOrigin.From, p.EdOrgTypesOrigin.From, tc.hasH, tc.hasTypes)
			}
		})
	}
}

// TestSecurableOnExtension: a resource extension's own elements are
// ignored (with a warning when it lists any): they are its base's.
func TestSecurableOnExtension(t *testing.T) {
	doc := strings.Replace(authDoc(`{"Student":["$.s"]}`, ""), `"isResourceExtension":false`, `"isResourceExtension":true`, 1)
	var d diag.List
	p := Parse("a.json", []byte(doc), &d)
	var got []string
	for _, w := range d.Items() {
		if w.Code == CodeSecurableOnExtension {
			got = append(got, w.Path)
		}
	}
	if want := "$.projectSchema.resourceSchemas.as.securableElements"; strings.Join(got, " ") != want {
		t.Errorf("%s warnings at %q, want %q", CodeSecurableOnExtension, got, want)
	}
	if p == nil || !p.Resources[0].Securable.IsEmpty() {
		t.Error("an extension kept its elements")
	}
}

// TestFixturesSecurableElements reads the real shapes: both formats load
// without an authorization diagnostic, the current-format fixtures declare
// elements for every resource and the hierarchy and types, DS 5.0 declares
// none of them.
func TestFixturesSecurableElements(t *testing.T) {
	for _, tc := range []struct {
		file     func(testing.TB) string
		declares bool
		// spot is one resource endpoint and its elements.
		spot, want string
	}{
		{testenv.DS50, false, "students", ""},
		{testenv.SampleDS50, true, "studentArtProgramAssociations",
			"EducationOrganization=$.educationOrganizationReference.educationOrganizationId/EducationOrganizationId Student=$.studentReference.studentUniqueId"},
		{testenv.SampleDS60, true, "artMediumDescriptors", "Namespace=$.namespace"},
		{testenv.Homograph, true, "students", ""},
	} {
		file := tc.file(t)
		t.Run(file, func(t *testing.T) {
			var d diag.List
			p := LoadFile(file, &d)
			if p == nil || d.HasErrors() {
				t.Fatalf("load: %v", d.Err())
			}
			for _, w := range d.Items() {
				switch w.Code {
				case CodeSecurableInCollection, CodeUnknownSecurableKind, CodeDuplicateSecurable, CodeSecurableOnExtension, CodeDuplicateEdOrgType:
					t.Errorf("unexpected %s", w)
				}
			}
			want := AuthAbsent
			if tc.declares {
				want = AuthSchema
			}
			for _, r := range p.Resources {
				if r.SecurableOrigin.From != want {
					t.Errorf("%s: origin %s, want %s", r.EndpointName, r.SecurableOrigin.From, want)
				}
				if r.EndpointName == tc.spot {
					if got := renderElements(r.Securable); got != tc.want {
						t.Errorf("%s: %s, want %s", r.EndpointName, got, tc.want)
					}
				}
			}
			if p.EdOrgHierarchyOrigin.From != want || p.EdOrgTypesOrigin.From != want {
				t.Errorf("hierarchy %s, types %s, want %s", p.EdOrgHierarchyOrigin.From, p.EdOrgTypesOrigin.From, want)
			}
			if tc.declares && (len(p.EdOrgHierarchy) == 0 || len(p.EdOrgTypes) == 0) {
				t.Error("declared hierarchy or types are empty")
			}
		})
	}
}

// FuzzParseAuth feeds ApiSchema files with mutated authorization metadata
// to the loader: it must never panic and must locate and code every
// diagnostic.
func FuzzParseAuth(f *testing.F) {
	for _, s := range []string{
		authDoc(`{"Contact":[],"EducationOrganization":[{"jsonPath":"$.id","metaEdName":"AId"}],"Namespace":["$.ns"],"Staff":[],"Student":["$.s"]}`, ""),
		authDoc(`{"EducationOrganization":[{"jsonPath":"$.xs[*].id"}],"Student":[1]}`, `,"educationOrganizationHierarchy":{"A":{"B":"$.b"}},"educationOrganizationTypes":["A","A"]`),
		authDoc(`[]`, `,"educationOrganizationHierarchy":[],"educationOrganizationTypes":{}`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d diag.List
		p := Parse("fuzz.json", data, &d)
		if p == nil && !d.HasErrors() {
			t.Fatalf("no project and no error for %q", data)
		}
		for _, item := range d.Items() {
			if item.Code == "" || item.Message == "" || !strings.HasPrefix(item.String(), "fuzz.json") {
				t.Fatalf("malformed diagnostic %q", item.String())
			}
		}
		if p != nil && !d.HasErrors() {
			var d2 diag.List
			if set := Build([]*Project{p}, &d2); set != nil {
				set.ApplyAuthOverlay(nil, &d2)
			}
		}
	})
}
