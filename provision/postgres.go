package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// PgQuerier is what the PostgreSQL helpers need: *pgx.Conn and pgx.Tx
// both satisfy it.
type PgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgProvisionLock is the pg_advisory_xact_lock key serialising dmsc
// provisioning runs on one database.
const pgProvisionLock = 0x646d7363 // "dmsc"

// pgManifestInsert stores the runtime manifest with its effective schema
// ($1 format version, $2 manifest JSON, $3 effective schema hash).
const pgManifestInsert = `INSERT INTO "dms"."RuntimeManifest" ("EffectiveSchemaId", "ManifestFormatVersion", "Manifest")
SELECT "EffectiveSchemaId", $1, $2::text::jsonb FROM "dms"."EffectiveSchema" WHERE "EffectiveSchemaHash" = $3
ON CONFLICT ("EffectiveSchemaId") DO NOTHING`

// applyPostgres provisions the database behind conn with script (see
// Provision): preflight and apply run in one transaction holding an
// advisory lock, and the transaction commits only after verification. A
// dry run reads in a read-only transaction and takes no lock.
func applyPostgres(ctx context.Context, conn *pgx.Conn, m *model.Model, script string, opts Options) (*Result, error) {
	if m.Dialect != model.PgSQL {
		return nil, fmt.Errorf("model is named for %s, not pgsql", m.Dialect)
	}
	txOpts := pgx.TxOptions{}
	if opts.DryRun {
		txOpts.AccessMode = pgx.ReadOnly
	}
	tx, err := conn.BeginTx(ctx, txOpts)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // a no-op after Commit
	if !opts.DryRun {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(pgProvisionLock)); err != nil {
			return nil, fmt.Errorf("take the provisioning lock: %w", err)
		}
	}
	state, err := readStatePostgres(ctx, tx)
	if err != nil {
		return nil, err
	}
	if state.Provisioned() {
		return alreadyPostgres(ctx, tx, m, state, opts)
	}
	plan, err := Postgres{}.Plan(m, script, opts.Manifest)
	if err != nil || opts.DryRun {
		return plan, err
	}
	if err := execSteps(ctx, tx, plan.Steps); err != nil {
		return nil, err
	}
	if err := verifyPostgres(ctx, tx, m); err != nil {
		return nil, withWhen(err, whenApplied)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	plan.Status, plan.DryRun = Applied, false
	return plan, nil
}

// alreadyPostgres answers for a database that holds an effective schema:
// a *MismatchError for another hash; for the same hash, the catalog is
// verified, the later core tables it lacks are created
// (ddl.LaterCoreTables) and the runtime manifest stored when missing (a
// dry run only lists those steps).
func alreadyPostgres(ctx context.Context, tx pgx.Tx, m *model.Model, state *State, opts Options) (*Result, error) {
	if mm := state.Mismatch(m); mm != nil {
		return nil, mm
	}
	if err := verifyPostgres(ctx, tx, m); err != nil {
		return nil, withWhen(err, whenAlreadyProvisioned)
	}
	res := &Result{Status: AlreadyProvisioned, Dialect: model.PgSQL, Hash: m.EffectiveSchemaHash, DryRun: opts.DryRun}
	later, err := missingLaterTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, t := range later {
		res.AddedTables = append(res.AddedTables, t.Schema+"."+t.Name)
		res.Steps = append(res.Steps, stepsOf(t.Statements)...)
	}
	if opts.Manifest != nil && !state.ManifestStored {
		res.StoredManifest = true
		res.Steps = append(res.Steps, manifestStep(pgManifestInsert, opts.Manifest, m.EffectiveSchemaHash))
	}
	if len(res.Steps) == 0 || opts.DryRun {
		return res, nil
	}
	if err := execSteps(ctx, tx, res.Steps); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// execSteps runs steps in order, each as its own statement (without
// parameters: the simple query protocol, nothing prepared), so that what
// runs is exactly the list a dry run prints; a failing step is named by
// its number and start, with the server's message, detail and hint.
func execSteps(ctx context.Context, tx pgx.Tx, steps []Step) error {
	for i, st := range steps {
		if _, err := tx.Exec(ctx, st.SQL, st.args...); err != nil {
			return fmt.Errorf("apply the PostgreSQL script, step %d of %d (%s), rolled back: %s",
				i+1, len(steps), statementSummary(st.SQL), pgErrorText(err))
		}
	}
	return nil
}

// pgErrorText is err's message with the server's detail and hint.
func pgErrorText(err error) string {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err.Error()
	}
	msg := pgErr.Error()
	if pgErr.Detail != "" {
		msg += "; detail: " + pgErr.Detail
	}
	if pgErr.Hint != "" {
		msg += "; hint: " + pgErr.Hint
	}
	return msg
}

