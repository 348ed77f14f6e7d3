// Package pgtest holds test helpers for PostgreSQL: throwaway databases,
// scripts run as provisioning runs them, and catalog snapshots to compare
// runs and models. Test-only.
package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// NewDatabase creates an empty database for the test (named from prefix
// and label), dropped when the test ends, and returns its DSN.
func NewDatabase(t testing.TB, prefix, label string) string {
	t.Helper()
	return testenv.NewPostgresDatabase(t, prefix, label)
}

// Connect opens a connection closed when the test ends.
func Connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// ExecScript runs a whole script as one multi-statement Exec inside one
// transaction, as provisioning does.
func ExecScript(ctx context.Context, conn *pgx.Conn, script string) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, script)
		return err
	})
}

// MustSnapshot snapshots the catalog or fails the test.
func MustSnapshot(t testing.TB, conn *pgx.Conn) *Catalog {
	t.Helper()
	c, err := Snapshot(context.Background(), conn)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return c
}
