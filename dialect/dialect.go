package dialect

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// Dialect renders SQL for one database engine.
type Dialect interface {
	// Name is the dialect's name (the value of model.Model.Dialect).
	Name() model.Dialect
	// Title is the engine's display name ("PostgreSQL", "SQL Server").
	Title() string
	// QuoteIdent quotes one identifier, escaping the quote character.
	QuoteIdent(name string) string
	// WriteIdent writes QuoteIdent(name) to b without an intermediate
	// string.
	WriteIdent(b *strings.Builder, name string)
	// IdentifierLimit is the engine's identifier length rule (the one the
	// compiler shortened names with).
	IdentifierLimit() naming.Limit
	// TableLimits are the engine's limits on a table's columns and row
	// (the compiler's width gate).
	TableLimits() TableLimits
	// ColumnBytes returns the worst-case in-row bytes of a column of type
	// t: fixed-width and variable-width.
	ColumnBytes(t model.Type) (fixed, variable int)
	// TypeName names the physical type of a logical column type.
	TypeName(t model.Type) string
	// SpecialTypeName names a core-table type outside model.Type; n is the
	// length of Binary and Char.
	SpecialTypeName(s Special, n int) string
	// StringLiteral writes s as a string literal.
	StringLiteral(s string) string
	// BatchSeparator is the line that ends a batch ("GO"), or "" when the
	// engine runs a script as one batch.
	BatchSeparator() string
	// Batch tells how a statement of kind k must sit in its batch.
	Batch(k StatementKind) BatchRule
	// MultipleCascadePaths reports whether a table may be reached from
	// another by two ON DELETE CASCADE paths (SQL Server refuses that).
	MultipleCascadePaths() bool
	// UniqueNullsDistinct reports whether a UNIQUE constraint lets rows
	// whose constrained columns hold NULL coexist (PostgreSQL: yes; SQL
	// Server: no, so keys over nullable columns become filtered unique
	// indexes there).
	UniqueNullsDistinct() bool
	// SplitStatements splits a script of this dialect into its top-level
	// statements (comments and batch separators dropped).
	SplitStatements(script string) []string

	// WritePreamble writes the session settings the script needs (or
	// nothing) as the script's first statements.
	WritePreamble(b *strings.Builder)
	// WriteGuard writes the fingerprint guard: a statement that fails,
	// naming both hashes, when dms.EffectiveSchema holds another hash than
	// hash.
	WriteGuard(b *strings.Builder, hash string)
	// WriteCreateSchema writes an idempotent CREATE SCHEMA.
	WriteCreateSchema(b *strings.Builder, schema string)
	// WriteCreateTable writes an idempotent CREATE TABLE with its primary
	// key, unique and check constraints inline.
	WriteCreateTable(b *strings.Builder, t *Table)
	// WriteAddForeignKey writes a guarded ALTER TABLE … ADD CONSTRAINT.
	WriteAddForeignKey(b *strings.Builder, fk *ForeignKey)
	// WriteCreateIndex writes an idempotent CREATE INDEX.
	WriteCreateIndex(b *strings.Builder, ix *Index)
	// WriteCreateView writes CREATE OR REPLACE / CREATE OR ALTER VIEW.
	WriteCreateView(b *strings.Builder, v *View)
	// TableTypes reports whether the engine passes a list of values as a
	// table-valued parameter of a declared table type (SQL Server), rather
	// than as an array (PostgreSQL).
	TableTypes() bool
	// WriteCreateTableType writes an idempotent CREATE TYPE … AS TABLE;
	// only called when TableTypes.
	WriteCreateTableType(b *strings.Builder, t *Table)
	// WriteInsert writes an insert that skips rows whose key already
	// exists.
	WriteInsert(b *strings.Builder, ins *Insert)
}

// TableLimits are an engine's hard limits on one table.
type TableLimits struct {
	// MaxColumns is the most columns a table may have.
	MaxColumns int
	// MaxFixedRowBytes is the most bytes of fixed-width columns a row may
	// need (0: no limit; variable-width data is stored off-row or TOASTed).
	MaxFixedRowBytes int
}

