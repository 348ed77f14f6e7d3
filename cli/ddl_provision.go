package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
)

// ddlProvisionFlags holds the flags of `dmsc ddl provision`.
type ddlProvisionFlags struct {
	schema         schemaFlags
	dsn            string
	dialect        string
	createDatabase bool
}

// newDDLProvisionCmd builds `dmsc ddl provision`.
func newDDLProvisionCmd(e *env) *cobra.Command {
	f := ddlProvisionFlags{dialect: string(model.PgSQL)}
	cmd := &cobra.Command{
		Use:   "provision -s FILE... --dsn DSN [--dialect pgsql|mssql] [--create-database]",
		Short: "Apply the DDL of a schema set to a database, guarded by its fingerprint",
		Long: `Apply the DDL of a schema set to the database at DSN (also DMSC_DSN).

Preflight: dmsc reads dms.EffectiveSchema first.
  - same effective schema hash: "already provisioned", nothing changes;
    the catalog is verified (below), exit 0;
  - another hash: nothing changes; both hashes and what differs are
    printed, exit 3;
  - no effective schema: the whole script runs in one transaction
    (PostgreSQL; SQL Server: its GO batches in one transaction), then the
    catalog is verified and the transaction committed.

Verification: the stored hash, every expected table and view, and in every
expected table each column's type (with length, precision and scale),
nullability and presence, no extra NOT NULL column without a default, the
primary key columns and a unique index for each unique key. A table that existed before with other columns
survives CREATE TABLE IF NOT EXISTS; verification then fails (exit 1,
rolled back), listing every difference, e.g.
  example.School.SchoolId: expected integer NOT NULL, found character varying(20) NULL

--create-database creates the DSN's database first when it is missing.

Exit codes: 0 applied or already provisioned (and verified), 1 database
or verification failure, 2 usage error, 3 fingerprint mismatch.`,
		Example: `  dmsc ddl provision -s ApiSchema.json --dsn postgres://postgres@localhost/edfi --create-database
  DMSC_DSN='sqlserver://sa:pw@localhost?database=edfi' dmsc ddl provision -s ApiSchema.json --dialect mssql`,
		RunE: func(*cobra.Command, []string) error { return runDDLProvision(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, true)
	cmd.Flags().StringVar(&f.dsn, "dsn", "", "database connection `DSN` (postgres://… or sqlserver://…; also DMSC_DSN)")
	cmd.Flags().StringVar(&f.dialect, "dialect", f.dialect, "`DIALECT` of the database: pgsql or mssql")
	markChoices(cmd.Flags(), "dialect", dialectChoices()...)
	cmd.Flags().BoolVar(&f.createDatabase, "create-database", false, "create the DSN's database when it does not exist")
	return cmd
}

// runDDLProvision compiles, renders and provisions.
func runDDLProvision(e *env, f *ddlProvisionFlags) error {
	if f.dsn == "" {
		return usageErrorf("a database is required: --dsn DSN or DMSC_DSN")
	}
	d, err := all.Parse(f.dialect)
	if err != nil {
		return usageErrorf("--dialect %q: must be %s", f.dialect, orList(dialectChoices()))
	}
	res, err := e.compile(&f.schema, true)
	if err != nil {
		return err
	}
	m := res.Model(d)
	out, err := provision.Provision(e.ctx, f.dsn, m, "", provision.Options{CreateDatabase: f.createDatabase})
	if errors.Is(err, provision.ErrFingerprintMismatch) {
		return fingerprintMismatch(err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, out.String())
	return err
}
