package ddl

import (
	"fmt"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/mssql"
	"github.com/edfi-dmsc/dmsc/dialect/pgsql"
)

// Dialect names.
const (
	// PgSQL names the PostgreSQL dialect.
	PgSQL = pgsql.Name
	// MSSQL names the SQL Server dialect.
	MSSQL = mssql.Name
)

// DialectNames lists the supported dialects in output order.
func DialectNames() []string { return []string{PgSQL, MSSQL} }

// DialectFor returns the dialect named name ("pgsql" or "mssql").
func DialectFor(name string) (dialect.Dialect, error) {
	switch name {
	case PgSQL:
		return pgsql.New(), nil
	case MSSQL:
		return mssql.New(), nil
	}
	return nil, fmt.Errorf("unknown SQL dialect %q (want pgsql or mssql)", name)
}
