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
