package ddl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/mssql"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

// sqlfluffFullEnv, when set, makes TestSQLFluff parse every statement
// instead of one statement per distinct shape.
const sqlfluffFullEnv = "DMSC_SQLFLUFF_FULL"

// fluffStatement is one T-SQL statement to parse and where it comes from.
type fluffStatement struct {
	origin string
	text   string
}

// TestSQLFluff parses every mssql.sql (example, hand-made model, DS 5.0,
// Homograph, each dms case) with `sqlfluff parse --dialect tsql --templater
// raw` (spec 60-quality.md). sqlfluff is slow and superlinear on long
// inputs, so each statement goes into its own file and the files are
// parsed by one sqlfluff process per CPU. Statements that differ only in
// identifiers, string literals and numbers (their shape) are parsed once,
// and long VALUES lists are cut to three rows; set DMSC_SQLFLUFF_FULL=1 to
// parse every statement whole (several minutes).
func TestSQLFluff(t *testing.T) {
	bin, err := exec.LookPath("sqlfluff")
	if err != nil {
		t.Skip("sqlfluff is not on PATH (Debian: apt-get install -y sqlfluff); skipping the T-SQL parse check")
	}
	full := os.Getenv(sqlfluffFullEnv) != ""
	var list []fluffStatement
	shapes := map[string]bool{}
	total := 0
	collect := func(c *schemacase.Case) {
		for bi, batch := range mssql.SplitBatches(c.Script(t, model.MSSQL, Render)) {
			for si, st := range dialect.SplitStatements(batch, dialect.SplitRules{Brackets: true, BlockKeywords: true}) {
				total++
				st = rewriteForSQLFluff(st)
				if !full {
					st = collapseValues(st)
					shape := shapeOf(st)
					if shapes[shape] {
						continue
					}
					shapes[shape] = true
				}
				if strings.Contains(st, "]]") {
					// sqlfluff 1.4's lexer ends a bracket identifier at the
					// first ]; parse the same statement with neutral names.
					st = maskSQL(st, true)
				}
				list = append(list, fluffStatement{origin: fmt.Sprintf("%s/mssql.sql batch %d statement %d", c.Name, bi+1, si+1), text: st})
			}
		}
	}
	collect(schemacase.Example(t))
	collect(schemacase.Handmade(t))
	for _, fs := range schemacase.OwnSets(t) {
		collect(schemacase.Fixture(t, fs))
	}
	t.Run("fixtures", func(t *testing.T) {
		for _, fs := range schemacase.FixtureSets(t) {
			collect(schemacase.Fixture(t, fs))
		}
	})
	start := time.Now()
	failures, err := runSQLFluff(t.Context(), bin, t.TempDir(), list)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Errorf("sqlfluff cannot parse %s:\n%s\n%s", f.origin, f.text, f.report)
	}
	t.Logf("sqlfluff parsed %d statements (%d in the scripts) in %v", len(list), total, time.Since(start).Round(time.Millisecond))
}

