package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestSampleExtension compiles DS 5.0 with the real Sample extension as
// MetaEd writes it: every `_ext.sample` subtree (root, collection items
// written as mirrored root keys and as commonExtensionOverrides) becomes an
// extension table keyed like the scope it extends, every Sample mapping
// maps to a column, and MetaEd's quirks give the expected warnings only.
func TestSampleExtension(t *testing.T) {
	var d diag.List
	set := apischema.Load([]string{testenv.DS50(t), testenv.SampleDS50(t)}, &d)
	if set == nil {
		t.Fatalf("load: %v", d.Err())
	}
	res := Compile(set, Options{}, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("compile: %v", err)
	}
	var warned []string
	for _, w := range d.Warnings() {
		if strings.Contains(w.File, "sample-ds50") {
			warned = append(warned, w.Code+" "+w.Path[strings.Index(w.Path, "resourceSchemas."):])
		}
	}
	slices.Sort(warned)
	want := []string{
		"extension-core-constraint-ignored resourceSchemas.contacts.arrayUniquenessConstraints[0]",
		"extension-core-constraint-ignored resourceSchemas.studentEducationOrganizationAssociations.arrayUniquenessConstraints[0]",
		"extension-required-ignored resourceSchemas.contacts.jsonSchemaForInsert.required",
		"extension-required-ignored resourceSchemas.studentContactAssociations.jsonSchemaForInsert.required",
	}
	if !slices.Equal(warned, want) {
		t.Errorf("Sample warnings:\n%s\nwant:\n%s", strings.Join(warned, "\n"), strings.Join(want, "\n"))
	}

	m := res.Models()[0]
	tables := map[string]*model.Table{}
	for _, r := range m.Resources {
		for _, tb := range r.Tables {
			tables[r.ResourceName+" "+tb.Scope.String()] = tb
		}
	}
	for _, c := range []struct{ resource, scope, name, extends string }{
		{"Contact", "$._ext.sample", "ContactExtension", "$"},
		{"Contact", "$.addresses[*]._ext.sample", "ContactExtensionAddress", "$.addresses[*]"},
		{"Contact", "$.addresses[*]._ext.sample.schoolDistricts[*]", "ContactExtensionAddressSchoolDistrict", ""},
		{"StudentEducationOrganizationAssociation", "$.addresses[*]._ext.sample", "", "$.addresses[*]"},
		{"StudentEducationOrganizationAssociation", "$.studentCharacteristics[*]._ext.sample", "", "$.studentCharacteristics[*]"},
		{"StudentEducationOrganizationAssociation", "$.studentCharacteristics[*]._ext.sample.studentNeeds[*]", "", ""},
		{"Student", "$._ext.sample.favoriteBooks[*].artMedia[*]", "StudentExtensionFavoriteBookArtMedia", ""},
		{"School", "$._ext.sample.directlyOwnedBuses[*]", "SchoolExtensionDirectlyOwnedBus", ""},
	} {
		tb := tables[c.resource+" "+c.scope]
		switch {
		case tb == nil:
			t.Errorf("%s has no table for %s", c.resource, c.scope)
			continue
		case tb.Schema != "sample":
			t.Errorf("%s %s: schema %s, want sample", c.resource, c.scope, tb.Schema)
		case c.name != "" && tb.Name != c.name:
			t.Errorf("%s %s: table %s, want %s", c.resource, c.scope, tb.Name, c.name)
		}
		if c.extends == "" {
			continue
		}
		base := tables[c.resource+" "+c.extends]
		if tb.Parent != base {
			t.Errorf("%s %s does not hang off the table of %s", c.resource, c.scope, c.extends)
			continue
		}
		if got, want := colNames(tb.KeyColumns()), colNames(base.KeyColumns()); !slices.Equal(got, want) {
			t.Errorf("%s %s: key %v, want the base scope's key %v", c.resource, c.scope, got, want)
		}
	}
	// Every Sample mapping of a resource extension maps to a column.
	for _, r := range set.Resources {
		for _, e := range r.Extensions() {
			for _, pm := range e.Mappings {
				p := pm.JSONPath
				if pm.IsReference && !pm.IsDescriptor {
					p = pm.ReferenceJSONPaths[0].ReferenceJSONPath
				}
				if !columnFor(m, r.ResourceName, p) {
					t.Errorf("%s mapping %q (%s) maps to no column", r.ResourceName, pm.Key, p)
				}
			}
		}
	}
}

func colNames(cs []*model.Column) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func columnFor(m *model.Model, resource string, p jsonpath.Path) bool {
	for _, r := range m.Resources {
		if r.ResourceName == resource && r.ProjectName == "Ed-Fi" {
			_, c := columnAt(r, p)
			return c != nil
		}
	}
	return false
}

// TestSampleDS60Refused: DS 5.0 with the Sample extension generated for DS
// 6.0 is refused with one error in the extension's file, at the reference
// whose identity differs (hireDate), naming both sides.
func TestSampleDS60Refused(t *testing.T) {
	var d diag.List
	set := apischema.Load([]string{testenv.DS50(t), testenv.SampleDS60(t)}, &d)
	if set != nil {
		Compile(set, Options{}, &d)
	}
	errs := d.Errors()
	if len(errs) != 1 {
		t.Fatalf("%d errors, want 1:\n%v", len(errs), d.Err())
	}
	e := errs[0]
	for _, s := range []string{"$.hireDate", "StaffEducationOrganizationEmploymentAssociation", "$._ext.sample.staffEducationOrganizationEmploymentAssociations[*]"} {
		if !strings.Contains(e.Message, s) {
			t.Errorf("message lacks %q: %s", s, e)
		}
	}
	if e.Code != CodeReferenceIdentityMismatch || e.File != testenv.SampleDS60(t) ||
		e.Path != "$.projectSchema.resourceSchemas.studentContactAssociations.documentPathsMapping.StaffEducationOrganizationEmploymentAssociation" {
		t.Errorf("error %s; want %s in %s at the reference's documentPathsMapping entry", e, CodeReferenceIdentityMismatch, testenv.SampleDS60(t))
	}
}
