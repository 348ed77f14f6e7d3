package mssql

import (
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
)

// WritePreamble sets ANSI_NULLS and QUOTED_IDENTIFIER ON, which filtered
// indexes need and sqlcmd does not set by default.
func (Dialect) WritePreamble(b *strings.Builder) {
	b.WriteString("SET ANSI_NULLS ON;\nSET QUOTED_IDENTIFIER ON;\n")
}

// WriteGuard writes an IF … THROW block that fails, naming both hashes,
// when the newest dms.EffectiveSchema row holds another hash. Run the
// script with sqlcmd -b (or through dmsc ddl provision) so the error stops
// the later batches.
func (d Dialect) WriteGuard(b *strings.Builder, hash string) {
	es := dialect.Qualified(d, "dms", "EffectiveSchema")
	b.WriteString("IF OBJECT_ID(")
	b.WriteString(d.objectName("dms", "EffectiveSchema"))
	b.WriteString(", N'U') IS NOT NULL\nBEGIN\n    DECLARE @dmsc_stored nvarchar(64) = (SELECT TOP (1) [EffectiveSchemaHash] FROM ")
	b.WriteString(es)
	b.WriteString(" ORDER BY [EffectiveSchemaId] DESC);\n    IF @dmsc_stored IS NOT NULL AND @dmsc_stored <> ")
	b.WriteString(d.StringLiteral(hash))
	b.WriteString("\n    BEGIN\n        DECLARE @dmsc_message nvarchar(2048) = CONCAT(N'dmsc fingerprint mismatch: the database holds effective schema hash ', @dmsc_stored, N', this script is for ', ")
	b.WriteString(d.StringLiteral(hash))
	b.WriteString(");\n        THROW 50000, @dmsc_message, 1;\n    END;\nEND;\n")
}

// WriteCreateSchema writes IF SCHEMA_ID(…) IS NULL EXEC(N'CREATE SCHEMA …'),
// which needs no batch of its own.
func (d Dialect) WriteCreateSchema(b *strings.Builder, schema string) {
	b.WriteString("IF SCHEMA_ID(")
	b.WriteString(d.StringLiteral(schema))
	b.WriteString(") IS NULL EXEC(")
	b.WriteString(d.StringLiteral("CREATE SCHEMA " + d.QuoteIdent(schema)))
	b.WriteString(");\n")
}

// TableTypes reports true: lists of ids travel as table-valued
// parameters.
func (Dialect) TableTypes() bool { return true }

// WriteCreateTableType writes IF TYPE_ID(…) IS NULL CREATE TYPE … AS
// TABLE with the columns and the primary key inline.
func (d Dialect) WriteCreateTableType(b *strings.Builder, t *dialect.Table) {
	if t.Comment != "" {
		dialect.WriteComment(b, t.Comment)
	}
	b.WriteString("IF TYPE_ID(")
	b.WriteString(d.StringLiteral(d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)))
	b.WriteString(") IS NULL\nCREATE TYPE ")
	dialect.WriteQualified(b, d, t.Schema, t.Name)
	b.WriteString(" AS TABLE (\n")
	for i := range t.Columns {
		c := &t.Columns[i]
		b.WriteString("    ")
		d.WriteIdent(b, c.Name)
		b.WriteByte(' ')
		b.WriteString(d.TypeName(c.Type))
		b.WriteString(" NOT NULL")
		if len(t.PrimaryKey.Columns) == 1 && t.PrimaryKey.Columns[0] == c.Name {
			b.WriteString(" PRIMARY KEY")
		}
		if i < len(t.Columns)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(");\n")
}

