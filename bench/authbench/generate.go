package authbench

import (
	"encoding/json"
	"fmt"
)

// GeneratorVersion changes whenever the generated documents change, so
// that a database loaded by an earlier generator is rebuilt.
const GeneratorVersion = "authbench-gen-1"

// ProjectEndpoint is the project endpoint of every generated document.
const ProjectEndpoint = "ed-fi"

// EntryDate is the entryDate of every generated StudentSchoolAssociation.
const EntryDate = "2024-08-15"

// SEAID is the stateEducationAgencyId of the one StateEducationAgency.
const SEAID = 1

// descriptor is one descriptor document of the generated set.
type descriptor struct {
	endpoint, namespace, code string
}

// gradeLevels are the GradeLevelDescriptor code values, students cycle
// through them.
var gradeLevels = []string{"Kindergarten", "First grade", "Second grade", "Third grade", "Fourth grade", "Fifth grade",
	"Sixth grade", "Seventh grade", "Eighth grade", "Ninth grade", "Tenth grade", "Eleventh grade", "Twelfth grade"}

// Descriptor namespaces the generated documents use.
const (
	edOrgCategoryNS = "uri://ed-fi.org/EducationOrganizationCategoryDescriptor"
	leaCategoryNS   = "uri://ed-fi.org/LocalEducationAgencyCategoryDescriptor"
	gradeLevelNS    = "uri://ed-fi.org/GradeLevelDescriptor"
)

// descriptors are every descriptor the generated documents reference.
var descriptors = func() []descriptor {
	out := []descriptor{
		{"educationOrganizationCategoryDescriptors", edOrgCategoryNS, "State"},
		{"educationOrganizationCategoryDescriptors", edOrgCategoryNS, "District"},
		{"educationOrganizationCategoryDescriptors", edOrgCategoryNS, "School"},
		{"localEducationAgencyCategoryDescriptors", leaCategoryNS, "Independent"},
	}
	for _, g := range gradeLevels {
		out = append(out, descriptor{"gradeLevelDescriptors", gradeLevelNS, g})
	}
	return out
}()

// Phase is one resource's documents; a phase references only documents of
// earlier phases, so the documents of one phase may be written
// concurrently.
type Phase struct {
	// Name names the phase in progress lines.
	Name string
	// Count is the number of documents.
	Count int
	// Doc returns document i (0 ≤ i < Count): its endpoint and body.
	Doc func(i int) (endpoint string, body []byte)
}

// Phases returns the documents of scale s in load order: descriptors, the
// SEA, the LEAs, the schools, the students, their associations. The same
// scale always gives the same bytes.
func Phases(s Scale) []Phase {
	return []Phase{
		{Name: "descriptors", Count: len(descriptors), Doc: func(i int) (string, []byte) {
			d := descriptors[i]
			return d.endpoint, marshal(map[string]any{"namespace": d.namespace, "codeValue": d.code,
				"shortDescription": d.code, "description": d.code})
		}},
		{Name: "stateEducationAgencies", Count: 1, Doc: func(int) (string, []byte) {
			return "stateEducationAgencies", marshal(map[string]any{
				"stateEducationAgencyId": SEAID,
				"nameOfInstitution":      "Authbench State Education Agency",
				"categories":             []any{map[string]any{"educationOrganizationCategoryDescriptor": edOrgCategoryNS + "#State"}},
			})
		}},
		{Name: "localEducationAgencies", Count: s.LEAs, Doc: func(i int) (string, []byte) {
			return "localEducationAgencies", marshal(map[string]any{
				"localEducationAgencyId":                 LEAID(i),
				"nameOfInstitution":                      fmt.Sprintf("Authbench District %d", LEAID(i)),
				"localEducationAgencyCategoryDescriptor": leaCategoryNS + "#Independent",
				"categories":                             []any{map[string]any{"educationOrganizationCategoryDescriptor": edOrgCategoryNS + "#District"}},
				"stateEducationAgencyReference":          map[string]any{"stateEducationAgencyId": SEAID},
			})
		}},
		{Name: "schools", Count: s.Schools(), Doc: func(j int) (string, []byte) { return "schools", SchoolBody(s, j) }},
		{Name: "students", Count: s.Students(), Doc: func(k int) (string, []byte) { return "students", StudentBody(k, "") }},
		{Name: "studentSchoolAssociations", Count: s.Students(), Doc: func(k int) (string, []byte) {
			return "studentSchoolAssociations", SSABody(s, k, s.SchoolOf(k), EntryDate, false)
		}},
	}
}

