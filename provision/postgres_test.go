package provision

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestPostgresProvision runs Provision end to end: create the database,
// apply, provision again (already provisioned, nothing changes), refuse a
// different schema set (the script guard refuses it too), and report a
// missing relation through verifyPostgres.
func TestPostgresProvision(t *testing.T) {
	base := testenv.PostgresDSN(t)
	ctx := t.Context()
	ex, other := schemacase.Example(t), schemacase.Handmade(t)
	m := ex.Model(model.PgSQL)
	name := testenv.PostgresDatabaseName("ddl", "provision")
	dsn := testenv.WithDatabase(t, base, name)
	t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, name) })

	res, err := Provision(ctx, dsn, m, "", Options{CreateDatabase: true})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	wantCount, _ := ddl.CountStatements(model.PgSQL, ex.Script(t, model.PgSQL, ddl.Render))
	if res.Status != Applied || !res.CreatedDatabase || res.Statements != wantCount || res.Hash != m.EffectiveSchemaHash {
		t.Errorf("first provision = %+v", res)
	}
	t.Log(res)
	conn := pgtest.Connect(t, dsn)
	before := pgtest.MustSnapshot(t, conn)

	res, err = Provision(ctx, dsn, m, ex.Script(t, model.PgSQL, ddl.Render), Options{CreateDatabase: true})
	if err != nil || res.Status != AlreadyProvisioned || res.CreatedDatabase || res.Statements != 0 {
		t.Errorf("second provision = %+v, %v; want already provisioned", res, err)
	}
	t.Log(res)

	t.Run("mismatch", func(t *testing.T) {
		_, err := Provision(ctx, dsn, other.Model(model.PgSQL), "", Options{})
		checkMismatch(t, err, m.EffectiveSchemaHash, other.Model(model.PgSQL).EffectiveSchemaHash, "example: only in the database", "hand: only in the schema set")
	})
	t.Run("mismatch-fixture", func(t *testing.T) {
		var min *schemacase.Case
		for _, fs := range schemacase.FixtureSets(t) {
			if fs.Name == "dms-minimal" {
				min = schemacase.Fixture(t, fs)
			}
		}
		if min == nil {
			t.Skip("no dms/minimal fixture")
		}
		_, err := Provision(ctx, dsn, min.Model(model.PgSQL), "", Options{})
		checkMismatch(t, err, m.EffectiveSchemaHash, min.Model(model.PgSQL).EffectiveSchemaHash, "example: only in the database")
	})
	t.Run("script-guard", func(t *testing.T) {
		err := pgtest.ExecScript(ctx, conn, other.Script(t, model.PgSQL, ddl.Render))
		if err == nil || !strings.Contains(err.Error(), "dmsc fingerprint mismatch") ||
			!strings.Contains(err.Error(), m.EffectiveSchemaHash) || !strings.Contains(err.Error(), other.Model(model.PgSQL).EffectiveSchemaHash) {
			t.Errorf("running another schema set's script = %v; want the guard's exception naming both hashes", err)
		}
	})
	if d := pgtest.DiffLines(before.Lines(), pgtest.MustSnapshot(t, conn).Lines(), 40); d != "" {
		t.Errorf("refused provisioning changed the database:\n%s", d)
	}

	t.Run("later-core-tables", func(t *testing.T) {
		// A database provisioned before the later core tables existed:
		// provisioning it again creates them (a dry run only says so),
		// then nothing changes.
		for _, sql := range []string{`DROP TABLE "dms"."DescriptorUriGeneration"`, `DROP TABLE "auth"."EducationOrganizationIdClaimSet"`} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"dms.DescriptorUriGeneration", "auth.EducationOrganizationIdClaimSet"}
		dry, err := Provision(ctx, dsn, m, "", Options{DryRun: true})
		if err != nil || dry.Status != AlreadyProvisioned || strings.Join(dry.AddedTables, " ") != strings.Join(want, " ") || len(dry.Steps) != 3 {
			t.Fatalf("dry run = %+v, %v; want the two tables and three steps listed", dry, err)
		}
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass('"dms"."DescriptorUriGeneration"') IS NOT NULL`).Scan(&exists); err != nil || exists {
			t.Fatalf("the dry run created the table (%v, %v)", exists, err)
		}
		res, err := Provision(ctx, dsn, m, "", Options{})
		if err != nil || strings.Join(res.AddedTables, " ") != strings.Join(want, " ") || !strings.Contains(res.String(), "created dms.DescriptorUriGeneration, auth.EducationOrganizationIdClaimSet") {
			t.Fatalf("provision = %v, %v; want both tables created", res, err)
		}
		var gen int64
		if err := conn.QueryRow(ctx, `SELECT "Generation" FROM "dms"."DescriptorUriGeneration" WHERE "GenerationId" = 1`).Scan(&gen); err != nil || gen != 0 {
			t.Errorf("generation row: %d, %v", gen, err)
		}
		if d := pgtest.DiffLines(before.Lines(), pgtest.MustSnapshot(t, conn).Lines(), 40); d != "" {
			t.Errorf("the recreated tables differ from the provisioned ones:\n%s", d)
		}
		if res, err := Provision(ctx, dsn, m, "", Options{}); err != nil || len(res.AddedTables) != 0 || len(res.Steps) != 0 {
			t.Errorf("provision once more = %+v, %v; want nothing changed", res, err)
		}
	})

	t.Run("verify-detects-missing", func(t *testing.T) {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DROP VIEW "example"."EducationOrganization_View"`); err != nil {
				return err
			}
			var verr *VerificationError
			if err := verifyPostgres(ctx, tx, m); !errors.As(err, &verr) || len(verr.Missing) != 1 ||
				verr.Missing[0] != (Relation{Schema: "example", Name: "EducationOrganization_View", IsView: true}) {
				t.Errorf("verifyPostgres without the view = %v", err)
			}
			return errors.New("roll back")
		})
		if err == nil || err.Error() != "roll back" {
			t.Fatal(err)
		}
		if err := Verify(ctx, dsn, m); err != nil {
			t.Errorf("Verify after rollback: %v", err)
		}
	})
}

