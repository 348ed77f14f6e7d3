package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/fingerprint"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestOlderDatabaseRefused: a database provisioned by an older dmsc is
// refused with exit 3 and the next step, never a failed statement.
//   - Opened with the manifest it stored (no -s), its fingerprint
//     matches but it lacks dms.DocumentCacheQueue: the message names the
//     table and points to docs/runtime.md (Upgrading a database);
//     inspect prints what the database holds first.
//   - Opened with -s, whose mapping version differs: the message names
//     both mapping versions and says to drop -s.
func TestOlderDatabaseRefused(t *testing.T) {
	base := testenv.PostgresDSN(t)
	name := fmt.Sprintf("dmsc_cli_old_%d", time.Now().UnixNano())
	dsn := withDatabase(t, base, name)
	t.Cleanup(func() { dropDatabase(t, base, name) })
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn, "--create-database")...), ExitOK)
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), `DROP TABLE "dms"."DocumentCacheQueue"`); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "cache", "project", "--dsn", dsn)
	mustCode(t, r, ExitFingerprintMismatch)
	if !strings.Contains(r.stderr, `"dms"."DocumentCacheQueue"`) || !strings.Contains(r.stderr, "docs/runtime.md (Upgrading a database)") {
		t.Errorf("cache project on a database without the queue:\n%s", r.stderr)
	}
	// inspect still shows what the database holds, then refuses.
	r = runCLI(t, "inspect", "--dsn", dsn)
	mustCode(t, r, ExitFingerprintMismatch)
	if !strings.Contains(r.stdout, "mapping version: ") || !strings.Contains(r.stderr, `"dms"."DocumentCacheQueue"`) {
		t.Errorf("inspect of a database without the queue:\n%s\n%s", r.stdout, r.stderr)
	}
	// The same database as a dmsc-2 one: another mapping version hashed.
	if _, err := conn.Exec(t.Context(), `UPDATE "dms"."EffectiveSchema" SET "MappingVersion" = 'dmsc-2', "EffectiveSchemaHash" = repeat('a', 64)`); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, withExample("cache", "project", "--dsn", dsn)...)
	mustCode(t, r, ExitFingerprintMismatch)
	if !strings.Contains(r.stderr, "mapping version dmsc-2 in the database, "+fingerprint.MappingVersion+" in the manifest") || !strings.Contains(r.stderr, "drop -s") {
		t.Errorf("cache project -s on a dmsc-2 database:\n%s", r.stderr)
	}
}
