package provision

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/model"
)

// TestDialectOf: the scheme decides; the keyword form is PostgreSQL; an
// unknown scheme is an error that never echoes the rest of the DSN.
func TestDialectOf(t *testing.T) {
	for _, tc := range []struct {
		dsn  string
		want model.Dialect
		err  string
	}{
		{"postgres://u:p@h/db", model.PgSQL, ""},
		{"postgresql://h/db?sslmode=disable", model.PgSQL, ""},
		{"POSTGRES://h/db", model.PgSQL, ""},
		{"host=h dbname=db user=u", model.PgSQL, ""},
		{"sqlserver://sa:pw@h?database=edfi", model.MSSQL, ""},
		{"mysql://root:secret@h/db", "", `"mysql"`},
		{"", "", "empty"},
		{"\x00\x1b://secret@h", "", `"??"`},
	} {
		got, err := DialectOf(tc.dsn)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("DialectOf(%q) = %q, %v; want %q, error containing %q", tc.dsn, got, err, tc.want, tc.err)
		}
		if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "root")) {
			t.Errorf("DialectOf(%q) echoes the DSN: %v", tc.dsn, err)
		}
	}
}

// TestIsDatabaseMissing recognises SQLSTATE 3D000 however it is wrapped.
func TestIsDatabaseMissing(t *testing.T) {
	pgErr := &pgconn.PgError{Code: "3D000", Message: `database "x" does not exist`}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{pgErr, true},
		{ConnectError(pgErr), true},
		{errors.Join(errors.New("connect"), pgErr), true},
		{&pgconn.PgError{Code: "28P01"}, false},
		{errors.New("database does not exist"), false},
	} {
		if got := IsDatabaseMissing(tc.err); got != tc.want {
			t.Errorf("IsDatabaseMissing(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if got := ConnectError(pgErr).Error(); got != `database "x" does not exist` {
		t.Errorf("ConnectError = %q", got)
	}
}

// FuzzDialectOf: any DSN gives a dialect or an error, never a panic, and
// the error never holds more of the DSN than a short scheme.
func FuzzDialectOf(f *testing.F) {
	for _, s := range []string{"postgres://h/db", "sqlserver://h", "host=h", "mysql://u:p@h", "", "://", "a:b://c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		d, err := DialectOf(dsn)
		if err == nil && d != model.PgSQL && d != model.MSSQL {
			t.Fatalf("DialectOf(%q) = %q without error", dsn, d)
		}
		if err != nil && len(err.Error()) > 300 {
			t.Fatalf("DialectOf(%q): error of %d bytes", dsn, len(err.Error()))
		}
	})
}
