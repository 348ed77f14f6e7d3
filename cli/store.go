package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// storeFlags are the flags of commands that open a runtime store: the
// schema set (optional: else the manifest stored in the database), the
// database and whether to provision it first.
type storeFlags struct {
	schema    schemaFlags
	db        dbFlags
	provision bool
	// statementTimeout, when positive, is the PostgreSQL statement_timeout
	// of the store's connections (not of provisioning).
	statementTimeout time.Duration
}

// addStoreFlags adds the schema flags, --dsn and (when withProvision)
// --provision.
func addStoreFlags(cmd *cobra.Command, f *storeFlags, withProvision bool) {
	addSchemaFlags(cmd, &f.schema, schemaFromDatabase)
	addDBFlags(cmd, &f.db, false)
	if withProvision {
		cmd.Flags().BoolVar(&f.provision, "provision", false, "provision the database with the -s schema set first, as dmsc ddl provision --create-database does (no-op when already provisioned)")
	}
}

// provisionHint is the command that provisions the database of f.
func (f *storeFlags) provisionHint() *commandLine {
	return newCommandLine("ddl", "provision").schema(&f.schema).dsn()
}

// openStore opens a runtime store on the database of f for command. The
// mapping comes from the -s schema set (compiled; with --provision the
// database is provisioned first) or, without -s, from the runtime manifest
// `dmsc ddl provision` stored in the database. The caller closes the
// returned pool.
func (e *env) openStore(command string, f *storeFlags, opts relstore.Options) (*relstore.Store, *pgxpool.Pool, error) {
	if err := f.db.requirePostgres(command); err != nil {
		return nil, nil, err
	}
	if f.provision && len(f.schema.schemas) == 0 {
		return nil, nil, usageErrorf("--provision needs the schema set: pass the core ApiSchema.json with -s FILE (and each extension with another -s)")
	}
	var m *manifest.Manifest
	if len(f.schema.schemas) > 0 {
		res, err := e.compile(&f.schema, false)
		if err != nil {
			return nil, nil, err
		}
		pg := res.Model(model.PgSQL)
		m = compiler.Manifest(pg)
		if f.provision {
			if err := e.provisionForStore(f, pg, m); err != nil {
				return nil, nil, err
			}
		}
	}
	dsn := f.db.dsn
	if f.statementTimeout > 0 {
		dsn = withStatementTimeout(dsn, f.statementTimeout)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, nil, usageErrorf("--dsn: %v", err)
	}
	pool, err := relstore.NewPool(e.ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to %s: %w", cfg.ConnConfig.Host, err)
	}
	st, err := e.openOn(pool, f, m, opts)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return st, pool, nil
}

// provisionForStore provisions the database for --provision, storing the
// runtime manifest.
func (e *env) provisionForStore(f *storeFlags, pg *model.Model, m *manifest.Manifest) error {
	data, err := m.Encode()
	if err != nil {
		return err
	}
	_, err = provision.Provision(e.ctx, f.db.dsn, pg, "", provision.Options{CreateDatabase: true, Manifest: data})
	if errors.Is(err, provision.ErrFingerprintMismatch) {
		return fingerprintMismatch(err)
	}
	return err
}

// upgradeHint is the next step for a database provisioned by an older
// dmsc: there is no upgrade command yet.
const upgradeHint = "add the core tables this dmsc needs in place, as docs/runtime.md (Upgrading a database) shows, or provision a new database with this dmsc"

// openOn opens the store on pool with m, or with the manifest stored in
// the database when m is nil, turning each way this fails into a message
// with the next step.
func (e *env) openOn(pool *pgxpool.Pool, f *storeFlags, m *manifest.Manifest, opts relstore.Options) (*relstore.Store, error) {
	if m == nil {
		stored, err := relstore.StoredManifest(e.ctx, pool)
		switch {
		case errors.Is(err, relstore.ErrNotProvisioned):
			return nil, fmt.Errorf("%w\n  provision it with:\n  %s", err, f.provisionHint())
		case errors.Is(err, relstore.ErrNoStoredManifest):
			return nil, fmt.Errorf("%w\n  pass the schema set it was provisioned with (-s FILE…), or store its manifest with:\n  %s", err, f.provisionHint())
		case err != nil:
			return nil, databaseError(err, f.provisionHint())
		}
		m = stored
	}
	st, err := relstore.Open(e.ctx, m, pool, opts)
	var fe *relstore.FingerprintError
	var ce *relstore.CoreTablesError
	switch {
	case errors.As(err, &fe) && fe.Database == "":
		return nil, fmt.Errorf("%w\n  provision it with:\n  %s", relstore.ErrNotProvisioned, f.provisionHint())
	case errors.As(err, &ce):
		return nil, fingerprintMismatch(fmt.Errorf("%w\n  %s", err, upgradeHint))
	case errors.As(err, &fe) && fe.MappingVersionDiffers():
		return nil, fingerprintMismatch(fmt.Errorf("%w\n  the database was provisioned by another dmsc version (another mapping version); drop -s to use the manifest stored in the database (%s)", err, upgradeHint))
	case errors.As(err, &fe):
		return nil, fingerprintMismatch(fmt.Errorf("%w\n  the -s schema set is not the one the database was provisioned with; drop -s to use the manifest stored in the database, or see what it holds with:\n  %s", err, newCommandLine("inspect").dsn()))
	case err != nil:
		return nil, databaseError(err, f.provisionHint())
	}
	return st, nil
}
