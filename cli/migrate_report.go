package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/edfi-dmsc/dmsc/migrate"
)

// writePreflightText prints a preflight report: the legacy store, one line
// per resource, the totals, the documents per finding code, then every
// finding as a diagnostic.
func writePreflightText(w io.Writer, rep *migrate.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "legacy: %s (timestamps in %s)\ntarget effective schema: %s\n", rep.Legacy, rep.TimeZone, rep.EffectiveSchemaHash)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "resource\tdocuments\tmigratable\trejected\tdeferred\twarned\t")
	for _, r := range rep.Resources {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", r.ResourceKey, r.Documents, r.Migratable, r.Rejected, r.Deferred, r.Warned)
	}
	tw.Flush()
	fmt.Fprintf(&b, "%d documents in %d resources: %d migratable, %d rejected\n", rep.Documents, len(rep.Resources), rep.Migratable, rep.Rejected)
	for _, c := range rep.Codes {
		kind := "rejected"
		if c.Warning {
			kind = "warning"
		}
		fmt.Fprintf(&b, "  %s (%s): %d documents\n", c.Code, kind, c.Documents)
	}
	for _, f := range rep.Findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeBackfillText prints a backfill report: one line per resource, the
// totals, the preflight's rejections and the documents the target
// refused.
func writeBackfillText(w io.Writer, rep *migrate.BackfillReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "legacy: %s (timestamps in %s)\ntarget effective schema: %s\n", rep.Preflight.Legacy, rep.Preflight.TimeZone, rep.Preflight.EffectiveSchemaHash)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "resource\tlevel\tdocuments\tcopied\talready\trejected\tfailed\tchanged\t")
	for _, r := range rep.Resources {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", r.ResourceKey, r.Level, r.Documents, r.Copied, r.AlreadyCopied, r.Rejected, r.Failed, r.Changed)
	}
	tw.Flush()
	fmt.Fprintf(&b, "%d documents: %d copied now, %d copied before, %d rejected by the preflight, %d refused by the target", rep.Documents, rep.Copied, rep.AlreadyCopied, rep.Rejected, rep.Failed)
	if rep.Changed > 0 {
		fmt.Fprintf(&b, "; %d changed in the legacy store since they were copied (a catch-up pass copies them again)", rep.Changed)
	}
	b.WriteByte('\n')
	for _, f := range rep.Preflight.Findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	for _, f := range rep.Failures {
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

// writeVerifyText prints a verification report: one line per resource,
// the totals, then every difference as a diagnostic.
func writeVerifyText(w io.Writer, rep *migrate.VerifyReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "legacy: %s\n", rep.Legacy)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "resource\tlegacy\tmigrated\ttarget\tcompared\tdiffering\t")
	for _, r := range rep.Resources {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", r.ResourceKey, r.Legacy, r.Migrated, r.Target, r.Compared, r.Differing)
	}
	tw.Flush()
	fmt.Fprintf(&b, "%d documents compared, %d differ; reference pairs: %d legacy, %d edges; audits: %d edge, %d identity differences\n",
		rep.Compared, rep.Differing, rep.LegacyEdges, rep.TargetEdges, rep.EdgeAudit, rep.IdentityAudit)
	for _, f := range rep.Findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
