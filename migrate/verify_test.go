package migrate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestVerifyDrift verifies a DS 5.0 backfill (clean, every edge on both
// sides), then drifts both sides: the legacy store deletes a copied
// document that references others (no document references it), the
// target gains an edge dms.Reference lacks and loses one it holds.
// Verify, in pages of 50, reports the document deleted since copied (and
// its resource's count), one extra edge per target edge of the deleted
// document (under no resource: the legacy store no longer holds it),
// the added edge as extra and the removed one as missing, each under its
// parent's legacy resource; the legacy count drops by the deleted
// document's pairs, the target count stays.
func TestVerifyDrift(t *testing.T) {
	legacy, target := newLegacyDS50(t), newTargetDS50(t)
	if _, err := runBackfill(t, legacy, target, Options{SkipVerify: true}); err != nil {
		t.Fatal(err)
	}
	l := openLegacy(t, legacy)
	st := openStore(t, target)
	rep, err := Verify(t.Context(), l, st, Options{BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	edges := rep.LegacyEdges
	if !rep.OK() || rep.Compared != 754 || edges == 0 || rep.TargetEdges != edges {
		t.Fatalf("clean verify: compared %d, edges %d/%d, findings %v", rep.Compared, edges, rep.TargetEdges, rep.Findings)
	}
	copied := query(t, target, `SELECT "DocumentUuid"::text FROM dmsc_migrate."Checkpoint"`)
	// resourceOf is a legacy document's `Project Resource Version`.
	resourceOf := func(id string) ResourceKey {
		f := strings.Fields(query(t, legacy, `SELECT ProjectName || ' ' || ResourceName || ' ' || ResourceVersion FROM dms.Document WHERE DocumentUuid = $1::uuid`, id)[0])
		return ResourceKey{ProjectName: f[0], ResourceName: f[1], ResourceVersion: f[2]}
	}
	gone := query(t, legacy, `SELECT d.DocumentUuid::text FROM dms.Document d
WHERE d.DocumentUuid = ANY($1::uuid[])
  AND EXISTS (SELECT 1 FROM dms.Reference r WHERE r.ParentDocumentId = d.Id AND r.ParentDocumentPartitionKey = d.DocumentPartitionKey)
  AND NOT EXISTS (SELECT 1 FROM dms.Reference r WHERE r.ReferencedDocumentId = d.Id AND r.ReferencedDocumentPartitionKey = d.DocumentPartitionKey)
ORDER BY 1 LIMIT 1`, copied)[0]
	goneRes := resourceOf(gone)
	goneChildren := query(t, target, `SELECT c."DocumentUuid"::text FROM dms."ReferenceEdge" e
JOIN dms."Document" p ON p."DocumentId" = e."ParentDocumentId" JOIN dms."Document" c ON c."DocumentId" = e."ChildDocumentId"
WHERE p."DocumentUuid" = $1::uuid ORDER BY 1`, gone)
	student := query(t, target, `SELECT d."DocumentUuid"::text FROM edfi."Student" s JOIN dms."Document" d USING ("DocumentId") ORDER BY 1 LIMIT 1`)[0]
	school := query(t, target, `SELECT d."DocumentUuid"::text FROM edfi."School" s JOIN dms."Document" d USING ("DocumentId") ORDER BY 1 LIMIT 1`)[0]
	removed := strings.Fields(query(t, target, `SELECT p."DocumentUuid"::text || ' ' || c."DocumentUuid"::text FROM dms."ReferenceEdge" e
JOIN dms."Document" p ON p."DocumentId" = e."ParentDocumentId" JOIN dms."Document" c ON c."DocumentId" = e."ChildDocumentId"
WHERE p."DocumentUuid" NOT IN ($1::uuid, $2::uuid) ORDER BY 1 DESC LIMIT 1`, gone, student)[0])
	execSQL(t, legacy, `SELECT dmsload.delete('`+gone+`')`)
	execSQL(t, target,
		`INSERT INTO dms."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent")
SELECT p."DocumentId", c."DocumentId", false FROM dms."Document" p, dms."Document" c WHERE p."DocumentUuid" = '`+student+`' AND c."DocumentUuid" = '`+school+`'`,
		`DELETE FROM dms."ReferenceEdge" e USING dms."Document" p, dms."Document" c
WHERE p."DocumentId" = e."ParentDocumentId" AND c."DocumentId" = e."ChildDocumentId" AND p."DocumentUuid" = '`+removed[0]+`' AND c."DocumentUuid" = '`+removed[1]+`'`)

	rep, err = Verify(t.Context(), l, st, Options{BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	extra := func(r ResourceKey, parent, child string) Finding {
		return Finding{ResourceKey: r, DocumentUUID: parent, Path: "$", Code: CodeEdgeExtra, Message: fmt.Sprintf("dms.ReferenceEdge links it to %s; dms.Reference does not", child)}
	}
	want := []Finding{
		{ResourceKey: ResourceKey{ProjectName: goneRes.ProjectName, ResourceName: goneRes.ResourceName}, DocumentUUID: gone, Code: CodeDeletedSinceCopied,
			Message: "the checkpoint records the document, the legacy store no longer holds it"},
		extra(resourceOf(student), student, school),
		{ResourceKey: resourceOf(removed[0]), DocumentUUID: removed[0], Path: "$", Code: CodeEdgeMissing,
			Message: fmt.Sprintf("dms.Reference links it to %s; dms.ReferenceEdge has no such row", removed[1])},
	}
	for _, c := range goneChildren {
		want = append(want, extra(ResourceKey{}, gone, c))
	}
	sortFindings(want)
	var got []Finding
	counted := false
	for _, f := range rep.Findings {
		switch f.Code {
		case CodeEdgeAudit:
		case CodeCountDiffers:
			counted = counted || f.ResourceKey == goneRes
		default:
			got = append(got, f)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%v\nwant\n%v", got, want)
	}
	if !counted {
		t.Errorf("no %s finding for %s: %v", CodeCountDiffers, goneRes, rep.Findings)
	}
	if len(goneChildren) == 0 || rep.LegacyEdges != edges-int64(len(goneChildren)) || rep.TargetEdges != edges {
		t.Errorf("edges %d/%d, want %d/%d (the deleted document had %d)", rep.LegacyEdges, rep.TargetEdges, edges-int64(len(goneChildren)), edges, len(goneChildren))
	}
}

// TestStreamsOrderByUUID: the queries merged in DocumentUuid order sort
// by the uuid columns, never by their text, whose order is the
// collation's where the merge compares bytes (an ORDER BY of the bare
// name "DocumentUuid" sorts the output column, the text): no sort key of
// their plans is a text cast. There is no index on the text, so ordering
// by it always shows as a sort key.
func TestStreamsOrderByUUID(t *testing.T) {
	legacy, target := newLegacyDS50(t), newTargetDS50(t)
	execSQL(t, target, checkpointDDL)
	for _, q := range []struct{ name, dsn, sql string }{
		{"tokens", legacy, tokensSQL},
		{"document ids", legacy, documentUUIDsSQL},
		{"reference pairs", legacy, referencePairsSQL},
		{"resource pairs", legacy, resourcePairsSQL},
		{"checkpoint and skipped", target, recordedSQL},
		{"checkpoint without skipped", target, recordedCopiedSQL},
		{"checkpoint", target, checkpointOrderSQL},
		{"target edges", target, targetEdgesSQL},
	} {
		plan := query(t, q.dsn, `EXPLAIN (VERBOSE, FORMAT JSON) `+q.sql)[0]
		var doc any
		if err := json.Unmarshal([]byte(plan), &doc); err != nil {
			t.Fatal(err)
		}
		for _, k := range sortKeys(doc) {
			if strings.Contains(k, "::text") {
				t.Errorf("%s: sorts by %s", q.name, k)
			}
		}
	}
}

// sortKeys returns the "Sort Key" entries of a JSON plan.
func sortKeys(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			xv := x[k]
			if k == "Sort Key" {
				for _, s := range xv.([]any) {
					out = append(out, s.(string))
				}
				continue
			}
			out = append(out, sortKeys(xv)...)
		}
	case []any:
		for _, xv := range x {
			out = append(out, sortKeys(xv)...)
		}
	}
	return out
}
