package ddl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/testenv"
)

var dbCounter atomic.Int64

// pgDatabaseName returns a database name unique to this test process:
// tests of several packages may share one server.
func pgDatabaseName(label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 20 {
			break
		}
	}
	return fmt.Sprintf("dmsc_ddl_%s_%d_%d_%d", b.String(), os.Getpid(), time.Now().UnixNano()%1e6, dbCounter.Add(1))
}

// withDatabase returns dsn pointing at database name (URL or key=value
// form).
func withDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parse %s: %v", testenv.PostgresEnv, err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name
}

// newPGDatabase creates an empty database for the test, dropped when the
// test ends, and returns its DSN.
func newPGDatabase(t testing.TB, label string) string {
	t.Helper()
	base := testenv.PostgresDSN(t)
	name := pgDatabaseName(label)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", testenv.PostgresEnv, err)
	}
	defer admin.Close(ctx)
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		// 55006: the template database is busy (another CREATE DATABASE).
		if err == nil || attempt == 20 || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropPGDatabase(t, base, name) })
	return withDatabase(t, base, name)
}

// dropPGDatabase drops a test database, disconnecting its sessions.
func dropPGDatabase(t testing.TB, base, name string) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("drop database %s: %v", name, err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("drop database %s: %v", name, err)
	}
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
