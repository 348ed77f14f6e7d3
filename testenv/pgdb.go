package testenv

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
)

var dbCounter atomic.Int64

// PostgresDatabaseName returns a database name unique to this test process
// (tests of several packages may share one server), built from prefix and
// label.
func PostgresDatabaseName(prefix, label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 20 {
			break
		}
	}
	return fmt.Sprintf("dmsc_%s_%s_%d_%d_%d", prefix, b.String(), os.Getpid(), time.Now().UnixNano()%1e6, dbCounter.Add(1))
}

// WithDatabase returns dsn pointing at database name (URL or key=value
// form).
func WithDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parse %s: %v", PostgresEnv, err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name
}

// NewPostgresDatabase creates an empty database on the server of
// DMSC_PG_DSN (skipping the test when it is unset), drops it when the test
// ends, and returns its DSN. prefix names the calling package.
func NewPostgresDatabase(t testing.TB, prefix, label string) string {
	t.Helper()
	base := PostgresDSN(t)
	name := PostgresDatabaseName(prefix, label)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
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
	t.Cleanup(func() { DropPostgresDatabase(t, base, name) })
	return WithDatabase(t, base, name)
}

// DropPostgresDatabase drops a test database, disconnecting its sessions.
func DropPostgresDatabase(t testing.TB, base, name string) {
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
