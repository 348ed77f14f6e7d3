package migrate

import (
	"context"
	"fmt"
	"strings"
)

// legacyTables lists the tables and columns the migration reads, in the
// lower case PostgreSQL folds the legacy DDL's unquoted names to.
var legacyTables = []struct {
	table   string
	columns []string
}{
	{"document", []string{"id", "documentpartitionkey", "documentuuid", "resourcename", "resourceversion", "isdescriptor",
		"projectname", "edfidoc", "createdat", "lastmodifiedat", "lastmodifiedtraceid"}},
	{"alias", []string{"id", "referentialpartitionkey", "referentialid", "documentid", "documentpartitionkey"}},
	{"reference", []string{"parentdocumentid", "parentdocumentpartitionkey", "referentialpartitionkey", "aliasid",
		"referenceddocumentid", "referenceddocumentpartitionkey"}},
}

// SchemaError reports a database that does not hold the legacy DMS schema:
// what is missing, and what the database looks like instead.
type SchemaError struct {
	// Where names the database (never its DSN).
	Where string
	// Missing lists the missing tables (`dms.alias`) and columns
	// (`dms.document.edfidoc`), tables in the order document, alias,
	// reference, each followed by its missing columns.
	Missing []string
	// Relational is set when the database is a dmsc relational store
	// (it holds dms.EffectiveSchema): the target, not the legacy store.
	Relational bool
}

// Error implements error.
func (e *SchemaError) Error() string {
	msg := fmt.Sprintf("%s is not a legacy DMS JSONB store: missing %s", e.Where, strings.Join(e.Missing, ", "))
	if e.Relational {
		msg += "; it is a dmsc relational store (it has dms.EffectiveSchema): --from takes the legacy database, --dsn the relational target"
	}
	return msg
}

// checkSchema reads the catalog in a read-only transaction and returns a
// *SchemaError when a table or column the migration reads is missing or
// EdfiDoc is not jsonb.
func (l *Legacy) checkSchema(ctx context.Context) error {
	tx, err := l.pool.BeginTx(ctx, readOnly)
	if err != nil {
		return fmt.Errorf("legacy database: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	rows, err := tx.Query(ctx, `SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
WHERE table_schema = 'dms' AND table_name IN ('document', 'alias', 'reference')`)
	if err != nil {
		return fmt.Errorf("legacy database: reading the catalog: %w", err)
	}
	have := map[string]string{}
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			return fmt.Errorf("legacy database: reading the catalog: %w", err)
		}
		have[table+"."+column] = typ
		have[table] = "table"
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("legacy database: reading the catalog: %w", err)
	}
	e := &SchemaError{Where: l.where}
	for _, t := range legacyTables {
		if have[t.table] == "" {
			e.Missing = append(e.Missing, "dms."+t.table)
			continue
		}
		for _, c := range t.columns {
			if have[t.table+"."+c] == "" {
				e.Missing = append(e.Missing, "dms."+t.table+"."+c)
			}
		}
	}
	if typ := have["document.edfidoc"]; typ != "" && typ != "jsonb" {
		e.Missing = append(e.Missing, "dms.document.edfidoc of type jsonb (it is "+typ+")")
	}
	if len(e.Missing) == 0 {
		return nil
	}
	if err := tx.QueryRow(ctx, `SELECT to_regclass('"dms"."EffectiveSchema"') IS NOT NULL`).Scan(&e.Relational); err != nil {
		return fmt.Errorf("legacy database: reading the catalog: %w", err)
	}
	return e
}
