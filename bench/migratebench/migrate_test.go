package migratebench

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/migrate"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// migrateGenerated migrates the generated legacy database legacyDSN into a
// fresh DS 5.0 target as `dmsc migrate legacy` does (the backfill with its
// verification) and checks the counts, that the progress ended at 100%,
// and that the verification found nothing: every copied document equal to
// its legacy body, the reference pairs equal to the edges both ways.
func migrateGenerated(t *testing.T, base, legacyDSN string, wantCopied, wantRejected int64) {
	t.Helper()
	ctx := context.Background()
	m := relstoretest.Compile(t, testenv.DS50(t))
	tpl, err := ensureTemplate(ctx, base, m)
	if err != nil {
		t.Fatal(err)
	}
	target := testenv.NewPostgresDatabaseFrom(t, "migratebench", "target", tpl)
	cfg, err := pgxpool.ParseConfig(target)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := relstore.NewPool(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st, err := relstore.Open(ctx, compiler.Manifest(m), pool, relstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := migrate.OpenLegacy(ctx, legacyDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer legacy.Close()
	var last, total int64
	rep, err := migrate.Backfill(ctx, legacy, st, migrate.Options{Progress: func(d, n int64) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Copied != wantCopied || rep.Rejected != wantRejected || rep.Failed != 0 || !rep.OK() {
		t.Errorf("backfill: copied %d, rejected %d, failed %d; want %d, %d, 0; failures %v", rep.Copied, rep.Rejected, rep.Failed, wantCopied, wantRejected, rep.Failures)
	}
	if last != wantCopied || total != wantCopied {
		t.Errorf("the progress ended at %d/%d, want %d/%d", last, total, wantCopied, wantCopied)
	}
	v := rep.Verify
	switch {
	case v == nil:
		t.Error("the backfill did not verify")
	case !v.OK() || v.Compared != wantCopied || v.LegacyEdges == 0 || v.LegacyEdges != v.TargetEdges:
		t.Errorf("verification: %d compared (want %d), %d differ, %d legacy pairs, %d edges; findings %v",
			v.Compared, wantCopied, v.Differing, v.LegacyEdges, v.TargetEdges, v.Findings)
	}
}
