package migrate

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// The DS 5.0 legacy database is built once per test binary (a few
// seconds) as a template; each test works on its own copy.
var (
	legacyOnce     sync.Once
	legacyTemplate string // "" until built
	legacyFailed   bool

	ds50Once     sync.Once
	ds50Manifest *manifest.Manifest
)

func TestMain(m *testing.M) {
	code := m.Run()
	if legacyTemplate != "" {
		if err := dropDatabase(os.Getenv(testenv.PostgresEnv), legacyTemplate); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// dropDatabase drops a database outside any test.
func dropDatabase(base, name string) error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// newLegacyDS50 returns the DSN of the test's own copy of the DS 5.0
// legacy database (skipping without PostgreSQL, fixtures or tools).
func newLegacyDS50(t *testing.T) string {
	t.Helper()
	testenv.PostgresDSN(t)
	testenv.LegacyTools(t)
	legacyOnce.Do(func() {
		name := testenv.PostgresDatabaseName("migrate", "legacyds50")
		legacyFailed = true
		testenv.BuildLegacyDatabase(t, name)
		legacyTemplate, legacyFailed = name, false
	})
	if legacyFailed {
		t.Fatal("building the legacy database failed (see the first test that tried)")
	}
	return testenv.NewPostgresDatabaseFrom(t, "migrate", t.Name(), legacyTemplate)
}

// ds50 returns the DS 5.0 runtime manifest (compiled once).
func ds50(t *testing.T) *manifest.Manifest {
	t.Helper()
	file := testenv.DS50(t)
	ds50Once.Do(func() { ds50Manifest = compiler.Manifest(relstoretest.Compile(t, file)) })
	if ds50Manifest == nil {
		t.Fatal("compiling DS 5.0 failed (see the first test that tried)")
	}
	return ds50Manifest
}

// openLegacy opens the legacy store at dsn, failing the test on error.
func openLegacy(t *testing.T, dsn string) *Legacy {
	t.Helper()
	l, err := OpenLegacy(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// query runs a one-column query on dsn and returns the values.
func query(t *testing.T, dsn, sql string, args ...any) []string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// execSQL runs statements on dsn (the test's own copy).
func execSQL(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// checksum fingerprints every table of every non-system schema of dsn
// (contents, ordered) and the catalog's list of relations.
func checksum(t *testing.T, dsn string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	one := func(sql string) string {
		var s string
		if err := conn.QueryRow(t.Context(), sql).Scan(&s); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return s
	}
	sum := one(`SELECT md5(string_agg(format('%s.%s:%s', n.nspname, c.relname, c.relkind), ',' ORDER BY n.nspname, c.relname))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`)
	rows, err := conn.Query(t.Context(), `SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		sum += ";" + tb + "=" + one(`SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM `+tb+` x`)
	}
	return sum
}
