package relstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// identityEqualitySchema is our own case of an identity equality
// constraint across two references (CourseOffering:
// $.schoolReference.schoolId = $.sessionReference.schoolId), shaped as
// MetaEd writes DS 5.0's CourseOffering and Session.
const identityEqualitySchema = "../testdata/cases/identity-equality/inputs/ApiSchema.json"

// TestIdentityEqualityCascade: an identity cascade that would break a
// referrer's identity equality constraint is refused with a 409 naming
// it, and leaves no trace; a cascade that keeps it (a rename) goes
// through; a document without such referrers moves freely; a document
// written with the two values unequal is a 400.
func TestIdentityEqualityCascade(t *testing.T) {
	env := relstoretest.New(t, "ieq", identityEqualitySchema)
	st, ctx := env.Store, t.Context()
	const pe = "ed-fi"
	mustUpsert(t, st, pe, "schools", `{"schoolId":1,"nameOfInstitution":"One"}`)
	mustUpsert(t, st, pe, "schools", `{"schoolId":2,"nameOfInstitution":"Two"}`)
	fall := mustUpsert(t, st, pe, "sessions", `{"schoolReference":{"schoolId":1},"sessionName":"Fall","totalInstructionalDays":80}`).ID
	spring := mustUpsert(t, st, pe, "sessions", `{"schoolReference":{"schoolId":1},"sessionName":"Spring","totalInstructionalDays":90}`).ID
	alg := mustUpsert(t, st, pe, "courseOfferings", `{"localCourseCode":"ALG","schoolReference":{"schoolId":1},"sessionReference":{"schoolId":1,"sessionName":"Fall"}}`).ID

	// Moving Fall to school 2 would leave ALG with schoolReference 1 and
	// sessionReference 2.
	before := snapshot(t, env)
	algBefore := getBody(t, st, pe, "courseOfferings", alg)
	_, err := st.Update(ctx, pe, "sessions", fall, []byte(`{"schoolReference":{"schoolId":2},"sessionName":"Fall","totalInstructionalDays":80}`), "")
	var ce *relstore.ConflictError
	if !errors.As(err, &ce) || ce.Constraint != "equality" {
		t.Fatalf("moving Fall to school 2: %v, want a 409 on CourseOffering's equality constraint", err)
	}
	if after := snapshot(t, env); after != before {
		t.Errorf("the refused cascade left a trace:\n before %s\n after  %s", before, after)
	}
	if diff := cmp.Diff(algBefore, getBody(t, st, pe, "courseOfferings", alg)); diff != "" {
		t.Errorf("ALG changed by a refused cascade (-before +after):\n%s", diff)
	}
	if got := getBody(t, st, pe, "sessions", fall); fmt.Sprint(got["schoolReference"]) != "map[schoolId:1]" {
		t.Errorf("Fall moved by a refused write: %v", got)
	}

	// Renaming Fall keeps the constraint: ALG follows.
	res, err := st.Update(ctx, pe, "sessions", fall, []byte(`{"schoolReference":{"schoolId":1},"sessionName":"Autumn","totalInstructionalDays":80}`), "")
	if err != nil {
		t.Fatalf("renaming Fall: %v", err)
	}
	if res.Cascade.Closure != 1 {
		t.Errorf("renaming Fall: cascade %+v, want ALG in its closure", res.Cascade)
	}
	ref := getBody(t, st, pe, "courseOfferings", alg)["sessionReference"].(map[string]any)
	if ref["sessionName"] != "Autumn" {
		t.Errorf("ALG's sessionReference after the rename: %v", ref)
	}

	// Spring has no CourseOffering: it moves.
	if _, err := st.Update(ctx, pe, "sessions", spring, []byte(`{"schoolReference":{"schoolId":2},"sessionName":"Spring","totalInstructionalDays":90}`), ""); err != nil {
		t.Errorf("moving Spring (no referrer) to school 2: %v", err)
	}

	// A CourseOffering whose two school ids differ is refused on write.
	_, err = st.Upsert(ctx, pe, "courseOfferings", []byte(`{"localCourseCode":"GEO","schoolReference":{"schoolId":1},"sessionReference":{"schoolId":2,"sessionName":"Spring"}}`))
	var ve *relstore.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("a CourseOffering with unequal school ids: %v, want a validation error", err)
	}

	for _, audit := range []func() (*relstore.Report, error){
		func() (*relstore.Report, error) { return st.AuditEdges(ctx, relstore.AuditOptions{}) },
		func() (*relstore.Report, error) { return st.AuditIdentities(ctx, relstore.AuditOptions{}) },
	} {
		r, err := audit()
		if err != nil || r.Differences != 0 {
			t.Errorf("audit: %v, %+v", err, r)
		}
	}
}

// getBody reads a document's body as generic JSON, failing the test on
// any error.
func getBody(t *testing.T, st *relstore.Store, pe, ep, id string) map[string]any {
	t.Helper()
	d, err := st.Get(t.Context(), pe, ep, id)
	if err != nil {
		t.Fatalf("get %s %s: %v", ep, id, err)
	}
	var m map[string]any
	if err := json.Unmarshal(d.JSON, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
