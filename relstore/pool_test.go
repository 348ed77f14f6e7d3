package relstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestPoolSettings: the store's sessions (relstore.NewPool) run in UTC,
// with generic plans and without JIT compilation. With JIT on, the generic
// plan of an EdOrg write's closure verification on a fresh database
// crossed jit_above_cost and spent 40–150 ms compiling a statement that
// runs in under 3 ms.
func TestPoolSettings(t *testing.T) {
	env := relstoretest.New(t, "pool_settings")
	for _, c := range []struct{ name, want string }{
		{"TimeZone", "UTC"}, {"plan_cache_mode", "force_generic_plan"}, {"jit", "off"},
	} {
		var got string
		if err := env.Pool.QueryRow(context.Background(), "SELECT current_setting($1)", c.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.name, got, c.want)
		}
	}
	if got := env.Pool.Config().ConnConfig.StatementCacheCapacity; got != relstore.DefaultStatementCacheCapacity {
		t.Errorf("statement cache capacity %d, want %d", got, relstore.DefaultStatementCacheCapacity)
	}
	// A capacity the DSN sets is kept.
	sep := "?"
	if strings.Contains(env.DSN, "?") {
		sep = "&"
	}
	cfg, err := pgxpool.ParseConfig(env.DSN + sep + "statement_cache_capacity=64")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := relstore.NewPool(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if got := pool.Config().ConnConfig.StatementCacheCapacity; got != 64 {
		t.Errorf("statement cache capacity %d with statement_cache_capacity=64 in the DSN", got)
	}
}
