package provision

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// wrongSchoolPG and wrongSchoolMSSQL create example.School before the
// script runs, as a DBA might have: SchoolId is a nullable string,
// NameOfInstitution too short, WebSite missing. CREATE TABLE IF NOT EXISTS
// keeps the table, and the rest of the script succeeds on it.
const (
	wrongSchoolPG = `CREATE SCHEMA "example";
CREATE TABLE "example"."School" ("DocumentId" bigint NOT NULL, "LocalEducationAgency_DocumentId" bigint NULL,
  "FactsCampusAcreage" numeric(7,3) NULL, "FactsCampusHasFarm" boolean NULL, "FactsEnrollmentCapacity" integer NULL,
  "FactsOpenedOn" date NULL, "FactsSquareFootage" numeric(9,2) NULL, "NameOfInstitution" varchar(60) NOT NULL,
  "SchoolId" varchar(20) NULL, "ShortNameOfInstitution" varchar(20) NULL, CONSTRAINT "PK_School" PRIMARY KEY ("DocumentId"));`
	wrongSchoolMSSQL = `EXEC(N'CREATE SCHEMA [example]');
CREATE TABLE [example].[School] ([DocumentId] bigint NOT NULL, [LocalEducationAgency_DocumentId] bigint NULL,
  [FactsCampusAcreage] decimal(7,3) NULL, [FactsCampusHasFarm] bit NULL, [FactsEnrollmentCapacity] int NULL,
  [FactsOpenedOn] date NULL, [FactsSquareFootage] decimal(9,2) NULL, [NameOfInstitution] nvarchar(60) NOT NULL,
  [SchoolId] nvarchar(20) NULL, [ShortNameOfInstitution] nvarchar(20) NULL, CONSTRAINT [PK_School] PRIMARY KEY ([DocumentId]));`
)

// checkColumnMismatches checks err is a *VerificationError with exactly
// the listed column mismatches, no missing relation and the given When.
func checkColumnMismatches(t *testing.T, err error, when string, want ...string) {
	t.Helper()
	var verr *VerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v; want a *VerificationError", err)
	}
	var got []string
	for _, c := range verr.Columns {
		got = append(got, c.String())
	}
	if !reflect.DeepEqual(got, want) || len(verr.Missing) != 0 || verr.When != when {
		t.Errorf("verification:\n got %q (missing %v, when %q)\nwant %q (when %q)\n%v", got, verr.Missing, verr.When, want, when, err)
	}
}

