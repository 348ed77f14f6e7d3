package migrate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The legacy backend's statements, as the tests replay them on their own
// connection to the legacy copy (dmsc never writes there): UpdateDocumentEdfiDoc
// sets the body with a new _etag and _lastModifiedDate, LastModifiedAt and
// the request's trace id; deletes go through dmsload.delete (the shared
// tool's DeleteDocumentById).
const (
	legacyNow = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
	// legacyUpdate: $where selects the document, $patch is jsonb merged
	// into EdfiDoc (after $set), $trace the trace id.
	legacyUpdate = `UPDATE dms.Document SET EdfiDoc = %s || jsonb_build_object('_etag', md5(random()::text), '_lastModifiedDate', ` + legacyNow + `),
  LastModifiedAt = clock_timestamp(), LastModifiedTraceId = '%s' WHERE %s`
)

// legacyInsertClone inserts a new legacy document the way
// SqlAction.InsertDocumentAndAlias does: a copy of the document src
// selects, its body patched (a new identity), id set to uuid, one alias
// row with a fresh ReferentialId, and the source's dms.Reference rows.
func legacyInsertClone(t *testing.T, dsn, src, uuid, patch, trace string) {
	t.Helper()
	execSQL(t, dsn, fmt.Sprintf(`WITH src AS (SELECT * FROM dms.Document WHERE %s ORDER BY Id LIMIT 1),
doc AS (INSERT INTO dms.Document (DocumentPartitionKey, DocumentUuid, ResourceName, ResourceVersion, IsDescriptor, ProjectName, EdfiDoc, SecurityElements, LastModifiedTraceId)
  SELECT %d, '%s', ResourceName, ResourceVersion, IsDescriptor, ProjectName,
    EdfiDoc || '%s'::jsonb || jsonb_build_object('id', '%s', '_etag', md5(random()::text), '_lastModifiedDate', `+legacyNow+`), SecurityElements, '%s' FROM src
  RETURNING Id, DocumentPartitionKey),
al AS (INSERT INTO dms.Alias (ReferentialPartitionKey, ReferentialId, DocumentId, DocumentPartitionKey)
  SELECT 7, (left(md5('%s'), 31) || '7')::uuid, Id, DocumentPartitionKey FROM doc)
INSERT INTO dms.Reference (ParentDocumentId, ParentDocumentPartitionKey, ReferentialPartitionKey, AliasId, ReferencedDocumentPartitionKey, ReferencedDocumentId)
SELECT doc.Id, doc.DocumentPartitionKey, r.ReferentialPartitionKey, r.AliasId, r.ReferencedDocumentPartitionKey, r.ReferencedDocumentId
FROM src JOIN dms.Reference r ON r.ParentDocumentId = src.Id AND r.ParentDocumentPartitionKey = src.DocumentPartitionKey, doc`,
		src, partitionKey(uuid), uuid, patch, uuid, trace, uuid))
}

// deltaCounts renders a Delta's per-resource counts for comparison.
func deltaCounts(d *Delta) map[string]string {
	out := map[string]string{}
	for _, r := range d.Resources {
		out[r.ResourceName] = fmt.Sprintf("new %d changed %d deleted %d", r.New, r.Changed, r.Deleted)
	}
	return out
}

