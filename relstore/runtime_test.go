package relstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestRoundTripSeed: every seed document reads back equal (round trip
// law), with id, _etag and _lastModifiedDate.
func TestRoundTripSeed(t *testing.T) {
	env, ids := seeded(t, "roundtrip")
	for i, d := range seed {
		got, err := env.Store.Get(t.Context(), d.pe, d.ep, ids[i])
		if err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		assertRoundTrip(t, d.body, got.JSON)
	}
}

func assertRoundTrip(t *testing.T, in string, out []byte) {
	t.Helper()
	want, err := jsonvalue.Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := jsonvalue.Decode(out)
	if err != nil {
		t.Fatalf("GET body is not JSON: %v\n%s", err, out)
	}
	obj := got.(map[string]any)
	for _, k := range []string{"id", "_etag", "_lastModifiedDate"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("GET body lacks %s: %s", k, out)
		}
		delete(obj, k)
	}
	if d := jsonvalue.Diff(jsonvalue.Normalize(want), obj); len(d) > 0 {
		t.Errorf("round trip differs:\n%s\nGET: %s", strings.Join(d, "\n"), out)
	}
}

// TestUpsertSameIdentity: a POST with an existing natural key updates that
// document (same id, Created false, ETag bumped).
func TestUpsertSameIdentity(t *testing.T) {
	env, ids := seeded(t, "upsert")
	res := mustUpsert(t, env.Store, "example", "students", `{"studentUniqueId":"S1","firstName":"Ann","lastSurname":"Lee","birthDate":"2010-05-01"}`)
	if res.Created || res.ID != ids[9] || res.ETag != "2" {
		t.Fatalf("upsert of an existing identity: %+v (want id %s, not created, etag 2)", res, ids[9])
	}
	got, err := env.Store.Get(t.Context(), "example", "students", ids[9])
	if err != nil {
		t.Fatal(err)
	}
	assertRoundTrip(t, `{"studentUniqueId":"S1","firstName":"Ann","lastSurname":"Lee","birthDate":"2010-05-01"}`, got.JSON)
}

