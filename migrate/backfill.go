package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// DefaultWorkers is the number of resources Backfill copies at once.
const DefaultWorkers = 4

// CodeImportFailed: the target refused a document the preflight accepted
// (the store already holds it, or it references a document that failed).
const CodeImportFailed = "import-failed"

// BackfillResource is what Backfill did with one legacy resource.
type BackfillResource struct {
	ResourceKey
	// Endpoint is the target's `/project/endpoint` ("" when the schema set
	// lacks the resource).
	Endpoint string `json:"endpoint,omitempty"`
	// Level is the dependency level the resource was copied in (-1 when
	// nothing of it can be copied).
	Level int `json:"level"`
	// Documents counts its legacy documents.
	Documents int64 `json:"documents"`
	// Copied counts the documents this run copied.
	Copied int64 `json:"copied"`
	// AlreadyCopied counts the documents the checkpoint already recorded.
	AlreadyCopied int64 `json:"already_copied"`
	// Rejected counts the documents the preflight rejected (not copied).
	Rejected int64 `json:"rejected"`
	// Failed counts the documents the target refused.
	Failed int64 `json:"failed"`
	// Changed counts already copied documents whose legacy change token
	// (LastModifiedAt, LastModifiedTraceId) differs from the checkpoint's:
	// a catch-up pass must copy them again.
	Changed int64 `json:"changed_since_copied"`
}

// BackfillReport is the outcome of Backfill.
type BackfillReport struct {
	// Preflight is the preflight of the same legacy snapshot.
	Preflight *Report `json:"preflight"`
	// Documents counts the legacy documents; the other counts sum those
	// of Resources.
	Documents     int64 `json:"documents"`
	Copied        int64 `json:"copied"`
	AlreadyCopied int64 `json:"already_copied"`
	Rejected      int64 `json:"rejected"`
	Failed        int64 `json:"failed"`
	Changed       int64 `json:"changed_since_copied"`
	// Resources are sorted by project, resource and version.
	Resources []BackfillResource `json:"resources"`
	// Failures are the documents the target refused, sorted like
	// findings (code import-failed).
	Failures []Finding `json:"failures"`
	// Verify is the verification of the target against the same legacy
	// snapshot, run at the end (nil with Options.SkipVerify, or when the
	// copy failed).
	Verify *VerifyReport `json:"verify,omitempty"`
}

// OK reports whether every document the preflight accepted is in the
// target and the verification, when it ran, found no difference.
func (r *BackfillReport) OK() bool { return r.Failed == 0 && (r.Verify == nil || r.Verify.OK()) }

// Backfill copies every legacy document the preflight accepts into the
// store, keeping DocumentUuid, CreatedAt and `_lastModifiedDate`
// (relstore.Store.ImportBatch; ETags are new), and records each in the
// checkpoint table dmsc_migrate.Checkpoint of the target in the same
// transaction. It runs the preflight first, in the same read-only
// snapshot of the legacy store it then copies from.
//
// Resources are copied by dependency level (loadLevels: referenced
// resources and descriptors first, as the preflight orders them), up to
// opts.Workers resources of one level at once; within a resource, in
// creation order by keyset, opts.BatchSize documents per transaction.
// Documents the preflight rejects are skipped (counted); documents it
// defers (a reference added by a later update to a resource that does not
// load earlier) are copied after everything else, retried while any of
// them succeeds. A document the target refuses is reported (code
// import-failed) and the rest of its batch is written without it.
//
// Unless opts.SkipVerify, Verify runs at the end in the same snapshot
// (BackfillReport.Verify).
//
// Documents the checkpoint records are skipped, so a run that was killed
// (at any point: a batch is one transaction with its checkpoint rows)
// resumes with no duplicate and no gap, and a run with nothing new writes
// nothing.
func Backfill(ctx context.Context, l *Legacy, store *relstore.Store, opts Options) (*BackfillReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	m := store.Manifest()
	if err := ensureCheckpoint(ctx, store.Pool()); err != nil {
		return nil, err
	}
	pass, err := l.BeginPass(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pass.Close(context.WithoutCancel(ctx)) }()
	work, err := openScratch(ctx, store.Pool().Config().ConnConfig.Copy())
	if err != nil {
		return nil, err
	}
	defer func() { _ = work.close(context.WithoutCancel(ctx)) }()
	pfOpts := opts
	pfOpts.Progress = opts.PreflightProgress
	pf, err := runPreflight(ctx, pass, l.Where(), m, work, pfOpts)
	if err != nil {
		return nil, err
	}
	b := &backfill{pf: pf, store: store, opts: opts, levels: loadLevels(m),
		rep: &BackfillReport{Preflight: pf.rep, Documents: pf.rep.Documents}}
	b.rep.Resources = make([]BackfillResource, len(pf.res))
	for i, rs := range pf.res {
		r := rs.report
		b.rep.Resources[i] = BackfillResource{ResourceKey: r.ResourceKey, Endpoint: r.Endpoint, Level: -1, Documents: r.Documents, Rejected: r.Rejected}
		b.total += r.Migratable
	}
	err = b.run(ctx)
	if err == nil {
		err = b.recordSkipped(ctx)
	}
	b.summarise()
	if err == nil {
		b.rep.Verify, err = verifyAtEnd(ctx, pass, l.Where(), store, opts)
	}
	return b.rep, err
}

