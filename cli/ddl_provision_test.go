package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// execPG runs sql on the database at dsn.
func execPG(t *testing.T, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
}

// wrongSchool is example.School as a DBA might have created it by hand
// before dmsc ran: SchoolId is a nullable varchar instead of integer NOT
// NULL, NameOfInstitution is too short and WebSite is missing. The script's
// CREATE TABLE IF NOT EXISTS keeps this table; everything else the script
// does (foreign keys, indexes, the EducationOrganization view, which casts
// SchoolId to integer) still succeeds on it.
const wrongSchool = `CREATE SCHEMA "example";
CREATE TABLE "example"."School" (
    "DocumentId" bigint NOT NULL,
    "LocalEducationAgency_DocumentId" bigint NULL,
    "FactsCampusAcreage" numeric(7,3) NULL,
    "FactsCampusHasFarm" boolean NULL,
    "FactsEnrollmentCapacity" integer NULL,
    "FactsOpenedOn" date NULL,
    "FactsSquareFootage" numeric(9,2) NULL,
    "NameOfInstitution" varchar(60) NOT NULL,
    "SchoolId" varchar(20) NULL,
    "ShortNameOfInstitution" varchar(20) NULL,
    CONSTRAINT "PK_School" PRIMARY KEY ("DocumentId")
);`

// TestDDLProvisionWrongColumnTypes: a pre-existing table with wrong column
// types survives the script; provisioning must fail (exit 1, rolled back)
// naming every mismatching column with the expected and the found type,
// instead of reporting "verified" and leaving the first POST to fail.
func TestDDLProvisionWrongColumnTypes(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "wrongtypes")
	execPG(t, dsn, wrongSchool)

	r := runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...)
	if r.code != ExitFailure {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, ExitFailure, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"example.School.SchoolId: expected integer NOT NULL, found character varying(20) NULL",
		"example.School.NameOfInstitution: expected character varying(75) NOT NULL, found character varying(60) NOT NULL",
		"example.School.WebSite: expected character varying(255) NULL, missing",
		"example.School: expected unique key UX_School_NK (SchoolId), missing",
		"rolled back",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "verified") {
		t.Errorf("stdout claims verification: %s", r.stdout)
	}
	// Nothing was committed: the database holds no effective schema.
	r = runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...)
	if r.code != ExitFailure || strings.Contains(r.stdout, "already provisioned") {
		t.Errorf("second run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestDDLProvisionVerifiesAlreadyProvisioned: a correctly provisioned
// database verifies, and so does "already provisioned"; once a column is
// altered behind dmsc's back, "already provisioned" fails with the
// mismatch instead of exit 0.
func TestDDLProvisionVerifiesAlreadyProvisioned(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "alreadyverified")
	r := runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "applied") || !strings.Contains(r.stdout, "verified") {
		t.Errorf("first run: %s", r.stdout)
	}
	r = runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "already provisioned") || !strings.Contains(r.stdout, "verified") {
		t.Errorf("second run: %s", r.stdout)
	}

	execPG(t, dsn, `ALTER TABLE "example"."SchoolAddress" ALTER COLUMN "City" TYPE varchar(10);
ALTER TABLE "example"."SchoolAddress" ALTER COLUMN "PostalCode" SET NOT NULL;
ALTER TABLE "example"."SchoolAddress" ADD COLUMN "Audit" text NOT NULL DEFAULT '';
ALTER TABLE "example"."SchoolAddress" ADD COLUMN "Required" text NOT NULL;
ALTER TABLE "example"."SchoolTag" DROP CONSTRAINT "PK_SchoolTag";
ALTER TABLE "example"."SchoolTag" ADD CONSTRAINT "PK_SchoolTag" PRIMARY KEY ("School_DocumentId", "Tag");`)
	r = runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...)
	if r.code != ExitFailure {
		t.Fatalf("altered database: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, ExitFailure, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"example.SchoolAddress.City: expected character varying(30) NOT NULL, found character varying(10) NOT NULL",
		"example.SchoolAddress.PostalCode: expected character varying(17) NULL, found character varying(17) NOT NULL",
		"example.SchoolAddress.Required: unexpected column text NOT NULL without a default",
		"example.SchoolTag: expected primary key (School_DocumentId, Ordinal), found (School_DocumentId, Tag)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "Audit") {
		t.Errorf("an extra column with a default is harmless but was reported:\n%s", r.stderr)
	}
}