// TestStorageRows checks the rows behind the seed: descriptor rows with all
// fields, a subclass alias ReferentialIdentity row, ordinals, extension
// rows only where present.
func TestStorageRows(t *testing.T) {
	env, ids := seeded(t, "rows")
	checks := []struct {
		name string
		sql  string
		args []any
		want int64
	}{
		{"descriptor rows", `SELECT count(*) FROM "dms"."Descriptor"`, nil, 5},
		{"descriptor fields kept", `SELECT count(*) FROM "dms"."Descriptor" WHERE "Description" = 'Tenth grade' AND "EffectiveBeginDate" = '2020-01-01' AND "EffectiveEndDate" = '2030-12-31' AND "Uri" = 'uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade'`, nil, 1},
		{"school primary + alias identity", `SELECT count(*) FROM "dms"."ReferentialIdentity" ri JOIN "dms"."Document" d USING ("DocumentId") WHERE d."DocumentUuid" = $1::uuid`, []any{ids[6]}, 2},
		{"student has one identity row", `SELECT count(*) FROM "dms"."ReferentialIdentity" ri JOIN "dms"."Document" d USING ("DocumentId") WHERE d."DocumentUuid" = $1::uuid`, []any{ids[9]}, 1},
		{"periods by ordinal", `SELECT count(*) FROM "example"."SchoolAddressPeriod" WHERE "AddressOrdinal" = 0 AND "Ordinal" IN (0, 1)`, nil, 2},
		{"root extension row", `SELECT count(*) FROM "extra"."SchoolExtension"`, nil, 1},
		{"collection extension row", `SELECT count(*) FROM "extra"."SchoolExtensionAddress"`, nil, 1},
		{"one lock row per document", `SELECT count(*) FROM "dms"."IdentityLock"`, nil, int64(len(seed))},
		{"edges of the association", `SELECT count(*) FROM "dms"."ReferenceEdge" e JOIN "dms"."Document" d ON d."DocumentId" = e."ParentDocumentId" WHERE d."DocumentUuid" = $1::uuid`, []any{ids[10]}, 4},
		{"identity edges of the association", `SELECT count(*) FROM "dms"."ReferenceEdge" e JOIN "dms"."Document" d ON d."DocumentId" = e."ParentDocumentId" WHERE d."DocumentUuid" = $1::uuid AND e."IsIdentityComponent"`, []any{ids[10]}, 2},
	}
	for _, c := range checks {
		if got := count(t, env, c.sql, c.args...); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	// Equal values satisfy the equality constraint.
	mustUpsert(t, env.Store, "example", "localEducationAgencies", `{"localEducationAgencyId":8,"educationOrganizationId":8,"nameOfInstitution":"Eight"}`)
	// A school without _ext writes no extension rows, nor does an _ext.extra
	// left empty once its unknown properties are pruned.
	mustUpsert(t, env.Store, "example", "schools", `{"schoolId":7,"nameOfInstitution":"Plain","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}],"_ext":{"extra":{}}}`)
	res := mustUpsert(t, env.Store, "example", "schools", `{"schoolId":6,"nameOfInstitution":"Pruned","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}],"_ext":{"extra":{"unknown":1}},"addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"s","city":"c","_ext":{"extra":{"alsoUnknown":true}}}]}`)
	if d := cmp.Diff([]string{"$._ext.extra.unknown", "$.addresses[0]._ext.extra.alsoUnknown"}, res.Pruned); d != "" {
		t.Errorf("pruned (-want +got):\n%s", d)
	}
	if got := count(t, env, `SELECT count(*) FROM "extra"."SchoolExtension"`); got != 1 {
		t.Errorf("an empty _ext object wrote an extension row (%d rows)", got)
	}
	if got := count(t, env, `SELECT count(*) FROM "extra"."SchoolExtensionAddress"`); got != 1 {
		t.Errorf("an _ext object left empty by pruning wrote an extension row (%d rows)", got)
	}
	got, err := env.Store.Get(t.Context(), "example", "schools", res.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertRoundTrip(t, `{"schoolId":6,"nameOfInstitution":"Pruned","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}],"addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"s","city":"c"}]}`, got.JSON)
}

// TestValidation: invalid documents give a ValidationError naming every
// offending path, and nothing is written.
func TestValidation(t *testing.T) {
	env, _ := seeded(t, "validation")
	before := snapshot(t, env)
	cases := []struct {
		name, ep, body string
		paths          []string
	}{
		{"not JSON", "students", `{"studentUniqueId":`, []string{"$"}},
		{"not an object", "students", `[1]`, []string{"$"}},
		{"missing required", "students", `{"studentUniqueId":"S9","firstName":"A"}`, []string{"$.birthDate", "$.lastSurname"}},
		{"wrong types", "students", `{"studentUniqueId":"S9","firstName":1,"lastSurname":"L","birthDate":"2010-13-01","isActive":"yes","studentNumber":1.5}`,
			[]string{"$.birthDate", "$.firstName", "$.isActive", "$.studentNumber"}},
		{"too long", "students", `{"studentUniqueId":"S9","firstName":"` + strings.Repeat("x", 76) + `","lastSurname":"L","birthDate":"2010-01-01"}`, []string{"$.firstName"}},
		{"min length", "students", `{"studentUniqueId":"","firstName":"F","lastSurname":"L","birthDate":"2010-01-01"}`, []string{"$.studentUniqueId"}},
		{"decimal scale", "students", `{"studentUniqueId":"S9","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","heightMeters":1.525}`, []string{"$.heightMeters"}},
		{"decimal precision", "students", `{"studentUniqueId":"S9","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","heightMeters":123.5}`, []string{"$.heightMeters"}},
		{"int32 range", "localEducationAgencies", `{"localEducationAgencyId":2147483648,"nameOfInstitution":"X"}`, []string{"$.localEducationAgencyId"}},
		{"date-time", "students", `{"studentUniqueId":"S9","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","lastSeenAt":"yesterday"}`, []string{"$.lastSeenAt"}},
		{"time", "students", `{"studentUniqueId":"S9","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","preferredStartTime":"25:00"}`, []string{"$.preferredStartTime"}},
		{"pattern", "schools", `{"schoolId":9,"nameOfInstitution":"N","webSite":"ftp://x","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`, []string{"$.webSite"}},
		{"range", "schoolYearTypes", `{"schoolYear":1800,"currentSchoolYear":true,"schoolYearDescription":"old"}`, []string{"$.schoolYear"}},
		{"array uniqueness", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"},{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#NINTH GRADE"}]}`, []string{"$.gradeLevels[*].gradeLevelDescriptor"}},
		{"nested required", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}],"addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"s","city":"c","periods":[{"endDate":"2020-01-01"}]}]}`, []string{"$.addresses[0].periods[0].beginDate"}},
		{"partial reference", "studentSchoolAssociations", `{"studentReference":{},"schoolReference":{"schoolId":"x"},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}`, []string{"$.schoolReference.schoolId", "$.studentReference.studentUniqueId"}},
		{"descriptor not a URI", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":[{"gradeLevelDescriptor":"Ninth"}]}`, []string{"$.gradeLevels[0].gradeLevelDescriptor"}},
		{"wrong shapes", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":{},"facts":[],"tags":[1]}`, []string{"$.facts", "$.gradeLevels", "$.tags[0]"}},
		{"required collection missing", "schools", `{"schoolId":9,"nameOfInstitution":"N"}`, []string{"$.gradeLevels"}},
		{"required collection empty", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":[]}`, []string{"$.gradeLevels"}},
		{"required inside an optional object", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}],"facts":{"squareFootage":1.5}}`, []string{"$.facts.enrollmentCapacity"}},
		{"equality constraint", "localEducationAgencies", `{"localEducationAgencyId":7,"educationOrganizationId":8,"nameOfInstitution":"X"}`, []string{"$.educationOrganizationId"}},
		{"_ext of a project that extends nothing here", "students", `{"studentUniqueId":"S9","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","_ext":{"extra":{"a":1},"nope":{"b":2}}}`, []string{"$._ext.extra", "$._ext.nope"}},
		{"_ext of an unknown project beside a known one", "schools", `{"schoolId":9,"nameOfInstitution":"N","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}],"_ext":{"extra":{"isMagnet":true},"nope":{}},"addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"s","city":"c","_ext":{"other":{"x":1}}}]}`, []string{"$._ext.nope", "$.addresses[0]._ext.other"}},
		{"_ext not an object", "students", `{"studentUniqueId":"S9","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","_ext":[1]}`, []string{"$._ext"}},
		{"descriptor fields", "gradeLevelDescriptors", `{"namespace":"uri://x","codeValue":"` + strings.Repeat("c", 51) + `"}`, []string{"$.codeValue", "$.shortDescription"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := env.Store.Upsert(t.Context(), "example", c.ep, []byte(c.body))
			var ve *relstore.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T), want *ValidationError", err, err)
			}
			var paths []string
			for _, p := range ve.Problems {
				if len(paths) == 0 || paths[len(paths)-1] != p.Path {
					paths = append(paths, p.Path)
				}
			}
			if d := cmp.Diff(c.paths, paths); d != "" {
				t.Errorf("problem paths (-want +got):\n%s\n%v", d, err)
			}
			if relstore.StatusCode(err) != 400 {
				t.Errorf("status %d, want 400", relstore.StatusCode(err))
			}
		})
	}
	if after := snapshot(t, env); after != before {
		t.Errorf("invalid documents changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// TestOverpostPruned: unknown properties are pruned, reported and not
// stored; the round trip compares without them.
func TestOverpostPruned(t *testing.T) {
	env, _ := seeded(t, "overpost")
	res := mustUpsert(t, env.Store, "example", "students", `{"studentUniqueId":"S5","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","nickname":"x","_ext":{"nope":null},"id":"ignored","_etag":"7"}`)
	want := []string{"$.nickname"}
	if d := cmp.Diff(want, res.Pruned); d != "" {
		t.Errorf("pruned (-want +got):\n%s", d)
	}
	got, err := env.Store.Get(t.Context(), "example", "students", res.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertRoundTrip(t, `{"studentUniqueId":"S5","firstName":"F","lastSurname":"L","birthDate":"2010-01-01"}`, got.JSON)
	res = mustUpsert(t, env.Store, "example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":255901,"link":{"rel":"x"},"extra":1},"programName":"District Band","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`)
	if d := cmp.Diff([]string{"$.educationOrganizationReference.extra"}, res.Pruned); d != "" {
		t.Errorf("pruned inside a reference (-want +got):\n%s", d)
	}
}

