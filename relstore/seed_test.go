package relstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// seedDoc is one document of the seed graph.
type seedDoc struct{ pe, ep, body string }

// seed is a small graph over the built-in example schema: descriptors,
// both EducationOrganization subclasses, a program with an abstract
// reference, a student and an association.
var seed = []seedDoc{
	{"example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Tenth Grade","shortDescription":"10th","description":"Tenth grade","effectiveBeginDate":"2020-01-01","effectiveEndDate":"2030-12-31"}`},
	{"example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Ninth Grade","shortDescription":"9th"}`},
	{"example", "addressTypeDescriptors", `{"namespace":"uri://ed-fi.org/AddressTypeDescriptor","codeValue":"Physical","shortDescription":"Physical"}`},
	{"example", "addressTypeDescriptors", `{"namespace":"uri://ed-fi.org/AddressTypeDescriptor","codeValue":"Mailing","shortDescription":"Mailing"}`},
	{"example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Career","shortDescription":"Career"}`},
	{"example", "localEducationAgencies", `{"localEducationAgencyId":255901,"nameOfInstitution":"Grand Bend ISD"}`},
	{"example", "schools", `{"schoolId":255901001,"nameOfInstitution":"Grand Bend High","localEducationAgencyReference":{"localEducationAgencyId":255901},
	  "gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],
	  "addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"1 Main","city":"Austin","periods":[{"beginDate":"2020-01-01"},{"beginDate":"2021-01-01","endDate":"2021-06-30"}],"_ext":{"extra":{"directions":"left"}}}],
	  "facts":{"enrollmentCapacity":500,"squareFootage":1234.5,"campus":{"acreage":12.125,"hasFarm":true}},
	  "tags":["a","b"],"_ext":{"extra":{"busRoute":"R1","shuttleStops":[{"stopName":"North","sequence":1}]}}}`},
	{"example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":255901001},"programName":"Robotics","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career","programId":"R-1"}`},
	{"example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":255901},"programName":"District Band","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`},
	{"example", "students", `{"studentUniqueId":"S1","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01","lastSeenAt":"2024-03-01T10:15:30Z","preferredStartTime":"08:30:00","isActive":true,"heightMeters":1.52,"studentNumber":9007199254740993}`},
	{"example", "studentSchoolAssociations", `{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade",
	  "programs":[{"programReference":{"educationOrganizationId":255901001,"programName":"Robotics","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"},"beginDate":"2024-09-01"}]}`},
}

// seeded provisions a database and writes the seed graph; ids holds the
// DocumentUuid of each seed document by index.
func seeded(t *testing.T, label string) (*relstoretest.Env, []string) {
	t.Helper()
	env := relstoretest.New(t, label)
	ids := make([]string, len(seed))
	for i, d := range seed {
		res, err := env.Store.Upsert(t.Context(), d.pe, d.ep, []byte(d.body))
		if err != nil {
			t.Fatalf("seed %d (%s): %v", i, d.ep, err)
		}
		ids[i] = res.ID
	}
	return env, ids
}

// count returns a single integer from SQL.
func count(t *testing.T, env *relstoretest.Env, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// snapshot counts the rows of every dms table and resource table, to show
// that a failed write left no trace.
func snapshot(t *testing.T, env *relstoretest.Env) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range []string{`"dms"."Document"`, `"dms"."ReferentialIdentity"`, `"dms"."ReferenceEdge"`, `"dms"."IdentityLock"`, `"dms"."Descriptor"`} {
		fmt.Fprintf(&b, "%s=%d ", tbl, count(t, env, "SELECT count(*) FROM "+tbl))
	}
	for _, r := range env.Manifest.Resources {
		for _, tb := range r.Tables {
			fmt.Fprintf(&b, "%s.%s=%d ", tb.Schema, tb.Name, count(t, env, fmt.Sprintf(`SELECT count(*) FROM %q.%q`, tb.Schema, tb.Name)))
		}
	}
	var etags int64
	_ = env.Pool.QueryRow(context.Background(), `SELECT coalesce(sum("Etag"),0) FROM "dms"."Document"`).Scan(&etags)
	fmt.Fprintf(&b, "etags=%d", etags)
	return b.String()
}

// mustUpsert writes a document or fails the test.
func mustUpsert(t *testing.T, st *relstore.Store, pe, ep, body string) relstore.WriteResult {
	t.Helper()
	res, err := st.Upsert(t.Context(), pe, ep, []byte(body))
	if err != nil {
		t.Fatalf("upsert %s: %v", ep, err)
	}
	return res
}