// skippedSQL lists the documents the preflight rejected with their change
// tokens.
const skippedSQL = `SELECT uuid::text, res, modified, trace, rejected FROM pf_doc WHERE rejected IS NOT NULL ORDER BY idx`

// skippedChunk is the number of Skipped rows written per statement.
const skippedChunk = 1000

// recordSkipped records the documents the run did not copy in
// dmsc_migrate.Skipped: those the preflight rejected (read from its
// tables, a chunk at a time) and those the target refused, with their
// change tokens (a catch-up pass retries one when its legacy token
// changes).
func (b *backfill) recordSkipped(ctx context.Context) error {
	var chunk []skippedDoc
	flush := func() error {
		err := recordSkipped(ctx, b.store.Pool(), chunk)
		chunk = chunk[:0]
		return err
	}
	err := b.pf.work.query(ctx, skippedSQL, nil, func(r pgx.Rows) error {
		var d skippedDoc
		var res int
		if err := r.Scan(&d.uuid, &res, &d.modified, &d.traceID, &d.code); err != nil {
			return err
		}
		k := b.pf.res[res].report.ResourceKey
		d.project, d.resource = k.ProjectName, k.ResourceName
		chunk = append(chunk, d)
		if len(chunk) == skippedChunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	chunk = append(chunk, b.failed...)
	return flush()
}

// backfill is the state of one Backfill run.
type backfill struct {
	pf     *preflight
	store  *relstore.Store
	opts   Options
	levels map[string]int
	rep    *BackfillReport

	// readMu serialises the legacy pass (one connection) between workers.
	readMu sync.Mutex
	// mu guards what follows and the report's counts.
	mu       sync.Mutex
	total    int64
	done     int64
	deferred []deferredDoc
	failed   []skippedDoc
}

// deferredDoc is a document copied after the others.
type deferredDoc struct {
	res int // index in pf.res
	doc *Document
}

// run copies level by level, then the deferred documents.
func (b *backfill) run(ctx context.Context) error {
	byLevel := map[int][]int{}
	var levels []int
	for _, ri := range b.pf.order {
		rs := b.pf.res[ri]
		if rs.rejectCode != "" || rs.report.Migratable == 0 {
			continue
		}
		lv := b.levels[rs.target.ProjectName+":"+rs.target.ResourceName]
		b.rep.Resources[ri].Level = lv
		if _, seen := byLevel[lv]; !seen {
			levels = append(levels, lv)
		}
		byLevel[lv] = append(byLevel[lv], ri)
	}
	sort.Ints(levels)
	b.progress(0)
	for _, lv := range levels {
		if err := b.runLevel(ctx, byLevel[lv]); err != nil {
			return err
		}
	}
	return b.runDeferred(ctx)
}

// runLevel copies the resources of one level, opts.Workers at a time; the
// first error stops the others.
func (b *backfill) runLevel(ctx context.Context, resources []int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, len(resources))
	var wg sync.WaitGroup
	for w := 0; w < b.opts.Workers && w < len(resources); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ri := range next {
				if err := b.copyResource(ctx, ri); err != nil {
					errs <- err
					cancel()
				}
			}
		}()
	}
