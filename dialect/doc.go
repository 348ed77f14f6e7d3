// Package dialect is the seam between dmsc's dialect-neutral relational
// model and the SQL of one database engine.
//
// A Dialect names types, quotes identifiers, writes literals and renders the
// idempotent statement forms of a DDL script from the neutral object
// descriptions of this package (Table, ForeignKey, Index, View, Insert). The
// ddl package decides what goes into a script and in which order; a dialect
// package (dialect/pgsql, dialect/mssql) decides only how each statement is
// spelled and where batches must break. Every method is a pure function of
// its arguments, so equal inputs give byte-identical scripts.
package dialect
