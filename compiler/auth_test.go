package compiler

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// describeElement is one compiled element as `Resource subject site path
// → hops`.
func describeElement(r *model.Resource, e *model.SecurableElement) string {
	hops := make([]string, len(e.Hops))
	for i, h := range e.Hops {
		hops[i] = h.Column.Name + "→" + h.TargetResource
	}
	col := ""
	if e.Column != nil {
		col = e.Column.Name
	}
	return fmt.Sprintf("%s #%d %s %s %s col=%s hops=[%s] subject=%s", r.ResourceName, e.Ordinal, e.Subject, e.Site, e.Path, col, strings.Join(hops, " "), e.SubjectResource)
}

// TestAuthCompileSample compiles DS 5.0 + Sample: Sample's declared
// securable elements resolve to self, direct and transitive sites, and
// the EdOrg family and its hierarchy are derived from DS 5.0's references
// (which have no School → PostSecondaryInstitution reference, unlike
// Sample's declared copy).
func TestAuthCompileSample(t *testing.T) {
	var d diag.List
	set := apischema.Load([]string{testenv.DS50(t), testenv.SampleDS50(t)}, &d)
	if set == nil {
		t.Fatalf("load: %v", d.Err())
	}
	res := Compile(set, Options{}, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("compile: %v", err)
	}
	m := res.Model(model.PgSQL)
	var got []string
	for _, r := range m.Resources {
		for _, e := range r.Securable {
			got = append(got, describeElement(r, e))
		}
	}
	for _, want := range []string{
		"ArtMediumDescriptor #0 Namespace self $.namespace col= hops=[] subject=ArtMediumDescriptor",
		"StudentArtProgramAssociation #0 EducationOrganization direct $.educationOrganizationReference.educationOrganizationId col=EducationOrganization_DocumentId hops=[EducationOrganization_DocumentId→EducationOrganization] subject=EducationOrganization",
		"StudentArtProgramAssociation #1 Student direct $.studentReference.studentUniqueId col=Student_DocumentId hops=[Student_DocumentId→Student] subject=Student",
		"StudentGraduationPlanAssociation #0 EducationOrganization transitive $.graduationPlanReference.educationOrganizationId col=GraduationPlan_DocumentId hops=[GraduationPlan_DocumentId→GraduationPlan EducationOrganization_DocumentId→EducationOrganization] subject=EducationOrganization",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing element %q\ngot:\n%s", want, strings.Join(got, "\n"))
		}
	}
	var family []string
	for _, et := range m.EdOrgTypes {
		var parents []string
		for _, p := range et.Parents {
			parents = append(parents, p.ParentType+"("+p.Reference.Column.Name+")")
		}
		if et.IDColumn == nil {
			t.Errorf("%s has no EducationOrganizationId column", et.Resource.ResourceName)
		}
		family = append(family, et.Resource.ResourceName+": "+strings.Join(parents, " "))
	}
	want := []string{
		"CommunityOrganization: ",
		"CommunityProvider: CommunityOrganization(CommunityOrganization_DocumentId)",
		"EducationOrganizationNetwork: ",
		"EducationServiceCenter: StateEducationAgency(StateEducationAgency_DocumentId)",
		"LocalEducationAgency: EducationServiceCenter(EducationServiceCenter_DocumentId) LocalEducationAgency(ParentLocalEducationAgency_DocumentId) StateEducationAgency(StateEducationAgency_DocumentId)",
		"OrganizationDepartment: EducationOrganization(ParentEducationOrganization_DocumentId)",
		"PostSecondaryInstitution: ",
		"School: LocalEducationAgency(LocalEducationAgency_DocumentId)",
		"StateEducationAgency: ",
	}
	if !slices.Equal(family, want) {
		t.Errorf("EdOrg family:\n%s\nwant:\n%s", strings.Join(family, "\n"), strings.Join(want, "\n"))
	}
}