// StatementKind classifies the statements of a script for batch rules.
type StatementKind int

// The statement kinds.
const (
	// PlainStatement is any statement without batch requirements.
	PlainStatement StatementKind = iota
	// GuardStatement is the fingerprint guard.
	GuardStatement
	// SchemaStatement creates a schema.
	SchemaStatement
	// ViewStatement creates or alters a view.
	ViewStatement
	// TriggerStatement creates or alters a trigger.
	TriggerStatement
	// FunctionStatement creates or alters a function or procedure.
	FunctionStatement
)

// BatchRule tells where a statement may sit in a batch.
type BatchRule int

// The batch rules.
const (
	// AnyBatch statements may share a batch with others.
	AnyBatch BatchRule = iota
	// OwnBatch statements must be the only statement of their batch (SQL
	// Server: CREATE VIEW, TRIGGER, FUNCTION, PROCEDURE and a bare CREATE
	// SCHEMA must start a batch, and a view's body runs to the batch end).
	OwnBatch
)

// Qualified returns the quoted `schema.name` of d.
func Qualified(d Dialect, schema, name string) string {
	var b strings.Builder
	b.Grow(len(schema) + len(name) + 5)
	WriteQualified(&b, d, schema, name)
	return b.String()
}

// WriteQualified writes the quoted `schema.name` of d.
func WriteQualified(b *strings.Builder, d Dialect, schema, name string) {
	d.WriteIdent(b, schema)
	b.WriteByte('.')
	d.WriteIdent(b, name)
}

// WriteIdentList writes quoted names separated by ", ".
func WriteIdentList(b *strings.Builder, d Dialect, names []string) {
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		d.WriteIdent(b, n)
	}
}

// QuoteWith encloses s in open and close, doubling every close character
// inside s (the escaping rule of SQL identifiers and string literals).
func QuoteWith(s string, open, close byte) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	WriteQuoted(&b, s, open, close)
	return b.String()
}

// WriteQuoted writes QuoteWith(s, open, close) to b.
func WriteQuoted(b *strings.Builder, s string, open, close byte) {
	b.WriteByte(open)
	for {
		i := strings.IndexByte(s, close)
		if i < 0 {
			break
		}
		b.WriteString(s[:i+1])
		b.WriteByte(close)
		s = s[i+1:]
	}
	b.WriteString(s)
	b.WriteByte(close)
}

// WriteComment writes text as `-- ` comment lines, one per line of text,
// so no character of text can end the comment early.
func WriteComment(b *strings.Builder, text string) {
	for {
		line, rest, more := strings.Cut(text, "\n")
		line = strings.TrimRight(strings.ReplaceAll(line, "\r", " "), " \t")
		if line == "" {
			b.WriteString("--\n")
		} else {
			b.WriteString("-- ")
			b.WriteString(line)
			b.WriteByte('\n')
		}
		if !more {
			return
		}
		text = rest
	}
}

// WriteQualifiedList writes alias-qualified quoted column names
// (`v."A", v."B"`).
func WriteQualifiedList(b *strings.Builder, d Dialect, alias string, names []string) {
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias)
		b.WriteByte('.')
		d.WriteIdent(b, n)
	}
}

// WriteIndexBody writes the part of CREATE INDEX both engines share, from
// the index name on: `name ON schema.table (cols) [INCLUDE (cols)]
// [WHERE col IS NOT NULL AND …];` and a newline.
func WriteIndexBody(b *strings.Builder, d Dialect, ix *Index) {
	d.WriteIdent(b, ix.Name)
	b.WriteString(" ON ")
	WriteQualified(b, d, ix.Schema, ix.Table)
	b.WriteString(" (")
	WriteIdentList(b, d, ix.Columns)
	b.WriteByte(')')
	if len(ix.Include) > 0 {
		b.WriteString(" INCLUDE (")
		WriteIdentList(b, d, ix.Include)
		b.WriteByte(')')
	}
	for i, c := range ix.NotNull {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		d.WriteIdent(b, c)
		b.WriteString(" IS NOT NULL")
	}
	b.WriteString(";\n")
}
