package ddl

import (
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestPostgresApply applies every case's pgsql.sql to a fresh database,
// applies it again (no error, identical catalog and seed rows), compares
// the catalog with the model and verifies the result.
func TestPostgresApply(t *testing.T) {
	testenv.PostgresDSN(t)
	start := time.Now()
	t.Cleanup(func() { t.Logf("all cases in %v", time.Since(start).Round(time.Millisecond)) })
	schemacase.ForEach(t, true, func(t *testing.T, c *schemacase.Case) {
		ctx := t.Context()
		m, script := c.Model(model.PgSQL), c.Script(t, model.PgSQL, Render)
		conn := pgtest.Connect(t, pgtest.NewDatabase(t, "ddl", c.Name))
		t0 := time.Now()
		if err := pgtest.ExecScript(ctx, conn, script); err != nil {
			t.Fatalf("first apply: %v", err)
		}
		t1 := time.Now()
		first := pgtest.MustSnapshot(t, conn)
		if err := pgtest.ExecScript(ctx, conn, script); err != nil {
			t.Fatalf("second apply: %v", err)
		}
		t2 := time.Now()
		if d := pgtest.DiffLines(first.Lines(), pgtest.MustSnapshot(t, conn).Lines(), 40); d != "" {
			t.Errorf("the second apply changed the database:\n%s", d)
		}
		comparePGCatalog(t, first, m)
		t.Logf("%d tables: first apply %v, second %v", len(first.Columns), t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond))
	})
}