// checkMismatch checks err is a *MismatchError with both hashes and the
// listed differences.
func checkMismatch(t *testing.T, err error, stored, expected string, differences ...string) {
	t.Helper()
	var mm *MismatchError
	if !errors.As(err, &mm) || !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("err = %v; want a *MismatchError", err)
	}
	if mm.StoredHash != stored || mm.ExpectedHash != expected {
		t.Errorf("hashes = %s, %s; want %s, %s", mm.StoredHash, mm.ExpectedHash, stored, expected)
	}
	msg := err.Error()
	for _, s := range append([]string{stored, expected}, differences...) {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q does not mention %q", msg, s)
		}
	}
}

// TestProvisionEveryCase provisions every schema case (the example, the
// hand-made model, testdata/cases and the fixtures) into a fresh database
// — which verifies the catalog before committing — then verifies again
// and provisions once more (already provisioned, verified).
func TestProvisionEveryCase(t *testing.T) {
	testenv.PostgresDSN(t)
	schemacase.ForEach(t, true, func(t *testing.T, c *schemacase.Case) {
		ctx := t.Context()
		m := c.Model(model.PgSQL)
		dsn := pgtest.NewDatabase(t, "provision", c.Name)
		res, err := Provision(ctx, dsn, m, c.Script(t, model.PgSQL, ddl.Render), Options{})
		if err != nil || res.Status != Applied {
			t.Fatalf("provision: %+v %v", res, err)
		}
		if err := Verify(ctx, dsn, m); err != nil {
			t.Errorf("verify: %v", err)
		}
		if res, err := Provision(ctx, dsn, m, "", Options{}); err != nil || res.Status != AlreadyProvisioned {
			t.Errorf("second provision: %+v %v", res, err)
		}
	})
}
