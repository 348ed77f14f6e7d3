package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

func TestDDLEmitDirectory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	r := runCLI(t, "ddl", "emit", "-o", out)
	mustCode(t, r, ExitOK)
	for _, name := range []string{"pgsql.sql", "mssql.sql", "manifest.pgsql.json", "manifest.mssql.json", "effective-schema.json", "ddl-manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s", name)
		}
	}
	// A non-empty directory is refused without --force and left alone.
	r = runCLI(t, "ddl", "emit", "-o", out)
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("stderr does not mention --force: %s", r.stderr)
	}
	mustCode(t, runCLI(t, "ddl", "emit", "-o", out, "--force", "-q"), ExitOK)
	// One dialect writes only its files.
	one := filepath.Join(t.TempDir(), "one")
	mustCode(t, runCLI(t, "ddl", "emit", "-o", one, "--dialect", "mssql", "-q"), ExitOK)
	entries, _ := os.ReadDir(one)
	if len(entries) != 4 {
		t.Errorf("mssql only: %d files, want 4", len(entries))
	}
	// No temporary directories are left behind.
	siblings, _ := os.ReadDir(filepath.Dir(out))
	for _, s := range siblings {
		if strings.Contains(s.Name(), ".tmp-") {
			t.Errorf("left over %s", s.Name())
		}
	}
}

func TestDDLEmitStdout(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	mustCode(t, runCLI(t, "ddl", "emit", "-q", "-o", out, "--dialect", "pgsql"), ExitOK)
	want, err := os.ReadFile(filepath.Join(out, "pgsql.sql"))
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "ddl", "emit", "-q", "-o", "-", "--dialect", "pgsql")
	mustCode(t, r, ExitOK)
	if r.stdout != string(want) {
		t.Error("-o - differs from the written pgsql.sql")
	}
	mustCode(t, runCLI(t, "ddl", "emit", "-o", "-"), ExitUsage)
	mustCode(t, runCLI(t, "ddl", "emit"), ExitUsage)
	mustCode(t, runCLI(t, "ddl", "emit", "-o", out, "--dialect", "db2"), ExitUsage)
}

// TestDDLCheck: up to date → 0; a one-character change, a missing file and
// an extra file → 1 with a diff summary.
func TestDDLCheck(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	mustCode(t, runCLI(t, "ddl", "emit", "-q", "-o", out), ExitOK)
	r := runCLI(t, withExample("ddl", "check", "-q", "--against", out)...)
	mustCode(t, r, ExitOK)

	script := filepath.Join(out, "mssql.sql")
	data, _ := os.ReadFile(script)
	i := strings.Index(string(data), "CREATE TABLE")
	changed := append(append(append([]byte(nil), data[:i]...), 'c'), data[i+1:]...)
	if err := os.WriteFile(script, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, withExample("ddl", "check", "-q", "--against", out)...)
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stdout, "differs: "+script) || !strings.Contains(r.stdout, "-cREATE TABLE") || !strings.Contains(r.stderr, "stale") {
		t.Errorf("no diff summary:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	os.WriteFile(script, data, 0o644)

	os.Remove(filepath.Join(out, "ddl-manifest.json"))
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("x"), 0o644)
	r = runCLI(t, withExample("ddl", "check", "-q", "--against", out)...)
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stdout, "missing: ") || !strings.Contains(r.stdout, "extra: ") {
		t.Errorf("missing/extra not reported: %s", r.stdout)
	}
	mustCode(t, runCLI(t, withExample("ddl", "check")...), ExitUsage)
}

// TestDDLProvision provisions the example into a fresh PostgreSQL database
// (created by --create-database), provisions it again (already
// provisioned, exit 0), then refuses another schema set with exit 3 and
// both hashes.
func TestDDLProvision(t *testing.T) {
	base := testenv.PostgresDSN(t)
	name := fmt.Sprintf("dmsc_cli_%d", time.Now().UnixNano())
	dsn := withDatabase(t, base, name)
	t.Cleanup(func() { dropDatabase(t, base, name) })

	r := runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn, "--create-database")...)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "applied") {
		t.Errorf("stdout: %s", r.stdout)
	}
	r = runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "already provisioned") {
		t.Errorf("second run: %s", r.stdout)
	}
	other := filepath.Join(testenv.RepoRoot(t), "testdata", "cases", "naming", "inputs", "ApiSchema.json")
	r = runCLI(t, "ddl", "provision", "-q", "-s", other, "--dsn", dsn)
	mustCode(t, r, ExitFingerprintMismatch)
	hashes := runCLI(t, "hash", "-s", other)
	if !strings.Contains(r.stderr, strings.TrimSpace(hashes.stdout)) {
		t.Errorf("mismatch message lacks the schema set's hash: %s", r.stderr)
	}
	t.Setenv("DMSC_DSN", dsn)
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q")...), ExitOK)
	t.Setenv("DMSC_DSN", "")
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q")...), ExitUsage)
}

// withDatabase returns dsn with its database replaced by name.
func withDatabase(t *testing.T, dsn, name string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

func dropDatabase(t *testing.T, dsn, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Logf("drop %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
		t.Logf("drop %s: %v", name, err)
	}
}
