package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/migrate"
)

// migrateVerifyFlags holds the flags of `dmsc migrate verify`.
type migrateVerifyFlags struct {
	store     storeFlags
	from      string
	batchSize int
	format    outputFormat
}

// newMigrateVerifyCmd builds `dmsc migrate verify`.
func newMigrateVerifyCmd(e *env) *cobra.Command {
	f := migrateVerifyFlags{batchSize: migrate.DefaultBatchSize}
	cmd := &cobra.Command{
		Use:   "verify --from LEGACY_DSN --dsn TARGET_DSN [-s FILE...] [--format text|json]",
		Short: "Compare every migrated document with its legacy original",
		Long: `Compare the relational target at TARGET_DSN with the legacy DMS JSONB
database at LEGACY_DSN (read in one read-only snapshot), for every
document the migration's checkpoint (dmsc_migrate.Checkpoint) records as
copied:

- the document the runtime reconstitutes equals the legacy EdfiDoc without
  _etag, compared as JSON values: nulls and empty arrays or objects of the
  legacy body are dropped, numbers compare by value, descriptor URIs
  case-insensitively and date-time values as instants;
- id and _lastModifiedDate are the legacy ones;
- the legacy document has not changed or gone since it was copied;
- per resource, the target holds as many documents as were copied;
- every distinct (parent, child) pair of dms.Reference between migrated
  documents has its dms.ReferenceEdge row, and the converse;
- the edges and identity audits (dmsc edges audit, dmsc identity audit)
  are clean.

Each difference is one line Project/Resource/DocumentUuid:$.path: code:
message (codes document-differs, document-missing, changed-since-copied,
deleted-since-copied, count-differs, edge-missing, edge-extra, edge-audit,
identity-audit). Nothing is written to the legacy database.

With --format json: {"legacy", "compared", "differing", "legacy_edges",
"target_edges", "edge_audit_differences", "identity_audit_differences",
"resources": [{"project", "resource", "version", "endpoint", "legacy",
"migrated", "target", "compared", "differing"}], "findings": [...]}.

Exit codes: 0 no difference, 1 a difference (listed) or a database cannot
be read, 2 usage, 3 -s names another schema set than the target's.`,
		Example: `  dmsc migrate verify --from "$LEGACY_DSN" --dsn "$DMSC_DSN"
  dmsc migrate verify --from "$LEGACY_DSN" --dsn "$DMSC_DSN" --format json | jq '.findings'`,
		RunE: func(*cobra.Command, []string) error { return runMigrateVerify(e, &f) },
	}
	addStoreFlags(cmd, &f.store, false)
	addFromFlag(cmd, &f.from)
	cmd.Flags().IntVar(&f.batchSize, "batch-size", f.batchSize, "legacy documents read per keyset page")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runMigrateVerify runs migrate.Verify and prints its report.
func runMigrateVerify(e *env, f *migrateVerifyFlags) error {
	if err := checkLegacySource("dmsc migrate verify", &f.store, f.from, f.batchSize); err != nil {
		return err
	}
	st, legacy, closeAll, err := e.openMigration("dmsc migrate verify", &f.store, f.from)
	if err != nil {
		return err
	}
	defer closeAll()
	bar := newETAProgress(e.stderr, "dmsc migrate verify", "documents")
	rep, err := migrate.Verify(e.ctx, legacy, st, migrate.Options{BatchSize: f.batchSize, Progress: bar.show})
	bar.done()
	if err != nil {
		return err
	}
	if err := writeMigrateReport(e, f.format, rep, writeVerifyText); err != nil {
		return err
	}
	return verifyError(rep)
}

// verifyError is the error of a verification that found differences (nil
// when rep is nil or clean): the command exits 1.
func verifyError(rep *migrate.VerifyReport) error {
	if rep == nil || rep.OK() {
		return nil
	}
	return fmt.Errorf("verification found %d differences (%d documents; listed above)", len(rep.Findings), rep.Differing)
}