// TestCatchUpDS50: after a backfill of the DS 5.0 legacy database, a
// freeze check finds nothing and a catch-up pass writes nothing; then,
// after changes made with the legacy backend's statements (an update, an
// identity change cascaded to its referrer, deletes of a referrer and
// its target and of a document the preflight rejected, new documents of
// which one the target cannot hold), the freeze check reports exactly
// those, one pass applies them (verification clean, the legacy database
// untouched by dmsc), and the freeze check reports zero; a delete the
// target refuses (a document written to the target only references it)
// is reported and kept in the checkpoint.
func TestCatchUpDS50(t *testing.T) {
	legacy, target := newLegacyDS50(t), newTargetDS50(t)
	if _, err := runBackfill(t, legacy, target, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := query(t, target, `SELECT count(*)::text FROM dmsc_migrate."Skipped"`)[0]; n != "64" {
		t.Errorf("%s documents recorded as skipped, want the 64 rejected", n)
	}
	l := openLegacy(t, legacy)
	st := openStore(t, target)
	freeze := func() *Delta {
		t.Helper()
		d, err := FreezeCheck(t.Context(), l, st.Pool())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	catchUp := func() *CatchUpReport {
		t.Helper()
		rep, err := CatchUp(t.Context(), l, st, Options{BatchSize: 50})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if d := freeze(); !d.Empty() || d.Skipped != 64 || d.Copied != 754 || d.Documents != 818 {
		t.Fatalf("freeze check after the backfill: %+v", d)
	}
	sum := checksum(t, target)
	if rep := catchUp(); !rep.Delta.Empty() || !rep.OK() || rep.Verify.Compared != 754 {
		t.Fatalf("catch-up with no change: delta %+v, verify %v", rep.Delta, rep.Verify.Findings)
	}
	if checksum(t, target) != sum {
		t.Fatal("a catch-up pass with no legacy change wrote to the target")
	}

	// The legacy store lives on: DMS-style changes.
	rejected := query(t, target, `SELECT "DocumentUuid"::text FROM dmsc_migrate."Skipped" ORDER BY 1`)
	gone := query(t, legacy, `SELECT d.DocumentUuid::text FROM dms.Document d WHERE d.DocumentUuid = ANY($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM dms.Reference r WHERE r.ReferencedDocumentId = d.Id AND r.ReferencedDocumentPartitionKey = d.DocumentPartitionKey) ORDER BY 1 LIMIT 1`, rejected)[0]
	execSQL(t, legacy,
		// An update (a re-POST with another firstName).
		fmt.Sprintf(legacyUpdate, `EdfiDoc || '{"firstName":"Changed"}'`, "delta-update",
			`DocumentUuid = (SELECT DocumentUuid FROM dms.Document WHERE ResourceName = 'Student' ORDER BY Id LIMIT 1)`),
		// An identity change (ClassPeriod allows identity updates): the
		// new name, the alias's new ReferentialId, and the cascade to the
		// BellSchedule that references it.
		fmt.Sprintf(legacyUpdate, `EdfiDoc || '{"classPeriodName":"Cascade Period Delta"}'`, "delta-identity",
			`ResourceName = 'ClassPeriod' AND EdfiDoc->>'classPeriodName' = 'Cascade Period'`),
		`UPDATE dms.Alias a SET ReferentialId = (left(md5('renamed'), 31) || right(a.ReferentialId::text, 1))::uuid
FROM dms.Document d WHERE a.DocumentId = d.Id AND a.DocumentPartitionKey = d.DocumentPartitionKey AND d.EdfiDoc->>'classPeriodName' = 'Cascade Period Delta'`,
		fmt.Sprintf(legacyUpdate, `jsonb_set(EdfiDoc, '{classPeriods,0,classPeriodReference,classPeriodName}', '"Cascade Period Delta"')`, "delta-identity",
			`ResourceName = 'BellSchedule' AND EdfiDoc->>'bellScheduleName' = 'Cascade Bell'`),
		// Deletes: a referrer then its target, and a rejected document.
		`SELECT dmsload.delete(DocumentUuid) FROM dms.Document WHERE ResourceName = 'BellSchedule' AND EdfiDoc->>'bellScheduleName' = 'Test Schedule'`,
		`SELECT dmsload.delete(DocumentUuid) FROM dms.Document WHERE ResourceName = 'ClassPeriod' AND EdfiDoc->>'classPeriodName' = '01 - Traditional'`,
		`SELECT dmsload.delete('`+gone+`')`)
	// New documents: a descriptor, a student, and a school the target
	// cannot hold (a schoolId beyond 32 bits).
	legacyInsertClone(t, legacy, `ResourceName = 'GradeLevelDescriptor'`, "de17a000-0000-4000-8000-000000000001", `{"codeValue":"Delta Grade"}`, "delta-new")
	legacyInsertClone(t, legacy, `ResourceName = 'Student'`, "de17a000-0000-4000-8000-000000000002", `{"studentUniqueId":"delta-new-student"}`, "delta-new")
	legacyInsertClone(t, legacy, `ResourceName = 'School' AND (EdfiDoc->>'schoolId')::bigint < 2147483647`, "de17a000-0000-4000-8000-000000000003", `{"schoolId":9999999999}`, "delta-new")
	goneRes := query(t, target, `SELECT "ResourceName" FROM dmsc_migrate."Skipped" WHERE "DocumentUuid" = $1::uuid`, gone)[0]

	want := map[string]string{
		"Student":              "new 1 changed 1 deleted 0",
		"ClassPeriod":          "new 0 changed 1 deleted 1",
		"BellSchedule":         "new 0 changed 1 deleted 1",
		"GradeLevelDescriptor": "new 1 changed 0 deleted 0",
		"School":               "new 1 changed 0 deleted 0",
	}
	if w, ok := want[goneRes]; ok {
		var n, c, d int
		fmt.Sscanf(w, "new %d changed %d deleted %d", &n, &c, &d)
		want[goneRes] = fmt.Sprintf("new %d changed %d deleted %d", n, c, d+1)
	} else {
		want[goneRes] = "new 0 changed 0 deleted 1"
	}
	d := freeze()
	if got := deltaCounts(d); !maps.Equal(got, want) || d.New != 3 || d.Changed != 3 || d.Deleted != 3 || d.Skipped != 63 {
		t.Fatalf("freeze check: %v (new %d changed %d deleted %d skipped %d), want %v", got, d.New, d.Changed, d.Deleted, d.Skipped, want)
	}

	legacySum := checksum(t, legacy)
	rep := catchUp()
	if rep.Inserted != 2 || rep.Updated != 3 || rep.Removed != 2 || rep.Rejected != 1 || rep.Failed != 0 || !rep.OK() {
		t.Fatalf("catch-up: inserted %d updated %d removed %d rejected %d failed %d; findings %v; verify %v",
			rep.Inserted, rep.Updated, rep.Removed, rep.Rejected, rep.Failed, rep.Findings, rep.Verify.Findings)
	}
	if rep.Verify.Compared != 754+2-2 {
		t.Errorf("verification compared %d documents", rep.Verify.Compared)
	}
	var codes []string
	for _, f := range rep.Findings {
		codes = append(codes, f.Code+" "+f.DocumentUUID+f.Path)
	}
	if !slices.Equal(codes, []string{CodeIntegerOutOfRange + " de17a000-0000-4000-8000-000000000003$.schoolId"}) {
		t.Errorf("findings %v", rep.Findings)
	}
	// The changed and new documents keep the legacy _lastModifiedDate
	// (Verify checks it); the identity change reached the BellSchedule
	// through the cascade, and the renamed ClassPeriod's ETag moved.
	if got := query(t, target, `SELECT "Etag"::text FROM dms."Document" d JOIN edfi."ClassPeriod" c USING ("DocumentId") WHERE c."ClassPeriodName" = 'Cascade Period Delta'`); len(got) != 1 || got[0] == "1" {
		t.Errorf("renamed ClassPeriod ETag %v", got)
	}
	if checksum(t, legacy) != legacySum {
		t.Error("the catch-up wrote to the legacy database")
	}
	if d := freeze(); !d.Empty() || d.Skipped != 64 {
		t.Fatalf("freeze check after the pass: %+v", d)
	}
	sum = checksum(t, target)
	if rep := catchUp(); !rep.Delta.Empty() || !rep.OK() {
		t.Fatalf("second pass: %+v", rep.Delta)
	}
	if checksum(t, target) != sum {
		t.Error("a second pass with no legacy change wrote to the target")
	}

	// A document written to the target only references a ClassPeriod the
	// legacy store then deletes (with its legacy referrer): the target
	// refuses that delete, and the pass reports it.
	body := query(t, legacy, `SELECT (EdfiDoc - 'id' - '_etag' - '_lastModifiedDate' || '{"bellScheduleName":"Target Only"}')::text FROM dms.Document
WHERE ResourceName = 'BellSchedule' AND EdfiDoc->>'bellScheduleName' = 'Nested Reference Schedule'`)[0]
	if _, err := st.Upsert(t.Context(), "ed-fi", "bellSchedules", []byte(body)); err != nil {
		t.Fatal(err)
	}
	period := query(t, legacy, `SELECT DocumentUuid::text FROM dms.Document WHERE ResourceName = 'ClassPeriod' AND EdfiDoc->>'classPeriodName' = 'First Period'`)[0]
	execSQL(t, legacy,
		`SELECT dmsload.delete(DocumentUuid) FROM dms.Document WHERE ResourceName = 'BellSchedule' AND EdfiDoc->>'bellScheduleName' = 'Nested Reference Schedule'`,
		`SELECT dmsload.delete('`+period+`')`)
	rep = catchUp()
	if rep.Removed != 1 || rep.Failed != 1 || rep.OK() || len(rep.Findings) != 1 || rep.Findings[0].Code != CodeDeleteRefused || rep.Findings[0].DocumentUUID != period ||
		!strings.Contains(rep.Findings[0].Message, "BellSchedule") {
		t.Fatalf("refused delete: removed %d failed %d findings %v", rep.Removed, rep.Failed, rep.Findings)
	}
	if n := query(t, target, `SELECT count(*)::text FROM dmsc_migrate."Checkpoint" WHERE "DocumentUuid" = $1::uuid`, period)[0]; n != "1" {
		t.Error("the refused delete's checkpoint row is gone")
	}
	if d := freeze(); d.Deleted != 1 || d.New+d.Changed != 0 {
		t.Errorf("freeze check after a refused delete: %+v", d)
	}
}
