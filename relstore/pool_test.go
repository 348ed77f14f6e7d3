package relstore_test

import (
	"context"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
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
}
