package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// Defaults of the audit flags.
const (
	// defaultAuditBatchSize is --batch-size: documents checked per statement.
	defaultAuditBatchSize = 1000
	// defaultAuditMaxFindings is --max-findings: findings kept in the report.
	defaultAuditMaxFindings = 1000
)

// auditIndex is one derived index that `dmsc edges` or `dmsc identity`
// audits and rebuilds.
type auditIndex struct {
	// name is the parent command, "edges" or "identity".
	name string
	// table is the index's table, for help texts.
	table string
	// checks describes, for the audit's help, what is compared.
	checks string
	// repairs describes, for the rebuild's help, what a repair writes.
	repairs string
	// run calls the runtime's audit of this index.
	run func(st *relstore.Store, ctx context.Context, opts relstore.AuditOptions) (*relstore.Report, error)
}

// edgesIndex is dms.ReferenceEdge, derived from the documents' FK columns.
var edgesIndex = auditIndex{
	name:  "edges",
	table: "dms.ReferenceEdge",
	checks: `Recompute, for every document (or the documents of the --resource
resources), the reference edges its foreign-key columns imply and compare
them with dms.ReferenceEdge both ways. A difference is a missing edge, an
extra edge, or an edge whose IsIdentityComponent flag is wrong (kinds
missing, extra and flag).`,
	repairs: `Rewrite the dms.ReferenceEdge rows of every document whose edges differ
from what its foreign-key columns imply (missing, extra and wrong-flag
edges), each batch in one transaction.`,
	run: (*relstore.Store).AuditEdges,
}

// identityIndex is dms.ReferentialIdentity, derived from the documents'
// identity values.
var identityIndex = auditIndex{
	name:  "identity",
	table: "dms.ReferentialIdentity",
	checks: `Recompute every document's ReferentialIds (the primary one and, for
subclasses, the superclass alias) from its current identity values (or
only the documents of the --resource resources) and compare them with
dms.ReferentialIdentity. A difference is a missing row, an extra row, or a
row whose ReferentialId does not match the identity (kinds missing, extra
and stale).`,
	repairs: `Rewrite the dms.ReferentialIdentity rows of every document whose rows
differ from its recomputed ReferentialIds (missing, extra and stale rows),
each batch in one transaction. A repair that would give two documents one
ReferentialId fails (a conflict) and changes nothing of its batch.`,
	run: (*relstore.Store).AuditIdentities,
}

// auditFlags holds the flags of the audit and rebuild commands.
type auditFlags struct {
	store       storeFlags
	resources   []string
	documents   []string
	batchSize   int
	resume      string
	maxFindings int
	format      outputFormat
}

// auditCommonHelp ends the help of the four audit and rebuild commands.
const auditCommonHelp = `Documents are checked resource by resource in batches of --batch-size.
--resource (repeatable) limits the run to resources given as
projectEndpoint/endpoint (ed-fi/schools) or Project:Resource (Ed-Fi:School);
--document (repeatable) to documents given by id (DocumentUuid).
On a terminal, one updating progress line (resource, documents checked,
findings) is shown on stderr. When interrupted (Ctrl-C) or failing after
some batches, dmsc prints the report so far with its cursor; run the same
command again with --resume CURSOR to continue after the last finished
batch.

The text report is a summary line (documents checked, differences, rows
repaired, elapsed time), then the findings grouped by resource: at most
--max-findings are kept, the counts stay exact. With --format json the
report is one object:
{"command","checked","differences","repaired","findings","cursor","complete","elapsed_ns"},
each finding {"resource","document_id","document_uuid","kind","detail"};
cursor is "" and complete true when the run finished.

Without -s, the runtime manifest that dmsc ddl provision stored in the
database gives the mapping.`

// newEdgesCmd builds the `dmsc edges` command group.
func newEdgesCmd(e *env) *cobra.Command {
	return newAuditGroupCmd(e, &edgesIndex, "Audit and rebuild dms.ReferenceEdge against the documents' foreign keys")
}

// newIdentityCmd builds the `dmsc identity` command group.
func newIdentityCmd(e *env) *cobra.Command {
	return newAuditGroupCmd(e, &identityIndex, "Audit and rebuild dms.ReferentialIdentity against the documents' identities")
}

// newAuditGroupCmd builds a parent command grouping the audit and rebuild
// of one derived index.
func newAuditGroupCmd(e *env, idx *auditIndex, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   idx.name,
		Short: short,
		Long: short + `.

  audit    report the differences (exit 1 when there are any)
  rebuild  repair them (exit 0 when everything was repaired)`,
	}
	cmd.AddCommand(newAuditCmd(e, idx, false), newAuditCmd(e, idx, true))
	return cmd
}

