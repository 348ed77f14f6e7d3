package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/provision"
)

// ddlProvisionFlags holds the flags of `dmsc ddl provision`.
type ddlProvisionFlags struct {
	schema         schemaFlags
	db             dbFlags
	createDatabase bool
	dryRun         bool
	format         outputFormat
}

// newDDLProvisionCmd builds `dmsc ddl provision`.
func newDDLProvisionCmd(e *env) *cobra.Command {
	var f ddlProvisionFlags
	cmd := &cobra.Command{
		Use:   "provision -s FILE... --dsn DSN [--create-database] [--dry-run] [--format text|json]",
		Short: "Apply the DDL of a schema set to a database, guarded by its fingerprint",
		Long: `Apply the DDL of a schema set to the database at DSN (also DMSC_DSN) and
store the runtime mapping manifest with it (dms.RuntimeManifest), so that
dmsc serve, roundtrip, edges, identity and inspect can open the database
without -s. The dialect comes from the DSN: postgres:// or postgresql://
is PostgreSQL, sqlserver:// is SQL Server; --dialect, when given, must
agree.

Preflight: dmsc reads dms.EffectiveSchema first.
  - same effective schema hash: "already provisioned", nothing changes
    (except storing the runtime manifest when the database lacks it); the
    catalog is verified (below), exit 0;
  - another hash: nothing changes; both hashes and what differs are
    printed, exit 3;
  - no effective schema: the whole script runs in one transaction
    (PostgreSQL; SQL Server: its GO batches in one transaction), then the
    catalog is verified and the transaction committed. A failing statement
    is named (its number and first line) with the server's message.

Verification: the stored hash, every expected table and view, and in every
expected table each column's type (with length, precision and scale),
nullability and presence, no extra NOT NULL column without a default, the
primary key columns and a unique index for each unique key. A table that
existed before with other columns survives CREATE TABLE IF NOT EXISTS;
verification then fails (exit 1, rolled back), listing every difference, e.g.
  example.School.SchoolId: expected integer NOT NULL, found character varying(20) NULL

--dry-run changes nothing: the preflight runs in a read-only transaction
(verification included when the database is already provisioned) and dmsc
prints the statements a real run would execute, in order (text: a summary
line, then each statement ending in ';'; json: {"status", "steps": [{"sql",
"params"}], …}).

--create-database creates the DSN's database first when it is missing
(with --dry-run: reports that it would).

Exit codes: 0 applied, already provisioned (and verified) or dry run, 1
database or verification failure, 2 usage error, 3 fingerprint mismatch.`,
		Example: `  dmsc ddl provision -s ApiSchema.json --dsn postgres://postgres@localhost/edfi --create-database
  dmsc ddl provision -s ApiSchema.json --dsn "$DMSC_DSN" --dry-run > plan.sql
  DMSC_DSN='sqlserver://sa:pw@localhost?database=edfi' dmsc ddl provision -s ApiSchema.json`,
		RunE: func(*cobra.Command, []string) error { return runDDLProvision(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, schemaRequired)
	addDBFlags(cmd, &f.db, true)
	cmd.Flags().BoolVar(&f.createDatabase, "create-database", false, "create the DSN's database when it does not exist")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "change nothing: print the preflight result and the statements a real run would execute")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// provisionReport is the --format json answer of `dmsc ddl provision`.
type provisionReport struct {
	Status              string           `json:"status"`
	Dialect             string           `json:"dialect"`
	EffectiveSchemaHash string           `json:"effective_schema_hash"`
	DryRun              bool             `json:"dry_run"`
	CreatedDatabase     bool             `json:"created_database"`
	WouldCreateDatabase bool             `json:"would_create_database"`
	StoredManifest      bool             `json:"stored_manifest"`
	Statements          int              `json:"statements"`
	Batches             int              `json:"batches"`
	Summary             string           `json:"summary"`
	Steps               []provision.Step `json:"steps"`
}

// runDDLProvision compiles, renders and provisions.
func runDDLProvision(e *env, f *ddlProvisionFlags) error {
	d, err := f.db.resolveDialect()
	if err != nil {
		return err
	}
	res, err := e.compile(&f.schema, false)
	if err != nil {
		return err
	}
	m := res.Model(d)
	data, err := compiler.Manifest(m).Encode()
	if err != nil {
		return err
	}
	out, err := provision.Provision(e.ctx, f.db.dsn, m, "", provision.Options{
		CreateDatabase: f.createDatabase, DryRun: f.dryRun, Manifest: data,
	})
	hint := newCommandLine("ddl", "provision").schema(&f.schema).dsn()
	if f.db.dialect != "" {
		hint.flag(dialectFlag, f.db.dialect)
	}
	switch {
	case errors.Is(err, provision.ErrFingerprintMismatch):
		return fingerprintMismatch(fmt.Errorf("%w\n  see what the database holds with:\n  %s", err, newCommandLine("inspect").dsn()))
	case err != nil:
		return databaseError(err, hint)
	}
	if f.format == formatJSON {
		steps := out.Steps
		if steps == nil {
			steps = []provision.Step{}
		}
		return writeJSON(e.stdout, provisionReport{
			Status: string(out.Status), Dialect: string(out.Dialect), EffectiveSchemaHash: out.Hash, DryRun: out.DryRun,
			CreatedDatabase: out.CreatedDatabase, WouldCreateDatabase: out.WouldCreateDatabase, StoredManifest: out.StoredManifest,
			Statements: out.Statements, Batches: out.Batches, Summary: out.String(), Steps: steps,
		})
	}
	if !out.DryRun {
		_, err = fmt.Fprintln(e.stdout, out.String())
		return err
	}
	return writeDryRun(e, out)
}

// writeDryRun prints a dry run as a script to review.
func writeDryRun(e *env, out *provision.Result) error {
	text, err := out.PlanText()
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, text)
	return err
}
