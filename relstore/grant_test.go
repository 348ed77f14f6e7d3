package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestGrantFiltersReads: with a grant in the context, a query returns only
// the documents the claim set's strategies allow (count included), a GET
// of an existing document the grant does not reach is a 403
// *ForbiddenError (not a 404), and a missing one stays a 404; the EdOrg
// claims reach descendants through the closure, and a re-parent changes
// what the same grant sees.
func TestGrantFiltersReads(t *testing.T) {
	repo := testenv.RepoRoot(t)
	m := relstoretest.CompileWithOverlay(t, filepath.Join(repo, "authsql", "testdata", "example.overlay.json"))
	env := relstoretest.NewWithModel(t, "grant_reads", m, relstore.Options{VerifyEdges: true})
	st := env.Store
	var d diag.List
	claims := authz.LoadFile(filepath.Join(repo, "testdata", "auth", "claims.example.json"), &d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Bilingual","shortDescription":"Bilingual"}`)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 1))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	mustUpsert(t, st, "example", "schools", school(100, 2))
	program := func(edorg int64, name string) string {
		return fmt.Sprintf(`{"educationOrganizationReference":{"educationOrganizationId":%d},"programName":%q,"programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Bilingual"}`, edorg, name)
	}
	ids := map[string]string{}
	for _, p := range []struct {
		edorg int64
		name  string
	}{{100, "at school 100"}, {2, "at LEA 2"}, {3, "at LEA 3"}} {
		ids[p.name] = mustUpsert(t, st, "example", "programs", program(p.edorg, p.name)).ID
	}
	res := findByName(st.Manifest(), "Example", "Program")
	dec := claims.ResolveResource("SISVendor", res, authz.ActionRead)
	if dec.Status() != 0 {
		t.Fatalf("SISVendor may not read programs: %v", dec)
	}
	read := func(edorgs ...int64) (names []string, total int64) {
		t.Helper()
		gctx := relstore.WithGrant(ctx, relstore.Grant{Predicate: dec.Predicate, EdOrgIDs: edorgs})
		page, err := st.Query(gctx, "example", "programs", relstore.QueryOptions{TotalCount: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range page.Documents {
			for n, id := range ids {
				if id == doc.ID {
					names = append(names, n)
				}
			}
		}
		slices.Sort(names)
		return names, page.Total
	}
	for _, tc := range []struct {
		claims []int64
		want   []string
	}{
		{[]int64{1}, []string{"at LEA 2", "at school 100"}},
		{[]int64{2}, []string{"at LEA 2", "at school 100"}},
		{[]int64{100}, []string{"at school 100"}},
		{[]int64{3}, []string{"at LEA 3"}},
		{[]int64{100, 3}, []string{"at LEA 3", "at school 100"}},
		{[]int64{999}, nil},
	} {
		got, total := read(tc.claims...)
		if !slices.Equal(got, tc.want) || total != int64(len(tc.want)) {
			t.Errorf("claims %v: %v (total %d), want %v", tc.claims, got, total, tc.want)
		}
	}

	gctx := relstore.WithGrant(ctx, relstore.Grant{Predicate: dec.Predicate, EdOrgIDs: []int64{3}})
	if _, err := st.Get(gctx, "example", "programs", ids["at LEA 3"]); err != nil {
		t.Errorf("GET an allowed program: %v", err)
	}
	var fe *relstore.ForbiddenError
	if _, err := st.Get(gctx, "example", "programs", ids["at school 100"]); !errors.As(err, &fe) || relstore.StatusCode(err) != 403 {
		t.Errorf("GET a program the grant does not reach: %v (status %d), want 403", err, relstore.StatusCode(err))
	}
	if _, err := st.Get(gctx, "example", "programs", "00000000-0000-4000-8000-000000000000"); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("GET a missing program with a grant: %v, want 404", err)
	}
	if _, err := st.Query(relstore.WithGrant(ctx, relstore.Grant{Predicate: dec.Predicate}), "example", "programs", relstore.QueryOptions{}); !errors.As(err, &fe) || fe.Status != 403 {
		t.Errorf("a grant without EdOrg claims under a relationship strategy: %v, want 403", err)
	}

	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 3)) // LEA 2 (and school 100) move under LEA 3
	if got, _ := read(3); !slices.Equal(got, []string{"at LEA 2", "at LEA 3", "at school 100"}) {
		t.Errorf("after the re-parent, claims [3]: %v", got)
	}
	if got, _ := read(1); got != nil {
		t.Errorf("after the re-parent, claims [1]: %v, want none", got)
	}
}
