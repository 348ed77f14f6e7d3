package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestMigrateLegacyUsage: the flags that are required or not yet
// supported are usage errors (exit 2) before any database is opened.
func TestMigrateLegacyUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "legacy", "--dsn", "postgres://x/y", "--preflight-only"}, "the legacy database is required: --from LEGACY_DSN"},
		{[]string{"migrate", "legacy", "--from", "postgres://x/y", "--preflight-only"}, "a database is required: --dsn DSN"},
		{[]string{"migrate", "legacy", "--from", "sqlserver://x/y", "--dsn", "postgres://x/y", "--preflight-only"}, "--from must name the legacy PostgreSQL database"},
		{[]string{"migrate", "legacy", "--from", "postgres://x/y", "--dsn", "postgres://x/y", "--workers", "0"}, "--workers 0: must be positive"},
		{[]string{"migrate", "verify", "--dsn", "postgres://x/y"}, "the legacy database is required: --from LEGACY_DSN"},
		{[]string{"migrate", "catch-up", "--dsn", "postgres://x/y", "--freeze-check"}, "the legacy database is required: --from LEGACY_DSN"},
		{[]string{"migrate", "catch-up", "--from", "postgres://x/y", "--dsn", "postgres://x/y", "--batch-size", "-1"}, "--batch-size -1: must be positive"},
		{[]string{"migrate", "legacy", "--from", "postgres://x/y", "--dsn", "postgres://x/y", "--preflight-only", "--batch-size", "0"}, "--batch-size 0: must be positive"},
	} {
		r := runCLI(t, c.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, "Run 'dmsc migrate "+c.args[1]+" --help'") {
			t.Errorf("%v: exit %d, stderr %s; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestMigrateLegacyPreflight runs the preflight from the command line on
// the DS 5.0 legacy database built by the shared tool: exit 1 with the 64
// documents listed (67 findings: three CourseTranscripts hold two such
// values; text and JSON), and exit 3 when the target holds
// another schema set; then the backfill (exit 0, 754 documents copied, the
// 64 rejected listed), dmsc migrate verify (exit 0), a second backfill
// (nothing copied) and verify after a change in the target (exit 1).
func TestMigrateLegacyPreflight(t *testing.T) {
	base := testenv.PostgresDSN(t)
	name := testenv.PostgresDatabaseName("cli", "legacy")
	legacy := testenv.BuildLegacyDatabase(t, name)
	t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, name) })
	ds50 := testenv.DS50(t)
	// The migration creates the target database; it is dropped by name.
	targetName := testenv.PostgresDatabaseName("cli", "nosuchtarget")
	target := testenv.WithDatabase(t, base, targetName)

	r := runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", target, "-s", ds50, "--preflight-only", "-q")
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stdout, "818 documents in 114 resources: 754 migratable, 64 rejected\n  integer-out-of-range (rejected): 64 documents\n") ||
		strings.Count(r.stdout, ": integer-out-of-range: ") != 67 {
		t.Errorf("text report:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "64 of 818 legacy documents cannot be migrated") {
		t.Errorf("stderr: %s", r.stderr)
	}

	r = runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", target, "-s", ds50, "--preflight-only", "-q", "--format", "json")
	mustCode(t, r, ExitFailure)
	var rep struct {
		Documents, Rejected int
		Findings            []struct{ Code, Path, Value, Document string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if rep.Documents != 818 || rep.Rejected != 64 || len(rep.Findings) != 67 || rep.Findings[0].Value != "30101999999" {
		t.Errorf("json report: %+v", rep)
	}

	provisioned := testenv.NewPostgresDatabase(t, "cli", "migratetarget")
	mustCode(t, runCLI(t, append([]string{"ddl", "provision", "--dsn", provisioned, "-q"}, exampleSchema...)...), ExitOK)
	r = runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", provisioned, "-s", ds50, "--preflight-only", "-q")
	mustCode(t, r, ExitFingerprintMismatch)

	r = runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", target, "-s", ds50, "-q", "--format", "json", "--batch-size", "100")
	t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, targetName) })
	mustCode(t, r, ExitOK)
	var bf struct {
		Copied, Rejected, Failed int
		AlreadyCopied            int `json:"already_copied"`
		// The verification at the end of the backfill.
		Verify *struct{ Compared, Differing int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &bf); err != nil || bf.Copied != 754 || bf.Rejected != 64 || bf.Failed != 0 {
		t.Fatalf("backfill: %+v (%v)\n%s", bf, err, r.stderr)
	}
	if bf.Verify == nil || bf.Verify.Compared != 754 || bf.Verify.Differing != 0 {
		t.Errorf("the backfill's verification: %+v", bf.Verify)
	}
	r = runCLI(t, "migrate", "verify", "--from", legacy, "--dsn", target)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "754 documents compared, 0 differ") {
		t.Errorf("verify:\n%s", r.stdout)
	}
	r = runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", target)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "818 documents: 0 copied now, 754 copied before, 64 rejected by the preflight, 0 refused by the target\n") ||
		strings.Count(r.stdout, ": integer-out-of-range: ") != 67 || !strings.Contains(r.stdout, "754 documents compared, 0 differ") {
		t.Errorf("second backfill:\n%s", r.stdout)
	}
	// A difference in the target fails the backfill's verification (exit
	// 1), and --verify=false leaves it out.
	execPG(t, target, `UPDATE edfi."School" SET "NameOfInstitution" = "NameOfInstitution" || ' (changed)' WHERE "SchoolId" = (SELECT min("SchoolId") FROM edfi."School")`)
	r = runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", target, "-q")
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "verification found") || !strings.Contains(r.stdout, "754 documents compared, 1 differ") {
		t.Errorf("backfill over a changed target:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	mustCode(t, runCLI(t, "migrate", "legacy", "--from", legacy, "--dsn", target, "-q", "--verify=false"), ExitOK)
	execPG(t, target, `UPDATE edfi."School" SET "NameOfInstitution" = left("NameOfInstitution", -length(' (changed)')) WHERE "NameOfInstitution" LIKE '% (changed)'`)
	migrateCatchUpCLI(t, legacy, target)
	execPG(t, target, `UPDATE edfi."Student" SET "FirstName" = 'Changed'`)
	r = runCLI(t, "migrate", "verify", "--from", legacy, "--dsn", target, "--format", "json")
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stdout, `"code": "document-differs"`) || !strings.Contains(r.stderr, "verification found") {
		t.Errorf("verify after a change:\n%s\n%s", r.stdout, r.stderr)
	}

	r = runCLI(t, "migrate", "legacy", "--from", provisioned, "--dsn", provisioned, "--preflight-only")
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "is not a legacy DMS JSONB store") || !strings.Contains(r.stderr, "it is a dmsc relational store") {
		t.Errorf("relational store as legacy: %s", r.stderr)
	}
}

