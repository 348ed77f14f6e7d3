package cli

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// storeFlags are the flags of commands that open a runtime store: the
// schema set, the database and whether to provision it first.
type storeFlags struct {
	schema    schemaFlags
	dsn       string
	provision bool
}

// addStoreFlags adds the schema flags (without -s: the built-in example),
// --dsn and (when withProvision) --provision.
func addStoreFlags(cmd *cobra.Command, f *storeFlags, withProvision bool) {
	addSchemaFlags(cmd, &f.schema, true)
	cmd.Flags().StringVar(&f.dsn, "dsn", "", "PostgreSQL connection `DSN` (also DMSC_DSN)")
	if withProvision {
		cmd.Flags().BoolVar(&f.provision, "provision", false, "provision the database with the schema set's DDL first, creating it when missing (no-op when already provisioned)")
	}
}

// openStore compiles the schema set, optionally provisions the database
// and opens a runtime store on it. The caller closes the returned pool.
func (e *env) openStore(f *storeFlags, opts relstore.Options) (*relstore.Store, *pgxpool.Pool, error) {
	if f.dsn == "" {
		return nil, nil, usageErrorf("a database is required: --dsn DSN or DMSC_DSN")
	}
	res, err := e.compile(&f.schema, true)
	if err != nil {
		return nil, nil, err
	}
	m := res.Model(model.PgSQL)
	if f.provision {
		if _, err := provision.Provision(e.ctx, f.dsn, m, "", provision.Options{CreateDatabase: true}); err != nil {
			if errors.Is(err, provision.ErrFingerprintMismatch) {
				return nil, nil, fingerprintMismatch(err)
			}
			return nil, nil, err
		}
	}
	cfg, err := pgxpool.ParseConfig(f.dsn)
	if err != nil {
		return nil, nil, usageErrorf("--dsn: %v", err)
	}
	pool, err := relstore.NewPool(e.ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to %s: %w", cfg.ConnConfig.Host, err)
	}
	st, err := relstore.Open(e.ctx, compiler.Manifest(m), pool, opts)
	if err != nil {
		pool.Close()
		var fe *relstore.FingerprintError
		if errors.As(err, &fe) {
			return nil, nil, fingerprintMismatch(err)
		}
		return nil, nil, err
	}
	return st, pool, nil
}
