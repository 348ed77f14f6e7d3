package migrate

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
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
	ds50Model    *model.Model
	ds50Manifest *manifest.Manifest

	// The DS 5.0 target, provisioned once as a template.
	targetOnce     sync.Once
	targetTemplate string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, name := range []string{legacyTemplate, targetTemplate} {
		if name == "" {
			continue
		}
		if err := dropDatabase(os.Getenv(testenv.PostgresEnv), name); err != nil {
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
	ds50Once.Do(func() {
		ds50Model = relstoretest.Compile(t, file)
		ds50Manifest = compiler.Manifest(ds50Model)
	})
	if ds50Manifest == nil {
		t.Fatal("compiling DS 5.0 failed (see the first test that tried)")
	}
	return ds50Manifest
}

// newTargetDS50 returns the DSN of the test's own relational target,
// provisioned for DS 5.0 (a copy of a template provisioned once).
func newTargetDS50(t *testing.T) string {
	t.Helper()
	base := testenv.PostgresDSN(t)
	m := ds50(t)
	targetOnce.Do(func() {
		name := testenv.PostgresDatabaseName("migrate", "targetds50")
		ctx := context.Background()
		_ = dropDatabase(base, name)
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		targetTemplate = name
		data, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := provision.Provision(ctx, testenv.WithDatabase(t, base, name), ds50Model, "", provision.Options{Manifest: data}); err != nil {
			t.Fatalf("provision: %v", err)
		}
	})
	if targetTemplate == "" {
		t.Fatal("provisioning the target template failed (see the first test that tried)")
	}
	return testenv.NewPostgresDatabaseFrom(t, "migrate", t.Name()+"-target", targetTemplate)
}

// openStore opens the runtime on dsn with edge and auth-row verification
// (the pool closes when the test ends).
func openStore(t *testing.T, dsn string) *relstore.Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = storeApplication
	pool, err := relstore.NewPool(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := relstore.Open(t.Context(), ds50(t), pool, relstore.Options{VerifyEdges: true, VerifyAuthRows: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// storeApplication is the application_name of openStore's sessions.
const storeApplication = "dmsc-migrate-test-store"

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

// workConfig is the connection the preflight's temporary tables go in:
// the test server's default database (nothing outlasts the session).
func workConfig(t *testing.T) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig(testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
