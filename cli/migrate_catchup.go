package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/migrate"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// migrateCatchUpFlags holds the flags of `dmsc migrate catch-up`.
type migrateCatchUpFlags struct {
	store       storeFlags
	from        string
	freezeCheck bool
	verify      bool
	batchSize   int
	format      outputFormat
}

// newMigrateCatchUpCmd builds `dmsc migrate catch-up`.
func newMigrateCatchUpCmd(e *env) *cobra.Command {
	f := migrateCatchUpFlags{batchSize: migrate.DefaultBatchSize, verify: true}
	cmd := &cobra.Command{
		Use:   "catch-up --from LEGACY_DSN --dsn TARGET_DSN [-s FILE...] [--freeze-check] [--format text|json]",
		Short: "Apply what changed in the legacy store since the last pass (or, with --freeze-check, only report it)",
		Long: `Bring a migrated target up to date with the legacy DMS JSONB database at
LEGACY_DSN, which keeps serving clients until cutover (docs/migration.md).

In one read-only snapshot of the legacy store, the legacy documents'
narrow columns (DocumentUuid, resource, LastModifiedAt,
LastModifiedTraceId) are compared with the target's checkpoint
(dmsc_migrate.Checkpoint): a document it does not record is new, one
whose change token differs is changed, one it records that the legacy
store no longer holds is deleted. (Never a LastModifiedAt watermark: it
misses deletes and late commits.) Documents an earlier pass skipped
(rejected by the preflight or refused by the target, in
dmsc_migrate.Skipped) count again only when they change.

The pass applies new and changed documents in dependency order, each
resource in creation order, --batch-size per transaction: the preflight's
document checks first (rejected documents are listed), then new ones
through the import path and changed ones as an update by id that keeps
the legacy _lastModifiedDate (an identity change cascades to the
documents that reference it). Then deletes, in reverse dependency order:
a delete the target refuses (the document is still referenced there) is
reported (delete-refused), never skipped. Every change commits with its
checkpoint row. A pass that finds nothing writes nothing. Then the
verification of dmsc migrate verify runs in the same snapshot
(--verify=false leaves it out).

--freeze-check only reports what changed since the last pass, per
resource (new, changed, deleted), writing nothing anywhere (the target is
read in a read-only transaction), and exits 1 when anything changed: with
writes to the legacy store frozen, cut over once it exits 0.

With --format json: --freeze-check prints {"legacy", "legacy_snapshot",
"documents", "copied", "new", "changed", "deleted", "skipped_unchanged",
"resources": [{"project", "resource", "new", "changed", "deleted"}]}; a
pass prints {"delta": that object, "inserted", "updated", "removed",
"rejected", "failed", "resources": [{"project", "resource", "new",
"changed", "deleted", "endpoint", "inserted", "updated", "removed",
"rejected", "failed"}], "findings": [...], "verify": the verification
report}.

Exit codes: 0 the target is up to date (a pass: every change applied but
the rejected new documents, which are listed, and the verification is
clean; --freeze-check: nothing changed), 1 something changed
(--freeze-check), the target refused a change, the verification found a
difference or a database failed, 2 usage, 3 -s names another schema set
than the target's.`,
		Example: `  dmsc migrate catch-up --from "$LEGACY_DSN" --dsn "$DMSC_DSN"
  dmsc migrate catch-up --from "$LEGACY_DSN" --dsn "$DMSC_DSN" --freeze-check
  dmsc migrate catch-up --from "$LEGACY_DSN" --dsn "$DMSC_DSN" --format json | jq '{inserted, updated, removed, failed}'`,
		RunE: func(*cobra.Command, []string) error { return runMigrateCatchUp(e, &f) },
	}
	addStoreFlags(cmd, &f.store, false)
	addFromFlag(cmd, &f.from)
	cmd.Flags().BoolVar(&f.freezeCheck, "freeze-check", false, "report what changed since the last pass, write nothing, exit 1 when anything did")
	cmd.Flags().BoolVar(&f.verify, "verify", f.verify, "verify the target against the legacy snapshot at the end of the pass")
	cmd.Flags().IntVar(&f.batchSize, "batch-size", f.batchSize, "documents per transaction")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runMigrateCatchUp runs a catch-up pass or a freeze check.
func runMigrateCatchUp(e *env, f *migrateCatchUpFlags) error {
	if err := checkLegacySource("dmsc migrate catch-up", &f.store, f.from, f.batchSize); err != nil {
		return err
	}
	if f.freezeCheck {
		return runFreezeCheck(e, f)
	}
	st, legacy, closeAll, err := e.openMigration("dmsc migrate catch-up", &f.store, f.from)
	if err != nil {
		return err
	}
	defer closeAll()
	bar := newETAProgress(e.stderr, "dmsc migrate catch-up", "changes")
	vbar := newETAProgress(e.stderr, "dmsc migrate catch-up: verify", "documents")
	verifying := false
	rep, err := migrate.CatchUp(e.ctx, legacy, st, migrate.Options{BatchSize: f.batchSize, SkipVerify: !f.verify, Progress: bar.show,
		VerifyProgress: func(done, total int64) {
			if !verifying {
				bar.done()
				verifying = true
			}
			vbar.show(done, total)
		}})
	if !verifying {
		bar.done()
	}
	vbar.done()
	if err != nil {
		return err
	}
	if err := writeMigrateReport(e, f.format, rep, writeCatchUpText); err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("the target refused %d changes (listed above); run the pass again once they are resolved", rep.Failed)
	}
	return verifyError(rep.Verify)
}

