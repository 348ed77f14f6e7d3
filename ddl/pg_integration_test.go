package ddl

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestPostgresApply applies every case's pgsql.sql to a fresh database,
// applies it again (no error, identical catalog and seed rows), compares
// the catalog with the model and verifies the result.
func TestPostgresApply(t *testing.T) {
	testenv.PostgresDSN(t)
	start := time.Now()
	t.Cleanup(func() { t.Logf("all cases in %v", time.Since(start).Round(time.Millisecond)) })
	forEachCase(t, true, func(t *testing.T, c *schemaCase) {
		ctx := t.Context()
		m, script := c.model(model.PgSQL), c.script(model.PgSQL)
		conn := connectPG(t, newPGDatabase(t, c.Name))
		t0 := time.Now()
		if err := execPGScript(ctx, conn, script); err != nil {
			t.Fatalf("first apply: %v", err)
		}
		t1 := time.Now()
		first := mustSnapshotPG(t, conn)
		if err := execPGScript(ctx, conn, script); err != nil {
			t.Fatalf("second apply: %v", err)
		}
		t2 := time.Now()
		if d := diffLines(first.Lines(), mustSnapshotPG(t, conn).Lines(), 40); d != "" {
			t.Errorf("the second apply changed the database:\n%s", d)
		}
		comparePGCatalog(t, first, m)
		if err := VerifyPostgres(ctx, conn, m); err != nil {
			t.Errorf("verify: %v", err)
		}
		t.Logf("%d tables: first apply %v, second %v", len(first.Columns), t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond))
	})
}

// TestPostgresProvision runs Provision end to end: create the database,
// apply, provision again (already provisioned, nothing changes), refuse a
// different schema set (the script guard refuses it too), and report a
// missing relation through VerifyPostgres.
func TestPostgresProvision(t *testing.T) {
	base := testenv.PostgresDSN(t)
	ctx := t.Context()
	ex, other := exampleCase(t), handmadeCase(t)
	m := ex.model(model.PgSQL)
	name := testenv.PostgresDatabaseName("ddl", "provision")
	dsn := testenv.WithDatabase(t, base, name)
	t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, name) })

	res, err := Provision(ctx, dsn, m, "", ProvisionOptions{CreateDatabase: true})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	wantCount, _ := CountStatements(model.PgSQL, ex.script(model.PgSQL))
	if res.Status != Applied || !res.CreatedDatabase || res.Statements != wantCount || res.Hash != m.EffectiveSchemaHash {
		t.Errorf("first provision = %+v", res)
	}
	t.Log(res)
	conn := connectPG(t, dsn)
	before := mustSnapshotPG(t, conn)

	res, err = Provision(ctx, dsn, m, ex.script(model.PgSQL), ProvisionOptions{CreateDatabase: true})
	if err != nil || res.Status != AlreadyProvisioned || res.CreatedDatabase || res.Statements != 0 {
		t.Errorf("second provision = %+v, %v; want already provisioned", res, err)
	}
	t.Log(res)

	t.Run("mismatch", func(t *testing.T) {
		_, err := Provision(ctx, dsn, other.model(model.PgSQL), "", ProvisionOptions{})
		checkMismatch(t, err, m.EffectiveSchemaHash, other.model(model.PgSQL).EffectiveSchemaHash, "example: only in the database", "hand: only in the schema set")
	})
	t.Run("mismatch-fixture", func(t *testing.T) {
		var min *schemaCase
		for _, fs := range fixtureSets(t) {
			if fs.Name == "dms-minimal" {
				min = fixtureCase(t, fs)
			}
		}
		if min == nil {
			t.Skip("no dms/minimal fixture")
		}
		_, err := Provision(ctx, dsn, min.model(model.PgSQL), "", ProvisionOptions{})
		checkMismatch(t, err, m.EffectiveSchemaHash, min.model(model.PgSQL).EffectiveSchemaHash, "example: only in the database")
	})
	t.Run("script-guard", func(t *testing.T) {
		err := execPGScript(ctx, conn, other.script(model.PgSQL))
		if err == nil || !strings.Contains(err.Error(), "dmsc fingerprint mismatch") ||
			!strings.Contains(err.Error(), m.EffectiveSchemaHash) || !strings.Contains(err.Error(), other.model(model.PgSQL).EffectiveSchemaHash) {
			t.Errorf("running another schema set's script = %v; want the guard's exception naming both hashes", err)
		}
	})
	if d := diffLines(before.Lines(), mustSnapshotPG(t, conn).Lines(), 40); d != "" {
		t.Errorf("refused provisioning changed the database:\n%s", d)
	}

	t.Run("verify-detects-missing", func(t *testing.T) {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DROP VIEW "example"."EducationOrganization_View"`); err != nil {
				return err
			}
			var verr *VerificationError
			if err := VerifyPostgres(ctx, tx, m); !errors.As(err, &verr) || len(verr.Missing) != 1 ||
				verr.Missing[0] != (Relation{Schema: "example", Name: "EducationOrganization_View", IsView: true}) {
				t.Errorf("VerifyPostgres without the view = %v", err)
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