// migrateCatchUpCLI: after the backfill, dmsc migrate catch-up
// --freeze-check exits 0 (nothing changed; the 64 rejected documents are
// skipped, not a change); after an update in the legacy store it exits 1
// naming the resource; a pass applies it (exit 0, verification clean)
// and the freeze check exits 0 again.
func migrateCatchUpCLI(t *testing.T, legacy, target string) {
	t.Helper()
	r := runCLI(t, "migrate", "catch-up", "--from", legacy, "--dsn", target, "--freeze-check")
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "818 legacy documents, 754 copied: 0 new, 0 changed, 0 deleted since the last pass; 64 skipped before and unchanged\n") {
		t.Errorf("freeze check after the backfill:\n%s", r.stdout)
	}
	execPG(t, legacy, `UPDATE dms.Document SET EdfiDoc = EdfiDoc || jsonb_build_object('firstName', 'Delta', '_lastModifiedDate', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
  LastModifiedAt = clock_timestamp(), LastModifiedTraceId = 'cli-delta' WHERE DocumentUuid = (SELECT DocumentUuid FROM dms.Document WHERE ResourceName = 'Student' ORDER BY Id LIMIT 1)`)
	r = runCLI(t, "migrate", "catch-up", "--from", legacy, "--dsn", target, "--freeze-check")
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stdout, "Ed-Fi:Student  0    1        0") || !strings.Contains(r.stderr, "the legacy store changed since the last pass (0 new, 1 changed, 0 deleted)") {
		t.Errorf("freeze check after an update:\n%s\n%s", r.stdout, r.stderr)
	}
	r = runCLI(t, "migrate", "catch-up", "--from", legacy, "--dsn", target, "--format", "json")
	mustCode(t, r, ExitOK)
	var rep struct {
		Updated int
		Verify  struct{ Compared int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Updated != 1 || rep.Verify.Compared != 754 {
		t.Errorf("catch-up: %+v (%v)\n%s\n%s", rep, err, r.stdout, r.stderr)
	}
	mustCode(t, runCLI(t, "migrate", "catch-up", "--from", legacy, "--dsn", target, "--freeze-check"), ExitOK)
}
