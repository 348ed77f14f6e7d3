package relstore_test

import (
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestStatementCacheHoldsDS50 sends the statements a DS 5.0 server sends
// on one connection: the corpus POSTed (creates and updates) and read back
// by package roundtrip, then for every resource a first page, a page with
// its total count, an offset page and a keyset page. It checks that the
// connection holds every statement it prepared (pgx's cache, sized by
// NewPool, evicted none: an eviction plans a 2–11 ms generic plan again
// on its next use) and logs how many there are and the server memory of
// the backend holding their plans, by memory context. With pgx's default
// of 512 it fails: the workload prepares 561.
func TestStatementCacheHoldsDS50(t *testing.T) {
	fx := testenv.Fixtures(t)
	env := relstoretest.NewWithModel(t, "stmtcache", relstoretest.Compile(t, testenv.DS50(t)), relstore.Options{},
		func(cfg *pgxpool.Config) { cfg.MaxConns, cfg.MinConns = 1, 1 })
	ctx := t.Context()
	set, err := roundtrip.Discover(filepath.Join(fx, "documents", "ds-5.0"), env.Store.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := roundtrip.Load(ctx, env.Store, set, nil); err != nil {
		t.Fatal(err)
	}
	m := env.Store.Manifest()
	for _, r := range m.Resources {
		for _, q := range []relstore.QueryOptions{{}, {TotalCount: true}, {Offset: 1}} {
			p, err := env.Store.Query(ctx, r.ProjectEndpoint, r.EndpointName, q)
			if err != nil {
				t.Fatalf("%s/%s %+v: %v", r.ProjectEndpoint, r.EndpointName, q, err)
			}
			if p.Next != "" {
				if _, err := env.Store.Query(ctx, r.ProjectEndpoint, r.EndpointName, relstore.QueryOptions{After: p.Next}); err != nil {
					t.Fatalf("%s/%s after %s: %v", r.ProjectEndpoint, r.EndpointName, p.Next, err)
				}
			}
		}
	}
	conn, err := env.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var prepared, memory int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&prepared); err != nil {
		t.Fatal(err)
	}
	// pg_backend_memory_contexts: PostgreSQL 14 and later.
	if err := conn.QueryRow(ctx, `SELECT coalesce(sum(total_bytes), 0)::bigint FROM pg_backend_memory_contexts`).Scan(&memory); err != nil {
		t.Logf("backend memory not read: %v", err)
	}
	rows, err := conn.Query(ctx, `SELECT name, count(*), sum(total_bytes)::bigint FROM pg_backend_memory_contexts GROUP BY name ORDER BY 3 DESC LIMIT 6`)
	if err == nil {
		for rows.Next() {
			var name string
			var n, bytes int64
			if rows.Scan(&name, &n, &bytes) == nil {
				t.Logf("  %s: %d contexts, %.1f MB", name, n, float64(bytes)/(1<<20))
			}
		}
		rows.Close()
	}
	capacity := env.Pool.Config().ConnConfig.StatementCacheCapacity
	t.Logf("%d resources: %d statements prepared on the connection (cache capacity %d); backend memory %.1f MB",
		len(m.Resources), prepared, capacity, float64(memory)/(1<<20))
	if prepared < 2 {
		t.Fatalf("%d statements prepared: the workload did not run on the measured connection", prepared)
	}
	if prepared >= int64(capacity) {
		t.Errorf("the workload prepared %d statements on one connection; the cache holds %d, so some were evicted and planned again", prepared, capacity)
	}
}
