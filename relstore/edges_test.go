package relstore_test

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestEdgeMaintenance: ReferenceEdge follows the FK columns; a write that
// changes no reference writes zero edge rows (counted by the statement and
// by the rows' xmin); changes insert, flip and delete exactly what moved.
func TestEdgeMaintenance(t *testing.T) {
	env, ids := seeded(t, "edges")
	st := env.Store
	ssa := ids[10]
	body := `{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade",
	  "programs":[{"programReference":{"educationOrganizationId":255901001,"programName":"Robotics","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"},"beginDate":"2024-09-01"}]}`
	xmins := func() string {
		var s string
		if err := env.Pool.QueryRow(t.Context(), `SELECT string_agg(e."ChildDocumentId"::text || ':' || e."IsIdentityComponent"::text || ':' || e.xmin::text, ',' ORDER BY e."ChildDocumentId")
			FROM "dms"."ReferenceEdge" e JOIN "dms"."Document" d ON d."DocumentId" = e."ParentDocumentId" WHERE d."DocumentUuid" = $1::uuid`, ssa).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := xmins()
	// Same references, other scalar values: zero edge writes.
	res := mustUpsert(t, st, "example", "studentSchoolAssociations", strings.ReplaceAll(body, `"beginDate":"2024-09-01"`, `"beginDate":"2024-09-02"`))
	if res.Edges != (relstore.EdgeStats{}) {
		t.Errorf("an update that changes no reference wrote edges: %+v", res.Edges)
	}
	if after := xmins(); after != before {
		t.Errorf("edge rows were rewritten:\nbefore %s\nafter  %s", before, after)
	}
	// Drop the program: one edge deleted (the descriptor and others stay).
	res = mustUpsert(t, st, "example", "studentSchoolAssociations", strings.ReplaceAll(body, `"programs":[{"programReference":{"educationOrganizationId":255901001,"programName":"Robotics","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"},"beginDate":"2024-09-01"}]`, `"exitWithdrawDate":"2025-06-01"`))
	if res.Edges.Deleted != 1 || res.Edges.Inserted != 0 || res.Edges.Updated != 0 {
		t.Errorf("dropping the program reference: %+v, want 1 deleted", res.Edges)
	}
	// Add it back plus a school year: two inserted.
	mustUpsert(t, st, "example", "schoolYearTypes", `{"schoolYear":2025,"currentSchoolYear":true,"schoolYearDescription":"2024-2025"}`)
	res = mustUpsert(t, st, "example", "studentSchoolAssociations", strings.ReplaceAll(body, `"entryDate"`, `"schoolYearTypeReference":{"schoolYear":2025},"entryDate"`))
	if res.Edges.Inserted != 2 || res.Edges.Deleted != 0 {
		t.Errorf("adding two references: %+v, want 2 inserted", res.Edges)
	}
	// VerifyEdges is on in runtimetest, so every write above was also
	// checked against its FK columns. Delete two edges behind the store's
	// back: unrelated writes still succeed.
	if _, err := env.Pool.Exec(t.Context(), `DELETE FROM "dms"."ReferenceEdge" WHERE "ParentDocumentId" = (SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid) AND NOT "IsIdentityComponent"`, ssa); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Upsert(t.Context(), "example", "programs", []byte(seed[7].body)); err != nil {
		t.Errorf("unrelated write after corruption: %v", err)
	}
	// Rewriting the association repairs its own edges (diff by
	// construction), and verification passes again.
	res = mustUpsert(t, st, "example", "studentSchoolAssociations", strings.ReplaceAll(body, `"entryDate"`, `"schoolYearTypeReference":{"schoolYear":2025},"entryDate"`))
	if res.Edges.Inserted == 0 {
		t.Errorf("rewrite did not restore the deleted edges: %+v", res.Edges)
	}
}
