package runtimebench

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// holdAutovacuumSQL turns autovacuum off on every ordinary table of the
// database (the per-table reloption autovacuum_enabled; the server's own
// setting and other databases are left alone). An automatic ANALYZE that
// lands in a timed load invalidates the cached generic plans of every
// statement touching the analyzed table, on every connection: each is
// planned again at its next execution (2–11 ms for the largest DS 5.0
// statements), once per table as the worker moves through them, and with
// the statistics of half-loaded tables. Loads then swung between 811 and
// 1,421 docs/s with 512–1,004 us of server CPU per document (pg_stat_statements
// counted 3,049 plannings in 16 loads against 19 with autovacuum off,
// where six loads stayed within 1,333–1,415 docs/s). The benchmarks
// analyze explicitly before they read (ensureAnalyzed).
const holdAutovacuumSQL = `DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT c.oid::regclass FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
      ORDER BY 1
  LOOP
    EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = off)', t);
  END LOOP;
END $$`

// holdAutovacuum turns autovacuum off on every table of the pool's
// database (holdAutovacuumSQL), so that no automatic ANALYZE re-plans
// the stores' statements in the middle of a timed run.
func holdAutovacuum(tb testing.TB, pool *pgxpool.Pool) {
	tb.Helper()
	if _, err := pool.Exec(context.Background(), holdAutovacuumSQL); err != nil {
		tb.Fatalf("turn autovacuum off on the benchmark's tables: %v", err)
	}
}

// TestHoldAutovacuum checks that holdAutovacuum leaves no table of the
// database with autovacuum on, and nothing else changed: the tables are
// the baseline's, quoted names included.
func TestHoldAutovacuum(t *testing.T) {
	env := newJSONB(t, exampleManifest(t), "autovacuum")
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `CREATE SCHEMA "Quoted Schema"; CREATE TABLE "Quoted Schema"."Mixed Case" (id int)`); err != nil {
		t.Fatal(err)
	}
	const count = `SELECT count(*) FILTER (WHERE coalesce((SELECT o.option_value FROM pg_options_to_table(c.reloptions) o
  WHERE o.option_name = 'autovacuum_enabled'), 'on')::boolean), count(*)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')`
	var on, all int
	if err := env.Pool.QueryRow(ctx, count).Scan(&on, &all); err != nil {
		t.Fatal(err)
	}
	if on != all || all < 4 {
		t.Fatalf("before: %d of %d tables with autovacuum on, want all of at least 4", on, all)
	}
	holdAutovacuum(t, env.Pool)
	if err := env.Pool.QueryRow(ctx, count).Scan(&on, &all); err != nil {
		t.Fatal(err)
	}
	if on != 0 {
		t.Fatalf("after: %d of %d tables with autovacuum on", on, all)
	}
}
