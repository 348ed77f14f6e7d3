package dialect

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	pg := SplitRules{DollarQuotes: true}
	ms := SplitRules{Brackets: true, BlockKeywords: true, BatchSeparator: "GO"}
	tests := []struct {
		name   string
		rules  SplitRules
		script string
		want   []string
	}{
		{"empty", pg, "", nil},
		{"comments only", pg, "-- a\n/* b; */\n", nil},
		{"two statements", pg, "SELECT 1;\nSELECT 2;\n", []string{"SELECT 1;", "SELECT 2;"}},
		{"leading comment dropped", pg, "-- say; hi\nSELECT 1;", []string{"SELECT 1;"}},
		{"no final semicolon", pg, "SELECT 1;\nSELECT 2", []string{"SELECT 1;", "SELECT 2"}},
		{"semicolon in string", pg, "SELECT 'a;''b';", []string{"SELECT 'a;''b';"}},
		{"semicolon in identifier", pg, `SELECT 1 AS "a;""b";`, []string{`SELECT 1 AS "a;""b";`}},
		{"dollar quoted block", pg, "DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\nSELECT 2;", []string{"DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$;", "SELECT 2;"}},
		{"tagged dollar quote", pg, "DO $x$ SELECT '$$;'; $x$; SELECT 3;", []string{"DO $x$ SELECT '$$;'; $x$;", "SELECT 3;"}},
		{"positional parameter is no quote", pg, "SELECT $1; SELECT 2;", []string{"SELECT $1;", "SELECT 2;"}},
		{"nested block comment", pg, "/* a /* b; */ c; */ SELECT 1;", []string{"SELECT 1;"}},
		{"semicolon in parentheses", pg, "SELECT (1;2); SELECT 3;", []string{"SELECT (1;2);", "SELECT 3;"}},
		{"brackets", ms, "SELECT 1 AS [a;]]b];", []string{"SELECT 1 AS [a;]]b];"}},
		{"begin end block", ms, "IF 1 = 1\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT 3;", []string{"IF 1 = 1\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND;", "SELECT 3;"}},
		{"nested blocks and case", ms, "IF 1 = 1 BEGIN IF 2 = 2 BEGIN SELECT CASE WHEN 1 = 1 THEN 1 END; END; END; SELECT 4;", []string{"IF 1 = 1 BEGIN IF 2 = 2 BEGIN SELECT CASE WHEN 1 = 1 THEN 1 END; END; END;", "SELECT 4;"}},
		{"begin transaction is no block", ms, "BEGIN TRANSACTION; SELECT 1; COMMIT;", []string{"BEGIN TRANSACTION;", "SELECT 1;", "COMMIT;"}},
		{"go lines end statements", ms, "SELECT 1\nGO\n  go  \nCREATE VIEW v AS SELECT 2\nGO\n", []string{"SELECT 1", "CREATE VIEW v AS SELECT 2"}},
		{"go inside a word is not a separator", ms, "SELECT 1 AS GOAL;\n", []string{"SELECT 1 AS GOAL;"}},
		{"no brackets in postgres", pg, "SELECT a[1]; SELECT 2;", []string{"SELECT a[1];", "SELECT 2;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitStatements(tt.script, tt.rules); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitStatements(%q) = %q, want %q", tt.script, got, tt.want)
			}
		})
	}
}

func TestSplitBatches(t *testing.T) {
	tests := []struct {
		script string
		want   []string
	}{
		{"", nil},
		{"GO\n", nil},
		{"SELECT 1;\nGO\nSELECT 2;\n", []string{"SELECT 1;\n", "SELECT 2;\n"}},
		{"SELECT 1;\r\n go \r\nSELECT 2;", []string{"SELECT 1;\r\n", "SELECT 2;"}},
		{"SELECT 1 AS go;\n", []string{"SELECT 1 AS go;\n"}},
	}
	for _, tt := range tests {
		if got := SplitBatches(tt.script, "GO"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitBatches(%q) = %q, want %q", tt.script, got, tt.want)
		}
	}
}

func TestQuoteWith(t *testing.T) {
	tests := []struct {
		in          string
		open, close byte
		want        string
	}{
		{"a", '"', '"', `"a"`},
		{`a"b`, '"', '"', `"a""b"`},
		{"a]b[", '[', ']', "[a]]b[]"},
		{"it's", '\'', '\'', "'it''s'"},
		{"", '[', ']', "[]"},
	}
	for _, tt := range tests {
		if got := QuoteWith(tt.in, tt.open, tt.close); got != tt.want {
			t.Errorf("QuoteWith(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteComment(t *testing.T) {
	tests := map[string]string{
		"a":            "-- a\n",
		"a\nb":         "-- a\n-- b\n",
		"a\r\n\nb  ":   "-- a\n--\n-- b\n",
		"x */ y; --  ": "-- x */ y; --\n",
	}
	for in, want := range tests {
		var b stringsBuilder
		WriteComment(&b.Builder, in)
		if got := b.String(); got != want {
			t.Errorf("WriteComment(%q) = %q, want %q", in, got, want)
		}
	}
}