// TestReferenceErrors: unresolved references and descriptors are distinct
// typed errors; a wrong descriptor type names the type found; nothing is
// written.
func TestReferenceErrors(t *testing.T) {
	env, _ := seeded(t, "referr")
	before := snapshot(t, env)
	_, err := env.Store.Upsert(t.Context(), "example", "studentSchoolAssociations", []byte(`{"studentReference":{"studentUniqueId":"NOPE"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}`))
	var re *relstore.ReferenceError
	if !errors.As(err, &re) || len(re.Unresolved) != 1 || re.Unresolved[0].Path != "$.studentReference" || re.Unresolved[0].Target != "Example:Student" {
		t.Errorf("unresolved reference: %v", err)
	}
	if relstore.StatusCode(err) != 409 {
		t.Errorf("unresolved reference status %d, want 409", relstore.StatusCode(err))
	}
	_, err = env.Store.Upsert(t.Context(), "example", "studentSchoolAssociations", []byte(`{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Twelfth"}`))
	var de *relstore.DescriptorError
	if !errors.As(err, &de) || len(de.Unresolved) != 1 || de.Unresolved[0].Found != "" || de.Unresolved[0].Expected != "Example:GradeLevelDescriptor" {
		t.Errorf("unresolved descriptor: %v", err)
	}
	_, err = env.Store.Upsert(t.Context(), "example", "studentSchoolAssociations", []byte(`{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical"}`))
	if !errors.As(err, &de) || len(de.Unresolved) != 1 || de.Unresolved[0].Found != "Example:AddressTypeDescriptor" {
		t.Errorf("wrong descriptor type: %v", err)
	}
	if relstore.StatusCode(err) != 400 {
		t.Errorf("descriptor status %d, want 400", relstore.StatusCode(err))
	}
	if after := snapshot(t, env); after != before {
		t.Errorf("rejected writes changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// TestAbstractMembership: a reference to an abstract resource must resolve
// to a member. A ReferentialIdentity row under EducationOrganization that
// points at a Student (planted directly, as a corrupt or foreign row would)
// is refused as a non-member.
func TestAbstractMembership(t *testing.T) {
	env, ids := seeded(t, "abstract")
	// The alias id of EducationOrganization 4242 is what a Program
	// referencing educationOrganizationId 4242 resolves; plant it on the
	// student.
	res := mustUpsert(t, env.Store, "example", "localEducationAgencies", `{"localEducationAgencyId":4242,"nameOfInstitution":"Temp"}`)
	if _, err := env.Pool.Exec(t.Context(), `UPDATE "dms"."ReferentialIdentity" SET "DocumentId" = (SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid)
		WHERE "DocumentId" = (SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $2::uuid) AND "ResourceKeyId" = 2`, ids[9], res.ID); err != nil {
		t.Fatal(err)
	}
	_, err := env.Store.Upsert(t.Context(), "example", "programs", []byte(`{"educationOrganizationReference":{"educationOrganizationId":4242},"programName":"X","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`))
	var re *relstore.ReferenceError
	if !errors.As(err, &re) || !strings.Contains(re.Unresolved[0].Reason, "not a member of Example:EducationOrganization") {
		t.Fatalf("non-member abstract target: %v", err)
	}
}

// TestConflicts: the same EducationOrganization identity under two
// subclasses is a 409; nothing is written.
func TestConflicts(t *testing.T) {
	env, _ := seeded(t, "conflict")
	before := snapshot(t, env)
	_, err := env.Store.Upsert(t.Context(), "example", "schools", []byte(`{"schoolId":255901,"nameOfInstitution":"Clash","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`))
	var ce *relstore.ConflictError
	if !errors.As(err, &ce) || relstore.StatusCode(err) != 409 {
		t.Fatalf("duplicate EducationOrganization identity: %v", err)
	}
	if after := snapshot(t, env); after != before {
		t.Errorf("a conflicting write changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// TestUpdateAndETags covers PUT: If-Match, not found, identity changes.
func TestUpdateAndETags(t *testing.T) {
	env, ids := seeded(t, "update")
	st := env.Store
	body := `{"studentUniqueId":"S1","firstName":"Anna","lastSurname":"Lee","birthDate":"2010-05-01"}`
	if _, err := st.Update(t.Context(), "example", "students", ids[9], []byte(body), `"7"`); !errors.Is(err, relstore.ErrETagMismatch) {
		t.Errorf("stale If-Match: %v", err)
	}
	res, err := st.Update(t.Context(), "example", "students", ids[9], []byte(body), `"1"`)
	if err != nil || res.ETag != "2" || res.ID != ids[9] {
		t.Fatalf("update: %+v %v", res, err)
	}
	got, _ := st.Get(t.Context(), "example", "students", ids[9])
	assertRoundTrip(t, body, got.JSON)
	if got.ETag != "2" {
		t.Errorf("GET etag %s, want 2", got.ETag)
	}
	if _, err := st.Update(t.Context(), "example", "students", "6f1f0f52-0000-4000-8000-000000000000", []byte(body), ""); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("update of a missing id: %v", err)
	}
	if _, err := st.Update(t.Context(), "example", "schools", ids[9], []byte(body), ""); err == nil {
		t.Errorf("update through another resource's route succeeded")
	}
	// School does not allow identity updates.
	_, err = st.Update(t.Context(), "example", "schools", ids[6], []byte(strings.Replace(seed[6].body, "255901001", "255901002", 1)), "")
	var ve *relstore.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("identity change of a School: %v", err)
	}
}

// TestDelete: referenced documents are not deleted (409 naming the
// referrers); unreferenced ones are, with everything they own.
func TestDelete(t *testing.T) {
	env, ids := seeded(t, "delete")
	st := env.Store
	err := st.Delete(t.Context(), "example", "schools", ids[6], "")
	var rf *relstore.ReferencedError
	if !errors.As(err, &rf) || strings.Join(rf.Referrers, ",") != "Example:Program,Example:StudentSchoolAssociation" {
		t.Fatalf("delete of a referenced school: %v", err)
	}
	err = st.Delete(t.Context(), "example", "gradeLevelDescriptors", ids[0], "")
	if !errors.As(err, &rf) || relstore.StatusCode(err) != 409 {
		t.Fatalf("delete of a referenced descriptor: %v", err)
	}
	if err := st.Delete(t.Context(), "example", "studentSchoolAssociations", ids[10], `"9"`); !errors.Is(err, relstore.ErrETagMismatch) {
		t.Errorf("delete with a stale If-Match: %v", err)
	}
	if err := st.Delete(t.Context(), "example", "studentSchoolAssociations", ids[10], `"1"`); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := st.Get(t.Context(), "example", "studentSchoolAssociations", ids[10]); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("GET after delete: %v", err)
	}
	if err := st.Delete(t.Context(), "example", "studentSchoolAssociations", ids[10], ""); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM "example"."StudentSchoolAssociation"`,
		`SELECT count(*) FROM "example"."StudentSchoolAssociationEnrolledProgram"`,
	} {
		if n := count(t, env, q); n != 0 {
			t.Errorf("%s: %d rows left", q, n)
		}
	}
	// The student is now unreferenced.
	if err := st.Delete(t.Context(), "example", "students", ids[9], ""); err != nil {
		t.Errorf("delete of the unreferenced student: %v", err)
	}
}

// TestOpenFingerprint: a manifest of another schema set is refused.
func TestOpenFingerprint(t *testing.T) {
	env, _ := seeded(t, "fingerprint")
	m := *env.Manifest
	m.EffectiveSchemaHash = strings.Repeat("0", 64)
	_, err := relstore.Open(t.Context(), &m, env.Pool, relstore.Options{})
	var fe *relstore.FingerprintError
	if !errors.As(err, &fe) || fe.Database != env.Manifest.EffectiveSchemaHash {
		t.Fatalf("Open with another hash: %v", err)
	}
}
