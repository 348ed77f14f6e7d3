package relstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestGrantIdentityCollisionOrder: a PUT whose new identity is another
// document's is answered in the spec's order (70-authorization.md: 403
// proposed before 409). Program's one securable element (its EdOrg
// reference) is part of its identity, so the document as written would
// have the colliding document's subjects: the PUT is a 403 when the grant
// does not reach that document and a 409 when it does — a caller never
// learns that an identity outside its grant exists. Example's Program
// allows identity updates here.
func TestGrantIdentityCollisionOrder(t *testing.T) {
	repo := testenv.RepoRoot(t)
	m := relstoretest.CompileWithOverlay(t, filepath.Join(repo, "authsql", "testdata", "example.overlay.json"))
	for _, r := range m.Resources {
		if r.ProjectName == "Example" && r.ResourceName == "Program" {
			r.AllowIdentityUpdates = true
		}
	}
	env := relstoretest.NewWithModel(t, "grant_collision", m, relstore.Options{VerifyEdges: true, VerifyAuthRows: true})
	st := env.Store
	ctx := context.Background()
	seedProgramHierarchy(t, st) // LEA 2 under 1, LEA 3 apart, school 100 under 2
	mustUpsert(t, st, "example", "schools", school(300, 3))
	mine := mustUpsert(t, st, "example", "programs", programBody(100, "A")).ID
	mustUpsert(t, st, "example", "programs", programBody(300, "A")) // outside the grant
	inside := mustUpsert(t, st, "example", "programs", programBody(100, "B")).ID

	claims := loadClaims(t, "claims.example.json")
	res := findByName(st.Manifest(), "Example", "Program")
	dec := claims.ResolveResource("SISVendor", res, authz.ActionUpdate)
	if dec.Status() != 0 {
		t.Fatalf("SISVendor update program: %v", dec)
	}
	gctx := relstore.WithGrant(ctx, relstore.Grant{Predicate: dec.Predicate, EdOrgIDs: []int64{1}})

	var fe *relstore.ForbiddenError
	_, err := st.Update(gctx, "example", "programs", mine, []byte(programBody(300, "A")), "")
	if !errors.As(err, &fe) || fe.Status != 403 {
		t.Errorf("PUT onto the identity of a program outside the grant: %v (status %d), want the proposed document's 403 before the 409", err, relstore.StatusCode(err))
	}
	_, err = st.Update(gctx, "example", "programs", mine, []byte(programBody(100, "B")), "")
	var ce *relstore.ConflictError
	if !errors.As(err, &ce) {
		t.Errorf("PUT onto the identity of a program inside the grant: %v (status %d), want a 409 ConflictError", err, relstore.StatusCode(err))
	}

	// The holder of the identity renamed after the write's lock statement
	// read it, before the check: no document holds the identity any more,
	// so the write runs again and, colliding with nothing, is allowed (a
	// check on the renamed document would answer 409, a missing holder
	// taken as a denial 403).
	renamed := false
	restore := relstore.SetBeforeCollisionCheck(func() {
		if !renamed {
			renamed = true
			if _, err := st.Update(ctx, "example", "programs", inside, []byte(programBody(100, "Z")), ""); err != nil {
				t.Errorf("rename the holder: %v", err)
			}
		}
	})
	_, err = st.Update(gctx, "example", "programs", mine, []byte(programBody(100, "B")), "")
	restore()
	if !renamed || err != nil {
		t.Errorf("PUT onto an identity its holder gave up before the check (hook ran: %v): %v (status %d), want it written", renamed, err, relstore.StatusCode(err))
	}
	if _, err := st.Update(gctx, "example", "programs", mine, []byte(programBody(100, "A")), ""); err != nil {
		t.Fatalf("PUT the program back: %v", err)
	}

	// Without a collision the proposed check decides as before.
	_, err = st.Update(gctx, "example", "programs", mine, []byte(programBody(300, "C")), "")
	if !errors.As(err, &fe) || fe.Status != 403 {
		t.Errorf("PUT moving the program out of the grant: %v, want 403", err)
	}
	if _, err := st.Update(gctx, "example", "programs", mine, []byte(programBody(100, "C")), ""); err != nil {
		t.Errorf("PUT renaming the program within the grant: %v", err)
	}
}
