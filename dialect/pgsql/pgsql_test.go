package pgsql

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
		{model.Type{Kind: model.String, MaxLength: 75}, "varchar(75)"},
		{model.Type{Kind: model.String}, "varchar"},
		{model.Type{Kind: model.Decimal, Precision: 9, Scale: 2}, "numeric(9,2)"},
		{model.Type{Kind: model.Date}, "date"},
		{model.Type{Kind: model.DateTime}, "timestamp with time zone"},
		{model.Type{Kind: model.Time}, "time"},
		{model.Type{Kind: model.Boolean}, "boolean"},
		{model.Type{Kind: model.Int16}, "smallint"},
		{model.Type{Kind: model.Int32}, "integer"},
		{model.Type{Kind: model.Int64}, "bigint"},
	}
	for _, tt := range tests {
		if got := New().TypeName(tt.t); got != tt.want {
			t.Errorf("TypeName(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	specials := map[dialect.Special]string{dialect.UUID: "uuid", dialect.JSON: "jsonb", dialect.Binary: "bytea", dialect.Char: "char(64)"}
	for s, want := range specials {
		if got := New().SpecialTypeName(s, 64); got != want {
			t.Errorf("SpecialTypeName(%v) = %q, want %q", s, got, want)
		}
	}
}

func TestQuoting(t *testing.T) {
	d := New()
	tests := []struct{ got, want string }{
		{d.QuoteIdent("School"), `"School"`},
		{d.QuoteIdent(`a"b`), `"a""b"`},
		{d.StringLiteral("O'Brien"), `'O''Brien'`},
		{d.StringLiteral(`a\b'`), `E'a\\b'''`},
		{dialect.Qualified(d, "edfi", "School"), `"edfi"."School"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestDollarTag(t *testing.T) {
	tests := map[string]string{"x": "$$", "a $$ b": "$dmsc0$", "$$ $dmsc0$": "$dmsc1$"}
	for body, want := range tests {
		if got := dollarTag(body); got != want {
			t.Errorf("dollarTag(%q) = %q, want %q", body, got, want)
		}
	}
}

func TestWriteInsertLiterals(t *testing.T) {
	var b strings.Builder
	New().WriteInsert(&b, &dialect.Insert{Schema: "s", Table: "t", Columns: []string{"a", "b", "c", "d", "e"}, Key: []string{"a"},
		Rows: [][]dialect.Value{{dialect.Int(-1), dialect.Str("x'y"), dialect.Bool(true), dialect.Bytes([]byte{0, 255}), {}}}})
	want := "INSERT INTO \"s\".\"t\" (\"a\", \"b\", \"c\", \"d\", \"e\")\nVALUES\n    (-1, 'x''y', true, decode('00ff', 'hex'), NULL)\nON CONFLICT (\"a\") DO NOTHING;\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	New().WriteInsert(&b, &dialect.Insert{Schema: "s", Table: "t", Columns: []string{"a"}, Key: []string{"a"}})
	if b.Len() != 0 {
		t.Errorf("an insert without rows wrote %q", b.String())
	}
}
