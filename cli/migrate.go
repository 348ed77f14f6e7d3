package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/migrate"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// migrateLegacyFlags holds the flags of `dmsc migrate legacy`.
type migrateLegacyFlags struct {
	store         storeFlags
	from          string
	preflightOnly bool
	batchSize     int
	workers       int
	verify        bool
	format        outputFormat
}

// newMigrateCmd builds the `dmsc migrate` command group.
func newMigrateCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move documents from a legacy DMS JSONB store into the relational store",
		Long: `Move documents from a legacy DMS JSONB store into the relational store
(docs/migration.md).

  legacy    preflight and backfill from a legacy DMS database
  catch-up  apply what changed in the legacy store since the last pass
            (--freeze-check: only report it)
  verify    compare the migrated documents with the legacy ones`,
	}
	cmd.AddCommand(newMigrateLegacyCmd(e), newMigrateCatchUpCmd(e), newMigrateVerifyCmd(e))
	return cmd
}

// newMigrateLegacyCmd builds `dmsc migrate legacy`.
func newMigrateLegacyCmd(e *env) *cobra.Command {
	f := migrateLegacyFlags{batchSize: migrate.DefaultBatchSize, workers: migrate.DefaultWorkers, verify: true}
	cmd := &cobra.Command{
		Use:   "legacy --from LEGACY_DSN --dsn TARGET_DSN [-s FILE...] [--preflight-only] [--format text|json]",
		Short: "Copy a legacy DMS JSONB database into the relational store (preflight, then backfill)",
		Long: `Read the legacy DMS JSONB database at LEGACY_DSN (dms.Document, dms.Alias,
dms.Reference) in one read-only snapshot, report every document the
target schema set cannot hold (the preflight) and copy every other one
into the relational store at TARGET_DSN (the backfill).

The preflight reports, per resource and per document:
resources and project versions the schema set lacks, values the
relational columns cannot hold (integers beyond their column's range,
decimals beyond scale or precision, strings beyond maxLength, dates out of
range) with the JSON path and value, any other problem the runtime's
validation finds, natural keys two documents share, references and
descriptors that do not resolve, and documents that reference a rejected
document. Warnings: references added by a later update (creation order is
not a load order for them), references the runtime would resolve to other
documents than dms.Reference links, and properties the runtime would drop.

Nothing is ever written to the legacy database: its sessions and
transactions are read-only.

The schema set comes from -s or, without -s, from the runtime manifest
stored in the target (--dsn, as dmsc ddl provision stored it). With -s the
target may be missing or unprovisioned; provisioned for another schema
set, it is refused (exit 3).

The preflight keeps its working state (one row per legacy document, its
references and the dms.Reference pairs) in temporary tables of a session
of its own on the target's server (in the target database, or in the
server's postgres database while the target database does not exist), so
dmsc's memory does not grow with the legacy store; the tables go with the
session. With --preflight-only dmsc stops there, changing nothing in
either database.

The backfill copies the documents the preflight accepts through the
runtime's import path: each keeps its id (DocumentUuid), CreatedAt and
_lastModifiedDate, and gets a new ETag (the legacy _etag values become
invalid: a client's If-Match with one gets 412). Resources load in
dependency order (--workers resources of one dependency level at once),
each in creation order, --batch-size documents per transaction. Each
transaction also records its documents in the target's checkpoint table
dmsc_migrate.Checkpoint, so an interrupted run (Ctrl-C, a lost
connection) resumes where it stopped when run again, with no duplicate and
no gap, and a run with nothing new writes nothing. With -s the target is
created and provisioned when needed. At the end the verification of dmsc
migrate verify runs in the same legacy snapshot (--verify=false leaves it
out); then dmsc migrate catch-up copies what the legacy store changes
meanwhile.

A progress line with an ETA is shown on stderr when it is a terminal. With
--format json the backfill's report is one object: {"preflight": the
preflight report, "documents", "copied", "already_copied", "rejected",
"failed", "changed_since_copied", "resources": [{"project", "resource",
"version", "endpoint", "level", "documents", "copied", "already_copied",
"rejected", "failed", "changed_since_copied"}], "failures": [findings],
"verify": the verification report, as dmsc migrate verify writes it};
with --preflight-only, the preflight report: {"legacy", "legacy_time_zone",
"legacy_snapshot", "effective_schema_hash", "documents", "migratable",
"rejected", "resources": [{"project", "resource", "version", "descriptor",
"documents", "endpoint", "migratable", "rejected", "deferred", "warned"}],
"codes": [{"code", "warning", "documents"}], "findings": [{"project",
"resource", "version", "document", "path", "value", "code", "message",
"warning", "documents"}]}.

Exit codes: 0 every legacy document can be migrated (--preflight-only;
warnings allowed) or every document the preflight accepts is in the
target and verifies (backfill; the rejected ones are listed and stay
behind), 1 some cannot, the target refused some or the verification
found differences (the report lists them) or a database cannot be read, 2 usage, 3 the target holds another schema set.`,
		Example: `  dmsc migrate legacy --from "$LEGACY_DSN" --dsn "$DMSC_DSN" -s ApiSchema.json --preflight-only
  dmsc migrate legacy --from "$LEGACY_DSN" --dsn "$DMSC_DSN" --preflight-only --format json | jq '.codes'
  dmsc migrate legacy --from "$LEGACY_DSN" --dsn "$DMSC_DSN" -s ApiSchema.json
  dmsc migrate verify --from "$LEGACY_DSN" --dsn "$DMSC_DSN"`,
		RunE: func(*cobra.Command, []string) error { return runMigrateLegacy(e, &f) },
	}
	addStoreFlags(cmd, &f.store, false)
	addFromFlag(cmd, &f.from)
	cmd.Flags().BoolVar(&f.preflightOnly, "preflight-only", false, "check what the target cannot hold and stop, changing nothing")
	cmd.Flags().IntVar(&f.batchSize, "batch-size", f.batchSize, "legacy documents read per keyset page and copied per transaction")
	cmd.Flags().IntVar(&f.workers, "workers", f.workers, "resources of one dependency level copied at once")
	cmd.Flags().BoolVar(&f.verify, "verify", f.verify, "verify the target against the legacy snapshot at the end of the backfill")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runMigrateLegacy checks the flags, obtains the target's manifest, runs
// the preflight and prints its report.
func runMigrateLegacy(e *env, f *migrateLegacyFlags) error {
	if err := checkLegacySource("dmsc migrate legacy", &f.store, f.from, f.batchSize); err != nil {
		return err
	}
	if f.workers <= 0 {
		return usageErrorf("--workers %d: must be positive", f.workers)
	}
	if !f.preflightOnly {
		return runBackfill(e, f)
	}
	m, err := e.migrationManifest(&f.store)
	if err != nil {
		return err
	}
	legacy, err := migrate.OpenLegacy(e.ctx, f.from)
	if err != nil {
		return err
	}
	defer legacy.Close()
	work, err := preflightWork(e.ctx, f.store.db.dsn)
	if err != nil {
		return err
	}
	bar := newETAProgress(e.stderr, "dmsc migrate legacy: preflight", "documents")
	rep, err := migrate.Preflight(e.ctx, legacy, m, work, migrate.Options{BatchSize: f.batchSize, Progress: bar.show, PreflightStep: bar.step})
	bar.done()
	if err != nil {
		return err
	}
	if err := writeMigrateReport(e, f.format, rep, writePreflightText); err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("%d of %d legacy documents cannot be migrated to this schema set (listed above); fix them in the legacy store or extend the schema set, then run the preflight again", rep.Rejected, rep.Documents)
	}
	return nil
}

