package relstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/edfi-dmsc/dmsc/internal/authoracle"
	"github.com/edfi-dmsc/dmsc/manifest"
)

// responsibilityResources are the DS 5.0 resources whose documents name a
// student and that the claims file secures with
// RelationshipsWithStudentsOnlyThroughResponsibility.
var responsibilityResources = []string{
	"DisciplineAction", "StudentDisciplineIncidentBehaviorAssociation", "StudentProgramAssociation",
	"StudentSchoolAttendanceEvent", "StudentSectionAssociation", "StudentSectionAttendanceEvent",
}

// ownPeopleDocs counts the documents addPeople wrote.
type ownPeopleDocs struct {
	responsibility, staff, contacts int
}

// addPeople writes documents of our own into the loaded corpus so that
// every people strategy separates documents (the corpus alone has 4
// responsibility associations, 12 staff associations and 21 contact
// associations, mostly at the students' own schools):
//   - a StudentEducationOrganizationResponsibilityAssociation for every
//     student named by a responsibility-secured document and for every
//     third enrolled student, at a school other than the student's own
//     (responsibility then reaches what enrollment does not, and the
//     other way round);
//   - a StaffEducationOrganizationAssignmentAssociation for every staff
//     member at an EdOrg of another level (school, LEA, …) in turn;
//   - a StudentContactAssociation pairing every contact with a student
//     of another school.
//
// They are written through the store without a grant, with natural keys
// the corpus does not use, and every one must be accepted.
func (r *oracleRun) addPeople(ctx context.Context) ownPeopleDocs {
	t := r.t
	m := r.st.Manifest()
	var n ownPeopleDocs
	enrolledAt := map[string]string{}
	var students []string
	for _, e := range r.o.Enrollments() {
		if _, ok := enrolledAt[e[1]]; !ok {
			students = append(students, e[1])
		}
		enrolledAt[e[1]] = e[0]
	}
	sort.Strings(students)
	schools := r.o.EdOrgIDs("School")
	if len(schools) < 2 || len(students) < 3 {
		t.Fatalf("too few schools (%d) or enrolled students (%d) for our own people documents", len(schools), len(students))
	}
	// otherSchool is a school that is not the student's own, chosen by i.
	otherSchool := func(student string, i int) int64 {
		for k := range len(schools) {
			s := schools[(i+k)%len(schools)]
			if fmt.Sprint(s) != enrolledAt[student] {
				return s
			}
		}
		return schools[0]
	}
	post := func(resource string, body map[string]any) {
		t.Helper()
		res := findByName(m, "Ed-Fi", resource)
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.st.Upsert(ctx, res.ProjectEndpoint, res.EndpointName, data); err != nil {
			t.Fatalf("our own %s: %v\n%s", resource, err, data)
		}
	}

	var responsible []string
	for _, name := range responsibilityResources {
		res := findByName(m, "Ed-Fi", name)
		if res == nil {
			continue
		}
		for _, body := range r.docsOf(res) {
			if s := authoracle.Lookup1(body, "$.studentReference.studentUniqueId"); s != "" && !slices.Contains(responsible, s) {
				responsible = append(responsible, s)
			}
		}
	}
	for i, s := range students {
		if i%3 == 0 && !slices.Contains(responsible, s) {
			responsible = append(responsible, s)
		}
	}
	sort.Strings(responsible)
	for i, s := range responsible {
		if !slices.Contains(students, s) {
			continue // a student of no enrollment: the reference may still resolve, but keep to known students
		}
		post("StudentEducationOrganizationResponsibilityAssociation", map[string]any{
			"beginDate":                      "2024-08-15",
			"educationOrganizationReference": map[string]any{"educationOrganizationId": otherSchool(s, 7*i+1)},
			"studentReference":               map[string]any{"studentUniqueId": s},
			"responsibilityDescriptor":       "uri://ed-fi.org/ResponsibilityDescriptor#Accountability",
		})
		n.responsibility++
	}

	// Staff at EdOrgs of every level in turn.
	staffRes := findByName(m, "Ed-Fi", "Staff")
	var staff []string
	for _, body := range r.docsOf(staffRes) {
		staff = append(staff, authoracle.Lookup1(body, "$.staffUniqueId"))
	}
	sort.Strings(staff)
	for i, s := range staff {
		level := r.edOrgs[i%len(r.edOrgs)]
		post("StaffEducationOrganizationAssignmentAssociation", map[string]any{
			"beginDate":                      "2024-08-15",
			"staffClassificationDescriptor":  "uri://ed-fi.org/StaffClassificationDescriptor#Teacher",
			"educationOrganizationReference": map[string]any{"educationOrganizationId": level[(3*i)%len(level)]},
			"staffReference":                 map[string]any{"staffUniqueId": s},
		})
		n.staff++
	}

	// Contacts of students of other schools.
	contactRes := findByName(m, "Ed-Fi", "Contact")
	var contacts []string
	for _, body := range r.docsOf(contactRes) {
		contacts = append(contacts, authoracle.Lookup1(body, "$.contactUniqueId"))
	}
	sort.Strings(contacts)
	for i, c := range contacts {
		s := students[(5*i+2)%len(students)]
		post("StudentContactAssociation", map[string]any{
			"studentReference":       map[string]any{"studentUniqueId": s},
			"contactReference":       map[string]any{"contactUniqueId": c},
			"emergencyContactStatus": i%2 == 0,
		})
		n.contacts++
	}
	return n
}

// peopleLevels returns EdOrg ids the grants draw from beyond the EdOrg
// types: the EdOrgs of responsibility and staff associations (so that the
// people strategies reach someone).
func (r *oracleRun) peopleLevels() [][]int64 {
	m := r.st.Manifest()
	var out [][]int64
	for _, name := range []string{"StudentEducationOrganizationResponsibilityAssociation", "StaffEducationOrganizationAssignmentAssociation"} {
		res := findByName(m, "Ed-Fi", name)
		var ids []int64
		docs := r.docsOf(res)
		for _, id := range sortedKeys(docs) {
			var e int64
			if _, err := fmt.Sscan(authoracle.Lookup1(docs[id], "$.educationOrganizationReference.educationOrganizationId"), &e); err == nil && !slices.Contains(ids, e) {
				ids = append(ids, e)
			}
		}
		if len(ids) > 0 {
			out = append(out, ids)
		}
	}
	return out
}

// docsOf is r.docs[res], read when the oracle did not need it.
func (r *oracleRun) docsOf(res *manifest.Resource) map[string]any {
	if d, ok := r.docs[res]; ok {
		return d
	}
	d, err := allDocs(context.Background(), r.st, res)
	if err != nil {
		r.t.Fatal(err)
	}
	r.docs[res] = d
	return d
}