// WriteCreateTable writes IF OBJECT_ID(…, N'U') IS NULL CREATE TABLE with
// the primary key, unique constraints, named defaults and ISJSON checks
// inline.
func (d Dialect) WriteCreateTable(b *strings.Builder, t *dialect.Table) {
	if t.Comment != "" {
		dialect.WriteComment(b, t.Comment)
	}
	b.WriteString("IF OBJECT_ID(")
	b.WriteString(d.objectName(t.Schema, t.Name))
	b.WriteString(", N'U') IS NULL\nCREATE TABLE ")
	dialect.WriteQualified(b, d, t.Schema, t.Name)
	b.WriteString(" (\n")
	for i := range t.Columns {
		c := &t.Columns[i]
		b.WriteString("    ")
		d.WriteIdent(b, c.Name)
		b.WriteByte(' ')
		if c.Special != dialect.NoSpecial {
			b.WriteString(d.SpecialTypeName(c.Special, c.Length))
		} else {
			b.WriteString(d.TypeName(c.Type))
		}
		if c.Identity {
			b.WriteString(" IDENTITY(1,1)")
		}
		if c.Nullable {
			b.WriteString(" NULL")
		} else {
			b.WriteString(" NOT NULL")
		}
		if c.Default != dialect.NoDefault {
			b.WriteString(" CONSTRAINT ")
			d.WriteIdent(b, "DF_"+t.Name+"_"+c.Name)
			switch c.Default {
			case dialect.DefaultNow:
				b.WriteString(" DEFAULT (sysutcdatetime())")
			case dialect.DefaultOne:
				b.WriteString(" DEFAULT (1)")
			}
		}
		b.WriteString(",\n")
	}
	d.writeKey(b, "PRIMARY KEY", &t.PrimaryKey)
	for i := range t.Uniques {
		b.WriteString(",\n")
		d.writeKey(b, "UNIQUE", &t.Uniques[i])
	}
	for i := range t.Columns {
		if c := &t.Columns[i]; c.Special == dialect.JSON || c.Special == dialect.JSONText {
			b.WriteString(",\n    CONSTRAINT ")
			d.WriteIdent(b, "CK_"+t.Name+"_"+c.Name)
			b.WriteString(" CHECK (ISJSON(")
			d.WriteIdent(b, c.Name)
			b.WriteString(") = 1)")
		}
	}
	b.WriteString("\n);\n")
}

// writeKey writes `    CONSTRAINT [name] KIND [NON]CLUSTERED ([a], [b])`.
func (d Dialect) writeKey(b *strings.Builder, kind string, k *dialect.Key) {
	b.WriteString("    CONSTRAINT ")
	d.WriteIdent(b, k.Name)
	b.WriteByte(' ')
	b.WriteString(kind)
	switch k.Clustering {
	case dialect.Clustered:
		b.WriteString(" CLUSTERED")
	case dialect.NonClustered:
		b.WriteString(" NONCLUSTERED")
	}
	b.WriteString(" (")
	dialect.WriteIdentList(b, d, k.Columns)
	b.WriteByte(')')
	if k.FillFactor > 0 {
		b.WriteString(" WITH (FILLFACTOR = ")
		b.WriteString(strconv.Itoa(k.FillFactor))
		b.WriteByte(')')
	}
}

// WriteAddForeignKey writes IF NOT EXISTS (sys.foreign_keys …) ALTER TABLE
// … ADD CONSTRAINT.
func (d Dialect) WriteAddForeignKey(b *strings.Builder, fk *dialect.ForeignKey) {
	b.WriteString("IF NOT EXISTS (SELECT 1 FROM sys.foreign_keys WHERE [name] = ")
	b.WriteString(d.StringLiteral(fk.Name))
	b.WriteString(" AND [parent_object_id] = OBJECT_ID(")
	b.WriteString(d.objectName(fk.Schema, fk.Table))
	b.WriteString("))\n    ALTER TABLE ")
	dialect.WriteQualified(b, d, fk.Schema, fk.Table)
	b.WriteString(" ADD CONSTRAINT ")
	d.WriteIdent(b, fk.Name)
	b.WriteString(" FOREIGN KEY (")
	dialect.WriteIdentList(b, d, fk.Columns)
	b.WriteString(") REFERENCES ")
	dialect.WriteQualified(b, d, fk.TargetSchema, fk.TargetTable)
	b.WriteString(" (")
	dialect.WriteIdentList(b, d, fk.TargetColumns)
	b.WriteString(")")
	// NO ACTION is the default and stays implicit (sqlfluff's T-SQL
	// grammar cannot parse an explicit ON DELETE NO ACTION).
	if fk.OnDelete == dialect.Cascade {
		b.WriteString(" ON DELETE CASCADE")
	}
	b.WriteString(";\n")
}

