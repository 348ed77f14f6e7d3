package relstore

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// exampleManifest loads the built-in example's pgsql manifest (golden).
func exampleManifest(t *testing.T) *manifest.Manifest {
	t.Helper()
	m, err := manifest.LoadFile(filepath.Join("..", "testdata", "cases", "example", "expected", "manifest.pgsql.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEdOrgIDsInReads: an educationOrganizationReference is read from
// dms.EducationOrganization when every member of the family keeps a row
// there — in GET, page and query-filter statements — while identity SQL
// (cascades, audits) keeps the union view; when one member is no EdOrg
// type, or its row would hold another column than its identity, every
// statement keeps the view.
func TestEdOrgIDsInReads(t *testing.T) {
	const view, table = `"example"."EducationOrganization_View"`, `"dms"."EducationOrganization"`
	for _, c := range []struct {
		name   string
		edit   func(m *manifest.Manifest)
		viaIDs bool
	}{
		{"every member an EdOrg type", func(*manifest.Manifest) {}, true},
		{"School no EdOrg type", func(m *manifest.Manifest) {
			m.EdOrgTypes = slices.DeleteFunc(m.EdOrgTypes, func(e manifest.EdOrgType) bool { return e.ResourceName == "School" })
		}, false},
		{"School's row keeps another column", func(m *manifest.Manifest) {
			for i := range m.EdOrgTypes {
				if m.EdOrgTypes[i].ResourceName == "School" {
					m.EdOrgTypes[i].IDColumn = "NameOfInstitution"
				}
			}
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := exampleManifest(t)
			c.edit(m)
			s := &Store{m: m}
			if err := s.buildPlans(); err != nil && c.viaIDs {
				t.Fatal(err)
			}
			p := s.byName["Example:Program"]
			if p == nil || p.getSQL == "" {
				t.Fatal("no Program plan")
			}
			filter := p.queries["educationOrganizationId"]
			if filter == nil || len(filter.targets) != 1 {
				t.Fatal("no educationOrganizationId query field")
			}
			reads := map[string]string{"GET": p.getSQL, "page": p.readSQL, "filter": filter.targets[0].refSQL}
			for _, name := range []string{"GET", "page", "filter"} {
				sql := reads[name]
				if got := strings.Contains(sql, table) && !strings.Contains(sql, view); got != c.viaIDs {
					t.Errorf("%s statement reads %s (want %v):\n%s", name, table, c.viaIDs, sql)
				}
			}
			if !strings.Contains(p.identitySQL, view) || strings.Contains(p.identitySQL, table) {
				t.Errorf("identity SQL does not read the view:\n%s", p.identitySQL)
			}
		})
	}
}
