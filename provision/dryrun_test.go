package provision

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// statementLog is a pgx tracer recording every statement a connection
// sends, in order.
type statementLog struct {
	mu  sync.Mutex
	sql []string
}

// TraceQueryStart records the statement.
func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql = append(l.sql, data.SQL)
	return ctx
}

// TraceQueryEnd does nothing.
func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// tracedConn connects to dsn with log as its tracer.
func tracedConn(t *testing.T, dsn string, log *statementLog) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = log
	conn, err := pgx.ConnectConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// databaseState is the catalog plus the row count of every user table.
func databaseState(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	lines := pgtest.MustSnapshot(t, conn).Lines()
	rows, err := conn.Query(t.Context(), `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var n int64
		if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("rows %s %d", table, n))
	}
	sort.Strings(lines)
	return lines
}

// mustSame fails when the database state changed.
func mustSame(t *testing.T, what string, before, after []string) {
	t.Helper()
	if d := pgtest.DiffLines(before, after, 20); d != "" {
		t.Errorf("%s changed the database:\n%s", what, d)
	}
}

// runSteps returns the statements of log from the first step's SQL on, as
// many as steps: what the real run executed where the steps should be.
func runSteps(t *testing.T, log *statementLog, steps []Step) []string {
	t.Helper()
	if len(steps) == 0 {
		return nil
	}
	for i, sql := range log.sql {
		if sql == steps[0].SQL && i+len(steps) <= len(log.sql) {
			return log.sql[i : i+len(steps)]
		}
	}
	t.Fatalf("the real run never sent the first step %q", statementSummary(steps[0].SQL))
	return nil
}

// stepSQL lists the steps' statements.
func stepSQL(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.SQL
	}
	return out
}

// TestDryRunListsExactlyWhatRuns: a dry run leaves the catalog and every
// row count as they were, and the real run that follows sends exactly the
// statements the dry run listed, in order — on a database that does not
// exist yet, on an empty one, and on one whose DDL was applied by hand
// (only the runtime manifest is missing).
func TestDryRunListsExactlyWhatRuns(t *testing.T) {
	base := testenv.PostgresDSN(t)
	ctx := t.Context()
	ex := schemacase.Example(t)
	m := ex.Model(model.PgSQL)
	data, err := compiler.Manifest(m).Encode()
	if err != nil {
		t.Fatal(err)
	}
	script := ex.Script(t, model.PgSQL, ddl.Render)
	opts := Options{Manifest: data}

	t.Run("missing database", func(t *testing.T) {
		name := testenv.PostgresDatabaseName("ddl", "dryrun_missing")
		dsn := testenv.WithDatabase(t, base, name)
		t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, name) })
		res, err := Provision(ctx, dsn, m, "", Options{Manifest: data, CreateDatabase: true, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.WouldCreateDatabase || res.Status != WouldApply || len(res.Steps) != res.Statements+1 {
			t.Errorf("dry run on a missing database = %s (%d steps)", res, len(res.Steps))
		}
		if exists, err := (Postgres{}).DatabaseExists(ctx, dsn); err != nil || exists {
			t.Errorf("the dry run created the database (exists=%v, err=%v)", exists, err)
		}
	})

	t.Run("empty database", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t, "ddl", "dryrun_empty")
		check := pgtest.Connect(t, dsn)
		before := databaseState(t, check)
		log := &statementLog{}
		conn := tracedConn(t, dsn, log)
		dry, err := applyPostgres(ctx, conn, m, script, Options{Manifest: data, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		mustSame(t, "the dry run", before, databaseState(t, check))
		wantStatements, _ := ddl.CountStatements(model.PgSQL, script)
		if dry.Status != WouldApply || !dry.DryRun || dry.Statements != wantStatements || len(dry.Steps) != wantStatements+1 || !dry.StoredManifest {
			t.Fatalf("dry run = %s (%d steps)", dry, len(dry.Steps))
		}
		if rest := uncovered(script, stepSQL(dry.Steps[:wantStatements])); rest != "" {
			t.Errorf("the dry run's statements do not cover the script; left over: %q", rest)
		}
		log.sql = nil
		real, err := applyPostgres(ctx, conn, m, script, opts)
		if err != nil {
			t.Fatal(err)
		}
		if real.Status != Applied || real.DryRun || !real.StoredManifest {
			t.Errorf("real run = %s", real)
		}
		if got, want := runSteps(t, log, dry.Steps), stepSQL(dry.Steps); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("the real run sent other statements than the dry run listed (%d listed)", len(want))
		}
		if strings.Join(stepSQL(real.Steps), "\x00") != strings.Join(stepSQL(dry.Steps), "\x00") {
			t.Error("the real run reports other steps than the dry run")
		}
	})

	t.Run("applied by hand", func(t *testing.T) {
		dsn := pgtest.NewDatabase(t, "ddl", "dryrun_byhand")
		check := pgtest.Connect(t, dsn)
		if err := pgtest.ExecScript(ctx, check, script); err != nil {
			t.Fatal(err)
		}
		before := databaseState(t, check)
		log := &statementLog{}
		conn := tracedConn(t, dsn, log)
		dry, err := applyPostgres(ctx, conn, m, script, Options{Manifest: data, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		mustSame(t, "the dry run", before, databaseState(t, check))
		if dry.Status != AlreadyProvisioned || len(dry.Steps) != 1 || dry.Steps[0].SQL != pgManifestInsert {
			t.Fatalf("dry run on a database applied by hand = %s, steps %q", dry, stepSQL(dry.Steps))
		}
		log.sql = nil
		real, err := applyPostgres(ctx, conn, m, script, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := runSteps(t, log, dry.Steps); len(got) != 1 || got[0] != pgManifestInsert {
			t.Errorf("the real run sent %q", got)
		}
		after := databaseState(t, check)
		if !real.StoredManifest || !contains(after, `rows dms."RuntimeManifest" 1`) {
			t.Errorf("real run = %s; the manifest row is not there", real)
		}
		// Now nothing is missing: a dry run and a real run list no step.
		for _, dryRun := range []bool{true, false} {
			again, err := applyPostgres(ctx, conn, m, script, Options{Manifest: data, DryRun: dryRun})
			if err != nil || len(again.Steps) != 0 || again.StoredManifest {
				t.Errorf("dry run %v after storing: %v, %v", dryRun, again, err)
			}
		}
		mustSame(t, "provisioning an up-to-date database", after, databaseState(t, check))
	})
}

// uncovered returns what script holds besides the statements, in order,
// other than whitespace, semicolons and comment lines ("" when the
// statements are the whole script).
func uncovered(script string, statements []string) string {
	var rest strings.Builder
	pos := 0
	for _, st := range statements {
		i := strings.Index(script[pos:], st)
		if i < 0 {
			return "statement not found in order: " + statementSummary(st)
		}
		rest.WriteString(script[pos : pos+i])
		pos += i + len(st)
	}
	rest.WriteString(script[pos:])
	var left []string
	for _, line := range strings.Split(rest.String(), "\n") {
		line = strings.Trim(strings.TrimSpace(line), ";")
		if line != "" && !strings.HasPrefix(line, "--") {
			left = append(left, line)
		}
	}
	return strings.Join(left, "\n")
}

// contains reports whether lines holds line.
func contains(lines []string, line string) bool {
	for _, l := range lines {
		if l == line {
			return true
		}
	}
	return false
}

// TestFailingStatementIsNamed: a statement the server refuses is named by
// its number and start, with the server's message, and nothing is left.
func TestFailingStatementIsNamed(t *testing.T) {
	ex := schemacase.Example(t)
	m := ex.Model(model.PgSQL)
	dsn := pgtest.NewDatabase(t, "ddl", "failing_statement")
	conn := pgtest.Connect(t, dsn)
	if _, err := conn.Exec(t.Context(), `CREATE SCHEMA dms; CREATE VIEW dms."IdentityLock" AS SELECT 1::bigint AS "DocumentId"`); err != nil {
		t.Fatal(err)
	}
	before := databaseState(t, conn)
	_, err := Provision(t.Context(), dsn, m, "", Options{})
	if err == nil {
		t.Fatal("provisioning over a view named like a core table succeeded")
	}
	for _, want := range []string{"step ", " of ", "IdentityLock", "rolled back", "SQLSTATE 42809"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	mustSame(t, "the failed run", before, databaseState(t, conn))
}
