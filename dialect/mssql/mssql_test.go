package mssql

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

func TestTypeName(t *testing.T) {
	tests := []struct {
		t    model.Type
		want string
	}{
		{model.Type{Kind: model.String, MaxLength: 75}, "nvarchar(75)"},
		{model.Type{Kind: model.String, MaxLength: 4001}, "nvarchar(max)"},
		{model.Type{Kind: model.String}, "nvarchar(max)"},
		{model.Type{Kind: model.Decimal, Precision: 9, Scale: 2}, "decimal(9,2)"},
		{model.Type{Kind: model.Date}, "date"},
		{model.Type{Kind: model.DateTime}, "datetime2(7)"},
		{model.Type{Kind: model.Time}, "time(7)"},
		{model.Type{Kind: model.Boolean}, "bit"},
		{model.Type{Kind: model.Int16}, "smallint"},
		{model.Type{Kind: model.Int32}, "int"},
		{model.Type{Kind: model.Int64}, "bigint"},
	}
	for _, tt := range tests {
		if got := New().TypeName(tt.t); got != tt.want {
			t.Errorf("TypeName(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	specials := map[dialect.Special]string{dialect.UUID: "uniqueidentifier", dialect.JSON: "nvarchar(max)", dialect.Binary: "varbinary(32)", dialect.Char: "char(32)"}
	for s, want := range specials {
		if got := New().SpecialTypeName(s, 32); got != want {
			t.Errorf("SpecialTypeName(%v) = %q, want %q", s, got, want)
		}
	}
}

func TestQuoting(t *testing.T) {
	d := New()
	tests := []struct{ got, want string }{
		{d.QuoteIdent("School"), "[School]"},
		{d.QuoteIdent("a]b[c"), "[a]]b[c]"},
		{d.StringLiteral("O'Brien"), "N'O''Brien'"},
		{d.objectName("edfi", "a]b"), "N'[edfi].[a]]b]'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestBatchRules(t *testing.T) {
	own := map[dialect.StatementKind]bool{dialect.ViewStatement: true, dialect.TriggerStatement: true, dialect.FunctionStatement: true}
	for _, k := range []dialect.StatementKind{dialect.PlainStatement, dialect.GuardStatement, dialect.SchemaStatement,
		dialect.ViewStatement, dialect.TriggerStatement, dialect.FunctionStatement} {
		if got := New().Batch(k) == dialect.OwnBatch; got != own[k] {
			t.Errorf("Batch(%v) own batch = %v, want %v", k, got, own[k])
		}
	}
	var b strings.Builder
	New().WriteCreateSchema(&b, "ed]fi")
	if want := "IF SCHEMA_ID(N'ed]fi') IS NULL EXEC(N'CREATE SCHEMA [ed]]fi]');\n"; b.String() != want {
		t.Errorf("CREATE SCHEMA = %q, want %q (no batch of its own needed)", b.String(), want)
	}
}

func TestWriteInsertLiterals(t *testing.T) {
	var b strings.Builder
	New().WriteInsert(&b, &dialect.Insert{Schema: "s", Table: "t", Columns: []string{"a", "b", "c", "d", "e"}, Key: []string{"a"},
		Rows: [][]dialect.Value{{dialect.Int(-1), dialect.Str("x'y"), dialect.Bool(true), dialect.Bytes([]byte{0, 255}), {}}}})
	want := "INSERT INTO [s].[t] ([a], [b], [c], [d], [e])\nSELECT v.[a], v.[b], v.[c], v.[d], v.[e]\nFROM (VALUES\n" +
		"    (-1, N'x''y', 1, CONVERT(varbinary(2), '00ff', 2), NULL)\n) AS v ([a], [b], [c], [d], [e])\n" +
		"WHERE NOT EXISTS (SELECT 1 FROM [s].[t] AS e WHERE e.[a] = v.[a]);\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
