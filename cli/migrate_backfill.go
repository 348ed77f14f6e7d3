package cli

import (
	"fmt"
	"time"

	"github.com/edfi-dmsc/dmsc/migrate"
)

// runBackfill runs `dmsc migrate legacy` without --preflight-only: the
// preflight and the backfill in one legacy snapshot (with -s the target is
// provisioned first when needed), then the report.
func runBackfill(e *env, f *migrateLegacyFlags) error {
	f.store.provision = len(f.store.schema.schemas) > 0
	st, legacy, closeAll, err := e.openMigration("dmsc migrate legacy", &f.store, f.from)
	if err != nil {
		return err
	}
	defer closeAll()
	pre := newETAProgress(e.stderr, "dmsc migrate legacy: preflight", "documents")
	copyBar := newETAProgress(e.stderr, "dmsc migrate legacy: backfill", "documents")
	verifyBar := newETAProgress(e.stderr, "dmsc migrate legacy: verify", "documents")
	copying, verifying := false, false
	start := time.Now()
	var copyTime time.Duration
	rep, err := migrate.Backfill(e.ctx, legacy, st, migrate.Options{
		BatchSize: f.batchSize, Workers: f.workers, PreflightProgress: pre.show, PreflightStep: pre.step, SkipVerify: !f.verify,
		Progress: func(done, total int64) {
			if !copying {
				pre.done()
				copying = true
				start = time.Now()
			}
			copyBar.show(done, total)
		},
		VerifyProgress: func(done, total int64) {
			if !verifying {
				copyBar.done()
				verifying = true
				copyTime = time.Since(start)
			}
			verifyBar.show(done, total)
		},
	})
	if !copying {
		pre.done()
	}
	if !verifying {
		copyTime = time.Since(start)
	}
	copyBar.done()
	verifyBar.done()
	if err != nil {
		if rep != nil && rep.Copied > 0 {
			return fmt.Errorf("%w\n  %d documents were copied and recorded in the checkpoint; run the same command again to resume", err, rep.Copied)
		}
		return err
	}
	if f.format == formatJSON {
		err = writeJSON(e.stdout, rep)
	} else {
		err = writeBackfillText(e.stdout, rep)
		if secs := copyTime.Seconds(); err == nil && rep.Copied > 0 && secs > 0 {
			fmt.Fprintf(e.stderr, "dmsc migrate legacy: copied %d documents in %.1fs (%.0f documents/s)\n", rep.Copied, secs, float64(rep.Copied)/secs)
		}
	}
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("the target refused %d of the %d documents the preflight accepted (listed above)", rep.Failed, rep.Preflight.Migratable)
	}
	return verifyError(rep.Verify)
}
