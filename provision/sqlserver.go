package provision

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/mssql"
	"github.com/edfi-dmsc/dmsc/model"
)

// SQLQuerier is what the SQL Server helpers need: *sql.DB, *sql.Conn and
// *sql.Tx satisfy it.
type SQLQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// msManifestInsert stores the runtime manifest with its effective schema
// (@p1 format version, @p2 manifest JSON, @p3 effective schema hash).
const msManifestInsert = `INSERT INTO [dms].[RuntimeManifest] ([EffectiveSchemaId], [ManifestFormatVersion], [Manifest])
SELECT e.[EffectiveSchemaId], @p1, @p2 FROM [dms].[EffectiveSchema] AS e
WHERE e.[EffectiveSchemaHash] = @p3
  AND NOT EXISTS (SELECT 1 FROM [dms].[RuntimeManifest] AS r WHERE r.[EffectiveSchemaId] = e.[EffectiveSchemaId])`

// applyMSSQL provisions the SQL Server database behind db with script
// (see Provision): under an exclusive application lock, the preflight and
// every GO-separated batch run in one transaction, committed only after
// verification. A dry run reads without the lock and changes nothing.
func applyMSSQL(ctx context.Context, db *sql.DB, m *model.Model, script string, opts Options) (*Result, error) {
	if m.Dialect != model.MSSQL {
		return nil, fmt.Errorf("model is named for %s, not mssql", m.Dialect)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: opts.DryRun})
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if !opts.DryRun {
		var lock int
		if err := tx.QueryRowContext(ctx, `DECLARE @r int;
EXEC @r = sp_getapplock @Resource = N'dmsc-provision', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = -1;
SELECT @r;`).Scan(&lock); err != nil {
			return nil, fmt.Errorf("take the provisioning lock: %w", err)
		}
		if lock < 0 {
			return nil, fmt.Errorf("take the provisioning lock: sp_getapplock returned %d", lock)
		}
	}
	state, err := readStateMSSQL(ctx, tx)
	if err != nil {
		return nil, err
	}
	if state.Provisioned() {
		return alreadyMSSQL(ctx, tx, m, state, opts)
	}
	plan, err := SQLServer{}.Plan(m, script, opts.Manifest)
	if err != nil || opts.DryRun {
		return plan, err
	}
	for i, st := range plan.Steps {
		if _, err := tx.ExecContext(ctx, st.SQL, st.args...); err != nil {
			return nil, fmt.Errorf("apply the SQL Server script, batch %d of %d (%s), rolled back: %w", i+1, len(plan.Steps), statementSummary(st.SQL), err)
		}
	}
	if err := verifyMSSQL(ctx, tx, m); err != nil {
		return nil, withWhen(err, whenApplied)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	plan.Status, plan.DryRun = Applied, false
	return plan, nil
}