// preflightWork is the connection for the preflight's temporary tables:
// the target database, or the postgres database of its server while the
// target database does not exist (-s, before the backfill creates it).
func preflightWork(ctx context.Context, dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, usageErrorf("--dsn: %v", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	switch {
	case err == nil:
		_ = conn.Close(ctx)
	case provision.IsDatabaseMissing(err):
		cfg.Database = "postgres"
	default:
		return nil, fmt.Errorf("connecting to %s: %w", cfg.Host, err)
	}
	return cfg, nil
}

// migrationManifest returns the target's mapping: the -s schema set
// (checked against the target when it is provisioned) or the manifest
// stored in the target.
func (e *env) migrationManifest(f *storeFlags) (*manifest.Manifest, error) {
	if len(f.schema.schemas) == 0 {
		cfg, err := pgxpool.ParseConfig(f.db.dsn)
		if err != nil {
			return nil, usageErrorf("--dsn: %v", err)
		}
		pool, err := relstore.NewPool(e.ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", cfg.ConnConfig.Host, err)
		}
		defer pool.Close()
		m, err := relstore.StoredManifest(e.ctx, pool)
		switch {
		case errors.Is(err, relstore.ErrNotProvisioned), errors.Is(err, relstore.ErrNoStoredManifest):
			return nil, fmt.Errorf("%w\n  pass the target's schema set with -s FILE…, or provision the target with:\n  %s", err, f.provisionHint())
		case err != nil:
			return nil, databaseError(err, f.provisionHint())
		}
		return m, nil
	}
	res, err := e.compile(&f.schema, false)
	if err != nil {
		return nil, err
	}
	m := compiler.Manifest(res.Model(model.PgSQL))
	state, err := provision.ReadState(e.ctx, model.PgSQL, f.db.dsn)
	switch {
	case err != nil && provision.IsDatabaseMissing(err):
		return m, nil // not created yet: the backfill will provision it
	case err != nil:
		return nil, err
	case state.Provisioned() && state.Hash != m.EffectiveSchemaHash:
		return nil, fingerprintMismatch(fmt.Errorf("the target holds effective schema %s, the -s schema set is %s: pass the schema set it was provisioned with, or drop -s to use its stored manifest", state.Hash, m.EffectiveSchemaHash))
	}
	return m, nil
}

// addFromFlag adds --from, the legacy database every migrate command reads.
func addFromFlag(cmd *cobra.Command, from *string) {
	cmd.Flags().StringVar(from, "from", "", "the legacy DMS database's connection `DSN` (postgres://…); read only")
}

// checkLegacySource checks what every migrate command needs: --from names
// a PostgreSQL database, the target is PostgreSQL and --batch-size is
// positive.
func checkLegacySource(command string, store *storeFlags, from string, batchSize int) error {
	if from == "" {
		return usageErrorf("the legacy database is required: --from LEGACY_DSN")
	}
	if err := store.db.requirePostgres(command); err != nil {
		return err
	}
	if d, err := provision.DialectOf(from); err != nil || d != model.PgSQL {
		return usageErrorf("--from must name the legacy PostgreSQL database (postgres://… or postgresql://…)")
	}
	if batchSize <= 0 {
		return usageErrorf("--batch-size %d: must be positive", batchSize)
	}
	return nil
}

// openMigration opens the target store of command and the legacy database
// from; closeAll closes both.
func (e *env) openMigration(command string, store *storeFlags, from string) (*relstore.Store, *migrate.Legacy, func(), error) {
	st, pool, err := e.openStore(command, store, relstore.Options{})
	if err != nil {
		return nil, nil, nil, err
	}
	legacy, err := migrate.OpenLegacy(e.ctx, from)
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	return st, legacy, func() { legacy.Close(); pool.Close() }, nil
}

// writeMigrateReport prints a migrate report as JSON or with text.
func writeMigrateReport[T any](e *env, format outputFormat, rep T, text func(io.Writer, T) error) error {
	if format == formatJSON {
		return writeJSON(e.stdout, rep)
	}
	return text(e.stdout, rep)
}
