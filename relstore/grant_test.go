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
	env := relstoretest.NewWithModel(t, "grant_reads", m, relstore.Options{VerifyEdges: true, VerifyAuthRows: true})
	st := env.Store
	claims := loadClaims(t, "claims.example.json")
	ctx := context.Background()
	seedProgramHierarchy(t, st)
	program := programBody
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

// TestGrantChecksWrites: with a grant, a POST or PUT must be allowed on
// the document as written and a PUT, DELETE or POST that finds its key on
// the stored document; a denial is a 403 *ForbiddenError and changes
// nothing, and a stored denial comes before an If-Match mismatch.
func TestGrantChecksWrites(t *testing.T) {
	repo := testenv.RepoRoot(t)
	m := relstoretest.CompileWithOverlay(t, filepath.Join(repo, "authsql", "testdata", "example.overlay.json"))
	env := relstoretest.NewWithModel(t, "grant_writes", m, relstore.Options{VerifyEdges: true, VerifyAuthRows: true})
	st := env.Store
	claims := loadClaims(t, "claims.example.json")
	ctx := context.Background()
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Bilingual","shortDescription":"Bilingual"}`)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	mustUpsert(t, st, "example", "schools", school(100, 1))
	program := func(edorg int64, name string) []byte {
		return []byte(fmt.Sprintf(`{"educationOrganizationReference":{"educationOrganizationId":%d},"programName":%q,"programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Bilingual"}`, edorg, name))
	}
	res := findByName(st.Manifest(), "Example", "Program")
	grant := func(action authz.Action, edorgs ...int64) context.Context {
		dec := claims.ResolveResource("SISVendor", res, action)
		if dec.Status() != 0 {
			t.Fatalf("SISVendor %s program: %v", action, dec)
		}
		g := relstore.Grant{Predicate: dec.Predicate, EdOrgIDs: edorgs}
		if action == authz.ActionCreate {
			u := claims.ResolveResource("SISVendor", res, authz.ActionUpdate).Predicate
			g.UpdatePredicate = &u
		}
		return relstore.WithGrant(ctx, g)
	}
	count := func() int {
		var n int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM example."Program"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	forbidden := func(what string, err error) {
		t.Helper()
		var fe *relstore.ForbiddenError
		if !errors.As(err, &fe) || fe.Status != 403 {
			t.Errorf("%s: %v, want a 403 ForbiddenError", what, err)
		}
	}

	lea3, err := st.Upsert(grant(authz.ActionCreate, 3), "example", "programs", program(3, "P3"))
	if err != nil {
		t.Fatalf("POST a program at a claimed LEA: %v", err)
	}
	_, err = st.Upsert(grant(authz.ActionCreate, 3), "example", "programs", program(100, "P100"))
	forbidden("POST a program at an unclaimed school", err)
	if n := count(); n != 1 {
		t.Errorf("%d programs after a denied POST, want 1", n)
	}
	sch := mustUpsert(t, st, "example", "programs", string(program(100, "P100"))).ID

	// A bus (direct school element; its capacity is a synthetic EdOrg value
	// element of the test overlay) moved to a school outside the grant.
	mustUpsert(t, st, "example", "schools", school(300, 3))
	busRes := findByName(st.Manifest(), "Extra", "Bus")
	busGrant := relstore.WithGrant(ctx, relstore.Grant{Predicate: claims.ResolveResource("SISVendor", busRes, authz.ActionUpdate).Predicate, EdOrgIDs: []int64{1}})
	bus := mustUpsert(t, st, "extra", "buses", `{"busId":"B1","schoolReference":{"schoolId":100},"capacity":100}`).ID
	if _, err := st.Update(busGrant, "extra", "buses", bus, []byte(`{"busId":"B1","schoolReference":{"schoolId":100},"capacity":1}`), ""); err != nil {
		t.Errorf("PUT within the grant: %v", err)
	}
	_, err = st.Update(busGrant, "extra", "buses", bus, []byte(`{"busId":"B1","schoolReference":{"schoolId":300},"capacity":1}`), "")
	forbidden("PUT moving a bus out of the grant (proposed)", err)
	var school int64
	if err := env.Pool.QueryRow(ctx, `SELECT s."SchoolId" FROM extra."Bus" b JOIN example."School" s ON s."DocumentId" = b."School_DocumentId"`).Scan(&school); err != nil || school != 100 {
		t.Errorf("the denied PUT changed the bus: school %d (%v)", school, err)
	}
	_ = lea3
	_, err = st.Update(grant(authz.ActionUpdate, 3), "example", "programs", sch, program(3, "P100"), `"999"`)
	forbidden("PUT of a stored program outside the grant, before If-Match", err)
	if _, err := st.Update(grant(authz.ActionUpdate, 1), "example", "programs", sch, program(100, "P100"), `"999"`); !errors.Is(err, relstore.ErrETagMismatch) {
		t.Errorf("PUT allowed but with a stale If-Match: %v, want 412", err)
	}
	_, err = st.Upsert(grant(authz.ActionCreate, 3), "example", "programs", program(100, "P100"))
	forbidden("POST finding a stored program outside the grant", err)
	err = st.Delete(grant(authz.ActionDelete, 3), "example", "programs", sch, "")
	forbidden("DELETE outside the grant", err)
	if err := st.Delete(grant(authz.ActionDelete, 1), "example", "programs", sch, ""); err != nil {
		t.Errorf("DELETE within the grant (the school's LEA): %v", err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d programs at the end, want 1", n)
	}

	// A POST under a Create predicate that needs no claims and an Update
	// predicate the grant cannot satisfy (no EdOrg ids): a create
	// succeeds — the Update predicate is not its business — and the same
	// POST, now finding its natural key, is a 403.
	upd := claims.ResolveResource("SISVendor", res, authz.ActionUpdate).Predicate
	noClaims := relstore.WithGrant(ctx, relstore.Grant{
		Predicate:       authz.Predicate{Op: authz.OpStrategy, Strategy: authz.Strategy{Kind: authz.KindNoFurtherAuthorizationRequired}},
		UpdatePredicate: &upd,
	})
	if out, err := st.Upsert(noClaims, "example", "programs", program(3, "P-open")); err != nil || !out.Created {
		t.Errorf("POST creating under a claim-free Create predicate: created %v, %v", out.Created, err)
	}
	_, err = st.Upsert(noClaims, "example", "programs", program(3, "P-open"))
	forbidden("the same POST updating without EdOrg claims", err)
}

// TestGrantRoundTrips: an allowed request under a grant keeps its round
// trips (GET 1, query page 1, write as without a grant); a denied GET adds
// one statement; a denied write sends no more than an allowed one.
func TestGrantRoundTrips(t *testing.T) {
	repo := testenv.RepoRoot(t)
	m := relstoretest.CompileWithOverlay(t, filepath.Join(repo, "authsql", "testdata", "example.overlay.json"))
	env := relstoretest.NewWithModel(t, "grant_round_trips", m, relstore.Options{})
	st := env.Store
	claims := loadClaims(t, "claims.example.json")
	ctx := context.Background()
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Bilingual","shortDescription":"Bilingual"}`)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	program := func(edorg int64, name string) []byte {
		return []byte(fmt.Sprintf(`{"educationOrganizationReference":{"educationOrganizationId":%d},"programName":%q,"programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Bilingual"}`, edorg, name))
	}
	res := findByName(st.Manifest(), "Example", "Program")
	grant := func(action authz.Action) context.Context {
		return relstore.WithGrant(ctx, relstore.Grant{Predicate: claims.ResolveResource("SISVendor", res, action).Predicate, EdOrgIDs: []int64{1}})
	}
	measure := func(f func() error) (trips, statements int64) {
		t.Helper()
		env.Counter.Reset()
		_ = f()
		return env.Counter.Count(), env.Counter.Statements()
	}
	plainTrips, _ := measure(func() error { _, err := st.Upsert(ctx, "example", "programs", program(1, "plain")); return err })
	allowedTrips, _ := measure(func() error {
		_, err := st.Upsert(grant(authz.ActionCreate), "example", "programs", program(1, "granted"))
		return err
	})
	deniedTrips, _ := measure(func() error {
		_, err := st.Upsert(grant(authz.ActionCreate), "example", "programs", program(3, "denied"))
		return err
	})
	// A plain write's COMMIT goes with its writes; under a grant the
	// writes' batch ends with the check of the document as written, read
	// before COMMIT is sent: one round trip more, never two.
	if plainTrips != 2 || allowedTrips != plainTrips+1 || deniedTrips > allowedTrips {
		t.Errorf("write round trips: plain %d, allowed %d, denied %d; want plain 2, allowed = plain + 1, denied ≤ allowed", plainTrips, allowedTrips, deniedTrips)
	}
	mine := mustUpsert(t, st, "example", "programs", string(program(1, "mine"))).ID
	theirs := mustUpsert(t, st, "example", "programs", string(program(3, "theirs"))).ID
	plainGet, plainGetStmts := measure(func() error { _, err := st.Get(ctx, "example", "programs", mine); return err })
	okGet, okGetStmts := measure(func() error { _, err := st.Get(grant(authz.ActionRead), "example", "programs", mine); return err })
	_, deniedGetStmts := measure(func() error { _, err := st.Get(grant(authz.ActionRead), "example", "programs", theirs); return err })
	if okGet != plainGet || okGetStmts != plainGetStmts || deniedGetStmts != plainGetStmts+1 {
		t.Errorf("GET: plain %d trips/%d statements, allowed %d/%d, denied %d statements; want allowed = plain, denied = plain + 1",
			plainGet, plainGetStmts, okGet, okGetStmts, deniedGetStmts)
	}
	plainQuery, _ := measure(func() error {
		_, err := st.Query(ctx, "example", "programs", relstore.QueryOptions{TotalCount: true})
		return err
	})
	okQuery, _ := measure(func() error {
		_, err := st.Query(grant(authz.ActionRead), "example", "programs", relstore.QueryOptions{TotalCount: true})
		return err
	})
	if okQuery != plainQuery || okQuery != 1 {
		t.Errorf("query round trips: plain %d, granted %d; want 1 each", plainQuery, okQuery)
	}
}

// loadClaims loads the claims file testdata/auth/name.
func loadClaims(t *testing.T, name string) *authz.Claims {
	t.Helper()
	var d diag.List
	claims := authz.LoadFile(filepath.Join(testenv.RepoRoot(t), "testdata", "auth", name), &d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	return claims
}

// seedProgramHierarchy stores, on the example schema, its descriptors, a
// program type and the EdOrgs LEA 1, LEA 2 (under LEA 1), LEA 3 and
// school 100 (under LEA 2), where programBody's programs live.
func seedProgramHierarchy(t *testing.T, st *relstore.Store) {
	t.Helper()
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Bilingual","shortDescription":"Bilingual"}`)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 1))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	mustUpsert(t, st, "example", "schools", school(100, 2))
}

// programBody is an example Program of the EdOrg edorg.
func programBody(edorg int64, name string) string {
	return fmt.Sprintf(`{"educationOrganizationReference":{"educationOrganizationId":%d},"programName":%q,"programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Bilingual"}`, edorg, name)
}