// runFreezeCheck reports the delta since the last pass, writing nothing.
func runFreezeCheck(e *env, f *migrateCatchUpFlags) error {
	cfg, err := pgxpool.ParseConfig(f.store.db.dsn)
	if err != nil {
		return usageErrorf("--dsn: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := relstore.NewPool(e.ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", cfg.ConnConfig.Host, err)
	}
	defer pool.Close()
	legacy, err := migrate.OpenLegacy(e.ctx, f.from)
	if err != nil {
		return err
	}
	defer legacy.Close()
	d, err := migrate.FreezeCheck(e.ctx, legacy, pool)
	if err != nil {
		return databaseError(err, f.store.provisionHint())
	}
	if f.format == formatJSON {
		err = writeJSON(e.stdout, d)
	} else {
		err = writeDeltaText(e.stdout, d)
	}
	if err != nil {
		return err
	}
	if !d.Empty() {
		return fmt.Errorf("the legacy store changed since the last pass (%d new, %d changed, %d deleted): run dmsc migrate catch-up, then check again", d.New, d.Changed, d.Deleted)
	}
	return nil
}

// writeDeltaText prints a delta: one line per changed resource and the
// totals.
func writeDeltaText(w io.Writer, d *migrate.Delta) error {
	var b strings.Builder
	fmt.Fprintf(&b, "legacy: %s (snapshot %s)\n", d.Legacy, d.Snapshot)
	if len(d.Resources) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "resource\tnew\tchanged\tdeleted\t")
		for _, r := range d.Resources {
			fmt.Fprintf(tw, "%s:%s\t%d\t%d\t%d\t\n", r.ProjectName, r.ResourceName, r.New, r.Changed, r.Deleted)
		}
		tw.Flush()
	}
	fmt.Fprintf(&b, "%d legacy documents, %d copied: %d new, %d changed, %d deleted since the last pass; %d skipped before and unchanged\n",
		d.Documents, d.Copied, d.New, d.Changed, d.Deleted, d.Skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCatchUpText prints a catch-up pass: one line per changed resource,
// the totals, the findings, then the verification.
func writeCatchUpText(w io.Writer, rep *migrate.CatchUpReport) error {
	var b strings.Builder
	d := rep.Delta
	fmt.Fprintf(&b, "legacy: %s (snapshot %s)\n", d.Legacy, d.Snapshot)
	if len(rep.Resources) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "resource\tnew\tchanged\tdeleted\tinserted\tupdated\tremoved\trejected\tfailed\t")
		for _, r := range rep.Resources {
			fmt.Fprintf(tw, "%s:%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", r.ProjectName, r.ResourceName, r.New, r.Changed, r.Deleted, r.Inserted, r.Updated, r.Removed, r.Rejected, r.Failed)
		}
		tw.Flush()
	}
	fmt.Fprintf(&b, "%d new, %d changed, %d deleted since the last pass: %d inserted, %d updated, %d removed, %d rejected, %d refused by the target\n",
		d.New, d.Changed, d.Deleted, rep.Inserted, rep.Updated, rep.Removed, rep.Rejected, rep.Failed)
	for _, f := range rep.Findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if rep.Verify != nil {
		return writeVerifyText(w, rep.Verify)
	}
	return nil
}