// shapeOf returns st's shape: comments dropped, identifiers, string
// literals and numbers replaced by placeholders. Statements of one shape
// parse alike.
func shapeOf(st string) string {
	masked := maskSQL(st, true)
	var b strings.Builder
	b.Grow(len(masked))
	for i := 0; i < len(masked); i++ {
		c := masked[i]
		if c >= '0' && c <= '9' {
			if i == 0 || !isIdentByte(masked[i-1]) {
				b.WriteByte('0')
				for i+1 < len(masked) && masked[i+1] >= '0' && masked[i+1] <= '9' {
					i++
				}
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isIdentByte reports whether c may be part of an unquoted identifier.
func isIdentByte(c byte) bool {
	return c == '_' || c == '@' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// collapseValues keeps the first two and the last row of a multi-row
// VALUES list (rows are lines starting with "    ("). sqlfluff's time
// grows faster than linearly with the row count (a 520-row seed insert
// takes over a minute), and more rows of one shape add nothing to the
// grammar check.
func collapseValues(st string) string {
	lines := strings.Split(st, "\n")
	var rows []int
	for i, l := range lines {
		if strings.HasPrefix(l, "    (") {
			rows = append(rows, i)
		}
	}
	if len(rows) <= 3 {
		return st
	}
	drop := map[int]bool{}
	for _, i := range rows[2 : len(rows)-1] {
		drop[i] = true
	}
	out := lines[:0]
	for i, l := range lines {
		if !drop[i] {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// rewriteForSQLFluff applies the rewrites spec 60-quality.md allows for
// sqlfluff's T-SQL grammar: CREATE OR ALTER TRIGGER → CREATE TRIGGER and
// EXEC(N'…') → EXEC sp_executesql N'…'.
func rewriteForSQLFluff(st string) string {
	st = strings.ReplaceAll(st, "CREATE OR ALTER TRIGGER", "CREATE TRIGGER")
	var b strings.Builder
	for {
		i := strings.Index(st, "EXEC(N'")
		if i < 0 {
			b.WriteString(st)
			return b.String()
		}
		end := skipQuotedTest(st, i+len("EXEC(N"), '\'')
		if end >= len(st) || st[end] != ')' {
			b.WriteString(st)
			return b.String()
		}
		b.WriteString(st[:i])
		b.WriteString("EXEC sp_executesql ")
		b.WriteString(st[i+len("EXEC(") : end])
		st = st[end+1:]
	}
}

// fluffFailure is a statement sqlfluff could not parse.
type fluffFailure struct {
	fluffStatement
	report string
}

// runSQLFluff writes each statement to its own file, spread over one
// directory per CPU, parses the directories concurrently and, for a
// directory that fails, parses its files one by one to name the failing
// statements.
func runSQLFluff(ctx context.Context, bin, tmp string, list []fluffStatement) ([]fluffFailure, error) {
	// sqlfluff silently skips files over 20,000 bytes unless told not to.
	config := filepath.Join(tmp, "sqlfluff.cfg")
	if err := os.WriteFile(config, []byte("[sqlfluff]\nlarge_file_skip_byte_limit = 0\n"), 0o644); err != nil {
		return nil, err
	}
	shards := runtime.NumCPU()
	if shards > len(list) {
		shards = len(list)
	}
	files := make([][]string, shards)
	for i, st := range list {
		dir := filepath.Join(tmp, fmt.Sprintf("shard%02d", i%shards))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, fmt.Sprintf("s%05d.sql", i))
		if err := os.WriteFile(path, []byte(st.text+"\n"), 0o644); err != nil {
			return nil, err
		}
		files[i%shards] = append(files[i%shards], path)
	}
	var (
		mu       sync.Mutex
		failures []fluffFailure
		firstErr error
		wg       sync.WaitGroup
	)
	for s := 0; s < shards; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			ok, _, err := sqlfluffParse(ctx, bin, config, filepath.Join(tmp, fmt.Sprintf("shard%02d", s)))
			if err == nil && !ok {
				for _, path := range files[s] {
					var fileOK bool
					var report string
					if fileOK, report, err = sqlfluffParse(ctx, bin, config, path); err != nil || fileOK {
						continue
					}
					var idx int
					if _, serr := fmt.Sscanf(filepath.Base(path), "s%05d.sql", &idx); serr == nil {
						mu.Lock()
						failures = append(failures, fluffFailure{fluffStatement: list[idx], report: report})
						mu.Unlock()
					}
				}
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(s)
	}
	wg.Wait()
	return failures, firstErr
}

// sqlfluffParse runs sqlfluff parse on path (a file or directory) and
// reports whether everything parsed; on failure it returns sqlfluff's
// violation report.
func sqlfluffParse(ctx context.Context, bin, config, path string) (bool, string, error) {
	cmd := exec.CommandContext(ctx, bin, "parse", "--dialect", "tsql", "--templater", "raw", "--nocolor", "--config", config, path)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, "", nil
	case errors.As(err, &exit) && exit.ExitCode() == 1 && strings.Contains(out.String(), "parsing violations"):
		report := out.String()
		if i := strings.Index(report, "==== parsing violations ===="); i >= 0 {
			report = report[i:]
		}
		return false, report, nil
	}
	return false, "", fmt.Errorf("sqlfluff parse %s: %v\n%s", path, err, tail(errOut.String(), 2000))
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
