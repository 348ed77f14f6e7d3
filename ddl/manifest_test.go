package ddl

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/dialect"

	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

func TestNormalizedSHA256(t *testing.T) {
	base := NormalizedSHA256("SELECT 1;\nSELECT 2;\n")
	tests := []struct {
		name   string
		script string
		same   bool
	}{
		{"CRLF", "SELECT 1;\r\nSELECT 2;\r\n", true},
		{"CR", "SELECT 1;\rSELECT 2;\r", true},
		{"trailing blanks", "SELECT 1;  \t\nSELECT 2; \n", true},
		{"leading blanks matter", " SELECT 1;\nSELECT 2;\n", false},
		{"final newline matters", "SELECT 1;\nSELECT 2;", false},
		{"content matters", "SELECT 1;\nSELECT 3;\n", false},
	}
	for _, tt := range tests {
		if got := NormalizedSHA256(tt.script) == base; got != tt.same {
			t.Errorf("%s: same hash = %v, want %v", tt.name, got, tt.same)
		}
	}
	if len(base) != 64 || strings.ToLower(base) != base {
		t.Errorf("hash %q is not lowercase hex SHA-256", base)
	}
}

// TestStatementCounts checks that the statement splitter finds exactly
// the statements the renderer wrote, in both dialects, and that each is a
// terminated statement.
func TestStatementCounts(t *testing.T) {
	schemacase.ForEach(t, false, func(t *testing.T, c *schemacase.Case) {
		for _, s := range scriptsOf(t, c) {
			m := c.Model(s.Dialect)
			tables, err := resourceTables(m)
			if err != nil {
				t.Fatal(err)
			}
			d, err := all.For(s.Dialect)
			if err != nil {
				t.Fatal(err)
			}
			authViewList, covering, err := authViews(m, d)
			if err != nil {
				t.Fatal(err)
			}
			var tableIxs []dialect.Index
			for _, tb := range tables {
				for _, ix := range tb.Indexes {
					tableIxs = append(tableIxs, dialect.Index{Schema: tb.Schema, Table: tb.Name, Name: ix.Name, Columns: ix.Columns})
				}
			}
			unmerged := len(coverPersons(tableIxs, covering)) - len(tableIxs)
			// + the descriptor URI generation, closure and claim set
			// tables, the authorization views, the covering indexes that
			// extend no FK index, five seeds.
			want := 1 + len(schemas(m, tables, nil)) + len(CoreTableNames()) + 3 + len(tables) + len(coreForeignKeys(d)) +
				len(coreIndexes()) + len(m.Views) + len(authViewList) + unmerged + 5
			for _, tb := range tables {
				want += len(tb.ForeignKeys) + len(tb.Indexes)
				for _, u := range tb.Uniques {
					if !d.UniqueNullsDistinct() && len(nullableColumns(tb, u.Columns)) > 0 {
						want++ // a filtered unique index
					}
				}
			}
			if s.Dialect == model.MSSQL {
				want += 2 // SET ANSI_NULLS, SET QUOTED_IDENTIFIER
			}
			if d.TableTypes() {
				want++ // dms.BigIntTable
			}
			got, err := Statements(s.Dialect, s.SQL)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != want {
				t.Errorf("%s: %d statements, want %d", s.Dialect, len(got), want)
			}
			for i, st := range got {
				if !strings.HasSuffix(st, ";") {
					t.Errorf("%s statement %d is not terminated: %q", s.Dialect, i, st)
				}
			}
		}
	})
}

func TestManifestJSON(t *testing.T) {
	c := schemacase.Example(t)
	m, err := NewScriptManifest(scriptsOf(t, c))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range m.Dialects {
		if e.Dialect != scriptsOf(t, c)[i].Dialect || e.NormalizedSQLSHA256 != NormalizedSHA256(scriptsOf(t, c)[i].SQL) || e.StatementCount == 0 {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	data, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden.AssertFile(t, "../testdata/cases/example/expected", "ddl-manifest.json", data)
	empty, err := (&ScriptManifest{}).JSON()
	if err != nil || string(empty) != "{\n  \"dialects\": []\n}\n" {
		t.Errorf("empty manifest = %q, %v", empty, err)
	}
}