// TestPostgresVerifyColumns: Provision over a pre-existing table with
// wrong column types fails and rolls back; a correct database verifies,
// also when already provisioned; a column altered afterwards fails the
// already-provisioned path.
func TestPostgresVerifyColumns(t *testing.T) {
	ctx := t.Context()
	m := schemacase.Example(t).Model(model.PgSQL)

	dsn := pgtest.NewDatabase(t, "provision", "wrongschool")
	conn := pgtest.Connect(t, dsn)
	if _, err := conn.Exec(ctx, wrongSchoolPG); err != nil {
		t.Fatal(err)
	}
	_, err := Provision(ctx, dsn, m, "", Options{})
	checkColumnMismatches(t, err, whenApplied,
		"example.School.NameOfInstitution: expected character varying(75) NOT NULL, found character varying(60) NOT NULL",
		"example.School.SchoolId: expected integer NOT NULL, found character varying(20) NULL",
		"example.School.WebSite: expected character varying(255) NULL, missing",
		"example.School: expected unique key UX_School_NK (SchoolId), missing")
	if st, err := readStatePostgres(ctx, conn); err != nil || st.Provisioned() {
		t.Errorf("after the failed provisioning: %+v, %v; want nothing committed", st, err)
	}

	dsn = pgtest.NewDatabase(t, "provision", "verifycolumns")
	if _, err := Provision(ctx, dsn, m, "", Options{}); err != nil {
		t.Fatal(err)
	}
	if res, err := Provision(ctx, dsn, m, "", Options{}); err != nil || res.Status != AlreadyProvisioned {
		t.Fatalf("already provisioned = %+v, %v", res, err)
	}
	conn = pgtest.Connect(t, dsn)
	if _, err := conn.Exec(ctx, `ALTER TABLE "dms"."Document" ALTER COLUMN "Etag" DROP DEFAULT;
ALTER TABLE "dms"."Document" ALTER COLUMN "DocumentId" DROP IDENTITY;
ALTER TABLE "example"."SchoolAddress" ALTER COLUMN "PostalCode" TYPE varchar(10);
ALTER TABLE "example"."SchoolAddress" DROP CONSTRAINT "UX_SchoolAddress_AddressTypeDescriptor_DescriptorId__80198a5790"`); err != nil {
		t.Fatal(err)
	}
	_, err = Provision(ctx, dsn, m, "", Options{})
	checkColumnMismatches(t, err, whenAlreadyProvisioned,
		"dms.Document.DocumentId: expected bigint NOT NULL IDENTITY, found bigint NOT NULL",
		"dms.Document.Etag: expected bigint NOT NULL with a default, found bigint NOT NULL",
		"example.SchoolAddress.PostalCode: expected character varying(17) NULL, found character varying(10) NULL",
		"example.SchoolAddress: expected unique key UX_SchoolAddress_AddressTypeDescriptor_DescriptorId__80198a5790 (School_DocumentId, AddressTypeDescriptor_DescriptorId), missing")
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		return verifyPostgres(ctx, tx, m)
	})
	checkColumnMismatches(t, err, "",
		"dms.Document.DocumentId: expected bigint NOT NULL IDENTITY, found bigint NOT NULL",
		"dms.Document.Etag: expected bigint NOT NULL with a default, found bigint NOT NULL",
		"example.SchoolAddress.PostalCode: expected character varying(17) NULL, found character varying(10) NULL",
		"example.SchoolAddress: expected unique key UX_SchoolAddress_AddressTypeDescriptor_DescriptorId__80198a5790 (School_DocumentId, AddressTypeDescriptor_DescriptorId), missing")
}

// TestMSSQLVerifyColumns is TestPostgresVerifyColumns on SQL Server. It
// runs only when DMSC_MSSQL_DSN is set.
func TestMSSQLVerifyColumns(t *testing.T) {
	testenv.MSSQLDSN(t)
	ctx := t.Context()
	m := schemacase.Example(t).Model(model.MSSQL)
	exec := func(dsn, q string) {
		t.Helper()
		db, err := sql.Open("sqlserver", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}

	dsn := newMSSQLDatabase(t, "wrongschool")
	exec(dsn, wrongSchoolMSSQL)
	_, err := Provision(ctx, dsn, m, "", Options{})
	checkColumnMismatches(t, err, whenApplied,
		"example.School.NameOfInstitution: expected nvarchar(75) NOT NULL, found nvarchar(60) NOT NULL",
		"example.School.SchoolId: expected int NOT NULL, found nvarchar(20) NULL",
		"example.School.WebSite: expected nvarchar(255) NULL, missing",
		"example.School: expected unique key UX_School_NK (SchoolId), missing")
	if st, err := ReadState(ctx, model.MSSQL, dsn); err != nil || st.Provisioned() {
		t.Errorf("after the failed provisioning: %+v, %v; want nothing committed", st, err)
	}

	dsn = newMSSQLDatabase(t, "verifycolumns")
	if _, err := Provision(ctx, dsn, m, "", Options{}); err != nil {
		t.Fatal(err)
	}
	if res, err := Provision(ctx, dsn, m, "", Options{}); err != nil || res.Status != AlreadyProvisioned {
		t.Fatalf("already provisioned = %+v, %v", res, err)
	}
	exec(dsn, `ALTER TABLE [example].[SchoolAddress] ALTER COLUMN [PostalCode] nvarchar(10) NULL`)
	_, err = Provision(ctx, dsn, m, "", Options{})
	checkColumnMismatches(t, err, whenAlreadyProvisioned,
		"example.SchoolAddress.PostalCode: expected nvarchar(17) NULL, found nvarchar(10) NULL")
}
