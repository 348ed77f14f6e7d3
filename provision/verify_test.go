package provision

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

// TestCompareTables covers every kind of column mismatch on a small
// catalog, and that a matching one yields none.
func TestCompareTables(t *testing.T) {
	want := []ddl.ExpectedTable{
		{Schema: "s", Name: "A", PrimaryKey: []string{"Id", "Ordinal"}, Uniques: []dialect.Key{
			{Name: "UX_A_Code", Columns: []string{"Id", "Code"}}, {Name: "UX_A_Key", Columns: []string{"Ordinal", "Id"}},
		}, Columns: []ddl.ExpectedColumn{
			{Name: "Id", Type: "bigint", Identity: true},
			{Name: "Ordinal", Type: "integer"},
			{Name: "Code", Type: "character varying(20)"},
			{Name: "Amount", Type: "numeric(9,2)", Nullable: true},
			{Name: "At", Type: "timestamp with time zone", Default: true},
			{Name: "Gone", Type: "date", Nullable: true},
		}},
		{Schema: "s", Name: "Absent", PrimaryKey: []string{"Id"}, Columns: []ddl.ExpectedColumn{{Name: "Id", Type: "bigint"}}},
		{Schema: "s", Name: "B", PrimaryKey: []string{"Id"}, Columns: []ddl.ExpectedColumn{{Name: "Id", Type: "bigint"}}},
	}
	good := map[string]*catalogTable{
		"s.A": {PrimaryKey: []string{"Id", "Ordinal"}, Uniques: [][]string{{"Code", "Id"}}, Columns: []catalogColumn{
			{Name: "Id", Type: "bigint", Identity: true},
			{Name: "Ordinal", Type: "integer"},
			{Name: "Code", Type: "character varying(20)"},
			{Name: "Amount", Type: "numeric(9,2)", Nullable: true, Default: true}, // an extra default is harmless
			{Name: "At", Type: "timestamp with time zone", Default: true},
			{Name: "Gone", Type: "date", Nullable: true},
			{Name: "Note", Type: "text", Nullable: true},  // extra, nullable
			{Name: "Audit", Type: "text", Default: true},  // extra, defaulted
			{Name: "Seq", Type: "bigint", Identity: true}, // extra, generated
		}},
		"s.B": {PrimaryKey: []string{"Id"}, Columns: []catalogColumn{{Name: "Id", Type: "bigint"}}},
	}
	if got := compareTables(want, good); len(got) != 0 {
		t.Errorf("matching catalog: %v", got)
	}

	bad := map[string]*catalogTable{
		"s.A": {PrimaryKey: []string{"Ordinal", "Id"}, Columns: []catalogColumn{
			{Name: "Id", Type: "bigint"},
			{Name: "Ordinal", Type: "integer"},
			{Name: "Code", Type: "character varying(10)"},
			{Name: "Amount", Type: "numeric(9,3)"},
			{Name: "At", Type: "timestamp with time zone"},
			{Name: "Must", Type: "text"},
		}},
		"s.B": {Columns: []catalogColumn{{Name: "Id", Type: "integer", Nullable: true}}},
	}
	var got []string
	for _, m := range compareTables(want, bad) {
		got = append(got, m.String())
	}
	wantLines := []string{
		"s.A.Id: expected bigint NOT NULL IDENTITY, found bigint NOT NULL",
		"s.A.Code: expected character varying(20) NOT NULL, found character varying(10) NOT NULL",
		"s.A.Amount: expected numeric(9,2) NULL, found numeric(9,3) NOT NULL",
		"s.A.At: expected timestamp with time zone NOT NULL with a default, found timestamp with time zone NOT NULL",
		"s.A.Gone: expected date NULL, missing",
		"s.A.Must: unexpected column text NOT NULL without a default (dmsc never writes it, so every insert fails)",
		"s.A: expected primary key (Id, Ordinal), found (Ordinal, Id)",
		"s.A: expected unique key UX_A_Code (Id, Code), missing",
		"s.B.Id: expected bigint NOT NULL, found integer NULL",
		"s.B: expected primary key (Id), found none",
	}
	if !reflect.DeepEqual(got, wantLines) {
		t.Errorf("mismatches:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(wantLines, "\n     "))
	}
}

// TestVerificationErrorMessage: the relation summary stays on the first
// line, then one line per column mismatch.
func TestVerificationErrorMessage(t *testing.T) {
	e := &VerificationError{StoredHash: "h", ExpectedHash: "h", When: whenApplied,
		Missing: []Relation{{Schema: "s", Name: "V", IsView: true}},
		Columns: []ColumnMismatch{
			{Table: "s.A", Column: "Id", Problem: "expected integer NOT NULL, found character varying(20) NULL"},
			{Table: "s.A", Problem: "expected primary key (Id), found none"},
		}}
	want := "verification failed after applying the script (rolled back): 1 expected relations are missing: view s.V; " +
		"2 differences between the existing tables and the schema set:\n" +
		"  s.A.Id: expected integer NOT NULL, found character varying(20) NULL\n" +
		"  s.A: expected primary key (Id), found none"
	if e.Error() != want {
		t.Errorf("message\n got %s\nwant %s", e.Error(), want)
	}
	if err := withWhen(e, whenAlreadyProvisioned); err != e || e.When != whenAlreadyProvisioned {
		t.Errorf("withWhen = %v", err)
	}
	if err := withWhen(errors.New("read the catalog: boom"), whenApplied); err.Error() != "verification "+whenApplied+": read the catalog: boom" {
		t.Errorf("withWhen(other) = %v", err)
	}
}

// TestPgCatalogType: every type the PostgreSQL script declares, spelt as
// format_type() reports it (TestPostgresApply verifies every case against
// a real catalog).
func TestPgCatalogType(t *testing.T) {
	for in, want := range map[string]string{
		"varchar(75)": "character varying(75)", "varchar": "character varying", "char(64)": "character(64)",
		"time": "time without time zone", "timestamp with time zone": "timestamp with time zone",
		"numeric(9,2)": "numeric(9,2)", "integer": "integer", "uuid": "uuid", "jsonb": "jsonb", "bytea": "bytea",
	} {
		if got := pgCatalogType(in); got != want {
			t.Errorf("pgCatalogType(%q) = %q, want %q", in, got, want)
		}
	}
}

// mssqlCatalogRows is what sys.columns and sys.types report (type name,
// max_length in bytes, precision, scale) for each type the SQL Server
// script declares.
var mssqlCatalogRows = map[string]struct {
	name                        string
	maxLength, precision, scale int
}{
	"nvarchar(75)":     {"nvarchar", 150, 0, 0},
	"nvarchar(max)":    {"nvarchar", -1, 0, 0},
	"decimal(9,2)":     {"decimal", 5, 9, 2},
	"datetime2(7)":     {"datetime2", 8, 27, 7},
	"time(7)":          {"time", 5, 16, 7},
	"date":             {"date", 3, 10, 0},
	"bit":              {"bit", 1, 1, 0},
	"smallint":         {"smallint", 2, 5, 0},
	"int":              {"int", 4, 10, 0},
	"bigint":           {"bigint", 8, 19, 0},
	"uniqueidentifier": {"uniqueidentifier", 16, 0, 0},
	"varbinary(32)":    {"varbinary", 32, 0, 0},
	"char(64)":         {"char", 64, 0, 0},
}

// TestMSSQLCatalogType: sys.columns rows render as the script spells the
// type, and every type the example and handmade SQL Server models declare
// has a known catalog row (a new type needs one).
func TestMSSQLCatalogType(t *testing.T) {
	for want, row := range mssqlCatalogRows {
		if got := mssqlTypeFromCatalog(row.name, row.maxLength, row.precision, row.scale); got != want {
			t.Errorf("mssqlTypeFromCatalog(%v) = %q, want %q", row, got, want)
		}
	}
	d, err := all.For(model.MSSQL)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*schemacase.Case{schemacase.Example(t), schemacase.Handmade(t)} {
		tables, err := expectedTables(c.Model(model.MSSQL), d, mssqlCatalogType)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			for _, col := range tb.Columns {
				known := false
				for typ, row := range mssqlCatalogRows {
					if typ == col.Type || (row.name == strings.SplitN(col.Type, "(", 2)[0] && strings.Contains(col.Type, "(")) {
						known = true
					}
				}
				if !known {
					t.Errorf("%s.%s.%s: type %s has no catalog row in the test", tb.Schema, tb.Name, col.Name, col.Type)
				}
			}
		}
	}
}

