package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// authAuditFlags holds the flags of `dmsc auth audit` and `rebuild`.
type authAuditFlags struct {
	store       storeFlags
	maxFindings int
	format      outputFormat
}

// newAuthAuditCmd builds `dmsc auth audit`, or with repair `dmsc auth
// rebuild`.
func newAuthAuditCmd(e *env, repair bool) *cobra.Command {
	f := authAuditFlags{maxFindings: defaultAuditMaxFindings}
	name, short := "audit", "Compare the derived authorization tables with the documents"
	if repair {
		name, short = "rebuild", "Rewrite the derived authorization tables that differ from the documents"
	}
	cmd := &cobra.Command{
		Use:   name + " --dsn DSN [-s FILE...] [--format text|json]",
		Short: short,
		Long: short + `.

The derived authorization tables are recomputed from the documents and
compared with what is stored, both ways: dms.EducationOrganization (every
EdOrg document's EducationOrganizationId) and dms.EducationOrganizationParent
from the EdOrg types' root tables, auth.EducationOrganizationClosure from
those parents, and dms.DocumentSubject from every transitive securable
element's references. A finding is missing (recomputed, not stored), extra
(stored, not recomputed) or stale (same key, another value). The audit holds
dms.AuthLock, so no hierarchy write runs meanwhile; rebuild rewrites every
table that differs in the same transaction.

The text report is a summary line, then the findings (at most
--max-findings; the count stays exact). With --format json:
{"command","rows":{table:count},"differences","findings":[{"table","kind","row"}],"repaired","elapsed_ns"}.

Exit codes: audit 0 when clean, 1 when anything differs (printing the
rebuild command); rebuild 0 when repaired or clean.

Without -s, the runtime manifest that dmsc ddl provision stored in the
database gives the mapping.`,
		RunE: func(*cobra.Command, []string) error { return runAuthAudit(e, &f, repair) },
	}
	addStoreFlags(cmd, &f.store, false)
	cmd.Flags().IntVar(&f.maxFindings, "max-findings", f.maxFindings, "keep at most `N` findings in the report (counts stay exact)")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// authAuditReport is the JSON answer of `dmsc auth audit|rebuild`.
type authAuditReport struct {
	Command string `json:"command"`
	*relstore.AuthReport
}

// runAuthAudit opens the store and audits (or rebuilds).
func runAuthAudit(e *env, f *authAuditFlags, repair bool) error {
	if f.maxFindings < 1 {
		return usageErrorf("--max-findings must be at least 1, got %d", f.maxFindings)
	}
	command := "auth audit"
	if repair {
		command = "auth rebuild"
	}
	st, pool, err := e.openStore("dmsc "+command, &f.store, relstore.Options{})
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := st.AuditAuth(e.ctx, repair, f.maxFindings)
	if err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	if f.format == formatJSON {
		err = writeJSON(e.stdout, authAuditReport{Command: command, AuthReport: rep})
	} else {
		err = writeAuthAuditText(e.stdout, command, rep)
	}
	if err != nil {
		return err
	}
	if !repair && rep.Differences > 0 {
		hint := newCommandLine("auth", "rebuild")
		if len(f.store.schema.schemas) > 0 {
			hint.schema(&f.store.schema)
		}
		hint.dsn()
		return fmt.Errorf("%s: %d differences; repair them with:\n  %s", command, rep.Differences, hint)
	}
	return nil
}

// authTables lists the derived tables in check order, for the summary.
var authTables = []string{relstore.AuthTableEdOrg, relstore.AuthTableParent, relstore.AuthTableClosure, relstore.AuthTableSubject}

// writeAuthAuditText prints the summary line and the findings.
func writeAuthAuditText(w io.Writer, command string, rep *relstore.AuthReport) error {
	var b strings.Builder
	var counts []string
	for _, t := range authTables {
		counts = append(counts, fmt.Sprintf("%s %d", t, rep.Rows[t]))
	}
	fmt.Fprintf(&b, "%s: %d differences (rows recomputed: %s)", command, rep.Differences, strings.Join(counts, ", "))
	if rep.Repaired {
		b.WriteString("; repaired")
	}
	b.WriteString("\n")
	for _, fd := range rep.Findings {
		fmt.Fprintf(&b, "  %-34s %-7s %s\n", fd.Table, fd.Kind, fd.Row)
	}
	if int64(len(rep.Findings)) < rep.Differences {
		fmt.Fprintf(&b, "  … %d more\n", rep.Differences-int64(len(rep.Findings)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
