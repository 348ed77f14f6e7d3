package testenv

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// LegacyToolsEnv names the directory of the shared legacy-store tools
// (build_legacy_db.sh and its companions; default tools/legacy-pg beside
// the fixture corpus, that is ../shared/tools/legacy-pg).
const LegacyToolsEnv = "DMSC_LEGACY_TOOLS"

// LegacyTools returns the directory holding build_legacy_db.sh:
// $DMSC_LEGACY_TOOLS when set, else tools/legacy-pg beside the fixture
// corpus. It skips the test when the script, psql or python3 is missing.
func LegacyTools(t testing.TB) string {
	t.Helper()
	dir, from := os.Getenv(LegacyToolsEnv), "$"+LegacyToolsEnv
	if dir == "" {
		dir, from = filepath.Join(filepath.Dir(Fixtures(t)), "tools", "legacy-pg"), "beside the fixture corpus"
	}
	if _, err := os.Stat(filepath.Join(dir, "build_legacy_db.sh")); err != nil {
		t.Skipf("no legacy-store tools at %s (%s): set %s to the directory holding build_legacy_db.sh (../shared/tools/legacy-pg)", dir, from, LegacyToolsEnv)
	}
	for _, tool := range []string{"psql", "python3", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("building a legacy DMS database needs %s on PATH", tool)
		}
	}
	return dir
}

// BuildLegacyDatabase builds a legacy DMS JSONB database named name on the
// server of DMSC_PG_DSN with the shared build_legacy_db.sh (the upstream
// legacy DDL, the DS 5.0 corpus loaded as the legacy backend wrote it),
// replacing any database of that name, and returns its DSN. It skips
// without PostgreSQL, the fixtures or the tools. The caller drops the
// database (DropPostgresDatabase): a test binary may build it once and
// copy it per test (NewPostgresDatabaseFrom).
func BuildLegacyDatabase(t testing.TB, name string) string {
	t.Helper()
	base := PostgresDSN(t)
	tools := LegacyTools(t)
	fixtures := Fixtures(t)
	cmd := exec.Command("bash", filepath.Join(tools, "build_legacy_db.sh"))
	cmd.Env = append(os.Environ(), "ADMIN_DSN="+base, "DB="+name, "FIX="+fixtures, "OUT="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build_legacy_db.sh: %v\n%s", err, stderr.String())
	}
	if strings.TrimSpace(stdout.String()) == "" {
		t.Fatalf("build_legacy_db.sh printed no DSN\n%s", stderr.String())
	}
	return WithDatabase(t, base, name)
}

// NewPostgresDatabaseFrom creates a database as NewPostgresDatabase does,
// as a copy of the database template (which must have no sessions), drops
// it when the test ends and returns its DSN.
func NewPostgresDatabaseFrom(t testing.TB, prefix, label, template string) string {
	t.Helper()
	base := PostgresDSN(t)
	name := PostgresDatabaseName(prefix, label)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	defer admin.Close(ctx)
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize())
		var pgErr *pgconn.PgError
		// 55006: the template is busy (another copy being made).
		if err == nil || attempt == 50 || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create database %s from %s: %v", name, template, err)
	}
	t.Cleanup(func() { DropPostgresDatabase(t, base, name) })
	return WithDatabase(t, base, name)
}