// alreadyMSSQL answers for a database that holds an effective schema, as
// alreadyPostgres does.
func alreadyMSSQL(ctx context.Context, tx *sql.Tx, m *model.Model, state *State, opts Options) (*Result, error) {
	if mm := state.Mismatch(m); mm != nil {
		return nil, mm
	}
	if err := verifyMSSQL(ctx, tx, m); err != nil {
		return nil, withWhen(err, whenAlreadyProvisioned)
	}
	res := &Result{Status: AlreadyProvisioned, Dialect: model.MSSQL, Hash: m.EffectiveSchemaHash, DryRun: opts.DryRun}
	if opts.Manifest == nil || state.ManifestStored {
		return res, nil
	}
	res.StoredManifest = true
	res.Steps = []Step{manifestStep(msManifestInsert, opts.Manifest, m.EffectiveSchemaHash)}
	if opts.DryRun {
		return res, nil
	}
	if _, err := tx.ExecContext(ctx, res.Steps[0].SQL, res.Steps[0].args...); err != nil {
		return nil, fmt.Errorf("store the runtime manifest (rolled back): %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// readStateMSSQL reads the newest dms.EffectiveSchema row and its
// dms.SchemaComponent rows; a database without the table is not
// provisioned.
func readStateMSSQL(ctx context.Context, q SQLQuerier) (*State, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT CAST(CASE WHEN OBJECT_ID(N'[dms].[EffectiveSchema]', N'U') IS NULL THEN 0 ELSE 1 END AS bit)`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read dms.EffectiveSchema: %w", err)
	}
	st := &State{}
	if !exists {
		return st, nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT TOP (1) [EffectiveSchemaId], [EffectiveSchemaHash], [ApiSchemaFormatVersion], [MappingVersion], [AppliedAt]
FROM [dms].[EffectiveSchema] ORDER BY [EffectiveSchemaId] DESC`).Scan(&id, &st.Hash, &st.APISchemaFormatVersion, &st.MappingVersion, &st.AppliedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read dms.EffectiveSchema: %w", err)
	}
	st.Hash = strings.TrimSpace(st.Hash)
	if err := q.QueryRowContext(ctx, `SELECT CAST(CASE WHEN OBJECT_ID(N'[dms].[RuntimeManifest]', N'U') IS NOT NULL
  AND EXISTS (SELECT 1 FROM [dms].[RuntimeManifest] WHERE [EffectiveSchemaId] = @p1) THEN 1 ELSE 0 END AS bit)`, id).Scan(&st.ManifestStored); err != nil {
		return nil, fmt.Errorf("read dms.RuntimeManifest: %w", err)
	}
	rows, err := q.QueryContext(ctx, `IF OBJECT_ID(N'[dms].[SchemaComponent]', N'U') IS NOT NULL
SELECT [ProjectEndpointName], [ProjectName], [ProjectVersion], [IsExtensionProject], [ProjectHash]
FROM [dms].[SchemaComponent] WHERE [EffectiveSchemaId] = @p1 ORDER BY [ProjectEndpointName]`, id)
	if err != nil {
		return nil, fmt.Errorf("read dms.SchemaComponent: %w", err)
	}
	defer rows.Close()
	if st.Components, err = scanComponents(rows); err != nil {
		return nil, err
	}
	return st, nil
}

// verifyMSSQL checks the stored hash, that every expected table and view
// exists (sys.objects), and that every expected table has the expected
// columns, primary key and unique keys (sys.columns, sys.types,
// sys.indexes), as VerifyPostgres does. It returns a *VerificationError listing every
// problem otherwise.
func verifyMSSQL(ctx context.Context, q SQLQuerier, m *model.Model) error {
	st, err := readStateMSSQL(ctx, q)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	err = sqlEach(ctx, q, `SELECT s.[name], o.[name], CAST(CASE WHEN o.[type] = 'V' THEN 1 ELSE 0 END AS bit)
FROM sys.objects AS o JOIN sys.schemas AS s ON s.[schema_id] = o.[schema_id]
WHERE o.[type] IN ('U', 'V')`, func(r *sql.Rows) error {
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
	err = sqlEach(ctx, q, `SELECT s.[name], t.[name], c.[name], ty.[name], CAST(c.[max_length] AS int), CAST(c.[precision] AS int),
  CAST(c.[scale] AS int), c.[is_nullable], CAST(CASE WHEN c.[default_object_id] <> 0 OR c.[is_computed] = 1 THEN 1 ELSE 0 END AS bit),
  c.[is_identity]
FROM sys.columns AS c JOIN sys.tables AS t ON t.[object_id] = c.[object_id]
JOIN sys.schemas AS s ON s.[schema_id] = t.[schema_id]
JOIN sys.types AS ty ON ty.[user_type_id] = c.[user_type_id]
ORDER BY s.[name], t.[name], c.[column_id]`, func(r *sql.Rows) error {
		var schema, name, typeName string
		var maxLength, precision, scale int
		var c catalogColumn
		if err := r.Scan(&schema, &name, &c.Name, &typeName, &maxLength, &precision, &scale, &c.Nullable, &c.Default, &c.Identity); err != nil {
			return err
		}
		c.Type = mssqlTypeFromCatalog(typeName, maxLength, precision, scale)
		t := table(schema, name)
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return err
	}
	var lastTable string
	lastIndex := -1
	err = sqlEach(ctx, q, `SELECT s.[name], t.[name], i.[index_id], i.[is_primary_key], c.[name]
FROM sys.indexes AS i JOIN sys.tables AS t ON t.[object_id] = i.[object_id]
JOIN sys.schemas AS s ON s.[schema_id] = t.[schema_id]
JOIN sys.index_columns AS ic ON ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id]
JOIN sys.columns AS c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id]
WHERE (i.[is_primary_key] = 1 OR i.[is_unique] = 1) AND ic.[is_included_column] = 0
ORDER BY s.[name], t.[name], i.[index_id], ic.[key_ordinal]`, func(r *sql.Rows) error {
		var schema, name, column string
		var indexID int
		var primary bool
		if err := r.Scan(&schema, &name, &indexID, &primary, &column); err != nil {
			return err
		}
		t := table(schema, name)
		switch {
		case primary:
			t.PrimaryKey = append(t.PrimaryKey, column)
		case indexID == lastIndex && schema+"."+name == lastTable:
			t.Uniques[len(t.Uniques)-1] = append(t.Uniques[len(t.Uniques)-1], column)
		default:
			t.Uniques = append(t.Uniques, []string{column})
		}
		lastTable, lastIndex = schema+"."+name, indexID
		return nil
	})
	if err != nil {
		return err
	}
	return verifyTables(checkRelations(m, st.Hash, have), m, mssqlCatalogType, tables)
}

// sqlEach runs a catalog query and calls fn for every row.
func sqlEach(ctx context.Context, q SQLQuerier, query string, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("read the catalog: %w", err)
	}
	defer rows.Close()
	return eachRow(rows, func() error { return fn(rows) })
}

// masterDB opens `master` on the server in dsn and returns the name of
// dsn's database ("" or "master": db is nil).
func masterDB(dsn string) (db *sql.DB, name string, err error) {
	cfg, err := msdsn.Parse(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("parse the SQL Server DSN: %w", err)
	}
	name = cfg.Database
	if name == "" || strings.EqualFold(name, "master") {
		return nil, name, nil
	}
	cfg.Database = "master"
	return sql.OpenDB(mssqldb.NewConnectorConfig(cfg)), name, nil
}

// createMSSQLDatabase creates the database named in dsn unless it exists,
// connecting to `master` on the same server. It reports whether it
// created it.
func createMSSQLDatabase(ctx context.Context, dsn string) (bool, error) {
	db, name, err := masterDB(dsn)
	if err != nil || db == nil {
		return false, err
	}
	defer db.Close()
	d := mssql.New()
	var created bool
	err = db.QueryRowContext(ctx, "IF DB_ID("+d.StringLiteral(name)+") IS NULL\nBEGIN\n    CREATE DATABASE "+d.QuoteIdent(name)+
		";\n    SELECT CAST(1 AS bit);\nEND\nELSE SELECT CAST(0 AS bit);").Scan(&created)
	if err != nil {
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	return created, nil
}

// openMSSQL opens a pool for dsn with one connection (a provisioning run
// needs no more).
func openMSSQL(dsn string) (*sql.DB, error) {
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQL Server: %w", err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// SQLServer is the SQL Server engine (go-mssqldb): the script's batches
// (split on GO) run in one transaction under an application lock.
type SQLServer struct{}

var _ Engine = SQLServer{}

// Dialect returns model.MSSQL.
func (SQLServer) Dialect() model.Dialect { return model.MSSQL }

// CreateDatabase creates the database named in dsn unless it exists,
// connecting to `master` on the same server.
func (SQLServer) CreateDatabase(ctx context.Context, dsn string) (bool, error) {
	return createMSSQLDatabase(ctx, dsn)
}

// DatabaseExists reports whether the database named in dsn exists,
// through `master`.
func (SQLServer) DatabaseExists(ctx context.Context, dsn string) (bool, error) {
	db, name, err := masterDB(dsn)
	if err != nil || db == nil {
		return db == nil && err == nil, err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT CAST(CASE WHEN DB_ID(@p1) IS NULL THEN 0 ELSE 1 END AS bit)", name).Scan(&exists); err != nil {
		return false, fmt.Errorf("look up database %s: %w", name, err)
	}
	return exists, nil
}

// Plan lists the steps that provision a database without an effective
// schema: every GO batch of script, then the manifest insert.
func (SQLServer) Plan(m *model.Model, script string, manifest []byte) (*Result, error) {
	batches := mssql.SplitBatches(script)
	steps := stepsOf(batches)
	if manifest != nil {
		steps = append(steps, manifestStep(msManifestInsert, manifest, m.EffectiveSchemaHash))
	}
	n, err := ddl.CountStatements(model.MSSQL, script)
	if err != nil {
		return nil, err
	}
	return wouldApply(m, steps, n, len(batches), manifest != nil), nil
}

// Apply opens dsn and provisions (see Provision).
func (SQLServer) Apply(ctx context.Context, dsn string, m *model.Model, script string, opts Options) (*Result, error) {
	db, err := openMSSQL(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return applyMSSQL(ctx, db, m, script, opts)
}

// Verify opens dsn and verifies (see Verify).
func (SQLServer) Verify(ctx context.Context, dsn string, m *model.Model) error {
	db, err := openMSSQL(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return verifyMSSQL(ctx, db, m)
}

// ReadState opens dsn and reads the effective schema state.
func (SQLServer) ReadState(ctx context.Context, dsn string) (*State, error) {
	db, err := openMSSQL(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return readStateMSSQL(ctx, db)
}
