package authinfer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
)

// res writes a resource of a current-format file: identity paths,
// documentPathsMapping entries (raw JSON members) and extra members.
func res(endpoint, name string, identity []string, mappings []string, extra string) string {
	ids := make([]string, len(identity))
	for i, p := range identity {
		ids[i] = fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf(`%q:{"resourceName":%q,"isDescriptor":false,"isResourceExtension":false,"identityJsonPaths":[%s],"arrayUniquenessConstraints":[],
  "documentPathsMapping":{%s},"jsonSchemaForInsert":{"type":"object","properties":{}}%s}`,
		endpoint, name, strings.Join(ids, ","), strings.Join(mappings, ","), extra)
}

// scalar is a scalar mapping.
func scalar(key, path string, required bool) string {
	return fmt.Sprintf(`%q:{"isReference":false,"isPartOfIdentity":false,"isRequired":%v,"path":%q}`, key, required, path)
}

// ref is a document reference mapping: pairs are identityJsonPath,
// referenceJsonPath, ...
func ref(key, project, resource string, pairs ...string) string {
	var ps []string
	for i := 0; i < len(pairs); i += 2 {
		ps = append(ps, fmt.Sprintf(`{"identityJsonPath":%q,"referenceJsonPath":%q}`, pairs[i], pairs[i+1]))
	}
	return fmt.Sprintf(`%q:{"isReference":true,"isDescriptor":false,"projectName":%q,"resourceName":%q,"referenceJsonPaths":[%s]}`, key, project, resource, strings.Join(ps, ","))
}

// subclass is the extra members of an EdOrg subclass.
const subclass = `,"isSubclass":true,"subclassType":"domainEntity","superclassProjectName":"Ed-Fi","superclassResourceName":"EducationOrganization","superclassIdentityJsonPath":"$.educationOrganizationId"`

// rulesCore is a small Ed-Fi core exercising each rule and each way a role
// name shows.
func rulesCore() string {
	edorgRef := func(prefix string) string {
		return ref("EducationOrganization", "Ed-Fi", "EducationOrganization", "$.educationOrganizationId", "$."+prefix+"educationOrganizationReference.educationOrganizationId")
	}
	schoolRef := func(key, obj string) string {
		return ref(key, "Ed-Fi", "School", "$.schoolId", "$."+obj+".schoolId")
	}
	studentRef := ref("Student", "Ed-Fi", "Student", "$.studentUniqueId", "$.studentReference.studentUniqueId")
	programRef := ref("Program", "Ed-Fi", "Program", "$.educationOrganizationReference.educationOrganizationId", "$.programReference.educationOrganizationId", "$.programName", "$.programReference.programName")
	resources := []string{
		res("schools", "School", []string{"$.schoolId"}, []string{scalar("SchoolId", "$.schoolId", true),
			ref("LocalEducationAgency", "Ed-Fi", "LocalEducationAgency", "$.localEducationAgencyId", "$.localEducationAgencyReference.localEducationAgencyId"),
			ref("SchoolYear", "Ed-Fi", "SchoolYearType", "$.schoolYear", "$.schoolYearTypeReference.schoolYear")}, subclass),
		res("localEducationAgencies", "LocalEducationAgency", []string{"$.localEducationAgencyId"}, []string{scalar("LocalEducationAgencyId", "$.localEducationAgencyId", true),
			ref("ParentLocalEducationAgency", "Ed-Fi", "LocalEducationAgency", "$.localEducationAgencyId", "$.parentLocalEducationAgencyReference.localEducationAgencyId")}, subclass),
		`"schoolYearTypes":{"resourceName":"SchoolYearType","isDescriptor":false,"isResourceExtension":false,"isSchoolYearEnumeration":true,"identityJsonPaths":["$.schoolYear"],"documentPathsMapping":{"SchoolYear":{"isReference":false,"path":"$.schoolYear"}},"jsonSchemaForInsert":{"type":"object","properties":{}}}`,
		`"gradeLevelDescriptors":{"resourceName":"GradeLevelDescriptor","isDescriptor":true,"isResourceExtension":false,"identityJsonPaths":["$.namespace","$.codeValue"],"documentPathsMapping":{},"jsonSchemaForInsert":{"type":"object","properties":{}}}`,
		res("students", "Student", []string{"$.studentUniqueId"}, []string{scalar("StudentUniqueId", "$.studentUniqueId", true)}, ""),
		res("programs", "Program", []string{"$.educationOrganizationReference.educationOrganizationId", "$.programName"}, []string{edorgRef(""), scalar("ProgramName", "$.programName", true)}, ""),
		res("courses", "Course", []string{"$.educationOrganizationReference.educationOrganizationId", "$.courseCode"}, []string{edorgRef(""), scalar("CourseCode", "$.courseCode", true)}, ""),
		res("surveys", "Survey", []string{"$.namespace", "$.surveyIdentifier"}, []string{scalar("Namespace", "$.namespace", true), scalar("SurveyIdentifier", "$.surveyIdentifier", true)}, ""),
		// Role names, each way they show.
		res("roleByKeys", "RoleByKey", []string{"$.parentSchoolReference.schoolId", "$.studentReference.studentUniqueId"}, []string{schoolRef("ParentSchool", "parentSchoolReference"), studentRef}, ""),
		res("roleByJsons", "RoleByJson", []string{"$.feederSchoolReference.schoolId"}, []string{schoolRef("School", "feederSchoolReference")}, ""),
		res("roleByOverrides", "RoleByOverride", []string{"$.programReference.educationOrganizationId", "$.programReference.programName"}, []string{programRef},
			`,"relational":{"nameOverrides":{"$.programReference":"Program_Program"}}`),
		res("roleByEvidences", "RoleByEvidence", []string{"$.programReference.educationOrganizationId", "$.programReference.programName"}, []string{programRef}, ""),
		res("evidenceWitnesses", "EvidenceWitness", []string{"$.roleByEvidenceReference.programName"}, []string{
			ref("RoleByEvidence", "Ed-Fi", "RoleByEvidence", "$.programReference.educationOrganizationId", "$.roleByEvidenceReference.programEducationOrganizationId",
				"$.programReference.programName", "$.roleByEvidenceReference.programName")}, ""),
		// No role name: the value is secured.
		res("plains", "Plain", []string{"$.programReference.educationOrganizationId", "$.programReference.programName", "$.schoolReference.schoolId"}, []string{programRef, schoolRef("School", "schoolReference")}, ""),
		// Two EducationOrganizationIds: the direct one keeps its name.
		res("collides", "Collide", []string{"$.educationOrganizationReference.educationOrganizationId", "$.programReference.educationOrganizationId", "$.programReference.programName"}, []string{edorgRef(""), programRef}, ""),
		// Tied by a merge: both are secured.
		res("mergeds", "Merged", []string{"$.educationOrganizationReference.educationOrganizationId", "$.programReference.educationOrganizationId", "$.programReference.programName"}, []string{edorgRef(""), programRef},
			`,"equalityConstraints":[{"sourceJsonPath":"$.programReference.educationOrganizationId","targetJsonPath":"$.educationOrganizationReference.educationOrganizationId"}]`),
		// Equally deep and not merged: both proposed, with a warning.
		res("ties", "Tie", []string{"$.programReference.educationOrganizationId", "$.programReference.programName", "$.courseReference.educationOrganizationId"}, []string{programRef,
			ref("Course", "Ed-Fi", "Course", "$.educationOrganizationReference.educationOrganizationId", "$.courseReference.educationOrganizationId")}, ""),
		// Namespace: own required one, a reference's, one in a collection,
		// an optional one, a role-named one.
		res("namespaced", "Namespaced", []string{"$.id"}, []string{scalar("Id", "$.id", true), scalar("Namespace", "$.namespace", true),
			scalar("OtherNamespace", "$.otherNamespace", true), scalar("Item.Namespace", "$.items[*].namespace", true),
			ref("Survey", "Ed-Fi", "Survey", "$.namespace", "$.surveyReference.namespace", "$.surveyIdentifier", "$.surveyReference.surveyIdentifier")}, ""),
		res("optionalNamespaces", "OptionalNamespace", []string{"$.id"}, []string{scalar("Id", "$.id", true), scalar("Namespace", "$.namespace", false)}, ""),
		// MetaEd's hard-coded exceptions.
		res("organizationDepartments", "OrganizationDepartment", []string{"$.organizationDepartmentId"}, []string{scalar("OrganizationDepartmentId", "$.organizationDepartmentId", true),
			ref("ParentEducationOrganization", "Ed-Fi", "EducationOrganization", "$.educationOrganizationId", "$.parentEducationOrganizationReference.educationOrganizationId")},
			subclass),
		res("studentAssessments", "StudentAssessment", []string{"$.studentReference.studentUniqueId"}, []string{studentRef, schoolRef("ReportedSchool", "reportedSchoolReference")}, ""),
		res("programEvaluations", "ProgramEvaluation", []string{"$.programReference.educationOrganizationId", "$.programReference.programName"}, []string{programRef},
			`,"relational":{"nameOverrides":{"$.programReference":"Program_Program"}}`),
	}
	return `{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"Ed-Fi","projectEndpointName":"ed-fi","projectVersion":"5.0.0","isExtensionProject":false,
 "abstractResources":{"EducationOrganization":{"identityJsonPaths":["$.educationOrganizationId"]}},"resourceSchemas":{` + strings.Join(resources, ",\n") + `}}}`
}

// TestRules checks each rule on a small core: the proposed elements of each
// resource, the hierarchy and types, and the warnings.
func TestRules(t *testing.T) {
	var d diag.List
	p := apischema.Parse("core.json", []byte(rulesCore()), &d)
	if p == nil || d.HasErrors() {
		t.Fatalf("parse: %v", d.Errors())
	}
	set := apischema.Build([]*apischema.Project{p}, &d)
	if set == nil {
		t.Fatalf("build: %v", d.Errors())
	}
	var id diag.List
	result := Infer(set, &id)
	got := map[string]string{}
	rejected := map[string]string{}
	for _, rr := range result.Resources {
		got[rr.Resource.ResourceName] = render(rr.Elements)
		var why []string
		for _, x := range rr.Rejected {
			why = append(why, x.Path.String())
		}
		rejected[rr.Resource.ResourceName] = strings.Join(why, " ")
		if len(rr.Reasons) != countElements(rr.Elements) {
			t.Errorf("%s: %d reasons for %d elements", rr.Key(), len(rr.Reasons), countElements(rr.Elements))
		}
	}
	el := func(parts ...string) string {
		var e apischema.SecurableElements
		for _, s := range parts {
			kind, rest, _ := strings.Cut(s, "=")
			path, name, _ := strings.Cut(rest, "/")
			if kind == "E" {
				e.EducationOrganization = append(e.EducationOrganization, apischema.EdOrgElement{JSONPath: mustPath(t, path), MetaEdName: name})
				continue
			}
			e = addPath(e, map[string]apischema.SecurableKind{"S": apischema.KindStudent, "N": apischema.KindNamespace, "C": apischema.KindContact, "T": apischema.KindStaff}[kind], mustPath(t, path))
		}
		return render(e)
	}
	for _, tc := range []struct {
		resource, want, rejected string
	}{
		{"School", el("E=$.schoolId/SchoolId"), ""},
		{"LocalEducationAgency", el("E=$.localEducationAgencyId/LocalEducationAgencyId"), ""},
		{"SchoolYearType", el(), ""},
		{"GradeLevelDescriptor", el("N=$.namespace"), ""},
		{"Student", el("S=$.studentUniqueId"), ""},
		{"Program", el("E=$.educationOrganizationReference.educationOrganizationId/EducationOrganizationId"), ""},
		{"Survey", el("N=$.namespace"), ""},
		{"RoleByKey", el("S=$.studentReference.studentUniqueId"), "$.parentSchoolReference.schoolId"},
		{"RoleByJson", el(), "$.feederSchoolReference.schoolId"},
		{"RoleByOverride", el(), "$.programReference.educationOrganizationId"},
		{"RoleByEvidence", el(), "$.programReference.educationOrganizationId"},
		{"Plain", el("E=$.programReference.educationOrganizationId/EducationOrganizationId", "E=$.schoolReference.schoolId/SchoolId"), ""},
		{"Collide", el("E=$.educationOrganizationReference.educationOrganizationId/EducationOrganizationId"), "$.programReference.educationOrganizationId"},
		{"Merged", el("E=$.educationOrganizationReference.educationOrganizationId/EducationOrganizationId", "E=$.programReference.educationOrganizationId/EducationOrganizationId"), ""},
		{"Course", el("E=$.educationOrganizationReference.educationOrganizationId/EducationOrganizationId"), ""},
		{"Tie", el("E=$.courseReference.educationOrganizationId/EducationOrganizationId", "E=$.programReference.educationOrganizationId/EducationOrganizationId"), ""},
		{"Namespaced", el("N=$.namespace", "N=$.surveyReference.namespace"), ""},
		{"OptionalNamespace", el(), ""},
		{"OrganizationDepartment", el("E=$.parentEducationOrganizationReference.educationOrganizationId/EducationOrganizationId"), "$.organizationDepartmentId"},
		{"StudentAssessment", el("E=$.reportedSchoolReference.schoolId/SchoolId", "S=$.studentReference.studentUniqueId"), ""},
		{"ProgramEvaluation", el("E=$.programReference.educationOrganizationId/EducationOrganizationId"), "$.programReference.educationOrganizationId"},
	} {
		if got[tc.resource] != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.resource, got[tc.resource], tc.want)
		}
		if rejected[tc.resource] != tc.rejected {
			t.Errorf("%s: rejected %q, want %q", tc.resource, rejected[tc.resource], tc.rejected)
		}
	}
	if g, w := strings.Join(result.EdOrgTypes, ","), "LocalEducationAgency,OrganizationDepartment,School,EducationOrganization"; g != w {
		t.Errorf("types %s, want %s", g, w)
	}
	var edges []string
	for _, e := range result.Hierarchy {
		edges = append(edges, e.Type+">"+e.ParentType+"@"+e.Path.String())
	}
	wantEdges := "LocalEducationAgency>LocalEducationAgency@$.parentLocalEducationAgencyReference.localEducationAgencyId " +
		"OrganizationDepartment>EducationOrganization@$.parentEducationOrganizationReference.educationOrganizationId " +
		"School>LocalEducationAgency@$.localEducationAgencyReference.localEducationAgencyId"
	if g := strings.Join(edges, " "); g != wantEdges {
		t.Errorf("hierarchy\n got  %s\n want %s", g, wantEdges)
	}
	var warnings []string
	for _, w := range id.Items() {
		warnings = append(warnings, w.Code+": "+w.Message)
	}
	wantWarnings := "auth-infer-ambiguous: Ed-Fi/Tie: identity values $.programReference.educationOrganizationId, $.courseReference.educationOrganizationId each hold a value named EducationOrganizationId, equally deep and tied by no merge; MetaEd's source gives all but one a role name, which the file does not show, so all are proposed: review them"
	if g := strings.Join(warnings, "\n"); g != wantWarnings {
		t.Errorf("warnings\n got  %s\n want %s", g, wantWarnings)
	}
}

