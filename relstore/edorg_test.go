package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// closurePairs reads the closure as sorted "ancestorEdOrgId>descendantEdOrgId"
// pairs (EdOrg ids, not document ids, for readable expectations).
func closurePairs(t *testing.T, env *relstoretest.Env) []string {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `SELECT a."EducationOrganizationId", d."EducationOrganizationId"
FROM auth."EducationOrganizationClosure" c
JOIN dms."EducationOrganization" a ON a."DocumentId" = c."AncestorDocumentId"
JOIN dms."EducationOrganization" d ON d."DocumentId" = c."DescendantDocumentId"`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var a, d int64
		if err := rows.Scan(&a, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d>%d", a, d))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// wantClosure is the closure of a parent map (EdOrg id → parent ids),
// computed in Go: every EdOrg with itself and each ancestor.
func wantClosure(parents map[int64][]int64) []string {
	var out []string
	for id := range parents {
		seen := map[int64]bool{}
		var walk func(int64)
		walk = func(a int64) {
			if seen[a] {
				return
			}
			seen[a] = true
			out = append(out, fmt.Sprintf("%d>%d", a, id))
			for _, p := range parents[a] {
				walk(p)
			}
		}
		walk(id)
	}
	sort.Strings(out)
	return out
}

// lea is an example LocalEducationAgency body, with a parent when parent
// is not 0.
func lea(id, parent int64) string {
	if parent == 0 {
		return fmt.Sprintf(`{"localEducationAgencyId":%d,"nameOfInstitution":"LEA %d"}`, id, id)
	}
	return fmt.Sprintf(`{"localEducationAgencyId":%d,"nameOfInstitution":"LEA %d","parentLocalEducationAgencyReference":{"localEducationAgencyId":%d}}`, id, id, parent)
}

// school is an example School body in LEA lea (none when 0).
func school(id, lea int64) string {
	if lea == 0 {
		return fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"School %d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Kindergarten"}]}`, id, id)
	}
	return fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"School %d","localEducationAgencyReference":{"localEducationAgencyId":%d},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Kindergarten"}]}`, id, id, lea)
}

// TestEdOrgHierarchyMaintained: EdOrg writes keep dms.EducationOrganization,
// the parent rows and the closure equal to what the documents say, through
// creation, re-parenting (a subtree moves with its LEA), a cycle refused
// with 409 and nothing changed, and deletes.
func TestEdOrgHierarchyMaintained(t *testing.T) {
	env := relstoretest.New(t, "edorg_hierarchy")
	st := env.Store
	seedDescriptors(t, st)
	parents := map[int64][]int64{}
	check := func(step string) {
		t.Helper()
		if got, want := closurePairs(t, env), wantClosure(parents); !slices.Equal(got, want) {
			t.Errorf("%s: closure\n got %v\nwant %v", step, got, want)
		}
	}
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 1))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	mustUpsert(t, st, "example", "schools", school(100, 2))
	sch101 := mustUpsert(t, st, "example", "schools", school(101, 2)).ID
	parents[1], parents[2], parents[3], parents[100], parents[101] = nil, []int64{1}, nil, []int64{2}, []int64{2}
	check("created")

	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 3)) // LEA 2 and its schools move under LEA 3
	parents[2] = []int64{3}
	check("LEA re-parented")

	mustUpsert(t, st, "example", "schools", school(100, 1)) // a school moves
	parents[100] = []int64{1}
	check("school moved")

	_, err := st.Upsert(context.Background(), "example", "localEducationAgencies", []byte(lea(3, 2))) // 3 → 2 → 3
	var cycle *relstore.HierarchyCycleError
	if !errors.As(err, &cycle) || relstore.StatusCode(err) != 409 {
		t.Fatalf("a cycle: %v (status %d), want a *HierarchyCycleError (409)", err, relstore.StatusCode(err))
	}
	check("cycle refused")

	mustUpsert(t, st, "example", "schools", school(101, 0)) // parent dropped
	parents[101] = nil
	check("parent dropped")
	if err := st.Delete(context.Background(), "example", "schools", sch101, ""); err != nil {
		t.Fatal(err)
	}
	delete(parents, 101)
	check("school deleted")
	var rows int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM dms."EducationOrganization"`).Scan(&rows); err != nil || rows != len(parents) {
		t.Errorf("dms.EducationOrganization holds %d rows (%v), want %d", rows, err, len(parents))
	}
}

// TestEdOrgClosureDecidedAfterTheAuthLock: a school written while another
// writer holds dms.AuthLock and moves the school's LEA under another LEA
// computes its closure from what that writer committed (the statements
// start after the lock), not from the hierarchy it saw before waiting.
func TestEdOrgClosureDecidedAfterTheAuthLock(t *testing.T) {
	env := relstoretest.New(t, "edorg_lockwait")
	st := env.Store
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 0))
	ctx := context.Background()
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT 1 FROM dms."AuthLock" WHERE "LockId" = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	// Another hierarchy writer: LEA 2 moves under LEA 1 (parent row and
	// closure, as the runtime would write them).
	if _, err := tx.Exec(ctx, `WITH e AS (SELECT "DocumentId" AS d, "EducationOrganizationId" AS id FROM dms."EducationOrganization")
INSERT INTO dms."EducationOrganizationParent" SELECT (SELECT d FROM e WHERE id = 2), (SELECT d FROM e WHERE id = 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO auth."EducationOrganizationClosure"
SELECT (SELECT "DocumentId" FROM dms."EducationOrganization" WHERE "EducationOrganizationId" = 1),
       (SELECT "DocumentId" FROM dms."EducationOrganization" WHERE "EducationOrganizationId" = 2)`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := st.Upsert(ctx, "example", "schools", []byte(school(100, 2)))
		done <- err
	}()
	waitForWaiters(t, env, 1)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := wantClosure(map[int64][]int64{1: nil, 2: {1}, 100: {2}})
	if got := closurePairs(t, env); !slices.Equal(got, want) {
		t.Errorf("closure after the wait\n got %v\nwant %v (the school must see LEA 1 as an ancestor)", got, want)
	}
}

// seedDescriptors writes the grade level descriptor the school bodies use.
func seedDescriptors(t *testing.T, st *relstore.Store) {
	t.Helper()
	mustUpsert(t, st, "example", "gradeLevelDescriptors",
		`{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Kindergarten","shortDescription":"Kindergarten"}`)
}
