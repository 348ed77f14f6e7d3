package authsql

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// quoter quotes identifiers for one dialect.
type quoter struct {
	mssql bool
}

func quoterFor(d manifest.Dialect) quoter { return quoter{mssql: d == manifest.DialectMSSQL} }

// id quotes one identifier: "x" (PostgreSQL) or [x] (SQL Server).
func (q quoter) id(name string) string {
	if q.mssql {
		return "[" + strings.ReplaceAll(name, "]", "]]") + "]"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// rel quotes a schema-qualified relation.
func (q quoter) rel(schema, name string) string { return q.id(schema) + "." + q.id(name) }

// always is the dialect's always-true predicate.
func (q quoter) always() string {
	if q.mssql {
		return "1 = 1"
	}
	return "TRUE"
}