// readStatePostgres reads the newest dms.EffectiveSchema row and its
// dms.SchemaComponent rows; a database without the table is not
// provisioned.
func readStatePostgres(ctx context.Context, q PgQuerier) (*State, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('"dms"."EffectiveSchema"') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read dms.EffectiveSchema: %w", err)
	}
	st := &State{}
	if !exists {
		return st, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT "EffectiveSchemaId", "EffectiveSchemaHash", "ApiSchemaFormatVersion", "MappingVersion", "AppliedAt"
FROM "dms"."EffectiveSchema" ORDER BY "EffectiveSchemaId" DESC LIMIT 1`).Scan(&id, &st.Hash, &st.APISchemaFormatVersion, &st.MappingVersion, &st.AppliedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read dms.EffectiveSchema: %w", err)
	}
	st.Hash = strings.TrimSpace(st.Hash)
	if err := q.QueryRow(ctx, `SELECT to_regclass('"dms"."RuntimeManifest"') IS NOT NULL`).Scan(&st.ManifestStored); err != nil {
		return nil, fmt.Errorf("read dms.RuntimeManifest: %w", err)
	}
	if st.ManifestStored {
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM "dms"."RuntimeManifest" WHERE "EffectiveSchemaId" = $1)`, id).Scan(&st.ManifestStored); err != nil {
			return nil, fmt.Errorf("read dms.RuntimeManifest: %w", err)
		}
	}
	var compExists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('"dms"."SchemaComponent"') IS NOT NULL`).Scan(&compExists); err != nil || !compExists {
		return st, err
	}
	rows, err := q.Query(ctx, `SELECT "ProjectEndpointName", "ProjectName", "ProjectVersion", "IsExtensionProject", "ProjectHash"
FROM "dms"."SchemaComponent" WHERE "EffectiveSchemaId" = $1 ORDER BY "ProjectEndpointName"`, id)
	if err != nil {
		return nil, fmt.Errorf("read dms.SchemaComponent: %w", err)
	}
	defer rows.Close()
	if st.Components, err = scanComponents(rows); err != nil {
		return nil, err
	}
	return st, nil
}

// verifyPostgres checks the stored hash, that every expected table and
// view exists (pg_class), and that every expected table has the expected
// columns — type with length, precision and scale, nullability, identity
// and default where the script declares them — no extra NOT NULL column
// without a default, the expected primary key and unique keys
// (pg_attribute, pg_constraint, pg_index). It returns a *VerificationError listing every problem
// otherwise.
func verifyPostgres(ctx context.Context, q PgQuerier, m *model.Model) error {
	st, err := readStatePostgres(ctx, q)
	if err != nil {
		return err
	}
	schemas := schemaNames(ExpectedRelations(m))
	have := map[string]bool{}
	err = pgEach(ctx, q, `SELECT n.nspname, c.relname, c.relkind = 'v'
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v') AND n.nspname = ANY($1)`, schemas, func(r pgx.Rows) error {
		var schema, name string
		var isView bool
		if err := r.Scan(&schema, &name, &isView); err != nil {
			return err
		}
		have[schema+"."+name] = isView
		return nil
	})
	if err != nil {
		return err
	}
	tables := map[string]*catalogTable{}
	table := func(schema, name string) *catalogTable {
		t := tables[schema+"."+name]
		if t == nil {
			t = &catalogTable{}
			tables[schema+"."+name] = t
		}
		return t
	}
	err = pgEach(ctx, q, `SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
  NOT a.attnotnull, a.atthasdef, a.attidentity <> ''
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, a.attnum`, schemas, func(r pgx.Rows) error {
		var schema, name string
		var c catalogColumn
		if err := r.Scan(&schema, &name, &c.Name, &c.Type, &c.Nullable, &c.Default, &c.Identity); err != nil {
			return err
		}
		t := table(schema, name)
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return err
	}
	err = pgEach(ctx, q, `SELECT n.nspname, c.relname, a.attname
FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
WHERE con.contype = 'p' AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, k.ord`, schemas, func(r pgx.Rows) error {
		var schema, name, column string
		if err := r.Scan(&schema, &name, &column); err != nil {
			return err
		}
		t := table(schema, name)
		t.PrimaryKey = append(t.PrimaryKey, column)
		return nil
	})
	if err != nil {
		return err
	}
	err = pgEach(ctx, q, `SELECT n.nspname, c.relname,
  ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
        WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord)
FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ix.indisunique AND NOT ix.indisprimary AND ix.indpred IS NULL AND ix.indexprs IS NULL AND n.nspname = ANY($1)`, schemas, func(r pgx.Rows) error {
		var schema, name string
		var columns []string
		if err := r.Scan(&schema, &name, &columns); err != nil {
			return err
		}
		t := table(schema, name)
		t.Uniques = append(t.Uniques, columns)
		return nil
	})
	if err != nil {
		return err
	}
	return verifyTables(checkRelations(m, st.Hash, have), m, pgCatalogType, tables)
}

