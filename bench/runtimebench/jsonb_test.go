package runtimebench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// exampleManifest compiles dmsc's built-in example schema set.
func exampleManifest(t testing.TB) *manifest.Manifest {
	t.Helper()
	return compiler.Manifest(relstoretest.Compile(t))
}

// doc is one example document and where it is posted.
type doc struct {
	endpoint string
	body     string
}

const (
	gradeNine = "uri://ed-fi.org/GradeLevelDescriptor#Ninth grade"
	gifted    = "uri://ed-fi.org/ProgramTypeDescriptor#Gifted"
)

// exampleDocs is a small graph over the example schema: descriptors, an
// LEA, a school, a student, a program referencing the school through the
// abstract EducationOrganization and an association referencing them all.
func exampleDocs() []doc {
	return []doc{
		{"gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Ninth grade","shortDescription":"9"}`},
		{"programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Gifted","shortDescription":"G"}`},
		{"localEducationAgencies", `{"localEducationAgencyId":100,"nameOfInstitution":"LEA"}`},
		{"schools", `{"schoolId":1,"nameOfInstitution":"One","gradeLevels":[{"gradeLevelDescriptor":"` + gradeNine + `"}],"localEducationAgencyReference":{"localEducationAgencyId":100}}`},
		{"students", `{"studentUniqueId":"s1","firstName":"Ann","lastSurname":"Lee","birthDate":"2010-01-01"}`},
		{"programs", `{"educationOrganizationReference":{"educationOrganizationId":1},"programName":"P","programTypeDescriptor":"` + gifted + `"}`},
		{"studentSchoolAssociations", `{"studentReference":{"studentUniqueId":"s1"},"schoolReference":{"schoolId":1},"entryDate":"2024-08-15","entryGradeLevelDescriptor":"` + gradeNine + `",
		  "programs":[{"programReference":{"educationOrganizationId":1,"programName":"P","programTypeDescriptor":"` + gifted + `"}}]}`},
	}
}

// loadExample upserts exampleDocs and returns their ids by endpoint.
func loadExample(t *testing.T, st *JSONBStore) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, d := range exampleDocs() {
		res, err := st.Upsert(context.Background(), "example", d.endpoint, []byte(d.body))
		if err != nil {
			t.Fatalf("upsert %s: %v", d.endpoint, err)
		}
		if !res.Created {
			t.Errorf("upsert %s: not created", d.endpoint)
		}
		ids[d.endpoint] = res.ID
	}
	return ids
}

func TestJSONBIdentify(t *testing.T) {
	st, err := OpenJSONB(exampleManifest(t), nil)
	if err == nil || st != nil {
		t.Fatal("OpenJSONB accepted a nil pool")
	}
	st, err = compileStore(exampleManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	docs := exampleDocs()
	school, err := st.Identify("example", "schools", []byte(docs[3].body))
	if err != nil {
		t.Fatal(err)
	}
	want := []refid.UUID{
		refid.New("Example", "School", []refid.Element{{Path: "$.schoolId", Value: "1"}}),
		refid.New("Example", "EducationOrganization", []refid.Element{{Path: "$.educationOrganizationId", Value: "1"}}),
	}
	if fmt.Sprint(school.ReferentialIDs) != fmt.Sprint(want) {
		t.Errorf("school ids %v, want %v", school.ReferentialIDs, want)
	}
	wantRefs := []refid.UUID{
		refid.New("Example", "LocalEducationAgency", []refid.Element{{Path: "$.localEducationAgencyId", Value: "100"}}),
		refid.New("Example", "GradeLevelDescriptor", refid.DescriptorReferenceIdentity(gradeNine)),
	}
	if fmt.Sprint(school.References) != fmt.Sprint(wantRefs) {
		t.Errorf("school references %v, want %v", school.References, wantRefs)
	}
	desc, err := st.Identify("example", "gradeLevelDescriptors", []byte(docs[0].body))
	if err != nil {
		t.Fatal(err)
	}
	if desc.ReferentialIDs[0] != wantRefs[1] {
		t.Errorf("descriptor id %v, want %v", desc.ReferentialIDs[0], wantRefs[1])
	}
	for _, bad := range []string{`[]`, `{"nameOfInstitution":"x"}`, `{"schoolId":"x"`} {
		if _, err := st.Identify("example", "schools", []byte(bad)); err == nil {
			t.Errorf("Identify(%s) succeeded", bad)
		}
	}
	if _, err := st.Identify("example", "nothing", []byte(`{}`)); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("unknown endpoint: %v", err)
	}
}