// TestExpectedTables spot-checks the expected columns of the example: a
// resource table, a core table with identity and defaults, its key.
func TestExpectedTables(t *testing.T) {
	d, err := all.For(model.PgSQL)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := expectedTables(schemacase.Example(t).Model(model.PgSQL), d, pgCatalogType)
	if err != nil {
		t.Fatal(err)
	}
	find := func(schema, name string) *ddl.ExpectedTable {
		for i := range tables {
			if tables[i].Schema == schema && tables[i].Name == name {
				return &tables[i]
			}
		}
		t.Fatalf("no table %s.%s", schema, name)
		return nil
	}
	school := find("example", "School")
	if !reflect.DeepEqual(school.PrimaryKey, []string{"DocumentId"}) {
		t.Errorf("School key %v", school.PrimaryKey)
	}
	for _, c := range school.Columns {
		if c.Name == "SchoolId" && (c.Type != "integer" || c.Nullable) {
			t.Errorf("SchoolId: %+v", c)
		}
	}
	doc := find("dms", "Document")
	if got := doc.Columns[0]; got != (ddl.ExpectedColumn{Name: "DocumentId", Type: "bigint", Identity: true}) {
		t.Errorf("dms.Document.DocumentId: %+v", got)
	}
	if got := doc.Columns[3]; got != (ddl.ExpectedColumn{Name: "Etag", Type: "bigint", Default: true}) {
		t.Errorf("dms.Document.Etag: %+v", got)
	}
	if got := find("dms", "EffectiveSchema").Columns[2]; got.Type != "character(64)" {
		t.Errorf("EffectiveSchemaHash: %+v", got)
	}
}
