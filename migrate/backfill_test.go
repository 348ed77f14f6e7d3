package migrate

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// backfill runs Backfill with small batches and two workers.
func runBackfill(t *testing.T, legacyDSN, targetDSN string, opts Options) (*BackfillReport, error) {
	t.Helper()
	l := openLegacy(t, legacyDSN)
	defer l.Close()
	if opts.BatchSize == 0 {
		opts.BatchSize = 50
	}
	if opts.Workers == 0 {
		opts.Workers = 2
	}
	return Backfill(t.Context(), l, openStore(t, targetDSN), opts)
}

// TestBackfillDS50 copies the DS 5.0 legacy database: every document the
// preflight accepts (754) arrives, the 64 it rejects do not, the progress
// ends at 100%, the checkpoint records each copied document with its
// legacy change token, the legacy database is unchanged; a second run
// finds everything in the checkpoint and writes nothing.
func TestBackfillDS50(t *testing.T) {
	legacy, target := newLegacyDS50(t), newTargetDS50(t)
	before := checksum(t, legacy)
	var last, total int64
	rep, err := runBackfill(t, legacy, target, Options{Progress: func(d, n int64) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Copied != 754 || rep.Rejected != 64 || rep.Failed != 0 || rep.AlreadyCopied != 0 || !rep.OK() {
		t.Fatalf("copied %d, rejected %d, failed %d, already %d; want 754, 64, 0, 0; failures %v", rep.Copied, rep.Rejected, rep.Failed, rep.AlreadyCopied, rep.Failures)
	}
	if last != 754 || total != 754 {
		t.Errorf("progress ended at %d/%d", last, total)
	}
	if v := rep.Verify; v == nil || v.Compared != 754 || !v.OK() {
		t.Errorf("the backfill's verification: %+v", v)
	}
	if got := query(t, target, `SELECT count(*)::text FROM dms."Document"`); got[0] != "754" {
		t.Errorf("%s documents in the target", got[0])
	}
	// The checkpoint holds exactly the accepted documents with the legacy
	// change tokens; the target keeps their ids.
	legacyTokens := query(t, legacy, `SELECT string_agg(DocumentUuid::text || ' ' || LastModifiedAt::text || ' ' || LastModifiedTraceId, ',' ORDER BY DocumentUuid)
FROM dms.Document WHERE NOT jsonb_path_exists(EdfiDoc, 'strict $.** ? (@.type() == "number" && (@ > 2147483647 || @ < -2147483648))')`)
	checkpoint := query(t, target, `SELECT string_agg("DocumentUuid"::text || ' ' || "LastModifiedAt"::text || ' ' || "LastModifiedTraceId", ',' ORDER BY "DocumentUuid") FROM dmsc_migrate."Checkpoint"`)
	if legacyTokens[0] != checkpoint[0] {
		t.Error("the checkpoint differs from the legacy change tokens of the accepted documents")
	}
	if n := query(t, target, `SELECT count(*)::text FROM dms."Document" d JOIN dmsc_migrate."Checkpoint" c USING ("DocumentUuid") WHERE d."Etag" = 1`); n[0] != "754" {
		t.Errorf("%s documents with their legacy id and ETag 1", n[0])
	}
	if after := checksum(t, legacy); after != before {
		t.Error("the backfill changed the legacy database")
	}

	sum := checksum(t, target)
	rep, err = runBackfill(t, legacy, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Copied != 0 || rep.AlreadyCopied != 754 || rep.Changed != 0 || rep.Failed != 0 {
		t.Errorf("second run: copied %d, already %d, changed %d, failed %d", rep.Copied, rep.AlreadyCopied, rep.Changed, rep.Failed)
	}
	if checksum(t, target) != sum {
		t.Error("a second backfill with nothing new changed the target")
	}
	verifyDS50(t, legacy, target)
}

// verifyDS50 checks Verify on a complete DS 5.0 backfill (no difference),
// then on a target changed behind its back: a value, an edge, a
// descriptor's letter case (not a difference) and a document.
func verifyDS50(t *testing.T, legacy, target string) {
	l := openLegacy(t, legacy)
	st := openStore(t, target)
	rep, err := Verify(t.Context(), l, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Compared != 754 || rep.LegacyEdges == 0 || rep.LegacyEdges != rep.TargetEdges {
		t.Fatalf("verify: compared %d, edges %d/%d, findings %v", rep.Compared, rep.LegacyEdges, rep.TargetEdges, rep.Findings)
	}
	student := query(t, target, `SELECT d."DocumentUuid"::text FROM edfi."Student" s JOIN dms."Document" d USING ("DocumentId") ORDER BY 1 LIMIT 1`)[0]
	execSQL(t, target,
		`UPDATE edfi."Student" s SET "FirstName" = 'Changed' FROM dms."Document" d WHERE d."DocumentId" = s."DocumentId" AND d."DocumentUuid" = '`+student+`'`,
		`UPDATE dms."Descriptor" SET "Uri" = upper("Uri")`,
		`DELETE FROM dms."ReferenceEdge" WHERE ctid = (SELECT min(ctid) FROM dms."ReferenceEdge")`)
	rep, err = Verify(t.Context(), l, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	for _, f := range rep.Findings {
		codes[f.Code]++
		if f.Code == CodeDocumentDiffers && (f.DocumentUUID != student || f.Path != "$.firstName" || !strings.HasSuffix(f.Message, `got "Changed"`)) {
			t.Errorf("finding %s", f)
		}
	}
	if codes[CodeDocumentDiffers] != 1 || codes[CodeEdgeMissing] != 1 || codes[CodeEdgeAudit] != 1 || len(codes) != 3 {
		t.Errorf("after changes: codes %v, findings %v", codes, rep.Findings)
	}
}

// TestBackfillResume kills a backfill at a random point (3 seeds: a
// cancelled context twice, the target's connections terminated once),
// mid-transaction, resumes it, and compares the target with an
// uninterrupted run's (stableChecksum).
func TestBackfillResume(t *testing.T) {
	legacy := newLegacyDS50(t)
	want := func() string {
		target := newTargetDS50(t)
		if _, err := runBackfill(t, legacy, target, Options{}); err != nil {
			t.Fatal(err)
		}
		return stableChecksum(t, target)
	}()
	for seed := uint64(1); seed <= 3; seed++ {
		target := newTargetDS50(t)
		kill := 1 + rand.New(rand.NewPCG(seed, 14)).Int64N(753)
		ctx, cancel := context.WithCancel(t.Context())
		var written atomic.Int64
		opts := Options{beforeCommit: func(ctx context.Context, docs int) error {
			if written.Add(int64(docs)) < kill {
				return nil
			}
			if seed == 3 {
				execSQL(t, target, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '`+storeApplication+`'`)
				return nil
			}
			cancel()
			return ctx.Err()
		}}
		l := openLegacy(t, legacy)
		rep, err := Backfill(ctx, l, openStore(t, target), opts)
		cancel()
		l.Close()
		if err == nil {
			t.Fatalf("seed %d: the run killed after %d documents completed", seed, kill)
		}
		if seed != 3 && !errors.Is(err, context.Canceled) {
			t.Errorf("seed %d: %v", seed, err)
		}
		first := rep.Copied
		n := query(t, target, `SELECT count(*)::text FROM dmsc_migrate."Checkpoint"`)[0]
		rep, err = runBackfill(t, legacy, target, Options{})
		if err != nil {
			t.Fatalf("seed %d: resume: %v", seed, err)
		}
		t.Logf("seed %d: killed at %d documents (%s checkpointed, reported %d), resumed: %d copied, %d already", seed, kill, n, first, rep.Copied, rep.AlreadyCopied)
		if rep.Copied+rep.AlreadyCopied != 754 || rep.Copied == 0 || rep.AlreadyCopied == 0 || rep.Failed != 0 {
			t.Errorf("seed %d: resumed run copied %d, found %d, failed %d", seed, rep.Copied, rep.AlreadyCopied, rep.Failed)
		}
		if got := stableChecksum(t, target); got != want {
			t.Errorf("seed %d: the resumed target differs from an uninterrupted run's:\n%s", seed, diffSums(want, got))
		}
	}
}

// volatileColumns are left out of stableChecksum: when a row was
// written (the provisioning columns, EffectiveSchema.AppliedAt and
// RuntimeManifest.StoredAt, come from the one template).
var volatileColumns = map[string]bool{
	`dms.ReferenceEdge.CreatedAt`:      true,
	`dms.DocumentCache.ComputedAt`:     true,
	`dmsc_migrate.Checkpoint.CopiedAt`: true,
}

// stableChecksum fingerprints every table of the target like checksum,
// but with every document id (a bigint column named *DocumentId or
// *DescriptorId: sequence values, which depend on the order concurrent
// batches ran in and on rolled-back attempts) replaced by the document's
// DocumentUuid, and without volatileColumns. One line per table.
func stableChecksum(t *testing.T, dsn string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c
JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, c.ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ name, exprs string }
	var tables []table
	for rows.Next() {
		var schema, name, col, typ string
		if err := rows.Scan(&schema, &name, &col, &typ); err != nil {
			t.Fatal(err)
		}
		if volatileColumns[schema+"."+name+"."+col] {
			continue
		}
		q := pgx.Identifier{schema, name}.Sanitize()
		if len(tables) == 0 || tables[len(tables)-1].name != q {
			tables = append(tables, table{name: q})
		}
		expr := "x." + pgx.Identifier{col}.Sanitize()
		if typ == "bigint" && (strings.HasSuffix(col, "DocumentId") || strings.HasSuffix(col, "DescriptorId")) {
			expr = `(SELECT d."DocumentUuid"::text FROM "dms"."Document" d WHERE d."DocumentId" = ` + expr + `)`
		}
		tb := &tables[len(tables)-1]
		if tb.exprs != "" {
			tb.exprs += ", "
		}
		tb.exprs += "coalesce(" + expr + "::text, '∅')"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tb := range tables {
		var sum string
		sql := `SELECT count(*) || ' ' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '') FROM (SELECT concat_ws(',', ` + tb.exprs + `) r FROM ` + tb.name + ` x) y`
		if err := conn.QueryRow(t.Context(), sql).Scan(&sum); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		b.WriteString(tb.name + " " + sum + "\n")
	}
	return b.String()
}

// diffSums lists the lines of two stableChecksum results that differ.
func diffSums(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "want "+a+"\n got "+b)
		}
	}
	return strings.Join(out, "\n")
}
