package mssql

import (
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// Name is the dialect's name.
const Name = model.MSSQL

// Separator is the batch separator line.
const Separator = "GO"

// maxNChars is the longest nvarchar(n); longer strings are nvarchar(max).
const maxNChars = 4000

// Dialect renders SQL Server T-SQL.
type Dialect struct{}

// New returns the SQL Server dialect.
func New() Dialect { return Dialect{} }

var _ dialect.Dialect = Dialect{}

// Name returns model.MSSQL.
func (Dialect) Name() model.Dialect { return Name }

// Title returns "SQL Server".
func (Dialect) Title() string { return "SQL Server" }

// QuoteIdent encloses name in brackets, doubling inner closing brackets.
func (Dialect) QuoteIdent(name string) string { return dialect.QuoteWith(name, '[', ']') }

// WriteIdent writes QuoteIdent(name) to b.
func (Dialect) WriteIdent(b *strings.Builder, name string) { dialect.WriteQuoted(b, name, '[', ']') }

// TypeName names t: nvarchar(n), decimal(p,s), date, datetime2(7),
// time(7), bit, smallint, int, bigint.
func (Dialect) TypeName(t model.Type) string {
	switch t.Kind {
	case model.String:
		if t.MaxLength <= 0 || t.MaxLength > maxNChars {
			return "nvarchar(max)"
		}
		return "nvarchar(" + strconv.Itoa(t.MaxLength) + ")"
	case model.Decimal:
		return "decimal(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	case model.Date:
		return "date"
	case model.DateTime:
		return "datetime2(7)"
	case model.Time:
		return "time(7)"
	case model.Boolean:
		return "bit"
	case model.Int16:
		return "smallint"
	case model.Int32:
		return "int"
	case model.Int64:
		return "bigint"
	}
	return string(t.Kind)
}

// SpecialTypeName names the core-table types: uniqueidentifier,
// nvarchar(max) (JSON, checked with ISJSON), varbinary(n), char(n).
func (Dialect) SpecialTypeName(s dialect.Special, n int) string {
	switch s {
	case dialect.UUID:
		return "uniqueidentifier"
	case dialect.JSON, dialect.JSONText:
		return "nvarchar(max)"
	case dialect.Binary:
		return "varbinary(" + strconv.Itoa(n) + ")"
	case dialect.Char:
		return "char(" + strconv.Itoa(n) + ")"
	}
	return ""
}

// StringLiteral writes s as N'…', doubling inner quotes.
func (Dialect) StringLiteral(s string) string { return "N" + dialect.QuoteWith(s, '\'', '\'') }

// BatchSeparator returns "GO".
func (Dialect) BatchSeparator() string { return Separator }

// Batch puts views, triggers, functions and bare CREATE SCHEMA statements
// alone in their batch.
func (Dialect) Batch(k dialect.StatementKind) dialect.BatchRule {
	switch k {
	case dialect.ViewStatement, dialect.TriggerStatement, dialect.FunctionStatement:
		return dialect.OwnBatch
	}
	return dialect.AnyBatch
}

// SplitStatements splits on semicolons outside quotes, brackets, comments,
// parentheses and BEGIN/CASE … END blocks, and on GO lines.
func (Dialect) SplitStatements(script string) []string {
	return dialect.SplitStatements(script, splitRules)
}

// splitRules are SQL Server's lexical rules for statement splitting.
var splitRules = dialect.SplitRules{Brackets: true, BlockKeywords: true, BatchSeparator: Separator}

// SplitBatches splits a script on its GO lines.
func SplitBatches(script string) []string { return dialect.SplitBatches(script, Separator) }

// literal writes an Insert value.
func (d Dialect) literal(b *strings.Builder, v dialect.Value) {
	switch v.Kind {
	case dialect.StringValue:
		b.WriteString(d.StringLiteral(v.Str))
	case dialect.IntValue:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case dialect.BoolValue:
		if v.Bool {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	case dialect.BytesValue:
		// CONVERT with style 2 reads hex digits without 0x; sqlfluff's
		// T-SQL lexer does not know 0x literals.
		b.WriteString("CONVERT(varbinary(")
		b.WriteString(strconv.Itoa(len(v.Bytes)))
		b.WriteString("), '")
		const hex = "0123456789abcdef"
		for _, c := range v.Bytes {
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
		b.WriteString("', 2)")
	default:
		b.WriteString("NULL")
	}
}

// objectName returns the N'[schema].[name]' literal OBJECT_ID takes.
func (d Dialect) objectName(schema, name string) string {
	return d.StringLiteral(dialect.Qualified(d, schema, name))
}

// MultipleCascadePaths returns false: SQL Server refuses a second ON
// DELETE CASCADE path to a table (error 1785).
func (Dialect) MultipleCascadePaths() bool { return false }

// UniqueNullsDistinct returns false: a SQL Server UNIQUE constraint treats
// NULLs as equal.
func (Dialect) UniqueNullsDistinct() bool { return false }

// IdentifierLimit: SQL Server identifiers hold at most 128 UTF-16 code
// units (sysname).
func (Dialect) IdentifierLimit() naming.Limit { return naming.Limit{MaxChars: 128} }

// TableLimits: 1,024 columns and 8,060 bytes of fixed-width data per row.
func (Dialect) TableLimits() dialect.TableLimits {
	return dialect.TableLimits{MaxColumns: 1024, MaxFixedRowBytes: 8060}
}

// ColumnBytes returns SQL Server's worst-case in-row bytes of t.
func (Dialect) ColumnBytes(t model.Type) (int, int) {
	switch t.Kind {
	case model.Int16:
		return 2, 0
	case model.Int32:
		return 4, 0
	case model.Int64:
		return 8, 0
	case model.Boolean:
		return 1, 0
	case model.Date:
		return 3, 0
	case model.DateTime:
		return 8, 0
	case model.Time:
		return 5, 0
	case model.Decimal:
		switch {
		case t.Precision <= 9:
			return 5, 0
		case t.Precision <= 19:
			return 9, 0
		case t.Precision <= 28:
			return 13, 0
		}
		return 17, 0
	case model.String:
		return 0, 2*t.MaxLength + 2
	}
	return 8, 0
}