func TestJSONBUpsertGetQuery(t *testing.T) {
	env := newJSONB(t, exampleManifest(t), "crud")
	ctx := context.Background()
	st := env.Store
	ids := loadExample(t, st)

	// Unresolved references fail and write nothing.
	_, err := st.Upsert(ctx, "example", "schools", []byte(`{"schoolId":2,"nameOfInstitution":"Two","gradeLevels":[{"gradeLevelDescriptor":"uri://x#y"}]}`))
	var unresolved *UnresolvedError
	if !errors.As(err, &unresolved) || len(unresolved.Missing) != 1 {
		t.Fatalf("unresolved descriptor: %v", err)
	}
	var n int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM document`).Scan(&n); err != nil || n != len(exampleDocs()) {
		t.Errorf("%d documents after a failed write (%v)", n, err)
	}

	// A second POST of the same identity updates the same document.
	env.Counter.Reset()
	res, err := st.Upsert(ctx, "example", "schools", []byte(`{"schoolId":1,"nameOfInstitution":"Renamed","gradeLevels":[{"gradeLevelDescriptor":"`+gradeNine+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	// BEGIN with the resolve query (as Npgsql sends it), the write, COMMIT.
	if got := env.Counter.Count(); got != 3 {
		t.Errorf("upsert took %d round trips, want 3", got)
	}
	if res.Created || res.ID != ids["schools"] || res.ETag != "2" {
		t.Errorf("update result %+v", res)
	}
	var refs int
	if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM reference r JOIN document d ON d.id = r.parent_id
WHERE d.document_uuid = $1`, res.ID).Scan(&refs); err != nil || refs != 1 {
		t.Errorf("school has %d reference rows after dropping its LEA reference, want 1 (%v)", refs, err)
	}

	env.Counter.Reset()
	got, err := st.Get(ctx, "example", "schools", res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := env.Counter.Count(); n != 1 {
		t.Errorf("get took %d round trips, want 1", n)
	}
	var body map[string]any
	if err := json.Unmarshal(got.JSON, &body); err != nil {
		t.Fatalf("%v: %s", err, got.JSON)
	}
	if body["id"] != res.ID || body["_etag"] != "2" || body["nameOfInstitution"] != "Renamed" || body["_lastModifiedDate"] == nil {
		t.Errorf("get body %s", got.JSON)
	}
	if _, err := st.Get(ctx, "example", "students", res.ID); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("get through another resource: %v", err)
	}

	for i := 0; i < 5; i++ {
		body := fmt.Sprintf(`{"studentUniqueId":"q%d","firstName":"F","lastSurname":"Page","birthDate":"2010-01-0%d"}`, i, i+1)
		if _, err := st.Upsert(ctx, "example", "students", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	env.Counter.Reset()
	page, err := st.Query(ctx, "example", "students", JSONBQuery{Contains: []byte(`{"lastSurname":"Page"}`), Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n := env.Counter.Count(); n != 1 {
		t.Errorf("query took %d round trips, want 1", n)
	}
	if len(page.Documents) != 3 || page.Next == "" {
		t.Fatalf("first page: %d documents, next %q", len(page.Documents), page.Next)
	}
	page2, err := st.Query(ctx, "example", "students", JSONBQuery{Contains: []byte(`{"lastSurname":"Page"}`), Limit: 3, After: page.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(page2.Documents) != 2 || page2.Next != "" || page2.Documents[0].ID == page.Documents[2].ID {
		t.Errorf("second page: %d documents, next %q", len(page2.Documents), page2.Next)
	}
	all, err := st.Query(ctx, "example", "students", JSONBQuery{})
	if err != nil || len(all.Documents) != 6 {
		t.Errorf("unfiltered query: %d documents (%v)", len(all.Documents), err)
	}
}

func TestJSONBUpdateIdentityCascades(t *testing.T) {
	env := newJSONB(t, exampleManifest(t), "cascade")
	ctx := context.Background()
	st := env.Store
	ids := loadExample(t, st)

	// School 1 → 7: the program references it through the abstract
	// EducationOrganization and has it in its identity, so the program is
	// renamed too and the association's program reference is rewritten at
	// the second level (its school reference at the first).
	n, err := st.UpdateIdentity(ctx, "example", "schools", ids["schools"],
		[]byte(`{"schoolId":7,"nameOfInstitution":"Seven","gradeLevels":[{"gradeLevelDescriptor":"`+gradeNine+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("rewrote %d referrers, want 2 (program, association)", n)
	}
	ssa := get(t, st, "studentSchoolAssociations", ids["studentSchoolAssociations"])
	if ssa["schoolReference"].(map[string]any)["schoolId"] != float64(7) {
		t.Errorf("school reference not rewritten: %v", ssa)
	}
	prog := ssa["programs"].([]any)[0].(map[string]any)["programReference"].(map[string]any)
	if prog["educationOrganizationId"] != float64(7) {
		t.Errorf("program reference not rewritten: %v", ssa)
	}
	if p := get(t, st, "programs", ids["programs"]); p["_etag"] != "2" {
		t.Errorf("program etag %v, want 2", p["_etag"])
	}

	// The new identities resolve; the old ones do not.
	fresh := `{"studentReference":{"studentUniqueId":"s1"},"schoolReference":{"schoolId":7},"entryDate":"2025-01-01","entryGradeLevelDescriptor":"` + gradeNine + `",
	  "programs":[{"programReference":{"educationOrganizationId":7,"programName":"P","programTypeDescriptor":"` + gifted + `"}}]}`
	if _, err := st.Upsert(ctx, "example", "studentSchoolAssociations", []byte(fresh)); err != nil {
		t.Errorf("reference to the renamed school and program: %v", err)
	}
	stale := `{"educationOrganizationReference":{"educationOrganizationId":1},"programName":"Q","programTypeDescriptor":"` + gifted + `"}`
	var unresolved *UnresolvedError
	if _, err := st.Upsert(ctx, "example", "programs", []byte(stale)); !errors.As(err, &unresolved) {
		t.Errorf("reference to the old school id: %v", err)
	}

	// A descriptor rename rewrites the URI strings of its referrers.
	gl, err := st.Query(ctx, "example", "gradeLevelDescriptors", JSONBQuery{})
	if err != nil || len(gl.Documents) != 1 {
		t.Fatalf("descriptor query: %v", err)
	}
	if _, err := st.UpdateIdentity(ctx, "example", "gradeLevelDescriptors", gl.Documents[0].ID,
		[]byte(`{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Ninth","shortDescription":"9"}`)); err != nil {
		t.Fatal(err)
	}
	ssa = get(t, st, "studentSchoolAssociations", ids["studentSchoolAssociations"])
	if ssa["entryGradeLevelDescriptor"] != "uri://ed-fi.org/GradeLevelDescriptor#Ninth" {
		t.Errorf("descriptor URI not rewritten: %v", ssa["entryGradeLevelDescriptor"])
	}
	if _, err := st.UpdateIdentity(ctx, "example", "schools", ids["students"], []byte(`{"schoolId":8,"nameOfInstitution":"x","gradeLevels":[]}`)); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("update of a document of another resource: %v", err)
	}
}

// get reads and decodes one document.
func get(t *testing.T, st *JSONBStore, endpoint, id string) map[string]any {
	t.Helper()
	d, err := st.Get(context.Background(), "example", endpoint, id)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(d.JSON, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
