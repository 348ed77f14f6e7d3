package migrate

import (
	"errors"
	"math/big"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
)

// bigIntegerSQL lists the documents holding a JSON number outside the
// 32-bit range anywhere (the legacy tool's query 5), by an evaluator of
// the stored JSON alone.
const bigIntegerSQL = `SELECT DocumentUuid::text FROM dms.Document
WHERE jsonb_path_exists(EdfiDoc, 'strict $.** ? (@.type() == "number" && (@ > 2147483647 || @ < -2147483648))') ORDER BY 1`

// TestPreflightDS50 runs the preflight on the DS 5.0 corpus as the legacy
// backend stored it: exactly the 64 documents holding an integer above
// 2^31 are rejected, each with the path and value, and the legacy
// database is unchanged.
func TestPreflightDS50(t *testing.T) {
	dsn := newLegacyDS50(t)
	m := ds50(t)
	before := checksum(t, dsn)
	l := openLegacy(t, dsn)
	var calls, last int64
	var steps []string
	rep, err := Preflight(t.Context(), l, m, workConfig(t), Options{BatchSize: 50, Progress: func(done, total int64) { calls++; last = done },
		PreflightStep: func(s string) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if after := checksum(t, dsn); after != before {
		t.Error("the preflight changed the legacy database")
	}
	if rep.Documents != 818 || rep.Rejected != 64 || rep.Migratable != 754 {
		t.Errorf("documents %d, rejected %d, migratable %d; want 818, 64, 754", rep.Documents, rep.Rejected, rep.Migratable)
	}
	if last != rep.Documents || calls < int64(len(rep.Resources)) {
		t.Errorf("progress ended at %d after %d calls", last, calls)
	}
	if want := []string{StepPairs, StepResolve, StepPropagate, StepCompare, StepLate, StepSummary}; !slices.Equal(steps, want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
	want := query(t, dsn, bigIntegerSQL)
	if got := rep.RejectedDocuments(); !slices.Equal(got, want) {
		t.Errorf("rejected documents differ from those holding a number outside the 32-bit range:\n got %d %v\nwant %d %v", len(got), got, len(want), want)
	}
	if len(rep.Codes) != 1 || rep.Codes[0] != (CodeCount{Code: CodeIntegerOutOfRange, Documents: 64}) {
		t.Errorf("codes %+v, want only integer-out-of-range: 64", rep.Codes)
	}
	limit := big.NewInt(1<<31 - 1)
	for _, f := range rep.Findings {
		v, ok := new(big.Int).SetString(f.Value, 10)
		if f.Code != CodeIntegerOutOfRange || !ok || v.Cmp(limit) <= 0 || !strings.HasSuffix(f.Path, "Id") || !strings.HasPrefix(f.Message, f.Value+" is out of range") {
			t.Errorf("finding %s (value %s)", f, f.Value)
		}
	}
	perResource := map[string]int64{}
	for _, r := range rep.Resources {
		perResource[r.ResourceName] = r.Rejected
		if r.Migratable+r.Rejected != r.Documents || r.Deferred != 0 || r.Warned != 0 || r.Endpoint == "" {
			t.Errorf("resource %+v", r)
		}
	}
	for res, n := range map[string]int64{"School": 22, "StudentSchoolAssociation": 19, "StaffEducationOrganizationAssignmentAssociation": 5,
		"PostSecondaryInstitution": 4, "Course": 3, "CourseTranscript": 3, "StaffSchoolAssociation": 2, "StaffEducationOrganizationEmploymentAssociation": 2,
		"StudentEducationOrganizationResponsibilityAssociation": 2, "AcademicWeek": 1, "StudentAcademicRecord": 1, "Student": 0} {
		if perResource[res] != n {
			t.Errorf("%s: %d rejected, want %d", res, perResource[res], n)
		}
	}
	first := rep.Findings[0].String()
	if !strings.HasPrefix(first, "Ed-Fi/AcademicWeek/") || !strings.HasSuffix(first, ":$.schoolReference.schoolId: integer-out-of-range: 30101999999 is out of range for a 32-bit integer") {
		t.Errorf("first finding %s", first)
	}
}

// TestPreflightFindings changes a copy of the legacy database so that
// every kind of finding occurs, and checks each, and that the rejected
// documents are exactly the roots and every document that references one
// (transitively, by dms.Reference).
func TestPreflightFindings(t *testing.T) {
	dsn := newLegacyDS50(t)
	m := ds50(t)
	one := func(sql string) string {
		t.Helper()
		v := query(t, dsn, sql)
		if len(v) == 0 {
			t.Fatalf("no row: %s", sql)
		}
		return v[0]
	}
	pick := func(resource string, n int) string {
		return one(`SELECT DocumentUuid::text FROM dms.Document WHERE ResourceName = '` + resource + `' ORDER BY DocumentUuid OFFSET ` + string(rune('0'+n)) + ` LIMIT 1`)
	}
	grade, longContent, prunedContent := pick("Grade", 0), pick("EducationContent", 0), pick("EducationContent", 1)
	calendarDate, event, location := pick("CalendarDate", 0), pick("PostSecondaryEvent", 0), pick("Location", 0)
	// A School with a 32-bit id that documents reference, and two LEAs.
	school := one(`SELECT c.DocumentUuid::text FROM dms.Reference r
JOIN dms.Document c ON c.DocumentPartitionKey = r.ReferencedDocumentPartitionKey AND c.Id = r.ReferencedDocumentId
WHERE c.ResourceName = 'School' AND (c.EdfiDoc->>'schoolId')::bigint < 2147483647 ORDER BY c.DocumentUuid LIMIT 1`)
	leaA, leaB := pick("LocalEducationAgency", 0), pick("LocalEducationAgency", 1)
	// A Session that documents reference through another (CourseOffering,
	// then Section …): rejecting it rejects documents two levels up.
	session := one(`SELECT DISTINCT s.DocumentUuid::text FROM dms.Document s
JOIN dms.Reference r1 ON r1.ReferencedDocumentPartitionKey = s.DocumentPartitionKey AND r1.ReferencedDocumentId = s.Id
JOIN dms.Reference r2 ON r2.ReferencedDocumentPartitionKey = r1.ParentDocumentPartitionKey AND r2.ReferencedDocumentId = r1.ParentDocumentId
WHERE s.ResourceName = 'Session' ORDER BY 1 LIMIT 1`)
	set := func(uuid, path, value string) string {
		return `UPDATE dms.Document SET EdfiDoc = jsonb_set(EdfiDoc, '{` + path + `}', '` + value + `') WHERE DocumentUuid = '` + uuid + `'`
	}
	execSQL(t, dsn,
		set(grade, "numericGradeEarned", "12.34567"),
		set(session, "totalInstructionalDays", "5255901001"), // a root of bigIntegerSQL
		set(longContent, "shortDescription", `"`+strings.Repeat("x", 80)+`"`),
		set(prunedContent, "unknownProperty", "true"),
		set(calendarDate, "date", `"0000-06-23"`),
		set(event, "postSecondaryEventCategoryDescriptor", `"uri://ed-fi.org/PostSecondaryEventCategoryDescriptor#Nope"`),
		`UPDATE dms.Document SET ResourceVersion = '4.0.0' WHERE ResourceName = 'Staff'`,
		`UPDATE dms.Document SET ProjectName = 'Homograph' WHERE ResourceName = 'Survey'`,
		`UPDATE dms.Document SET ResourceName = 'Credentials' WHERE ResourceName = 'Credential'`,
		// A second Location with the same natural key, created last.
		`INSERT INTO dms.Document (DocumentPartitionKey, DocumentUuid, ResourceName, ResourceVersion, IsDescriptor, ProjectName, EdfiDoc, SecurityElements, CreatedAt, LastModifiedAt, LastModifiedTraceId)
SELECT 5, '00000000-0000-4000-8000-000000000005', ResourceName, ResourceVersion, IsDescriptor, ProjectName, EdfiDoc || '{"id":"00000000-0000-4000-8000-000000000005"}', SecurityElements, now(), now(), 'test'
FROM dms.Document WHERE DocumentUuid = '`+location+`'`,
		// The school is created after everything (its referrers' references
		// were added by later updates), and LEA A references LEA B, created
		// after it: same resource, so A must be deferred.
		`UPDATE dms.Document SET CreatedAt = (SELECT max(CreatedAt) FROM dms.Document) + interval '1 hour' WHERE DocumentUuid = '`+school+`'`,
		`UPDATE dms.Document SET CreatedAt = (SELECT max(CreatedAt) FROM dms.Document) + interval '2 hours' WHERE DocumentUuid = '`+leaB+`'`,
		`INSERT INTO dms.Reference (ParentDocumentId, ParentDocumentPartitionKey, ReferentialPartitionKey, AliasId, ReferencedDocumentPartitionKey, ReferencedDocumentId)
SELECT p.Id, p.DocumentPartitionKey, a.ReferentialPartitionKey, a.Id, c.DocumentPartitionKey, c.Id
FROM dms.Document p, dms.Document c JOIN dms.Alias a ON a.DocumentPartitionKey = c.DocumentPartitionKey AND a.DocumentId = c.Id
WHERE p.DocumentUuid = '`+leaA+`' AND c.DocumentUuid = '`+leaB+`' ORDER BY a.Id LIMIT 1`,
	)
	rep, err := Preflight(t.Context(), openLegacy(t, dsn), m, workConfig(t), Options{BatchSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	// One document per page: what a document holds is checked against
	// the documents of earlier pages, not only its own page's.
	single, err := Preflight(t.Context(), openLegacy(t, dsn), m, workConfig(t), Options{BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep.Findings, single.Findings); diff != "" {
		t.Errorf("findings with pages of 1 differ from pages of 7 (-7 +1):\n%s", diff)
	}
	byDoc := map[string][]Finding{}
	var resourceLevel []string
	for _, f := range rep.Findings {
		if f.DocumentUUID == "" {
			resourceLevel = append(resourceLevel, f.String())
			continue
		}
		byDoc[f.DocumentUUID] = append(byDoc[f.DocumentUUID], f)
	}
	expect := func(uuid, code, path, value string, warning bool) {
		t.Helper()
		for _, f := range byDoc[uuid] {
			if f.Code == code && f.Path == path && (value == "" || f.Value == value) && f.Warning == warning {
				return
			}
		}
		t.Errorf("%s: no %s finding at %s (value %s); findings: %v", uuid, code, path, value, byDoc[uuid])
	}
	expect(grade, CodeDecimalOutOfRange, "$.numericGradeEarned", "12.34567", false)
	expect(longContent, CodeStringTooLong, "$.shortDescription", `"`+strings.Repeat("x", 63)+"…", false)
	expect(prunedContent, CodePrunedProperty, "$.unknownProperty", "true", true)
	expect(calendarDate, CodeDateOutOfRange, "$.date", `"0000-06-23"`, false)
	expect(event, CodeUnresolvedDescriptor, "$.postSecondaryEventCategoryDescriptor", "", false)
	expect("00000000-0000-4000-8000-000000000005", CodeIdentityConflict, "$", "", false)
	expect(leaA, CodeReferenceDiffers, "", "", true)
	expect(leaA, CodeLateReference, "", "", true)

	wantResource := []string{
		"Ed-Fi/Credentials: resource-missing: project Ed-Fi 5.0.0 of the schema set has no resource Credentials: its 1 documents cannot be migrated",
		"Ed-Fi/Staff: project-version-mismatch: the 13 documents were written under Ed-Fi 4.0.0, the schema set has Ed-Fi 5.0.0: migrate to the version they were written with, then upgrade",
		"Homograph/Survey: project-missing: the schema set has no project Homograph (it has Ed-Fi 5.0.0): its 2 documents cannot be migrated",
	}
	if !slices.Equal(resourceLevel, wantResource) {
		t.Errorf("resource findings\n got %q\nwant %q", resourceLevel, wantResource)
	}

	// Rejected = the roots and every document referencing one, by
	// dms.Reference, transitively.
	roots := query(t, dsn, bigIntegerSQL)
	roots = append(roots, grade, longContent, calendarDate, event, "00000000-0000-4000-8000-000000000005")
	roots = append(roots, query(t, dsn, `SELECT DocumentUuid::text FROM dms.Document WHERE ResourceName IN ('Staff', 'Survey', 'Credentials')`)...)
	closure := query(t, dsn, `WITH RECURSIVE bad(p, i) AS (
  SELECT DocumentPartitionKey, Id FROM dms.Document WHERE DocumentUuid::text = ANY($1)
  UNION SELECT r.ParentDocumentPartitionKey, r.ParentDocumentId FROM dms.Reference r JOIN bad ON r.ReferencedDocumentPartitionKey = bad.p AND r.ReferencedDocumentId = bad.i)
SELECT d.DocumentUuid::text FROM bad JOIN dms.Document d ON d.DocumentPartitionKey = bad.p AND d.Id = bad.i ORDER BY 1`, roots)
	if got := rep.RejectedDocuments(); !slices.Equal(got, closure) {
		t.Errorf("rejected\n got %d %v\nwant %d %v", len(got), got, len(closure), closure)
	}
	direct := query(t, dsn, `SELECT DISTINCT p.DocumentUuid::text FROM dms.Reference r
JOIN dms.Document p ON p.DocumentPartitionKey = r.ParentDocumentPartitionKey AND p.Id = r.ParentDocumentId
JOIN dms.Document c ON c.DocumentPartitionKey = r.ReferencedDocumentPartitionKey AND c.Id = r.ReferencedDocumentId
WHERE c.DocumentUuid::text = ANY($1)`, roots)
	propagated, deeper := 0, 0
	for _, uuid := range closure {
		if !slices.Contains(roots, uuid) {
			propagated++
			expectCode(t, byDoc[uuid], CodeReferencesRejected)
			if !slices.Contains(direct, uuid) {
				deeper++
			}
		}
	}
	if propagated == 0 || deeper == 0 {
		t.Errorf("%d documents rejected for referencing a rejected one, %d of them two or more levels up; want some of each", propagated, deeper)
	}

	// Late references: every migratable referrer of the school and LEA B;
	// only LEA A (same resource) is deferred.
	late := query(t, dsn, `SELECT DISTINCT p.DocumentUuid::text FROM dms.Reference r
JOIN dms.Document p ON p.DocumentPartitionKey = r.ParentDocumentPartitionKey AND p.Id = r.ParentDocumentId
JOIN dms.Document c ON c.DocumentPartitionKey = r.ReferencedDocumentPartitionKey AND c.Id = r.ReferencedDocumentId
WHERE (c.CreatedAt, c.DocumentPartitionKey, c.Id) > (p.CreatedAt, p.DocumentPartitionKey, p.Id) ORDER BY 1`)
	var wantLate, gotLate []string
	for _, u := range late {
		if !slices.Contains(closure, u) {
			wantLate = append(wantLate, u)
		}
	}
	deferred := int64(0)
	for _, r := range rep.Resources {
		deferred += r.Deferred
		if r.Deferred > 0 && r.ResourceName != "LocalEducationAgency" {
			t.Errorf("%s: %d deferred", r.ResourceName, r.Deferred)
		}
	}
	for _, f := range rep.Findings {
		if f.Code == CodeLateReference && (len(gotLate) == 0 || gotLate[len(gotLate)-1] != f.DocumentUUID) {
			gotLate = append(gotLate, f.DocumentUUID)
		}
	}
	sort.Strings(gotLate)
	if len(wantLate) < 3 || !slices.Equal(gotLate, slices.Compact(wantLate)) || deferred != 1 {
		t.Errorf("late references\n got %v\nwant %v (deferred %d, want 1)", gotLate, wantLate, deferred)
	}
}

// expectCode checks that fs has a finding with code.
func expectCode(t *testing.T, fs []Finding, code string) {
	t.Helper()
	for _, f := range fs {
		if f.Code == code {
			return
		}
	}
	t.Errorf("no %s finding in %v", code, fs)
}

// TestLegacyReadOnly checks that a pass cannot write: its transaction is
// READ ONLY.
func TestLegacyReadOnly(t *testing.T) {
	l := openLegacy(t, newLegacyDS50(t))
	pass, err := l.BeginPass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close(t.Context())
	_, err = pass.tx.Exec(t.Context(), `DELETE FROM dms.Document`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Errorf("a write in a pass: %v, want SQLSTATE 25006 (read-only transaction)", err)
	}
	if pass.TimeZone == "" || pass.Snapshot == "" {
		t.Errorf("pass %+v", pass)
	}
}

// TestDocumentsKeyset pages through a resource with several page sizes:
// always the same documents, once each, in (CreatedAt, partition, Id)
// order.
func TestDocumentsKeyset(t *testing.T) {
	dsn := newLegacyDS50(t)
	// Ties on CreatedAt: the keyset must still order by partition and Id.
	execSQL(t, dsn, `UPDATE dms.Document SET CreatedAt = '2024-01-01' WHERE ResourceName = 'Student' AND DocumentPartitionKey < 8`)
	l := openLegacy(t, dsn)
	pass, err := l.BeginPass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close(t.Context())
	key := ResourceKey{"Ed-Fi", "Student", "5.0.0"}
	list := func(size int) []string {
		var out []string
		var after Cursor
		for {
			page, err := pass.Documents(t.Context(), key, after, size)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page {
				out = append(out, d.UUID)
				if !after.IsZero() && !cursorLess(after, d.Key) {
					t.Fatalf("page size %d: %v after %v", size, d.Key, after)
				}
				after = d.Key
			}
			if len(page) < size {
				return out
			}
		}
	}
	all := list(1000)
	want := query(t, dsn, `SELECT DocumentUuid::text FROM dms.Document WHERE ResourceName = 'Student' ORDER BY CreatedAt, DocumentPartitionKey, Id`)
	if !slices.Equal(all, want) || len(all) != 82 {
		t.Fatalf("one page: %d documents, want %d in keyset order", len(all), len(want))
	}
	for _, size := range []int{1, 7, 41, 82} {
		if got := list(size); !slices.Equal(got, all) {
			t.Errorf("page size %d: %d documents differ", size, len(got))
		}
	}
}

// cursorLess orders keyset positions.
func cursorLess(a, b Cursor) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	if a.PartitionKey != b.PartitionKey {
		return a.PartitionKey < b.PartitionKey
	}
	return a.ID < b.ID
}
