package migrate

import (
	"errors"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestOpenLegacyHostile: a wrong DSN, a database without the legacy
// schema, the relational target given as the legacy store and an empty
// legacy store each give an error saying what is wrong (and never the
// DSN's password).
func TestOpenLegacyHostile(t *testing.T) {
	base := testenv.PostgresDSN(t)
	ctx := t.Context()

	missing := testenv.WithDatabase(t, base, "dmsc_migrate_no_such_database")
	if _, err := OpenLegacy(ctx, missing); err == nil || !strings.Contains(err.Error(), `cannot connect to database "dmsc_migrate_no_such_database"`) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing database: %v", err)
	}
	if _, err := OpenLegacy(ctx, "postgres://u:s3cret@127.0.0.1:1/x?connect_timeout=2"); err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "cannot connect") {
		t.Errorf("unreachable server: %v", err)
	}
	if _, err := OpenLegacy(ctx, "postgres://u:s3cret@host:notaport/x"); err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "invalid connection string") {
		t.Errorf("bad DSN: %v", err)
	}

	empty := testenv.NewPostgresDatabase(t, "migrate", "empty")
	_, err := OpenLegacy(ctx, empty)
	var se *SchemaError
	if !errors.As(err, &se) || strings.Join(se.Missing, ",") != "dms.document,dms.alias,dms.reference" || se.Relational {
		t.Errorf("empty database: %v", err)
	} else if !strings.Contains(err.Error(), "is not a legacy DMS JSONB store: missing dms.document, dms.alias, dms.reference") {
		t.Errorf("empty database: %v", err)
	}

	target := relstoretest.New(t, "migratetarget")
	target.Pool.Close()
	_, err = OpenLegacy(ctx, target.DSN)
	if !errors.As(err, &se) || !se.Relational || !strings.Contains(err.Error(), "it is a dmsc relational store") {
		t.Errorf("relational store: %v", err)
	}

	partial := testenv.NewPostgresDatabase(t, "migrate", "partial")
	execSQL(t, partial, `CREATE SCHEMA dms`, `CREATE TABLE dms.Document (Id bigint, DocumentUuid uuid, EdfiDoc json)`)
	_, err = OpenLegacy(ctx, partial)
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "missing dms.document.documentpartitionkey") || !strings.Contains(err.Error(), "dms.document.edfidoc of type jsonb (it is json)") {
		t.Errorf("partial schema: %v", err)
	}

	legacy := newLegacyDS50(t)
	execSQL(t, legacy, `TRUNCATE dms.Document CASCADE`)
	_, err = Preflight(ctx, openLegacy(t, legacy), ds50(t), workConfig(t), Options{})
	if !errors.Is(err, ErrNoDocuments) {
		t.Errorf("empty legacy store: %v", err)
	}
}
