package relstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// authFindings runs AuditAuth and returns its findings as
// "table kind row" lines.
func authFindings(t *testing.T, st *relstore.Store, repair bool) []string {
	t.Helper()
	rep, err := st.AuditAuth(context.Background(), repair, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Table+" "+f.Kind+" "+f.Row)
	}
	if int(rep.Differences) != len(out) {
		t.Errorf("%d differences, %d findings", rep.Differences, len(out))
	}
	return out
}

// docID returns the DocumentId of the EdOrg with EducationOrganizationId id.
func docID(t *testing.T, env *relstoretest.Env, table string, column string, id int64) int64 {
	t.Helper()
	var d int64
	if err := env.Pool.QueryRow(context.Background(), fmt.Sprintf(`SELECT "DocumentId" FROM example.%q WHERE %q = $1`, table, column), id).Scan(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAuditAuthFindsAndRepairs: the authorization audit is clean after
// writes, finds exactly the corruption injected into each derived table
// (missing, extra and stale rows), and rebuild repairs it.
func TestAuditAuthFindsAndRepairs(t *testing.T) {
	env := relstoretest.New(t, "auth_audit")
	st := env.Store
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 1))
	mustUpsert(t, st, "example", "schools", school(100, 2))
	if got := authFindings(t, st, false); len(got) != 0 {
		t.Fatalf("audit after writes: %v", got)
	}
	l1, l2 := docID(t, env, "LocalEducationAgency", "LocalEducationAgencyId", 1), docID(t, env, "LocalEducationAgency", "LocalEducationAgencyId", 2)
	s100 := docID(t, env, "School", "SchoolId", 100)
	ctx := context.Background()
	for _, sql := range []string{
		fmt.Sprintf(`UPDATE dms."EducationOrganization" SET "EducationOrganizationId" = 999 WHERE "DocumentId" = %d`, l1), // stale
		fmt.Sprintf(`DELETE FROM dms."EducationOrganizationParent" WHERE "DocumentId" = %d`, s100),                        // missing
		fmt.Sprintf(`INSERT INTO dms."EducationOrganizationParent" VALUES (%d, %d)`, l1, l2),                              // extra
		fmt.Sprintf(`DELETE FROM auth."EducationOrganizationClosure" WHERE "AncestorDocumentId" = %d AND "DescendantDocumentId" = %d`, l1, s100),
		fmt.Sprintf(`INSERT INTO auth."EducationOrganizationClosure" VALUES (%d, %d)`, s100, l1),
		fmt.Sprintf(`INSERT INTO dms."DocumentSubject" VALUES (%d, 0, 1, %d)`, s100, l1),
	} {
		if _, err := env.Pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	want := []string{
		fmt.Sprintf("auth.EducationOrganizationClosure extra %d → %d", s100, l1),
		fmt.Sprintf("auth.EducationOrganizationClosure missing %d → %d", l1, s100),
		fmt.Sprintf("dms.DocumentSubject extra %d #0 %d (type 1)", s100, l1),
		fmt.Sprintf("dms.EducationOrganization stale %d: 999 (resource key 4), want 1 (resource key 4)", l1),
		fmt.Sprintf("dms.EducationOrganizationParent extra %d → %d", l1, l2),
		fmt.Sprintf("dms.EducationOrganizationParent missing %d → %d", s100, l2),
	}
	got := authFindings(t, st, false)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("findings\n got %q\nwant %q", got, want)
	}
	if got := authFindings(t, st, true); len(got) != len(want) {
		t.Errorf("rebuild repaired %d findings, want %d", len(got), len(want))
	}
	if got := authFindings(t, st, false); len(got) != 0 {
		t.Errorf("audit after rebuild: %v", got)
	}
}
