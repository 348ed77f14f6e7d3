package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// The `dmsc cache` subcommands.
const (
	cacheProject = "project"
	cacheAudit   = "audit"
	cacheRebuild = "rebuild"
)

// cacheFlags holds the flags of `dmsc cache project|audit|rebuild`.
type cacheFlags struct {
	store       storeFlags
	batch       int
	maxFindings int
	format      outputFormat
}

// newCacheCmd builds the `dmsc cache` command group.
func newCacheCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "The DocumentCache: project it, audit it, rebuild it",
		Long: `dms.DocumentCache holds documents as the API returns them, each with the
Etag it represents. A row exists only at its document's current Etag: every
write, identity cascade or repair that bumps an Etag deletes the row, and a
body is stored only while its document is still at the Etag it was read at.
So a GET (dmsc serve, relstore.Options.DocumentCache) serves the row it
finds, and a missing row costs speed, never correctness. The projector
writes the missing rows, oldest change first (dmsc serve --projector runs
it in the background). It claims them from dms.DocumentCacheQueue, where
the writes of a store with the cache on (dmsc serve --projector) queue
their documents; a sweep queues what other writers changed (project always
sweeps first; serve --projector on start and every
--projector-sweep-interval).

  project  write every missing row now
  audit    report stale rows; compare every fresh row with the document
           assembled from the tables
  rebuild  audit, delete the stale rows and those that differ, then project`,
	}
	for _, name := range []string{cacheProject, cacheAudit, cacheRebuild} {
		cmd.AddCommand(newCacheSubCmd(e, name))
	}
	return cmd
}

// newCacheSubCmd builds one `dmsc cache` subcommand.
func newCacheSubCmd(e *env, name string) *cobra.Command {
	f := cacheFlags{batch: relstore.DefaultProjectBatch, maxFindings: defaultAuditMaxFindings}
	short := map[string]string{
		cacheProject: "Write every missing DocumentCache row",
		cacheAudit:   "Report stale DocumentCache rows; compare every fresh one with the assembled document",
		cacheRebuild: "Delete the stale DocumentCache rows and those that differ from their documents, then project",
	}[name]
	cmd := &cobra.Command{
		Use:   name + " --dsn DSN [-s FILE...] [--format text|json]",
		Short: short,
		Long: short + `.

project first sweeps (queues every document whose row is missing or stale:
one scan of every document), then claims queued documents in batches
(--batch), oldest first, skipping those another projector holds, and
prints what it swept and wrote and the backlog
left (a batch that wrote nothing, its documents all held by writers, ends
the run). audit reports the stale rows (an Etag that is not the document's:
only a writer of an older dmsc leaves one, and a GET would serve it) and
compares every fresh row with the document assembled from the tables in
the same snapshot, as JSON values; missing rows are the backlog, never
findings. rebuild deletes the stale rows and those that differ, then
projects.

With --format json: project {"command","batches","documents","sweep","swept","elapsed_ns","backlog":{"documents","oldest_age_ns"}};
audit and rebuild {"command","fresh","backlog","stale","differences","findings":[{"document_id","resource","differences"}],"removed","elapsed_ns"}.

Exit codes: 0 done or clean; 1 audit found differences (printing the
rebuild command), or a database error.

Without -s, the runtime manifest that dmsc ddl provision stored in the
database gives the mapping.`,
		RunE: func(*cobra.Command, []string) error { return runCache(e, &f, name) },
	}
	addStoreFlags(cmd, &f.store, false)
	if name != cacheAudit {
		cmd.Flags().IntVar(&f.batch, "batch", f.batch, "documents per projector transaction (`N`)")
	}
	if name != cacheProject {
		cmd.Flags().IntVar(&f.maxFindings, "max-findings", f.maxFindings, "keep at most `N` findings in the report (counts stay exact)")
	}
	addFormatFlag(cmd, &f.format)
	return cmd
}

// cacheProjectReport is the JSON answer of `dmsc cache project`.
type cacheProjectReport struct {
	Command string `json:"command"`
	relstore.ProjectStats
	Backlog relstore.Backlog `json:"backlog"`
}

