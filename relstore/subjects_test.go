package relstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestTransitiveSubjectsDS50 loads the DS 5.0 corpus into a store compiled
// with our authorization overlay and checks every dms.DocumentSubject row
// against the documents alone: for each transitive element of each stored
// document, a row exists exactly when the element's path holds a value in
// the document's JSON, and the subject document's id value (its
// EducationOrganizationId, person unique id or namespace) equals that
// value.
func TestTransitiveSubjectsDS50(t *testing.T) {
	overlay := filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "ds-5.0.overlay.json")
	m := relstoretest.CompileWithOverlay(t, overlay, testenv.DS50(t))
	env := relstoretest.NewWithModel(t, "subjects_ds50", m, relstore.Options{VerifyAuthRows: true})
	st := env.Store
	set, err := roundtrip.Discover(filepath.Join(testenv.Fixtures(t), "documents", "ds-5.0"), st.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := roundtrip.Load(context.Background(), st, set, nil); err != nil {
		t.Fatal(err)
	}
	if n := checkSubjects(t, env); n < 20 {
		t.Errorf("only %d transitive subjects checked; the corpus should exercise more", n)
	}
	// An identity cascade: a Section with referrers moves to a
	// CourseOffering of another school; its StudentSectionAssociations (and
	// the other referrers that reach the school through it) must follow.
	// (A Session cannot move to another school while CourseOfferings
	// reference it: their equality constraint would break, a 409.)
	ctx := context.Background()
	type move struct {
		section, offering string
		school, other     int64
	}
	var moves []move
	rows, err := env.Pool.Query(ctx, `SELECT sd."DocumentUuid"::text, cod."DocumentUuid"::text, ss."School_DocumentId", os."School_DocumentId"
FROM edfi."Section" s JOIN dms."Document" sd ON sd."DocumentId" = s."DocumentId"
JOIN edfi."CourseOffering" sco ON sco."DocumentId" = s."CourseOffering_DocumentId" JOIN edfi."Session" ss ON ss."DocumentId" = sco."Session_DocumentId",
edfi."CourseOffering" co JOIN dms."Document" cod ON cod."DocumentId" = co."DocumentId" JOIN edfi."Session" os ON os."DocumentId" = co."Session_DocumentId"
WHERE os."School_DocumentId" <> ss."School_DocumentId"
  AND EXISTS (SELECT 1 FROM dms."ReferenceEdge" e WHERE e."ChildDocumentId" = s."DocumentId" AND e."ParentDocumentId" <> e."ChildDocumentId")
ORDER BY s."DocumentId", co."DocumentId"`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var mv move
		if err := rows.Scan(&mv.section, &mv.offering, &mv.school, &mv.other); err != nil {
			t.Fatal(err)
		}
		moves = append(moves, mv)
	}
	rows.Close()
	read := func(res *manifest.Resource, id string) map[string]any {
		t.Helper()
		doc, err := st.Get(ctx, res.ProjectEndpoint, res.EndpointName, id)
		if err != nil {
			t.Fatal(err)
		}
		body, err := jsonvalue.Decode(doc.JSON)
		if err != nil {
			t.Fatal(err)
		}
		obj := body.(map[string]any)
		for _, k := range []string{"id", "_etag", "_lastModifiedDate"} {
			delete(obj, k)
		}
		return obj
	}
	sec, co := findByName(st.Manifest(), "Ed-Fi", "Section"), findByName(st.Manifest(), "Ed-Fi", "CourseOffering")
	// The first move whose closure holds no document with an equality
	// constraint over the school (Grade's gradingPeriodReference.schoolId,
	// say): those are refused with a 409 and change nothing.
	var res relstore.WriteResult
	var refused int
	var mv move
	for _, mv = range moves {
		target := read(co, mv.offering)
		obj := read(sec, mv.section)
		session := target["sessionReference"].(map[string]any)
		obj["courseOfferingReference"] = map[string]any{"localCourseCode": target["localCourseCode"],
			"schoolId": session["schoolId"], "schoolYear": session["schoolYear"], "sessionName": session["sessionName"]}
		data, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		res, err = st.Update(ctx, sec.ProjectEndpoint, sec.EndpointName, mv.section, data, "")
		var ce *relstore.ConflictError
		if errors.As(err, &ce) && ce.Constraint == "equality" {
			refused++
			continue
		}
		if err != nil {
			t.Fatalf("move section %s from school document %d to %d: %v\n%s", mv.section, mv.school, mv.other, err, data)
		}
		if res.Cascade.Closure > 0 {
			break
		}
	}
	t.Logf("%d section moves refused (an equality constraint in the closure)", refused)
	if res.Cascade.Closure == 0 {
		t.Fatalf("moving the section cascaded to no document")
	}
	if n := checkSubjects(t, env); n < 20 {
		t.Errorf("after the cascade only %d transitive subjects checked", n)
	}
	t.Logf("section %s moved from school document %d to %d: %d documents in its identity closure", mv.section, mv.school, mv.other, res.Cascade.Closure)

	// The authorization audit is clean, then finds exactly a stale and a
	// missing DocumentSubject row, and rebuild repairs them.
	if got := authFindings(t, st, false); len(got) != 0 {
		t.Fatalf("audit after the load and the cascade: %v", got)
	}
	var d1, k1, d2, k2 int64
	if err := env.Pool.QueryRow(ctx, `SELECT a."DocumentId", a."ElementOrdinal", b."DocumentId", b."ElementOrdinal"
FROM dms."DocumentSubject" a, dms."DocumentSubject" b WHERE (a."DocumentId", a."ElementOrdinal") < (b."DocumentId", b."ElementOrdinal")
ORDER BY 1, 2, 3, 4 LIMIT 1`).Scan(&d1, &k1, &d2, &k2); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `UPDATE dms."DocumentSubject" SET "SubjectDocumentId" = "SubjectDocumentId" + 1000000 WHERE "DocumentId" = $1 AND "ElementOrdinal" = $2`, d1, k1); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `DELETE FROM dms."DocumentSubject" WHERE "DocumentId" = $1 AND "ElementOrdinal" = $2`, d2, k2); err != nil {
		t.Fatal(err)
	}
	got := authFindings(t, st, false)
	if len(got) != 2 || !strings.Contains(got[0], fmt.Sprintf("dms.DocumentSubject stale %d #%d", d1, k1)) ||
		!strings.Contains(got[1], fmt.Sprintf("dms.DocumentSubject missing %d #%d", d2, k2)) {
		t.Errorf("findings after corrupting two rows: %q", got)
	}
	authFindings(t, st, true)
	if got := authFindings(t, st, false); len(got) != 0 {
		t.Errorf("audit after rebuild: %v", got)
	}
}

