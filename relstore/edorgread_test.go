package relstore_test

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestEdOrgReferencesReadFromTheEdOrgTable: educationOrganizationReference
// values — a Program's own and one nested in a StudentSchoolAssociation's
// programReference — are read and paged from dms.EducationOrganization,
// which the EdOrg writes keep (a query on the whole reference still goes
// through its ReferentialId). Tampering with
// that table shows in the reads (so they do read it, not the union view),
// the authorization audit reports the difference, and its repair restores
// the bodies.
func TestEdOrgReferencesReadFromTheEdOrgTable(t *testing.T) {
	env, ids := seeded(t, "edorg_read")
	ctx := t.Context()
	var robotics, ssa string
	for i, d := range seed {
		switch {
		case d.ep == "programs" && strings.Contains(d.body, `"Robotics"`):
			robotics = ids[i]
		case d.ep == "studentSchoolAssociations":
			ssa = ids[i]
		}
	}
	const school = `"educationOrganizationId":255901001`
	read := func(ep, id, want string) {
		t.Helper()
		doc, err := env.Store.Get(ctx, "example", ep, id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc.JSON), want) {
			t.Errorf("GET %s/%s lacks %s:\n%s", ep, id, want, doc.JSON)
		}
		page, err := env.Store.Query(ctx, "example", ep, relstore.QueryOptions{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Documents {
			if d.ID == id && !strings.Contains(string(d.JSON), want) {
				t.Errorf("page of %s lacks %s:\n%s", ep, want, d.JSON)
			}
		}
	}
	filter := func(value string) []string {
		t.Helper()
		page, err := env.Store.Query(ctx, "example", "programs", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "educationOrganizationId", Value: value}}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range page.Documents {
			got = append(got, d.ID)
		}
		return got
	}
	read("programs", robotics, school)
	read("studentSchoolAssociations", ssa, school)
	if got := filter("255901001"); len(got) != 1 || got[0] != robotics {
		t.Fatalf("programs?educationOrganizationId=255901001: %v, want [%s]", got, robotics)
	}

	if _, err := env.Pool.Exec(ctx, `UPDATE "dms"."EducationOrganization" SET "EducationOrganizationId" = 7 WHERE "EducationOrganizationId" = 255901001`); err != nil {
		t.Fatal(err)
	}
	read("programs", robotics, `"educationOrganizationId":7`)
	read("studentSchoolAssociations", ssa, `"educationOrganizationId":7`)
	rep, err := env.Store.AuditAuth(ctx, true, 10)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Differences == 0 || !rep.Repaired {
		t.Fatalf("audit after tampering: %+v", rep)
	}
	read("programs", robotics, school)
	read("studentSchoolAssociations", ssa, school)
	if rep, err := env.Store.AuditAuth(ctx, false, 10); err != nil || rep.Differences != 0 {
		t.Fatalf("audit after repair: %+v, %v", rep, err)
	}
}