// cacheAuditReport is the JSON answer of `dmsc cache audit|rebuild`.
type cacheAuditReport struct {
	Command string `json:"command"`
	*relstore.CacheReport
}

// runCache opens the store and runs one subcommand.
func runCache(e *env, f *cacheFlags, name string) error {
	if f.batch < 1 || f.maxFindings < 1 {
		return usageErrorf("--batch and --max-findings must be at least 1")
	}
	command := "cache " + name
	st, pool, err := e.openStore("dmsc "+command, &f.store, relstore.Options{DocumentCache: true})
	if err != nil {
		return err
	}
	defer pool.Close()
	if name == cacheProject {
		return runCacheProject(e, f, st, command)
	}
	rep, err := st.AuditCache(e.ctx, name == cacheRebuild, f.maxFindings)
	if err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	if name == cacheRebuild {
		if _, err := st.Project(e.ctx, relstore.ProjectOptions{Batch: f.batch}); err != nil {
			return fmt.Errorf("%s: project: %w", command, err)
		}
		if rep.Backlog, err = st.CacheBacklog(e.ctx); err != nil {
			return fmt.Errorf("%s: %w", command, err)
		}
	}
	if f.format == formatJSON {
		err = writeJSON(e.stdout, cacheAuditReport{Command: command, CacheReport: rep})
	} else {
		err = writeCacheAuditText(e.stdout, command, rep)
	}
	if err != nil {
		return err
	}
	if name == cacheAudit && rep.Differences > 0 {
		hint := newCommandLine("cache", cacheRebuild)
		if len(f.store.schema.schemas) > 0 {
			hint.schema(&f.store.schema)
		}
		hint.dsn()
		return fmt.Errorf("%s: %d cached documents differ from their tables; repair them with:\n  %s", command, rep.Differences, hint)
	}
	return nil
}

// runCacheProject runs `dmsc cache project`.
func runCacheProject(e *env, f *cacheFlags, st *relstore.Store, command string) error {
	ps, err := st.Project(e.ctx, relstore.ProjectOptions{Batch: f.batch})
	if err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	b, err := st.CacheBacklog(e.ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	if f.format == formatJSON {
		return writeJSON(e.stdout, cacheProjectReport{Command: command, ProjectStats: ps, Backlog: b})
	}
	_, err = fmt.Fprintf(e.stdout, "%s: swept %d, wrote %d documents in %d batches in %s; backlog %s\n", command, ps.Swept, ps.Documents, ps.Batches, ps.Elapsed.Round(time.Millisecond), backlogText(b))
	return err
}

// backlogText describes a backlog.
func backlogText(b relstore.Backlog) string {
	if b.Documents == 0 {
		return "0"
	}
	return fmt.Sprintf("%d documents, the oldest changed %s ago", b.Documents, b.OldestAge.Round(time.Millisecond))
}

// queueText describes the projector's queue.
func queueText(q relstore.Backlog) string {
	if q.Documents == 0 {
		return "0 queued"
	}
	return fmt.Sprintf("%d queued, the oldest %s ago", q.Documents, q.OldestAge.Round(time.Millisecond))
}

// writeCacheAuditText prints the summary line and the findings.
func writeCacheAuditText(w io.Writer, command string, rep *relstore.CacheReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d differences in %d fresh rows", command, rep.Differences-rep.Stale, rep.Fresh)
	if rep.Stale > 0 {
		fmt.Fprintf(&b, ", %d stale rows", rep.Stale)
	}
	fmt.Fprintf(&b, "; backlog %s", backlogText(rep.Backlog))
	if rep.Removed > 0 {
		fmt.Fprintf(&b, "; %d rows removed and projected again", rep.Removed)
	}
	b.WriteString("\n")
	for _, fd := range rep.Findings {
		fmt.Fprintf(&b, "  %s document %d: %s\n", fd.Resource, fd.DocumentID, strings.Join(fd.Differences, "; "))
	}
	if int64(len(rep.Findings)) < rep.Differences {
		fmt.Fprintf(&b, "  … %d more\n", rep.Differences-int64(len(rep.Findings)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
