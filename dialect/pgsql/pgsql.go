package pgsql

import (
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// Name is the dialect's name.
const Name = model.PgSQL

// Dialect renders PostgreSQL.
type Dialect struct{}

// New returns the PostgreSQL dialect.
func New() Dialect { return Dialect{} }

var _ dialect.Dialect = Dialect{}

// Name returns model.PgSQL.
func (Dialect) Name() model.Dialect { return Name }

// Title returns "PostgreSQL".
func (Dialect) Title() string { return "PostgreSQL" }

// QuoteIdent encloses name in double quotes, doubling inner ones.
func (Dialect) QuoteIdent(name string) string { return dialect.QuoteWith(name, '"', '"') }

// WriteIdent writes QuoteIdent(name) to b.
func (Dialect) WriteIdent(b *strings.Builder, name string) { dialect.WriteQuoted(b, name, '"', '"') }

// TypeName names t: varchar(n), numeric(p,s), date, timestamp with time
// zone, time, boolean, smallint, integer, bigint.
func (Dialect) TypeName(t model.Type) string {
	switch t.Kind {
	case model.String:
		if t.MaxLength <= 0 {
			return "varchar"
		}
		return "varchar(" + strconv.Itoa(t.MaxLength) + ")"
	case model.Decimal:
		return "numeric(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	case model.Date:
		return "date"
	case model.DateTime:
		return "timestamp with time zone"
	case model.Time:
		return "time"
	case model.Boolean:
		return "boolean"
	case model.Int16:
		return "smallint"
	case model.Int32:
		return "integer"
	case model.Int64:
		return "bigint"
	}
	return string(t.Kind)
}

// SpecialTypeName names the core-table types: uuid, jsonb, text (JSON kept
// as written), bytea, char(n).
func (Dialect) SpecialTypeName(s dialect.Special, n int) string {
	switch s {
	case dialect.UUID:
		return "uuid"
	case dialect.JSON:
		return "jsonb"
	case dialect.JSONText:
		return "text"
	case dialect.Binary:
		return "bytea"
	case dialect.Char:
		return "char(" + strconv.Itoa(n) + ")"
	}
	return ""
}

// StringLiteral writes s as '…' (an E'…' literal when s holds a backslash,
// so the result does not depend on standard_conforming_strings).
func (Dialect) StringLiteral(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return dialect.QuoteWith(s, '\'', '\'')
	}
	return "E" + dialect.QuoteWith(strings.ReplaceAll(s, `\`, `\\`), '\'', '\'')
}

// BatchSeparator returns "": a PostgreSQL script is one batch.
func (Dialect) BatchSeparator() string { return "" }

// Batch returns dialect.AnyBatch for every kind.
func (Dialect) Batch(dialect.StatementKind) dialect.BatchRule { return dialect.AnyBatch }

// SplitStatements splits on semicolons outside quotes, dollar quotes,
// comments and parentheses.
func (Dialect) SplitStatements(script string) []string {
	return dialect.SplitStatements(script, dialect.SplitRules{DollarQuotes: true})
}

// literal writes an Insert value.
func (d Dialect) literal(b *strings.Builder, v dialect.Value) {
	switch v.Kind {
	case dialect.StringValue:
		b.WriteString(d.StringLiteral(v.Str))
	case dialect.IntValue:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case dialect.BoolValue:
		b.WriteString(strconv.FormatBool(v.Bool))
	case dialect.BytesValue:
		b.WriteString("decode('")
		const hex = "0123456789abcdef"
		for _, c := range v.Bytes {
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
		b.WriteString("', 'hex')")
	default:
		b.WriteString("NULL")
	}
}

// dollarTag returns a dollar-quote tag that does not occur in body.
func dollarTag(body string) string {
	tag := "$$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = "$dmsc" + strconv.Itoa(i) + "$"
	}
	return tag
}

// MultipleCascadePaths returns true.
func (Dialect) MultipleCascadePaths() bool { return true }

// UniqueNullsDistinct returns true: rows with NULL in a unique key never
// conflict.
func (Dialect) UniqueNullsDistinct() bool { return true }

// IdentifierLimit: PostgreSQL identifiers hold at most 63 UTF-8 bytes
// (NAMEDATALEN-1).
func (Dialect) IdentifierLimit() naming.Limit { return naming.Limit{MaxBytes: 63} }

// TableLimits: 1,600 columns; no fixed row limit (wide values are
// TOASTed).
func (Dialect) TableLimits() dialect.TableLimits { return dialect.TableLimits{MaxColumns: 1600} }

// ColumnBytes returns PostgreSQL's worst-case in-row bytes of t.
func (Dialect) ColumnBytes(t model.Type) (int, int) {
	switch t.Kind {
	case model.Int16:
		return 2, 0
	case model.Int32, model.Date:
		return 4, 0
	case model.Int64, model.DateTime, model.Time:
		return 8, 0
	case model.Boolean:
		return 1, 0
	case model.Decimal:
		return 0, 2*((t.Precision+3)/4) + 8
	case model.String:
		return 0, 4*t.MaxLength + 4
	}
	return 8, 0
}
