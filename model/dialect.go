package model

// Dialect names a SQL dialect. Each dialect's knowledge (identifier,
// column and row limits, type names, quoting) lives in its package under
// dialect/; this is only its name.
type Dialect string

// The dialects.
const (
	// PgSQL is PostgreSQL.
	PgSQL Dialect = "pgsql"
	// MSSQL is SQL Server.
	MSSQL Dialect = "mssql"
)
