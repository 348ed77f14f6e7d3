package relstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// etags returns each seed document's current Etag.
func etags(t *testing.T, env *relstoretest.Env, ids []string) []int64 {
	t.Helper()
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = count(t, env, `SELECT "Etag" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, id)
	}
	return out
}

// TestIdentityCascadeExample: changing a Student's studentUniqueId
// recomputes the ReferentialId of the association whose identity includes
// it, bumps exactly the ETags that must change, and reads and upserts by
// the new identity find the same documents.
func TestIdentityCascadeExample(t *testing.T) {
	env, ids := seeded(t, "cascade")
	st := env.Store
	before := etags(t, env, ids)
	oldSSA := count(t, env, `SELECT count(*) FROM "dms"."ReferentialIdentity" ri JOIN "dms"."Document" d USING ("DocumentId") WHERE d."DocumentUuid" = $1::uuid`, ids[10])
	res, err := st.Update(t.Context(), "example", "students", ids[9], []byte(`{"studentUniqueId":"S1-renamed","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Cascade.Closure != 1 || res.Cascade.Bumped != 1 {
		t.Errorf("cascade %+v, want closure 1 (the association), 1 other ETag bumped", res.Cascade)
	}
	after := etags(t, env, ids)
	for i := range ids {
		want := before[i]
		if i == 9 || i == 10 { // the student and its association
			want++
		}
		if after[i] != want {
			t.Errorf("seed %d (%s): etag %d → %d, want %d", i, seed[i].ep, before[i], after[i], want)
		}
	}
	if n := count(t, env, `SELECT count(*) FROM "dms"."ReferentialIdentity" ri JOIN "dms"."Document" d USING ("DocumentId") WHERE d."DocumentUuid" = $1::uuid`, ids[10]); n != oldSSA {
		t.Errorf("association identity rows %d, want %d", n, oldSSA)
	}
	got, err := st.Get(t.Context(), "example", "studentSchoolAssociations", ids[10])
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := jsonvalue.Decode(got.JSON)
	if ref := doc.(map[string]any)["studentReference"].(map[string]any); ref["studentUniqueId"] != "S1-renamed" {
		t.Errorf("association reads %v", ref)
	}
	// Upsert by the new natural key finds the same association.
	body := strings.Replace(seed[10].body, `"studentUniqueId":"S1"`, `"studentUniqueId":"S1-renamed"`, 1)
	up, err := st.Upsert(t.Context(), "example", "studentSchoolAssociations", []byte(body))
	if err != nil || up.Created || up.ID != ids[10] {
		t.Errorf("upsert by the new identity: %+v %v", up, err)
	}
	// The old identity is gone: a reference to it no longer resolves.
	_, err = st.Upsert(t.Context(), "example", "studentSchoolAssociations", []byte(seed[10].body))
	var re *relstore.ReferenceError
	if !errors.As(err, &re) {
		t.Errorf("reference to the old identity: %v", err)
	}
	// Changing to an identity another student holds is a 409, nothing
	// changed.
	mustUpsert(t, st, "example", "students", `{"studentUniqueId":"S2","firstName":"B","lastSurname":"C","birthDate":"2010-01-01"}`)
	snap := snapshot(t, env)
	_, err = st.Update(t.Context(), "example", "students", ids[9], []byte(`{"studentUniqueId":"S2","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), "")
	var ce *relstore.ConflictError
	if !errors.As(err, &ce) {
		t.Errorf("identity change onto another student's identity: %v", err)
	}
	if s := snapshot(t, env); s != snap {
		t.Errorf("a refused identity change changed the database:\n%s\n%s", snap, s)
	}
}

// TestDescriptorURICascade: changing a descriptor's codeValue (with
// DescriptorURIUpdates) re-renders every referrer, recomputes the
// identity of referrers whose identity includes it, and the new URI
// resolves.
func TestDescriptorURICascade(t *testing.T) {
	env, ids := seeded(t, "desccascade")
	st := env.Store
	// Without the option, descriptor resources refuse identity changes.
	_, err := st.Update(t.Context(), "example", "programTypeDescriptors", ids[4], []byte(`{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Careers","shortDescription":"Career"}`), "")
	var ve *relstore.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("descriptor URI change without the option: %v", err)
	}
	st2, err := relstore.Open(t.Context(), env.Manifest, env.Pool, relstore.Options{VerifyEdges: true, DescriptorURIUpdates: true})
	if err != nil {
		t.Fatal(err)
	}
	before := etags(t, env, ids)
	res, err := st2.Update(t.Context(), "example", "programTypeDescriptors", ids[4], []byte(`{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Careers","shortDescription":"Career"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	// Programs (7, 8) have the descriptor in their identity: the closure.
	// The association (10) references program 7, not as part of its own
	// identity: its representation changes (ETag), its identity does not.
	if res.Cascade.Closure != 2 || res.Cascade.Bumped != 3 {
		t.Errorf("cascade %+v, want closure 2 (the programs), 3 other ETags bumped", res.Cascade)
	}
	after := etags(t, env, ids)
	for i := range ids {
		want := before[i]
		if i == 4 || i == 7 || i == 8 || i == 10 {
			want++
		}
		if after[i] != want {
			t.Errorf("seed %d (%s): etag %d → %d, want %d", i, seed[i].ep, before[i], after[i], want)
		}
	}
	got, _ := st.Get(t.Context(), "example", "studentSchoolAssociations", ids[10])
	if !strings.Contains(string(got.JSON), "ProgramTypeDescriptor#Careers") {
		t.Errorf("association does not show the new URI: %s", got.JSON)
	}
	p := strings.ReplaceAll(seed[7].body, "#Career", "#Careers")
	if up, err := st.Upsert(t.Context(), "example", "programs", []byte(p)); err != nil || up.ID != ids[7] {
		t.Errorf("upsert of the program by its new identity: %+v %v", up, err)
	}
}

// TestSubclassAliasCascade: changing a LocalEducationAgency's id rewrites
// its EducationOrganization alias, so the program whose identity goes
// through the abstract reference follows it, the school referencing the
// LEA is re-rendered, and the old alias is gone.
func TestSubclassAliasCascade(t *testing.T) {
	env, ids := seeded(t, "aliascascade")
	st := env.Store
	before := etags(t, env, ids)
	res, err := st.Update(t.Context(), "example", "localEducationAgencies", ids[5], []byte(`{"localEducationAgencyId":255909,"nameOfInstitution":"Grand Bend ISD"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	// Program 8 ("District Band") has the LEA in its identity; the school
	// (6) references the LEA outside its identity.
	if res.Cascade.Closure != 1 || res.Cascade.Bumped != 2 {
		t.Errorf("cascade %+v, want closure 1, 2 other ETags bumped", res.Cascade)
	}
	after := etags(t, env, ids)
	for i := range ids {
		want := before[i]
		if i == 5 || i == 6 || i == 8 {
			want++
		}
		if after[i] != want {
			t.Errorf("seed %d (%s): etag %d → %d, want %d", i, seed[i].ep, before[i], after[i], want)
		}
	}
	got, _ := st.Get(t.Context(), "example", "programs", ids[8])
	if !strings.Contains(string(got.JSON), `"educationOrganizationId":255909`) {
		t.Errorf("program does not show the new id: %s", got.JSON)
	}
	got, _ = st.Get(t.Context(), "example", "schools", ids[6])
	if !strings.Contains(string(got.JSON), `"localEducationAgencyId":255909`) {
		t.Errorf("school does not show the new LEA id: %s", got.JSON)
	}
	p := strings.Replace(seed[8].body, `255901}`, `255909}`, 1)
	if up, err := st.Upsert(t.Context(), "example", "programs", []byte(p)); err != nil || up.ID != ids[8] {
		t.Errorf("upsert of the program by its new identity: %+v %v", up, err)
	}
	// A school may now take the old id: its alias is free.
	mustUpsert(t, st, "example", "schools", `{"schoolId":255901,"nameOfInstitution":"Reuse","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`)
}
