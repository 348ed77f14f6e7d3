package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/model"
)

// DSN schemes and the dialect each selects.
const (
	// SchemePostgres and SchemePostgreSQL are PostgreSQL URLs.
	SchemePostgres   = "postgres"
	SchemePostgreSQL = "postgresql"
	// SchemeSQLServer is a SQL Server URL.
	SchemeSQLServer = "sqlserver"
)

// ErrDatabaseMissing is matched (errors.Is) when the DSN's database does
// not exist (PostgreSQL SQLSTATE 3D000).
var ErrDatabaseMissing = errors.New("database does not exist")

// DialectOf returns the dialect a DSN's URL scheme names: postgres:// and
// postgresql:// are pgsql, sqlserver:// is mssql. A DSN without a scheme
// (PostgreSQL's "host=… dbname=…" keyword form) is pgsql. Any other
// scheme is an error naming it and the schemes dmsc knows; the DSN itself
// is never echoed (it may hold a password).
func DialectOf(dsn string) (model.Dialect, error) {
	scheme, _, ok := strings.Cut(strings.TrimSpace(dsn), "://")
	if !ok {
		if strings.TrimSpace(dsn) == "" {
			return "", errors.New("the DSN is empty")
		}
		return model.PgSQL, nil // key=value form
	}
	switch strings.ToLower(scheme) {
	case SchemePostgres, SchemePostgreSQL:
		return model.PgSQL, nil
	case SchemeSQLServer:
		return model.MSSQL, nil
	}
	return "", fmt.Errorf("the DSN's scheme %q is not one dmsc knows: use postgres:// or postgresql:// (PostgreSQL) or sqlserver:// (SQL Server)", safeScheme(scheme))
}

// safeScheme keeps a scheme printable and short.
func safeScheme(s string) string {
	if len(s) > 32 {
		s = s[:32] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// connectPostgres opens one connection, naming a missing database with
// ErrDatabaseMissing.
func connectPostgres(ctx context.Context, dsn string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, ConnectError(err)
	}
	return conn, nil
}

// ConnectError describes a failed PostgreSQL connection: a missing
// database matches ErrDatabaseMissing and names the database.
func ConnectError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" {
		return missingDatabase{msg: pgErr.Message}
	}
	return fmt.Errorf("connect to PostgreSQL: %w", err)
}

// IsDatabaseMissing reports whether err (from this package or from any
// PostgreSQL connection) says the DSN's database does not exist.
func IsDatabaseMissing(err error) bool {
	var pgErr *pgconn.PgError
	return errors.Is(err, ErrDatabaseMissing) || errors.As(err, &pgErr) && pgErr.Code == "3D000"
}

// missingDatabase is the error of a connection to a database that does
// not exist; it matches ErrDatabaseMissing.
type missingDatabase struct{ msg string }

// Error returns the server's message (`database "x" does not exist`).
func (m missingDatabase) Error() string { return m.msg }

// Is matches ErrDatabaseMissing.
func (m missingDatabase) Is(target error) bool { return target == ErrDatabaseMissing }