// pgEach runs a catalog query with one argument and calls fn for every
// row.
func pgEach(ctx context.Context, q PgQuerier, sql string, arg any, fn func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, sql, arg)
	if err != nil {
		return fmt.Errorf("read the catalog: %w", err)
	}
	defer rows.Close()
	return eachRow(rows, func() error { return fn(rows) })
}

// maintenanceConn connects to the `postgres` maintenance database of the
// server in dsn and returns the name of dsn's database ("" or "postgres":
// no connection is opened and conn is nil).
func maintenanceConn(ctx context.Context, dsn string) (conn *pgx.Conn, name string, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("parse the PostgreSQL DSN: %w", err)
	}
	name = cfg.Database
	if name == "" || name == "postgres" {
		return nil, name, nil
	}
	cfg.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("connect to the postgres maintenance database: %w", err)
	}
	return conn, name, nil
}

// postgresDatabaseExists reports whether the database named in dsn exists.
func postgresDatabaseExists(ctx context.Context, conn *pgx.Conn, name string) (bool, error) {
	if conn == nil {
		return true, nil
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return false, fmt.Errorf("look up database %s: %w", name, err)
	}
	return exists, nil
}

// createPostgresDatabase creates the database named in dsn unless it
// exists, connecting to the `postgres` maintenance database of the same
// server. It reports whether it created it.
func createPostgresDatabase(ctx context.Context, dsn string) (bool, error) {
	conn, name, err := maintenanceConn(ctx, dsn)
	if err != nil || conn == nil {
		return false, err
	}
	defer conn.Close(ctx)
	exists, err := postgresDatabaseExists(ctx, conn, name)
	if err != nil || exists {
		return false, err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created concurrently
			return false, nil
		}
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	return true, nil
}

// Postgres is the PostgreSQL engine (pgx): the whole script runs in one
// transaction under a transaction-scoped advisory lock.
type Postgres struct{}

var _ Engine = Postgres{}

// Dialect returns model.PgSQL.
func (Postgres) Dialect() model.Dialect { return model.PgSQL }

// CreateDatabase creates the database named in dsn unless it exists,
// connecting to the `postgres` maintenance database of the same server.
func (Postgres) CreateDatabase(ctx context.Context, dsn string) (bool, error) {
	return createPostgresDatabase(ctx, dsn)
}

// DatabaseExists reports whether the database named in dsn exists,
// through the `postgres` maintenance database.
func (Postgres) DatabaseExists(ctx context.Context, dsn string) (bool, error) {
	conn, name, err := maintenanceConn(ctx, dsn)
	if err != nil || conn == nil {
		return conn == nil && err == nil, err
	}
	defer conn.Close(ctx)
	return postgresDatabaseExists(ctx, conn, name)
}

// Plan lists the steps that provision a database without an effective
// schema: every statement of script, then the manifest insert.
func (Postgres) Plan(m *model.Model, script string, manifest []byte) (*Result, error) {
	parts, err := ddl.Statements(model.PgSQL, script)
	if err != nil {
		return nil, err
	}
	steps := stepsOf(parts)
	if manifest != nil {
		steps = append(steps, manifestStep(pgManifestInsert, manifest, m.EffectiveSchemaHash))
	}
	return wouldApply(m, steps, len(parts), 1, manifest != nil), nil
}

// Apply connects and provisions (see Provision).
func (Postgres) Apply(ctx context.Context, dsn string, m *model.Model, script string, opts Options) (*Result, error) {
	conn, err := connectPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	return applyPostgres(ctx, conn, m, script, opts)
}

// Verify connects and verifies (see Verify).
func (Postgres) Verify(ctx context.Context, dsn string, m *model.Model) error {
	conn, err := connectPostgres(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return verifyPostgres(ctx, conn, m)
}

// ReadState connects and reads the effective schema state.
func (Postgres) ReadState(ctx context.Context, dsn string) (*State, error) {
	conn, err := connectPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	return readStatePostgres(ctx, conn)
}

// missingLaterTables returns the later core tables (ddl.LaterCoreTables)
// the database lacks, with their PostgreSQL statements.
func missingLaterTables(ctx context.Context, q PgQuerier) ([]ddl.LaterCoreTable, error) {
	d, err := all.For(model.PgSQL)
	if err != nil {
		return nil, err
	}
	var out []ddl.LaterCoreTable
	for _, t := range ddl.LaterCoreTables(d) {
		var exists bool
		name := dialect.Qualified(d, t.Schema, t.Name)
		if err := q.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&exists); err != nil {
			return nil, fmt.Errorf("look for %s.%s: %w", t.Schema, t.Name, err)
		}
		if !exists {
			out = append(out, t)
		}
	}
	return out, nil
}
