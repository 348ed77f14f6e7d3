package relstore_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/edfi-dmsc/dmsc/relstore"
)

func kinds(r *relstore.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Resource+" "+f.Kind)
	}
	return out
}

// TestAuditAndRebuild corrupts ReferenceEdge and ReferentialIdentity rows
// directly in SQL; the audits find exactly those, rebuilds fix them, and a
// second audit is clean.
func TestAuditAndRebuild(t *testing.T) {
	env, ids := seeded(t, "audit")
	st, ctx := env.Store, t.Context()
	for _, audit := range []func() (*relstore.Report, error){
		func() (*relstore.Report, error) { return st.AuditEdges(ctx, relstore.AuditOptions{}) },
		func() (*relstore.Report, error) { return st.AuditIdentities(ctx, relstore.AuditOptions{}) },
	} {
		r, err := audit()
		if err != nil || r.Differences != 0 || r.Checked != int64(len(seed)) {
			t.Fatalf("clean audit: %+v %v", r, err)
		}
	}
	doc := func(i int) string {
		return `(SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = '` + ids[i] + `')`
	}
	for _, q := range []string{
		// association (10): lose the school edge, flip the student edge.
		`DELETE FROM "dms"."ReferenceEdge" WHERE "ParentDocumentId" = ` + doc(10) + ` AND "ChildDocumentId" = ` + doc(6),
		`UPDATE "dms"."ReferenceEdge" SET "IsIdentityComponent" = false WHERE "ParentDocumentId" = ` + doc(10) + ` AND "ChildDocumentId" = ` + doc(9),
		// student (9) gains an edge it has no FK for.
		`INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent") VALUES (` + doc(9) + `, ` + doc(5) + `, false)`,
	} {
		if _, err := env.Pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r, err := st.AuditEdges(ctx, relstore.AuditOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Example:Student extra", "Example:StudentSchoolAssociation flag", "Example:StudentSchoolAssociation missing"}
	if d := cmp.Diff(want, kinds(r)); d != "" || r.Differences != 3 {
		t.Errorf("edge audit (-want +got):\n%s\n%+v", d, r.Findings)
	}
	// Scoped to one document.
	if r, err = st.AuditEdges(ctx, relstore.AuditOptions{Documents: []string{ids[9]}}); err != nil || r.Differences != 1 || r.Checked != 1 {
		t.Errorf("audit of one document: %+v %v", r, err)
	}
	etag := count(t, env, `SELECT "Etag" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, ids[10])
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if r, err = st.AuditEdges(ctx, relstore.AuditOptions{Repair: true}); err != nil || r.Differences != 3 || r.Repaired == 0 {
		t.Fatalf("edge rebuild: %+v %v", r, err)
	}
	// The association's identity edges were wrong: its identity was
	// recomputed and its ETag bumped, and its cache row deleted with the
	// bump (the cache invariant).
	if e := count(t, env, `SELECT "Etag" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, ids[10]); e != etag+1 {
		t.Errorf("association ETag %d after the edge rebuild, want %d", e, etag+1)
	}
	if n := staleCacheRows(t, env); n != 0 {
		t.Errorf("%d stale cache rows after the edge rebuild", n)
	}
	if r, err = st.AuditEdges(ctx, relstore.AuditOptions{}); err != nil || r.Differences != 0 {
		t.Fatalf("edge audit after rebuild: %+v %v", r, err)
	}

	for _, q := range []string{
		// school (6): drop its alias; student (9): stale primary id;
		// LEA (5): an extra row under the Student resource key.
		`DELETE FROM "dms"."ReferentialIdentity" WHERE "DocumentId" = ` + doc(6) + ` AND "ResourceKeyId" = 2`,
		`UPDATE "dms"."ReferentialIdentity" SET "ReferentialId" = gen_random_uuid() WHERE "DocumentId" = ` + doc(9),
		`INSERT INTO "dms"."ReferentialIdentity" VALUES (gen_random_uuid(), ` + doc(5) + `, 9)`,
	} {
		if _, err := env.Pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r, err = st.AuditIdentities(ctx, relstore.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"Example:LocalEducationAgency extra", "Example:School missing", "Example:Student stale"}
	if d := cmp.Diff(want, kinds(r)); d != "" {
		t.Errorf("identity audit (-want +got):\n%s\n%+v", d, r.Findings)
	}
	// Scoped to one resource.
	if r, err = st.AuditIdentities(ctx, relstore.AuditOptions{Resources: []string{"example/students"}}); err != nil || r.Differences != 1 || r.Checked != 1 {
		t.Errorf("scoped audit: %+v %v", r, err)
	}
	if r, err = st.AuditIdentities(ctx, relstore.AuditOptions{Repair: true}); err != nil || r.Differences != 3 {
		t.Fatalf("identity rebuild: %+v %v", r, err)
	}
	if r, err = st.AuditIdentities(ctx, relstore.AuditOptions{}); err != nil || r.Differences != 0 {
		t.Fatalf("identity audit after rebuild: %+v %v", r, err)
	}
	// The repaired store still resolves: a write through the repaired ids.
	mustUpsert(t, st, "example", "studentSchoolAssociations", seed[10].body)
}

// TestAuditResume: an audit resumed from a cursor checks only what comes
// after it.
func TestAuditResume(t *testing.T) {
	env, _ := seeded(t, "auditresume")
	st, ctx := env.Store, t.Context()
	var cursors []string
	full, err := st.AuditEdges(ctx, relstore.AuditOptions{BatchSize: 1, Progress: func(p relstore.Progress) { cursors = append(cursors, p.Cursor) }})
	if err != nil || full.Cursor != "" || len(cursors) < 5 {
		t.Fatalf("audit: %+v %v (%d batches)", full, err, len(cursors))
	}
	rest, err := st.AuditEdges(ctx, relstore.AuditOptions{Resume: cursors[4]})
	if err != nil || rest.Checked != full.Checked-5 {
		t.Errorf("resumed after 5 documents: checked %d of %d (%v)", rest.Checked, full.Checked, err)
	}
	if _, err := st.AuditEdges(ctx, relstore.AuditOptions{Resume: "x"}); err == nil {
		t.Error("a bad cursor was accepted")
	}
	if _, err := st.AuditEdges(ctx, relstore.AuditOptions{Resources: []string{"nope/nope"}}); err == nil {
		t.Error("an unknown resource was accepted")
	}
}