// LEAID is the localEducationAgencyId of LEA i (0-based).
func LEAID(i int) int64 { return int64(1001 + i) }

// SchoolID is the schoolId of school j (0-based over all schools): the
// id of its LEA times 1,000 plus its number within the LEA.
func (s Scale) SchoolID(j int) int64 {
	return LEAID(j/s.SchoolsPerLEA)*1000 + int64(j%s.SchoolsPerLEA) + 1
}

// SchoolOf is the school (0-based) student k is enrolled at.
func (s Scale) SchoolOf(k int) int { return k / s.StudentsPerSchool }

// StudentUniqueID is the studentUniqueId of student k (0-based).
func StudentUniqueID(k int) string { return fmt.Sprintf("S%07d", k+1) }

// SchoolBody is the document of school j of scale s.
func SchoolBody(s Scale, j int) []byte {
	grades := make([]any, 0, 4)
	for g := 0; g < 4; g++ {
		grades = append(grades, map[string]any{"gradeLevelDescriptor": gradeLevelNS + "#" + gradeLevels[(j+g)%len(gradeLevels)]})
	}
	id := s.SchoolID(j)
	return marshal(map[string]any{
		"schoolId":                        id,
		"nameOfInstitution":               fmt.Sprintf("Authbench School %d", id),
		"shortNameOfInstitution":          fmt.Sprintf("ABS %d", id),
		"gradeLevels":                     grades,
		"educationOrganizationCategories": []any{map[string]any{"educationOrganizationCategoryDescriptor": edOrgCategoryNS + "#School"}},
		"localEducationAgencyReference":   map[string]any{"localEducationAgencyId": LEAID(j / s.SchoolsPerLEA)},
	})
}

// firstNames and lastNames give students deterministic names.
var (
	firstNames = []string{"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam", "Maya", "Nils", "Olga", "Pedro"}
	lastNames  = []string{"Anders", "Brown", "Castillo", "Dubois", "Eze", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn"}
)

// StudentBody is the document of student k; middleName is left out when
// empty (a PUT benchmark toggles it).
func StudentBody(k int, middleName string) []byte {
	doc := map[string]any{
		"studentUniqueId": StudentUniqueID(k),
		"firstName":       firstNames[k%len(firstNames)],
		"lastSurname":     lastNames[(k/len(firstNames))%len(lastNames)],
		"birthDate":       fmt.Sprintf("%04d-%02d-%02d", 2008+k%8, 1+k%12, 1+k%28),
		"birthCity":       "Springfield",
	}
	if middleName != "" {
		doc["middleName"] = middleName
	}
	return marshal(doc)
}

// SSABody is the StudentSchoolAssociation of student k at school j (of
// the scale the caller uses) entering on entryDate; repeat is its
// repeatGradeIndicator (a PUT benchmark toggles it).
func SSABody(s Scale, k, j int, entryDate string, repeat bool) []byte {
	return marshal(map[string]any{
		"studentReference":          map[string]any{"studentUniqueId": StudentUniqueID(k)},
		"schoolReference":           map[string]any{"schoolId": s.SchoolID(j)},
		"entryDate":                 entryDate,
		"entryGradeLevelDescriptor": gradeLevelNS + "#" + gradeLevels[k%len(gradeLevels)],
		"primarySchool":             true,
		"repeatGradeIndicator":      repeat,
	})
}

// marshal encodes a generated document (map keys sorted, so the bytes are
// deterministic). The generators build maps of strings, integers, bools
// and such maps and slices only, which encoding/json always encodes, so
// the error is impossible (and no panic is needed below main).
func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
