package ddl

import (
	"regexp"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/mssql"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

// Type names one dialect must never contain, on masked SQL (comments,
// literals and identifiers removed), matched as whole words.
var (
	foreignToMSSQL = regexp.MustCompile(`(?i)\b(varchar|numeric|boolean|bytea|jsonb|uuid|integer|text|serial|bigserial|timestamptz|timestamp|double precision|real|time zone|without time)\b|::`)
	foreignToPgSQL = regexp.MustCompile(`(?i)\b(nvarchar|datetime2|datetime|bit|uniqueidentifier|int|varbinary|tinyint|money|ntext|image)\b|\[|(?m)^\s*GO\s*$`)
	// columnLine matches a column definition of a masked CREATE TABLE.
	mssqlColumn = regexp.MustCompile(`(?m)^    \[x\] ([a-z0-9]+(?:\([0-9a-z,]+\))?)`)
	pgsqlColumn = regexp.MustCompile(`(?m)^    "x" ([a-z]+(?: with time zone)?(?:\([0-9,]+\))?)`)
	allowedType = map[model.Dialect]*regexp.Regexp{
		model.MSSQL: regexp.MustCompile(`^(nvarchar\(([0-9]+|max)\)|decimal\([0-9]+,[0-9]+\)|date|datetime2\(7\)|time\(7\)|bit|smallint|int|bigint|uniqueidentifier|varbinary\([0-9]+\)|char\([0-9]+\))$`),
		model.PgSQL: regexp.MustCompile(`^(varchar\([0-9]+\)|numeric\([0-9]+,[0-9]+\)|date|timestamp with time zone|time|boolean|smallint|integer|bigint|uuid|jsonb|text|bytea|char\([0-9]+\))$`),
	}
	// batchOpeners must be the first statement of their batch; the
	// captured kinds (views, triggers, functions, procedures) must also be
	// the only one.
	batchOpener = regexp.MustCompile(`(?i)^(CREATE\s+(OR\s+ALTER\s+)?(VIEW|TRIGGER|FUNCTION|PROC|PROCEDURE)|ALTER\s+(VIEW|TRIGGER|FUNCTION|PROC|PROCEDURE)|CREATE\s+SCHEMA)\b`)
	batchAlone  = regexp.MustCompile(`(?i)^(CREATE\s+(OR\s+ALTER\s+)?|ALTER\s+)(VIEW|TRIGGER|FUNCTION|PROC|PROCEDURE)\b`)
	anyOpener   = regexp.MustCompile(`(?i)\b(CREATE\s+(OR\s+ALTER\s+)?(VIEW|TRIGGER|FUNCTION|PROC|PROCEDURE|SCHEMA))\b`)
)

// TestTypeNames checks every script uses only its own dialect's type names:
// no PostgreSQL type in mssql.sql, no SQL Server type or bracket in
// pgsql.sql, and every column of every CREATE TABLE has an allowed type.
func TestTypeNames(t *testing.T) {
	schemacase.ForEach(t, false, func(t *testing.T, c *schemacase.Case) {
		for _, s := range scriptsOf(t, c) {
			masked := maskSQL(s.SQL, s.Dialect == model.MSSQL)
			foreign, column := foreignToMSSQL, mssqlColumn
			if s.Dialect == model.PgSQL {
				foreign, column = foreignToPgSQL, pgsqlColumn
			}
			if loc := foreign.FindStringIndex(masked); loc != nil {
				t.Errorf("%s: foreign type or syntax %q at %s", s.Dialect, masked[loc[0]:loc[1]], lineAround(masked, loc[0]))
			}
			cols := column.FindAllStringSubmatch(masked, -1)
			if len(cols) == 0 {
				t.Errorf("%s: found no column definitions", s.Dialect)
			}
			for _, m := range cols {
				if !allowedType[s.Dialect].MatchString(m[1]) {
					t.Errorf("%s: column type %q is not a %s type name", s.Dialect, m[1], s.Dialect)
				}
			}
		}
	})
}

// TestMSSQLBatches checks the SQL Server batch rules: CREATE SCHEMA, views,
// triggers, functions and procedures open their batch (views, triggers,
// functions and procedures alone in it), such statements appear nowhere
// else outside strings, and the script ends with a GO line.
func TestMSSQLBatches(t *testing.T) {
	schemacase.ForEach(t, false, func(t *testing.T, c *schemacase.Case) {
		script := c.Script(t, model.MSSQL, Render)
		if !strings.HasSuffix(script, "\nGO\n") {
			t.Errorf("the script does not end with a GO line")
		}
		openers := 0
		for bi, batch := range mssql.SplitBatches(script) {
			stmts := dialect.SplitStatements(batch, dialect.SplitRules{Brackets: true, BlockKeywords: true})
			for si, st := range stmts {
				masked := strings.TrimSpace(maskSQL(st, true))
				if batchOpener.MatchString(masked) {
					openers++
					if si != 0 {
						t.Errorf("batch %d: %q is statement %d, not the first of its batch", bi+1, firstLine(st), si+1)
					}
					if batchAlone.MatchString(masked) && len(stmts) != 1 {
						t.Errorf("batch %d: %q shares its batch with %d other statements", bi+1, firstLine(st), len(stmts)-1)
					}
					continue
				}
				if loc := anyOpener.FindStringIndex(masked); loc != nil {
					t.Errorf("batch %d: %q inside statement %q (must open a batch or run through EXEC)", bi+1, masked[loc[0]:loc[1]], firstLine(st))
				}
			}
		}
		authNames, err := AuthViewNames(c.Model(model.MSSQL))
		if err != nil {
			t.Fatal(err)
		}
		if want := len(c.Model(model.MSSQL).Views) + len(authNames); openers != want {
			t.Errorf("found %d batch-opening statements, want %d (one per view)", openers, want)
		}
	})
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// lineAround returns the line around offset i of s.
func lineAround(s string, i int) string {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		end = len(s) - i
	}
	return strings.TrimSpace(s[start : i+end])
}

// TestCheckPatterns makes sure the patterns above catch what they should.
func TestCheckPatterns(t *testing.T) {
	tests := []struct {
		re    *regexp.Regexp
		text  string
		match bool
	}{
		{foreignToMSSQL, "[x] varchar(10) NULL", true},
		{foreignToMSSQL, "[x] nvarchar(10) NULL", false},
		{foreignToMSSQL, "[x] boolean", true},
		{foreignToMSSQL, "[x] timestamp with time zone", true},
		{foreignToMSSQL, "[x] numeric(9,2)", true},
		{foreignToMSSQL, "[x] decimal(9,2)", false},
		{foreignToMSSQL, "CAST(x AS integer)", true},
		{foreignToMSSQL, "'x'::regclass", true},
		{foreignToPgSQL, `"x" nvarchar(10)`, true},
		{foreignToPgSQL, `"x" bit`, true},
		{foreignToPgSQL, `"x" integer`, false},
		{foreignToPgSQL, "SELECT 1;\nGO\n", true},
		{batchOpener, "CREATE OR ALTER VIEW [x].[x] AS", true},
		{batchOpener, "IF 1 = 1 EXEC('x')", false},
		{anyOpener, "IF 1 = 1 CREATE SCHEMA [x]", true},
	}
	for _, tt := range tests {
		if got := tt.re.MatchString(tt.text); got != tt.match {
			t.Errorf("%v on %q = %v, want %v", tt.re, tt.text, got, tt.match)
		}
	}
}
