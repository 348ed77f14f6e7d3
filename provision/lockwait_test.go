package provision

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

// TestProvisionDecidesAfterTheLockWait: a provisioning run that waits on
// the provisioning lock while another run provisions the database decides
// on what that run committed, not on what the database held when it
// started: it does not apply the script a second time, and it stores the
// runtime manifest only when the other run did not.
func TestProvisionDecidesAfterTheLockWait(t *testing.T) {
	ex := schemacase.Example(t)
	m := ex.Model(model.PgSQL)
	data, err := compiler.Manifest(m).Encode()
	if err != nil {
		t.Fatal(err)
	}
	script := ex.Script(t, model.PgSQL, ddl.Render)
	for _, tc := range []struct {
		name string
		// otherStores says whether the run holding the lock stores the
		// manifest; the waiting run must store it exactly when not.
		otherStores bool
	}{{"other run stores the manifest", true}, {"other run applies the script only", false}} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := pgtest.NewDatabase(t, "ddl", "lockwait")
			ctx := t.Context()
			holder := pgtest.Connect(t, dsn)
			tx, err := holder.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback(context.Background()) }()
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgProvisionLock)); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, script); err != nil {
				t.Fatal(err)
			}
			if tc.otherStores {
				if _, err := tx.Exec(ctx, pgManifestInsert, "1.1", string(data), m.EffectiveSchemaHash); err != nil {
					t.Fatal(err)
				}
			}

			type outcome struct {
				res *Result
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				res, err := Provision(ctx, dsn, m, "", Options{Manifest: data})
				done <- outcome{res, err}
			}()
			waitForAdvisoryWaiter(t, holder.Config().ConnString())
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			var got outcome
			select {
			case got = <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("the waiting run did not finish after the lock was released")
			}
			if got.err != nil {
				t.Fatalf("the waiting run failed (did it decide on a stale snapshot?): %v", got.err)
			}
			if got.res.Status != AlreadyProvisioned || got.res.StoredManifest == tc.otherStores {
				t.Errorf("the waiting run = %s; want already provisioned, storing the manifest: %v", got.res, !tc.otherStores)
			}
			var rows int
			if err := holder.QueryRow(ctx, `SELECT count(*) FROM dms."RuntimeManifest"`).Scan(&rows); err != nil || rows != 1 {
				t.Errorf("dms.RuntimeManifest holds %d rows (%v), want 1", rows, err)
			}
		})
	}
}

// waitForAdvisoryWaiter returns once some session waits for an advisory
// lock on the database of dsn.
func waitForAdvisoryWaiter(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the provisioning run never waited on the provisioning lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