// newAuditCmd builds `dmsc <index> audit` or, with repair, `dmsc <index>
// rebuild`.
func newAuditCmd(e *env, idx *auditIndex, repair bool) *cobra.Command {
	f := auditFlags{batchSize: defaultAuditBatchSize, maxFindings: defaultAuditMaxFindings}
	name, short, long := "audit", "Report where "+idx.table+" differs from the data",
		idx.checks+"\n\nNothing is written. Exit 1 when there is any difference (repair them\nwith dmsc "+idx.name+" rebuild), 0 when there is none."
	if repair {
		name, short, long = "rebuild", "Repair "+idx.table+" where it differs from the data",
			idx.repairs+"\n\nThe findings listed are what was repaired. Exit 0 when everything was\nrepaired, 1 on a failure."
	}
	cmd := &cobra.Command{
		Use:   name + " --dsn DSN [-s FILE...] [--resource RESOURCE...] [--resume CURSOR] [--format text|json]",
		Short: short,
		Long:  long + "\n\n" + auditCommonHelp,
		Example: fmt.Sprintf(`  dmsc %[1]s %[2]s --dsn postgres://localhost/dms
  dmsc %[1]s %[2]s --dsn "$DSN" -s ApiSchema.json --resource ed-fi/schools --format json
  dmsc %[1]s %[2]s --dsn "$DSN" --resume CURSOR`, idx.name, name),
		RunE: func(*cobra.Command, []string) error { return runAudit(e, idx, repair, &f) },
	}
	addStoreFlags(cmd, &f.store, false)
	cmd.Flags().StringArrayVar(&f.resources, "resource", nil, "check only `RESOURCE` (ed-fi/schools or Ed-Fi:School); repeatable")
	cmd.Flags().StringArrayVar(&f.documents, "document", nil, "check only the document with id `UUID`; repeatable")
	cmd.Flags().IntVar(&f.batchSize, "batch-size", f.batchSize, "`N` documents checked per statement (and repaired per transaction)")
	cmd.Flags().StringVar(&f.resume, "resume", "", "continue an interrupted run from its `CURSOR`")
	cmd.Flags().IntVar(&f.maxFindings, "max-findings", f.maxFindings, "keep at most `N` findings in the report (counts stay exact)")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runAudit opens the store, runs the audit (or rebuild) with progress and
// prints its report. An audit that finds differences returns an error
// (exit 1); a run that stops early prints the report so far with its
// cursor, then returns the cause.
func runAudit(e *env, idx *auditIndex, repair bool, f *auditFlags) error {
	if f.batchSize < 1 {
		return usageErrorf("--batch-size must be at least 1, got %d", f.batchSize)
	}
	if f.maxFindings < 1 {
		return usageErrorf("--max-findings must be at least 1, got %d", f.maxFindings)
	}
	command := idx.name + " audit"
	if repair {
		command = idx.name + " rebuild"
	}
	st, pool, err := e.openStore("dmsc "+command, &f.store, relstore.Options{})
	if err != nil {
		return err
	}
	defer pool.Close()
	resources, err := resolveAuditResources(st.Manifest(), f.resources)
	if err != nil {
		return err
	}
	track := newAuditTracker(e.stderr, command)
	start := time.Now()
	rep, err := idx.run(st, e.ctx, relstore.AuditOptions{
		Resources:   resources,
		Documents:   f.documents,
		BatchSize:   f.batchSize,
		Resume:      f.resume,
		Repair:      repair,
		MaxFindings: f.maxFindings,
		Progress:    track.update,
	})
	track.clear()
	if err != nil {
		return stoppedAudit(e, f, command, track.partial(rep, time.Since(start)), err)
	}
	if err := writeAuditReport(e.stdout, f.format, command, rep, true); err != nil {
		return err
	}
	if !repair && rep.Differences > 0 {
		return fmt.Errorf("%s: %d differences in %d documents checked; repair them with:\n  %s",
			command, rep.Differences, rep.Checked, f.rebuildHint(idx))
	}
	return nil
}

// rebuildHint is the rebuild command repairing what this audit found: the
// same schema set, database and resource and document filters.
func (f *auditFlags) rebuildHint(idx *auditIndex) *commandLine {
	c := newCommandLine(idx.name, "rebuild")
	if len(f.store.schema.schemas) > 0 {
		c.schema(&f.store.schema)
	}
	c.dsn()
	c.flag("resource", f.resources...)
	c.flag("document", f.documents...)
	return c
}

// stoppedAudit handles a run that failed or was interrupted: it prints the
// partial report when there is a cursor to resume from and returns the
// cause. A run interrupted before its first batch resumes where it
// started; a cursor the runtime rejects is a usage error.
func stoppedAudit(e *env, f *auditFlags, command string, partial *relstore.Report, err error) error {
	if msg, ok := badResume(err); ok && f.resume != "" {
		return usageErrorf("--resume: %s", msg)
	}
	if (partial == nil || partial.Cursor == "") && f.resume != "" && errors.Is(err, context.Canceled) {
		if partial == nil {
			partial = &relstore.Report{}
		}
		partial.Cursor = f.resume
	}
	if partial != nil && partial.Cursor != "" {
		if werr := writeAuditReport(e.stdout, f.format, command, partial, false); werr != nil {
			return werr
		}
	}
	return fmt.Errorf("%s: %w", command, err)
}

// badResume reports whether err is the runtime rejecting the resume
// cursor (a validation error whose only problem is at "resume"), and why.
func badResume(err error) (string, bool) {
	var ve *relstore.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) == 1 && ve.Problems[0].Path == "resume" {
		return ve.Problems[0].Message, true
	}
	return "", false
}