feed:
	for _, ri := range resources {
		select {
		case next <- ri:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	var first error
	for err := range errs {
		if first == nil || errors.Is(first, context.Canceled) {
			first = err
		}
	}
	if first == nil {
		first = ctx.Err() // the caller's: a worker's error would be in errs
	}
	return first
}

// copyResource pages through one resource in creation order and writes
// the documents to copy, one transaction per page.
func (b *backfill) copyResource(ctx context.Context, ri int) error {
	rs := b.pf.res[ri]
	key := rs.report.ResourceKey
	var after Cursor
	for {
		b.readMu.Lock()
		page, err := b.pf.pass.Documents(ctx, key, after, b.opts.BatchSize)
		b.readMu.Unlock()
		if err != nil {
			return err
		}
		states, err := b.states(ctx, page)
		if err != nil {
			return err
		}
		var todo []*Document
		settled := int64(0)
		for i := range page {
			d, st := &page[i], states[i]
			switch {
			case st.rejected != "":
			case b.isCopied(ri, d, st):
				settled++
			case st.deferred:
				b.mu.Lock()
				b.deferred = append(b.deferred, deferredDoc{res: ri, doc: d})
				b.mu.Unlock()
			default:
				todo = append(todo, d)
			}
		}
		b.progress(settled)
		if err := b.write(ctx, ri, todo); err != nil {
			return err
		}
		if len(page) < b.opts.BatchSize {
			return nil
		}
		after = page[len(page)-1].Key
	}
}

// docStateSQL reads what the preflight decided about the documents of $1
// and the change token the checkpoint records for each (NULL: not
// copied). The scratch session is on the target, which holds the
// checkpoint.
const docStateSQL = `SELECT d.uuid::text, coalesce(d.rejected, ''), d.deferred, c."LastModifiedAt", c."LastModifiedTraceId"
FROM pf_doc d LEFT JOIN "dmsc_migrate"."Checkpoint" c ON c."DocumentUuid" = d.uuid
WHERE d.uuid = ANY($1::uuid[])`

// docState is what the backfill knows of a legacy document: the
// preflight's decision and the checkpoint's change token.
type docState struct {
	rejected string
	deferred bool
	copied   bool
	modified time.Time
	traceID  string
}

// states returns the state of each document of page.
func (b *backfill) states(ctx context.Context, page []Document) ([]docState, error) {
	ids := make([]string, len(page))
	for i := range page {
		ids[i] = page[i].UUID
	}
	byID := make(map[string]docState, len(page))
	err := b.pf.work.query(ctx, docStateSQL, []any{ids}, func(r pgx.Rows) error {
		var id string
		var st docState
		var modified *time.Time
		var trace *string
		if err := r.Scan(&id, &st.rejected, &st.deferred, &modified, &trace); err != nil {
			return err
		}
		if modified != nil && trace != nil {
			st.copied, st.modified, st.traceID = true, *modified, *trace
		}
		byID[id] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]docState, len(page))
	for i := range page {
		st, ok := byID[page[i].UUID]
		if !ok { // the preflight read the same snapshot
			return nil, fmt.Errorf("legacy database: document %s was not read by the preflight", page[i].UUID)
		}
		out[i] = st
	}
	return out, nil
}

// isCopied reports a document the checkpoint records, counting it (and
// whether the legacy store changed it since).
func (b *backfill) isCopied(ri int, d *Document, st docState) bool {
	if !st.copied {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r := &b.rep.Resources[ri]
	r.AlreadyCopied++
	if !st.modified.Equal(d.LastModifiedAt) || st.traceID != d.LastModifiedTraceID {
		r.Changed++
	}
	return true
}

// write imports docs of resource ri in one transaction with their
// checkpoint rows. A document the target refuses is reported and the
// batch is written again without it.
func (b *backfill) write(ctx context.Context, ri int, docs []*Document) error {
	rs := b.pf.res[ri]
	for len(docs) > 0 {
		items := make([]relstore.ImportItem, len(docs))
		for i, d := range docs {
			items[i] = relstore.ImportItem{ProjectEndpoint: rs.target.ProjectEndpoint, Endpoint: rs.target.EndpointName, Document: importDocument(d)}
		}
		finish := recordCopied(rs.report.ResourceKey, docs)
		if b.opts.beforeCommit != nil {
			record := finish
			finish = func(ctx context.Context, tx pgx.Tx) error {
				if err := b.opts.beforeCommit(ctx, len(docs)); err != nil {
					return err
				}
				return record(ctx, tx)
			}
		}
		_, err := b.store.ImportBatch(ctx, items, finish)
		var be *relstore.ImportBatchError
		if errors.As(err, &be) {
			b.fail(ri, docs[be.Index], be.Err)
			docs = append(docs[:be.Index:be.Index], docs[be.Index+1:]...)
			continue
		}
		if err != nil {
			return fmt.Errorf("target: copying %s: %w", rs.report.ResourceKey, err)
		}
		b.mu.Lock()
		b.rep.Resources[ri].Copied += int64(len(docs))
		b.mu.Unlock()
		b.progress(int64(len(docs)))
		return nil
	}
	return nil
}

// fail records a document the target refused.
func (b *backfill) fail(ri int, d *Document, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := &b.rep.Resources[ri]
	r.Failed++
	b.failed = append(b.failed, skippedDoc{uuid: d.UUID, project: r.ProjectName, resource: r.ResourceName, modified: d.LastModifiedAt, traceID: d.LastModifiedTraceID, code: CodeImportFailed})
	b.rep.Failures = append(b.rep.Failures, Finding{ResourceKey: r.ResourceKey, DocumentUUID: d.UUID, Path: "$", Code: CodeImportFailed, Message: err.Error()})
	b.done++
	b.report()
}

// runDeferred copies the deferred documents one at a time, in load and
// creation order, pass after pass while a pass copies one; the rest fail
// with their last error.
func (b *backfill) runDeferred(ctx context.Context) error {
	pending := b.deferred
	for len(pending) > 0 {
		var again []deferredDoc
		lastErr := map[*Document]error{}
		for _, dd := range pending {
			rs := b.pf.res[dd.res]
			item := relstore.ImportItem{ProjectEndpoint: rs.target.ProjectEndpoint, Endpoint: rs.target.EndpointName, Document: importDocument(dd.doc)}
			_, err := b.store.ImportBatch(ctx, []relstore.ImportItem{item}, recordCopied(rs.report.ResourceKey, []*Document{dd.doc}))
			var be *relstore.ImportBatchError
			switch {
			case errors.As(err, &be):
				again = append(again, dd)
				lastErr[dd.doc] = be.Err
			case err != nil:
				return fmt.Errorf("target: copying %s: %w", rs.report.ResourceKey, err)
			default:
				b.mu.Lock()
				b.rep.Resources[dd.res].Copied++
				b.mu.Unlock()
				b.progress(1)
			}
		}
		if len(again) == len(pending) {
			for _, dd := range again {
				b.fail(dd.res, dd.doc, lastErr[dd.doc])
			}
			return nil
		}
		pending = again
	}
	return nil
}

// importDocument is what the store keeps of a legacy document: its
// DocumentUuid, CreatedAt and the `_lastModifiedDate` clients saw (the
// LastModifiedAt column when the body lacks a readable one).
func importDocument(d *Document) relstore.ImportDocument {
	modified := d.Modified
	var meta struct {
		LastModified string `json:"_lastModifiedDate"`
	}
	if json.Unmarshal(d.EdfiDoc, &meta) == nil {
		if t, err := time.Parse(time.RFC3339Nano, meta.LastModified); err == nil {
			modified = t
		}
	}
	return relstore.ImportDocument{UUID: d.UUID, CreatedAt: d.Created, LastModifiedAt: modified, Body: d.EdfiDoc}
}

// progress adds n settled documents and reports.
func (b *backfill) progress(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	b.report()
}

// report calls opts.Progress (b.mu held).
func (b *backfill) report() {
	if b.opts.Progress != nil {
		b.opts.Progress(b.done, b.total)
	}
}

// summarise totals the resources and sorts the failures.
func (b *backfill) summarise() {
	r := b.rep
	for _, res := range r.Resources {
		r.Copied += res.Copied
		r.AlreadyCopied += res.AlreadyCopied
		r.Rejected += res.Rejected
		r.Failed += res.Failed
		r.Changed += res.Changed
	}
	sortFindings(r.Failures)
	if r.Failures == nil {
		r.Failures = []Finding{}
	}
}
