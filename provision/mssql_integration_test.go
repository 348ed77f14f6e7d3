package provision

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/mssql"
	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// mssqlWithDatabase returns dsn (URL or ADO form) pointing at database
// name.
func mssqlWithDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "sqlserver://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parse %s: %v", testenv.MSSQLEnv, err)
		}
		q := u.Query()
		q.Set("database", name)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimRight(dsn, ";") + ";database=" + name
}

// newMSSQLDatabase creates a database for the test, dropped when it ends,
// and returns its DSN.
func newMSSQLDatabase(t *testing.T, label string) string {
	t.Helper()
	base := testenv.MSSQLDSN(t)
	name := testenv.PostgresDatabaseName("ddl", label)
	dsn := mssqlWithDatabase(t, base, name)
	created, err := createMSSQLDatabase(t.Context(), dsn)
	if err != nil || !created {
		t.Fatalf("create database %s: created=%v, %v", name, created, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("sqlserver", mssqlWithDatabase(t, base, "master"))
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer db.Close()
		d := mssql.New()
		q := "ALTER DATABASE " + d.QuoteIdent(name) + " SET SINGLE_USER WITH ROLLBACK IMMEDIATE;\nDROP DATABASE " + d.QuoteIdent(name) + ";"
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return dsn
}

// execMSSQLScript runs a script batch by batch in one transaction.
func execMSSQLScript(ctx context.Context, db *sql.DB, script string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i, batch := range mssql.SplitBatches(script) {
		if _, err := tx.ExecContext(ctx, batch); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("batch %d (%s): %w", i+1, statementSummary(batch), err)
		}
	}
	return tx.Commit()
}

// snapshotMSSQL lists user objects, columns, indexes, foreign keys and the
// seeded rows, one sorted line each.
func snapshotMSSQL(ctx context.Context, db *sql.DB) ([]string, error) {
	queries := []string{
		`SELECT CONCAT('object|', s.name, '.', o.name, '|', o.type, '|', OBJECT_NAME(o.parent_object_id))
FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id WHERE o.is_ms_shipped = 0`,
		`SELECT CONCAT('column|', s.name, '.', o.name, '|', c.column_id, '|', c.name, '|', TYPE_NAME(c.user_type_id), '|', c.max_length, '|',
  c.precision, '|', c.scale, '|', c.is_nullable, '|', c.is_identity)
FROM sys.columns c JOIN sys.objects o ON o.object_id = c.object_id JOIN sys.schemas s ON s.schema_id = o.schema_id
WHERE o.is_ms_shipped = 0 AND o.type IN ('U', 'V')`,
		`SELECT CONCAT('index|', OBJECT_SCHEMA_NAME(i.object_id), '.', OBJECT_NAME(i.object_id), '|', i.name, '|', i.type_desc, '|',
  i.is_unique, '|', i.is_primary_key, '|', i.fill_factor, '|', i.filter_definition, '|',
  STUFF((SELECT ',' + COL_NAME(ic.object_id, ic.column_id) + CASE WHEN ic.is_included_column = 1 THEN '+' ELSE '' END
         FROM sys.index_columns ic WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id
         ORDER BY ic.is_included_column, ic.key_ordinal, ic.column_id FOR XML PATH('')), 1, 1, ''))
FROM sys.indexes i JOIN sys.objects o ON o.object_id = i.object_id WHERE o.is_ms_shipped = 0 AND i.name IS NOT NULL`,
		`SELECT CONCAT('fk|', OBJECT_SCHEMA_NAME(f.parent_object_id), '.', OBJECT_NAME(f.parent_object_id), '|', f.name, '|',
  OBJECT_SCHEMA_NAME(f.referenced_object_id), '.', OBJECT_NAME(f.referenced_object_id), '|', f.delete_referential_action_desc)
FROM sys.foreign_keys f`,
		`SELECT CONCAT('seed|ResourceKey|', ResourceKeyId, '|', ProjectName, '|', ResourceName, '|', ResourceVersion) FROM dms.ResourceKey`,
		`SELECT CONCAT('seed|EffectiveSchema|', EffectiveSchemaId, '|', ApiSchemaFormatVersion, '|', EffectiveSchemaHash, '|', MappingVersion, '|',
  CONVERT(varchar(64), ResourceKeySeedHash, 2), '|', CONVERT(varchar(40), AppliedAt, 126)) FROM dms.EffectiveSchema`,
		`SELECT CONCAT('seed|SchemaComponent|', EffectiveSchemaId, '|', ProjectEndpointName, '|', ProjectName, '|', ProjectVersion, '|',
  IsExtensionProject, '|', ProjectHash) FROM dms.SchemaComponent`,
	}
	var out []string
	for _, q := range queries {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, q)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, line)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// mssqlTypeName is TYPE_NAME of a logical type's SQL Server column.
func mssqlTypeName(t model.Type) string {
	name := mssql.New().TypeName(t)
	if i := strings.IndexByte(name, '('); i >= 0 {
		return name[:i]
	}
	return name
}

// TestMSSQLApply applies every case's mssql.sql twice to a fresh SQL Server
// database (same catalog and seeds after the second run), checks every
// model column's type and nullability, verifies, and checks Provision's
// already-provisioned and mismatch answers. It runs only when
// DMSC_MSSQL_DSN is set.
func TestMSSQLApply(t *testing.T) {
	testenv.MSSQLDSN(t)
	schemacase.ForEach(t, false, func(t *testing.T, c *schemacase.Case) {
		ctx := t.Context()
		m, script := c.Model(model.MSSQL), c.Script(t, model.MSSQL, ddl.Render)
		dsn := newMSSQLDatabase(t, c.Name)
		db, err := sql.Open("sqlserver", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := execMSSQLScript(ctx, db, script); err != nil {
			t.Fatalf("first apply: %v", err)
		}
		first, err := snapshotMSSQL(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if err := execMSSQLScript(ctx, db, script); err != nil {
			t.Fatalf("second apply: %v", err)
		}
		second, err := snapshotMSSQL(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if d := pgtest.DiffLines(first, second, 40); d != "" {
			t.Errorf("the second apply changed the database:\n%s", d)
		}
		for _, r := range m.Resources {
			for _, tb := range r.Tables {
				var want, got []string
				for _, col := range tb.Columns {
					want = append(want, fmt.Sprintf("%s|%s|%v", col.Name, mssqlTypeName(col.Type), col.Nullable))
				}
				rows, err := db.QueryContext(ctx, `SELECT c.name, TYPE_NAME(c.user_type_id), c.is_nullable FROM sys.columns c
WHERE c.object_id = OBJECT_ID(@p1) ORDER BY c.column_id`, mssql.New().QuoteIdent(tb.Schema)+"."+mssql.New().QuoteIdent(tb.Name))
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var name, typ string
					var null bool
					if err := rows.Scan(&name, &typ, &null); err != nil {
						t.Fatal(err)
					}
					got = append(got, fmt.Sprintf("%s|%s|%v", name, typ, null))
				}
				rows.Close()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s columns:\n got %v\nwant %v", tb.Qualified(), got, want)
				}
			}
		}
		if err := verifyMSSQL(ctx, db, m); err != nil {
			t.Errorf("verify: %v", err)
		}
		res, err := Provision(ctx, dsn, m, script, Options{})
		if err != nil || res.Status != AlreadyProvisioned {
			t.Errorf("provision an applied database = %+v, %v", res, err)
		}
		if c.Name != "handmade" {
			var mm *MismatchError
			if _, err := Provision(ctx, dsn, schemacase.Handmade(t).Model(model.MSSQL), "", Options{}); !errors.As(err, &mm) {
				t.Errorf("provision another schema set = %v; want *MismatchError", err)
			}
		}
	})
}

// TestMSSQLProvisionFresh provisions the example into a new SQL Server
// database through Provision with CreateDatabase. It runs only when
// DMSC_MSSQL_DSN is set.
func TestMSSQLProvisionFresh(t *testing.T) {
	base := testenv.MSSQLDSN(t)
	name := testenv.PostgresDatabaseName("ddl", "provision")
	dsn := mssqlWithDatabase(t, base, name)
	m := schemacase.Example(t).Model(model.MSSQL)
	res, err := Provision(t.Context(), dsn, m, "", Options{CreateDatabase: true})
	t.Cleanup(func() {
		db, err := sql.Open("sqlserver", mssqlWithDatabase(t, base, "master"))
		if err == nil {
			d := mssql.New()
			_, err = db.ExecContext(context.Background(), "ALTER DATABASE "+d.QuoteIdent(name)+" SET SINGLE_USER WITH ROLLBACK IMMEDIATE;\nDROP DATABASE "+d.QuoteIdent(name)+";")
			db.Close()
		}
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	if res.Status != Applied || !res.CreatedDatabase {
		t.Errorf("provision = %+v", res)
	}
	if err := Verify(t.Context(), dsn, m); err != nil {
		t.Errorf("verify: %v", err)
	}
}
