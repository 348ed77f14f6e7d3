package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// inspectFlags holds the flags of `dmsc inspect`.
type inspectFlags struct {
	store  storeFlags
	health bool
	format outputFormat
}

// newInspectCmd builds `dmsc inspect`.
func newInspectCmd(e *env) *cobra.Command {
	f := inspectFlags{health: true}
	cmd := &cobra.Command{
		Use:   "inspect --dsn DSN [-s FILE...] [--health=false] [--format text|json]",
		Short: "Describe what a provisioned database holds",
		Long: `Describe the database at DSN (also DMSC_DSN) without changing it: its
effective schema hash, projects and versions, mapping and ApiSchema format
versions, when it was provisioned and whether the runtime manifest is
stored; then, per resource, its documents and the row count of each of its
tables (exact counts); and the health of the derived indexes
dms.ReferenceEdge and dms.ReferentialIdentity (the edges and identity
audits, read-only; --health=false skips them on a large database).

The mapping comes from the runtime manifest stored in the database, or
from -s. On SQL Server only the effective schema is shown today (row
counts and the audits need the PostgreSQL runtime).

With --format json the answer is one object: {"dialect", "provisioned",
"effective_schema_hash", "mapping_version", "api_schema_format_version",
"applied_at", "projects": [...], "manifest_stored", "resources": [{"project",
"resource", "endpoint", "documents", "tables": [{"table", "rows"}]}],
"cache_backlog": {"documents", "oldest_age_ns"} (documents without a fresh
dms.DocumentCache row), "cache_queue": {…} (those queued for the
projector), "health": {"edges": {"checked", "differences"}, "identity": {…}}}.

Exit codes: 0 described (1 when the database is unreachable, 1 when an
audit finds differences, printing them as a summary; 3 when -s is not the
schema set the database holds, or when it was provisioned by an older
dmsc and lacks core tables this one uses, after printing what it holds).`,
		Example: `  dmsc inspect --dsn postgres://postgres@localhost/edfi
  dmsc inspect --dsn "$DMSC_DSN" --format json | jq '.resources[] | select(.documents > 0)'`,
		RunE: func(*cobra.Command, []string) error { return runInspect(e, &f) },
	}
	addSchemaFlags(cmd, &f.store.schema, schemaFromDatabase)
	addDBFlags(cmd, &f.store.db, false)
	cmd.Flags().BoolVar(&f.health, "health", f.health, "run the read-only edges and identity audits (--health=false skips them)")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// inspection is the answer of `dmsc inspect`.
type inspection struct {
	Dialect                string                  `json:"dialect"`
	Provisioned            bool                    `json:"provisioned"`
	EffectiveSchemaHash    string                  `json:"effective_schema_hash"`
	MappingVersion         string                  `json:"mapping_version"`
	APISchemaFormatVersion string                  `json:"api_schema_format_version"`
	AppliedAt              *time.Time              `json:"applied_at"`
	Projects               []provision.Component   `json:"projects"`
	ManifestStored         bool                    `json:"manifest_stored"`
	Resources              []relstore.ResourceRows `json:"resources"`
	// CacheBacklog is what the DocumentCache projector has left to do
	// (documents without a fresh row), CacheQueue what it has been told
	// of (dms.DocumentCacheQueue; the rest waits for its next sweep).
	CacheBacklog *relstore.Backlog `json:"cache_backlog,omitempty"`
	CacheQueue   *relstore.Backlog `json:"cache_queue,omitempty"`
	Health       *indexHealth      `json:"health,omitempty"`
}

// indexHealth summarises the audits of the derived indexes.
type indexHealth struct {
	Edges    auditSummary `json:"edges"`
	Identity auditSummary `json:"identity"`
}

// auditSummary is one audit's counts.
type auditSummary struct {
	Checked     int64 `json:"checked"`
	Differences int64 `json:"differences"`
}

// runInspect reads the state, then (PostgreSQL) the row counts and the
// audits.
func runInspect(e *env, f *inspectFlags) error {
	d, err := f.store.db.resolveDialect()
	if err != nil {
		return err
	}
	state, err := provision.ReadState(e.ctx, d, f.store.db.dsn)
	if err != nil {
		return databaseError(err, f.store.provisionHint())
	}
	in := &inspection{Dialect: string(d), Provisioned: state.Provisioned(), EffectiveSchemaHash: state.Hash,
		MappingVersion: state.MappingVersion, APISchemaFormatVersion: state.APISchemaFormatVersion, ManifestStored: state.ManifestStored,
		Projects: state.Components, Resources: []relstore.ResourceRows{}}
	if in.Projects == nil {
		in.Projects = []provision.Component{}
	}
	if !state.AppliedAt.IsZero() {
		t := state.AppliedAt.UTC()
		in.AppliedAt = &t
	}
	if !in.Provisioned {
		if err := e.writeInspection(f, in); err != nil {
			return err
		}
		return fmt.Errorf("the database is not provisioned; provision it with:\n  %s", f.store.provisionHint())
	}
	if d == model.PgSQL {
		if err := e.inspectStore(f, in); err != nil {
			// A database of an older dmsc still shows what it holds
			// (its mapping version above all), then the refusal.
			var ce *relstore.CoreTablesError
			if errors.As(err, &ce) {
				if werr := e.writeInspection(f, in); werr != nil {
					return werr
				}
			}
			return err
		}
	}
	if err := e.writeInspection(f, in); err != nil {
		return err
	}
	if h := in.Health; h != nil && h.Edges.Differences+h.Identity.Differences > 0 {
		return fmt.Errorf("the derived indexes differ from the data (edges: %d, identity: %d differences); see them with:\n  %s\n  %s",
			h.Edges.Differences, h.Identity.Differences, newCommandLine("edges", "audit").dsn(), newCommandLine("identity", "audit").dsn())
	}
	return nil
}

// inspectStore opens the runtime store (stored manifest or -s) and adds
// the row counts and, with --health, the audit summaries.
func (e *env) inspectStore(f *inspectFlags, in *inspection) error {
	st, pool, err := e.openStore("dmsc inspect", &f.store, relstore.Options{})
	if err != nil {
		return err
	}
	defer pool.Close()
	if in.Resources, err = st.CountRows(e.ctx); err != nil {
		return err
	}
	b, err := st.CacheBacklog(e.ctx)
	if err != nil {
		return fmt.Errorf("cache backlog: %w", err)
	}
	in.CacheBacklog = &b
	q, err := st.QueueBacklog(e.ctx)
	if err != nil {
		return fmt.Errorf("projector queue: %w", err)
	}
	in.CacheQueue = &q
	if !f.health {
		return nil
	}
	in.Health = &indexHealth{}
	for _, a := range []struct {
		idx *auditIndex
		out *auditSummary
	}{{&edgesIndex, &in.Health.Edges}, {&identityIndex, &in.Health.Identity}} {
		rep, err := a.idx.run(st, e.ctx, relstore.AuditOptions{BatchSize: defaultAuditBatchSize, MaxFindings: 1})
		if err != nil {
			return fmt.Errorf("%s audit: %w", a.idx.name, err)
		}
		*a.out = auditSummary{Checked: rep.Checked, Differences: rep.Differences}
	}
	return nil
}

// writeInspection prints in as text or JSON.
func (e *env) writeInspection(f *inspectFlags, in *inspection) error {
	if f.format == formatJSON {
		return writeJSON(e.stdout, in)
	}
	return writeInspectionText(e.stdout, in)
}

// writeInspectionText prints the state, then one line per resource that
// holds documents (tables with their counts), then the health summary.
func writeInspectionText(w io.Writer, in *inspection) error {
	var b strings.Builder
	if !in.Provisioned {
		fmt.Fprintf(&b, "dialect: %s\nprovisioned: no\n", in.Dialect)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "dialect: %s\neffective schema hash: %s\nmapping version: %s\nApiSchema format version: %s\n",
		in.Dialect, in.EffectiveSchemaHash, in.MappingVersion, in.APISchemaFormatVersion)
	if in.AppliedAt != nil {
		fmt.Fprintf(&b, "provisioned at: %s\n", in.AppliedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "runtime manifest stored: %s\nprojects:\n", yesNo(in.ManifestStored))
	for _, p := range in.Projects {
		kind := "core"
		if p.IsExtension {
			kind = "extension"
		}
		fmt.Fprintf(&b, "  %s (%s %s, %s)\n", p.EndpointName, p.ProjectName, p.ProjectVersion, kind)
	}
	var docs int64
	empty := 0
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range in.Resources {
		if r.Documents > 0 {
			fmt.Fprintln(tw, "resource\tdocuments\ttables (rows)")
			break
		}
	}
	for _, r := range in.Resources {
		docs += r.Documents
		if r.Documents == 0 {
			empty++
			continue
		}
		tables := make([]string, len(r.Tables))
		for i, t := range r.Tables {
			tables[i] = fmt.Sprintf("%s (%d)", t.Table, t.Rows)
		}
		if len(tables) == 0 {
			tables = []string{"dms.Descriptor"}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", r.Endpoint, r.Documents, strings.Join(tables, ", "))
	}
	tw.Flush()
	if len(in.Resources) > 0 {
		fmt.Fprintf(&b, "%d documents in %d resources; %d resources hold none\n", docs, len(in.Resources)-empty, empty)
	}
	if c := in.CacheBacklog; c != nil {
		fmt.Fprintf(&b, "dms.DocumentCache backlog: %s\n", backlogText(*c))
	}
	if q := in.CacheQueue; q != nil {
		fmt.Fprintf(&b, "dms.DocumentCacheQueue: %s\n", queueText(*q))
	}
	if h := in.Health; h != nil {
		fmt.Fprintf(&b, "dms.ReferenceEdge: %d documents checked, %d differences\ndms.ReferentialIdentity: %d documents checked, %d differences\n",
			h.Edges.Checked, h.Edges.Differences, h.Identity.Checked, h.Identity.Differences)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// yesNo spells a boolean for people.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