func countElements(e apischema.SecurableElements) int {
	n := 0
	for _, k := range apischema.SecurableKinds() {
		n += len(e.Paths(k))
	}
	return n
}

// TestVersionAtLeast checks the DS version gate of the hard-coded rules.
func TestVersionAtLeast(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"5.0.0", true}, {"5.2.0", true}, {"6.0.0-pre", true}, {"4.0.0", false}, {"4.9", false}, {"5", true}, {"x.0.0", false}, {"", false},
	} {
		if got := versionAtLeast(tc.v, 5, 0, 0); got != tc.want {
			t.Errorf("versionAtLeast(%q, 5.0.0) = %v", tc.v, got)
		}
	}
}

// FuzzInfer: inference never panics on a schema set that loads, whatever
// its references (cycles, dangling identity paths).
func FuzzInfer(f *testing.F) {
	f.Add([]byte(rulesCore()))
	f.Add([]byte(`{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"Ed-Fi","projectEndpointName":"ed-fi","projectVersion":"1","isExtensionProject":false,"resourceSchemas":{` +
		res("as", "A", []string{"$.bReference.x"}, []string{ref("B", "Ed-Fi", "A", "$.bReference.x", "$.bReference.x")}, "") + `}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d diag.List
		p := apischema.Parse("fuzz.json", data, &d)
		if p == nil || d.HasErrors() {
			return
		}
		set := apischema.Build([]*apischema.Project{p}, &d)
		if set == nil {
			return
		}
		res := Infer(set, &d)
		res.ForOverlay(set, true).JSON()
	})
}