// WriteCreateIndex writes IF NOT EXISTS (sys.indexes …) CREATE INDEX.
func (d Dialect) WriteCreateIndex(b *strings.Builder, ix *dialect.Index) {
	b.WriteString("IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE [name] = ")
	b.WriteString(d.StringLiteral(ix.Name))
	b.WriteString(" AND [object_id] = OBJECT_ID(")
	b.WriteString(d.objectName(ix.Schema, ix.Table))
	b.WriteString("))\n    CREATE ")
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX ")
	dialect.WriteIndexBody(b, d, ix)
}

// WriteCreateView writes CREATE OR ALTER VIEW … AS the arms joined by UNION
// ALL. The statement must sit alone in its batch (see Batch).
func (d Dialect) WriteCreateView(b *strings.Builder, v *dialect.View) {
	if v.Comment != "" {
		dialect.WriteComment(b, v.Comment)
	}
	b.WriteString("CREATE OR ALTER VIEW ")
	dialect.WriteQualified(b, d, v.Schema, v.Name)
	b.WriteString(" AS\n")
	dialect.WriteUnion(b, d, v)
	b.WriteString(";\n")
}

// WriteInsert writes INSERT … SELECT … FROM (VALUES …) WHERE NOT EXISTS.
func (d Dialect) WriteInsert(b *strings.Builder, ins *dialect.Insert) {
	if len(ins.Rows) == 0 {
		return
	}
	if ins.Comment != "" {
		dialect.WriteComment(b, ins.Comment)
	}
	table := dialect.Qualified(d, ins.Schema, ins.Table)
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	l := ins.Lookup
	if l != nil {
		d.WriteIdent(b, l.Column)
		b.WriteString(", ")
	}
	dialect.WriteIdentList(b, d, ins.Columns)
	b.WriteString(")\nSELECT ")
	if l != nil {
		b.WriteString(l.Source.Alias)
		b.WriteByte('.')
		d.WriteIdent(b, l.Select)
		b.WriteString(", ")
	}
	dialect.WriteQualifiedList(b, d, "v", ins.Columns)
	b.WriteString("\nFROM (VALUES\n")
	for i, row := range ins.Rows {
		b.WriteString("    (")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			d.literal(b, v)
		}
		b.WriteByte(')')
		if i < len(ins.Rows)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(") AS v (")
	dialect.WriteIdentList(b, d, ins.Columns)
	b.WriteString(")\n")
	if l != nil {
		b.WriteString("CROSS JOIN ")
		dialect.WriteQualified(b, d, l.Source.Schema, l.Source.Name)
		b.WriteString(" AS ")
		b.WriteString(l.Source.Alias)
		b.WriteString("\nWHERE ")
		b.WriteString(l.Source.Alias)
		b.WriteByte('.')
		d.WriteIdent(b, l.Where)
		b.WriteString(" = ")
		d.literal(b, l.Equals)
		b.WriteString("\n    AND ")
	} else {
		b.WriteString("WHERE ")
	}
	b.WriteString("NOT EXISTS (SELECT 1 FROM ")
	b.WriteString(table)
	b.WriteString(" AS e WHERE ")
	for i, k := range ins.Key {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("e.")
		d.WriteIdent(b, k)
		b.WriteString(" = ")
		if l != nil && k == l.Column {
			b.WriteString(l.Source.Alias)
			b.WriteByte('.')
			d.WriteIdent(b, l.Select)
		} else {
			b.WriteString("v.")
			d.WriteIdent(b, k)
		}
	}
	b.WriteString(");\n")
}