// checkSubjects compares every dms.DocumentSubject row of every transitive
// element with the documents (see TestTransitiveSubjectsDS50) and returns
// how many rows it checked.
func checkSubjects(t *testing.T, env *relstoretest.Env) int {
	t.Helper()
	st := env.Store
	ctx := context.Background()
	checked := 0
	for i := range st.Manifest().Resources {
		r := &st.Manifest().Resources[i]
		for _, e := range r.SecurableElements {
			if e.Site != manifest.SiteTransitive {
				continue
			}
			path := jsonpath.MustParse(e.Path)
			rows, err := env.Pool.Query(ctx, `SELECT d."DocumentUuid"::text, s."SubjectDocumentId", sd."DocumentUuid"::text, rk."ProjectName", rk."ResourceName", eo."EducationOrganizationId"
FROM dms."Document" d
LEFT JOIN dms."DocumentSubject" s ON s."DocumentId" = d."DocumentId" AND s."ElementOrdinal" = $2
LEFT JOIN dms."Document" sd ON sd."DocumentId" = s."SubjectDocumentId"
LEFT JOIN dms."ResourceKey" rk ON rk."ResourceKeyId" = sd."ResourceKeyId"
LEFT JOIN dms."EducationOrganization" eo ON eo."DocumentId" = s."SubjectDocumentId"
WHERE d."ResourceKeyId" = $1 ORDER BY d."DocumentId"`, r.ResourceKeyID, e.Ordinal)
			if err != nil {
				t.Fatal(err)
			}
			type found struct {
				doc, subjUUID, proj, res *string
				subj, edorg              *int64
			}
			var all []found
			for rows.Next() {
				var f found
				var doc string
				if err := rows.Scan(&doc, &f.subj, &f.subjUUID, &f.proj, &f.res, &f.edorg); err != nil {
					t.Fatal(err)
				}
				f.doc = &doc
				all = append(all, f)
			}
			rows.Close()
			for _, f := range all {
				want := valueAt(t, st, r, *f.doc, path)
				switch {
				case want == "" && f.subj == nil:
					continue
				case want == "" || f.subj == nil:
					t.Errorf("%s %s #%d %s: document value %q, subject row %v", r.ResourceName, *f.doc, e.Ordinal, e.Path, want, f.subj)
					continue
				}
				var got string
				switch manifest.Subject(e.Subject) {
				case manifest.SubjectEdOrg:
					if f.edorg != nil {
						got = fmt.Sprint(*f.edorg)
					}
				default:
					sr := findByName(st.Manifest(), *f.proj, *f.res)
					prop := path.Segments()[path.Len()-1].Name
					got = valueAt(t, st, sr, *f.subjUUID, jsonpath.MustParse("$."+prop))
				}
				if got != want {
					t.Errorf("%s %s #%d %s: document says %q, its subject %s:%s holds %q", r.ResourceName, *f.doc, e.Ordinal, e.Path, want, deref(f.proj), deref(f.res), got)
				}
				checked++
			}
		}
	}
	t.Logf("%d transitive subject rows checked against the documents", checked)
	return checked
}

// valueAt reads document id of resource r and returns the scalar at p as
// text ("" when absent).
func valueAt(t *testing.T, st *relstore.Store, r *manifest.Resource, id string, p jsonpath.Path) string {
	t.Helper()
	doc, err := st.Get(context.Background(), r.ProjectEndpoint, r.EndpointName, id)
	if err != nil {
		t.Fatalf("get %s %s: %v", r.ResourceName, id, err)
	}
	v, err := jsonvalue.Decode(doc.JSON)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Lookup(v)
	if len(got) != 1 || got[0] == nil {
		return ""
	}
	return fmt.Sprint(got[0])
}

// findByName finds a resource by project and resource name.
func findByName(m *manifest.Manifest, project, name string) *manifest.Resource {
	for i := range m.Resources {
		if m.Resources[i].ProjectName == project && m.Resources[i].ResourceName == name {
			return &m.Resources[i]
		}
	}
	return nil
}

// deref prints a nullable string.
func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
