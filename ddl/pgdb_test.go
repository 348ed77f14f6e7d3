package ddl

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// newPGDatabase creates an empty database for the test, dropped when the
// test ends, and returns its DSN.
func newPGDatabase(t testing.TB, label string) string {
	t.Helper()
	return testenv.NewPostgresDatabase(t, "ddl", label)
}

// connectPG opens a connection closed when the test ends.
func connectPG(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// execPGScript runs a whole script as one multi-statement Exec inside one
// transaction, as provisioning does.
func execPGScript(ctx context.Context, conn *pgx.Conn, script string) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, script)
		return err
	})
}

// mustSnapshotPG snapshots the catalog or fails the test.
func mustSnapshotPG(t testing.TB, conn *pgx.Conn) *pgCatalog {
	t.Helper()
	c, err := snapshotPG(context.Background(), conn)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return c
}
