// Package testenv locates what tests need from outside the package under
// test: the repository root, the shared fixture corpus and the databases.
// Every helper skips the calling test, saying why and how to enable it, when
// its resource is absent, so `go test ./...` passes on a bare clone.
//
// It is imported only by _test.go files. Importing it also defines the
// -update flag of package golden, so `go test ./... -update` runs in every
// package whose tests use testenv.
package testenv

import (
	"os"
	"path/filepath"
	"testing"

	// Linked for its -update flag: every test binary that uses testenv
	// accepts `go test ./... -update`, even without golden files.
	_ "github.com/edfi-dmsc/dmsc/golden"
)

// Environment variables read by this package.
const (
	// FixturesEnv names the fixture corpus directory
	// (default <repo root>/../shared/fixtures).
	FixturesEnv = "DMSC_FIXTURES"
	// PostgresEnv holds a PostgreSQL connection string for integration
	// tests, e.g. postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable.
	PostgresEnv = "DMSC_PG_DSN"
	// MSSQLEnv holds a SQL Server connection string for integration tests.
	MSSQLEnv = "DMSC_MSSQL_DSN"
)

// RepoRoot returns the directory holding go.mod, found by walking up from the
// test's working directory (its package directory). It fails the test when
// there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: working directory: %v", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("testenv: no go.mod in %s or any parent", dir)
			return ""
		}
	}
}

// Fixtures returns the shared fixture corpus directory: $DMSC_FIXTURES when
// set, else <repo root>/../shared/fixtures. It skips the test when that
// directory does not exist.
func Fixtures(t testing.TB) string {
	t.Helper()
	dir, from := os.Getenv(FixturesEnv), "$"+FixturesEnv
	if dir == "" {
		dir, from = filepath.Join(filepath.Dir(RepoRoot(t)), "shared", "fixtures"), "the default"
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Skipf("no fixture corpus at %s (%s): set %s to the shared fixtures directory or place it at ../shared/fixtures beside the repository", dir, from, FixturesEnv)
	}
	return dir
}

// PostgresDSN returns $DMSC_PG_DSN, or skips the test when it is unset.
// `.ci/run` starts a throwaway server and sets it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		t.Skipf("no PostgreSQL: set %s (for example postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable; .ci/run starts one)", PostgresEnv)
	}
	return dsn
}

// MSSQLDSN returns $DMSC_MSSQL_DSN, or skips the test when it is unset.
func MSSQLDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(MSSQLEnv)
	if dsn == "" {
		t.Skipf("no SQL Server: set %s", MSSQLEnv)
	}
	return dsn
}
