package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// Catch-up codes (stable: scripts match them).
const (
	// CodeUpdateFailed: the target refused to replace a copied document
	// with its changed legacy version (the target keeps the old one).
	CodeUpdateFailed = "update-failed"
	// CodeDeleteRefused: the target refused to delete a document the
	// legacy store deleted (it is still referenced in the target, or
	// the schema set lacks its resource); its checkpoint row stays, so
	// every pass reports it until it is resolved.
	CodeDeleteRefused = "delete-refused"
)

// CatchUpResource is what a catch-up pass did with one resource.
type CatchUpResource struct {
	DeltaResource
	// Endpoint is the target's `/project/endpoint` ("" when the schema set
	// lacks the resource).
	Endpoint string `json:"endpoint,omitempty"`
	// Inserted, Updated and Removed count the changes applied to the
	// target; Rejected the new or changed documents the preflight checks
	// rejected; Failed those the target refused (deletes included).
	Inserted int64 `json:"inserted"`
	Updated  int64 `json:"updated"`
	Removed  int64 `json:"removed"`
	Rejected int64 `json:"rejected"`
	Failed   int64 `json:"failed"`
}

// CatchUpReport is the outcome of CatchUp.
type CatchUpReport struct {
	// Delta is what the pass found changed.
	Delta *Delta `json:"delta"`
	// The counts sum those of Resources.
	Inserted int64 `json:"inserted"`
	Updated  int64 `json:"updated"`
	Removed  int64 `json:"removed"`
	Rejected int64 `json:"rejected"`
	Failed   int64 `json:"failed"`
	// Resources with a change, sorted by project and resource.
	Resources []CatchUpResource `json:"resources"`
	// Findings are the rejected documents (preflight codes, warnings
	// included) and those the target refused (import-failed,
	// update-failed, delete-refused), sorted.
	Findings []Finding `json:"findings"`
	// Verify is the verification run at the end of the pass, in the
	// same legacy snapshot (nil with Options.SkipVerify).
	Verify *VerifyReport `json:"verify,omitempty"`
}

// OK reports a pass that applied every change it could check (rejected
// new documents are listed and stay behind) and, when it ran, a clean
// verification.
func (r *CatchUpReport) OK() bool { return r.Failed == 0 && (r.Verify == nil || r.Verify.OK()) }

// CatchUp brings the target up to date with the legacy store for the
// coexistence window before cutover. In one read-only snapshot of the
// legacy store it diffs the documents' narrow columns against the
// checkpoint (computeDelta: new, changed and deleted documents — never a
// LastModifiedAt watermark), then:
//
//   - new and changed documents, resource by resource in load
//     (dependency) order and each resource in creation order, get the
//     preflight's document checks (rejected ones are reported, new ones
//     recorded in dmsc_migrate.Skipped) and are written through
//     relstore.Store.ImportBatch, opts.BatchSize per transaction: a new
//     document as an import (DocumentUuid, CreatedAt and
//     _lastModifiedDate kept), a changed one as an update by DocumentUuid
//     that keeps the legacy _lastModifiedDate (an identity change goes
//     through the runtime's cascade);
//   - then deleted documents, in reverse load order, one transaction
//     each (relstore.Store.ImportDelete); a delete the target refuses
//     (still referenced there) is reported, never skipped silently;
//   - writes the target refused are retried, one at a time, while a
//     round succeeds (a new document may take the natural key of a
//     deleted one, or reference a document of a later-loading resource);
//     what still fails is reported.
//
// Every change commits with its checkpoint row (upserted with the new
// change token, or deleted). A pass that finds nothing writes nothing.
// Unless opts.SkipVerify, Verify runs at the end in the same snapshot.
func CatchUp(ctx context.Context, l *Legacy, store *relstore.Store, opts Options) (*CatchUpReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	pool := store.Pool()
	if err := ensureCheckpoint(ctx, pool); err != nil {
		return nil, err
	}
	pass, err := l.BeginPass(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pass.Close(context.WithoutCancel(ctx)) }()
	delta, err := computeDelta(ctx, pass, l.Where(), pool, true)
	if err != nil {
		return nil, err
	}
	c := &catchUp{store: store, m: store.Manifest(), opts: opts, pass: pass, delta: delta, rep: &CatchUpReport{Delta: delta}, res: map[[2]string]*CatchUpResource{}}
	for _, r := range delta.Resources {
		cr := &CatchUpResource{DeltaResource: r}
		if t := c.m.FindResource(r.ProjectName + ":" + r.ResourceName); t != nil {
			cr.Endpoint = "/" + t.ProjectEndpoint + "/" + t.EndpointName
		}
		c.res[[2]string{r.ProjectName, r.ResourceName}] = cr
	}
	c.total = int64(len(delta.upserts) + len(delta.deletes))
	if !delta.Empty() {
		if err := c.run(ctx, l.Where()); err != nil {
			c.summarise()
			return c.rep, err
		}
	}
	c.summarise()
	c.rep.Verify, err = verifyAtEnd(ctx, pass, l.Where(), store, opts)
	return c.rep, err
}

// catchUp is the state of one CatchUp pass.
type catchUp struct {
	store    *relstore.Store
	m        *manifest.Manifest
	opts     Options
	pass     *Pass
	delta    *Delta
	rep      *CatchUpReport
	res      map[[2]string]*CatchUpResource
	findings []Finding
	// pending are the writes the target refused, retried at the end.
	pending     []pendingWrite
	skippedDocs []skippedDoc
	done, total int64
}

// pendingWrite is a refused write: an upsert (doc set) or a delete.
type pendingWrite struct {
	rs  *resourceState // upserts
	doc *Document
	del *deletedDoc
	err error
}

// run applies the delta: upserts in load order, deletes in reverse, the
// retries, then the Skipped bookkeeping.
func (c *catchUp) run(ctx context.Context, where string) error {
	v, err := relstore.NewValidator(c.m)
	if err != nil {
		return err
	}
	legacy, err := c.pass.Resources(ctx)
	if err != nil {
		return err
	}
	work, err := openScratch(ctx, c.store.Pool().Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() { _ = work.close(context.WithoutCancel(ctx)) }()
	pf := newPreflight(c.m, v, where, c.pass, work, legacy)
	byKey := map[ResourceKey]int{}
	for i, rs := range pf.res {
		byKey[rs.report.ResourceKey] = i
	}
	upserts := map[int][]Token{}
	for _, t := range c.delta.upserts {
		ri := byKey[t.Resource] // the same snapshot lists every resource
		upserts[ri] = append(upserts[ri], t)
	}
	c.progress(0)
	for _, ri := range pf.order {
		if err := c.upsertResource(ctx, pf, ri, upserts[ri]); err != nil {
			return err
		}
	}
	// Deletes in reverse load order (referrers first), each resource's in
	// DocumentUuid order.
	pos := map[string]int{}
	for i, ri := range pf.order {
		t := pf.res[ri].report
		pos[t.ProjectName+":"+t.ResourceName] = i
	}
	deletes := slices.Clone(c.delta.deletes)
	sort.SliceStable(deletes, func(i, j int) bool {
		return pos[deletes[i].project+":"+deletes[i].resource] > pos[deletes[j].project+":"+deletes[j].resource]
	})
	var forget []string
	for i := range deletes {
		d := &deletes[i]
		if d.skippedOnly {
			forget = append(forget, d.uuid)
			c.progress(1)
			continue
		}
		if err := c.delete(ctx, d); err != nil {
			return err
		}
	}
	if err := c.retry(ctx); err != nil {
		return err
	}
	if len(forget) > 0 {
		if _, err := c.store.Pool().Exec(ctx, forgetSkippedSQL, forget); err != nil {
			return fmt.Errorf("target: %s.Skipped: %w", CheckpointSchema, err)
		}
	}
	c.findings = append(c.findings, pf.findings...)
	return recordSkipped(ctx, c.store.Pool(), c.skippedDocs)
}

// upsertResource checks and writes the new and changed documents of one
// resource, in creation order, opts.BatchSize per transaction.
func (c *catchUp) upsertResource(ctx context.Context, pf *preflight, ri int, tokens []Token) error {
	if len(tokens) == 0 {
		return nil
	}
	rs := pf.res[ri]
	sort.Slice(tokens, func(i, j int) bool { return keyLess(tokens[i].Key, tokens[j].Key) })
	for start := 0; start < len(tokens); start += c.opts.BatchSize {
		chunk := tokens[start:min(start+c.opts.BatchSize, len(tokens))]
		ids := make([]string, len(chunk))
		for i, t := range chunk {
			ids[i] = t.UUID
		}
		docs, err := c.pass.DocumentsByUUID(ctx, ids)
		if err != nil {
			return err
		}
		codes, err := pf.page(ctx, rs, docs)
		if err != nil {
			return err
		}
		var todo []*Document
		for i := range docs {
			d := &docs[i]
			if codes[i] == "" {
				todo = append(todo, d)
				continue
			}
			c.resource(rs).Rejected++
			if !c.delta.changed[d.UUID] {
				k := rs.report.ResourceKey
				c.skippedDocs = append(c.skippedDocs, skippedDoc{uuid: d.UUID, project: k.ProjectName, resource: k.ResourceName, modified: d.LastModifiedAt, traceID: d.LastModifiedTraceID, code: codes[i]})
			}
			c.progress(1)
		}
		if err := c.write(ctx, rs, todo); err != nil {
			return err
		}
	}
	return nil
}

// keyLess orders keyset positions (creation order).
func keyLess(a, b Cursor) bool {
	switch {
	case !a.CreatedAt.Equal(b.CreatedAt):
		return a.CreatedAt.Before(b.CreatedAt)
	case a.PartitionKey != b.PartitionKey:
		return a.PartitionKey < b.PartitionKey
	}
	return a.ID < b.ID
}

// items are the import items of docs: updates for the changed ones.
func (c *catchUp) items(rs *resourceState, docs []*Document) []relstore.ImportItem {
	items := make([]relstore.ImportItem, len(docs))
	for i, d := range docs {
		items[i] = relstore.ImportItem{ProjectEndpoint: rs.target.ProjectEndpoint, Endpoint: rs.target.EndpointName, Document: importDocument(d), Update: c.delta.changed[d.UUID]}
	}
	return items
}

// write writes docs of one resource in one transaction with their
// checkpoint rows; a document the target refuses is set aside for the
// retries and the batch written again without it.
func (c *catchUp) write(ctx context.Context, rs *resourceState, docs []*Document) error {
	for len(docs) > 0 {
		_, err := c.store.ImportBatch(ctx, c.items(rs, docs), recordCopied(rs.report.ResourceKey, docs))
		var be *relstore.ImportBatchError
		if errors.As(err, &be) {
			c.pending = append(c.pending, pendingWrite{rs: rs, doc: docs[be.Index], err: be.Err})
			docs = append(docs[:be.Index:be.Index], docs[be.Index+1:]...)
			continue
		}
		if err != nil {
			return fmt.Errorf("target: catching up %s: %w", rs.report.ResourceKey, err)
		}
		for _, d := range docs {
			c.applied(rs.report.ProjectName, rs.report.ResourceName, d.UUID)
		}
		return nil
	}
	return nil
}

// applied counts one upsert written.
func (c *catchUp) applied(project, resource, id string) {
	r := c.res[[2]string{project, resource}]
	if c.delta.changed[id] {
		r.Updated++
	} else {
		r.Inserted++
	}
	c.progress(1)
}

// delete removes one document with its checkpoint row; a refusal is set
// aside for the retries.
func (c *catchUp) delete(ctx context.Context, d *deletedDoc) error {
	err := c.tryDelete(ctx, d)
	if err != nil && !deleteRefused(err) {
		return fmt.Errorf("target: deleting %s/%s: %w", d.resource, d.uuid, err)
	}
	if err != nil {
		c.pending = append(c.pending, pendingWrite{del: d, err: err})
		return nil
	}
	c.res[[2]string{d.project, d.resource}].Removed++
	c.progress(1)
	return nil
}

// tryDelete deletes d in the target and its checkpoint row in the same
// transaction; a document the target no longer holds just loses its row.
func (c *catchUp) tryDelete(ctx context.Context, d *deletedDoc) error {
	t := c.m.FindResource(d.project + ":" + d.resource)
	if t == nil {
		return fmt.Errorf("%w: the schema set has no resource %s:%s", errNoResource, d.project, d.resource)
	}
	finish := func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, checkpointDeleteSQL, d.uuid)
		return err
	}
	err := c.store.ImportDelete(ctx, t.ProjectEndpoint, t.EndpointName, d.uuid, finish)
	if errors.Is(err, relstore.ErrNotFound) {
		_, err = c.store.Pool().Exec(ctx, checkpointDeleteSQL, d.uuid)
	}
	return err
}

// errNoResource: a recorded document's resource is not in the schema set.
var errNoResource = errors.New("no such resource")

// deleteRefused reports a delete the target refused for the document's
// sake (referenced, unknown resource), as opposed to a database failure.
func deleteRefused(err error) bool {
	var re *relstore.ReferencedError
	return errors.As(err, &re) || errors.Is(err, errNoResource)
}

// retry retries the refused writes one at a time, round after round
// while a round succeeds; the rest are reported.
func (c *catchUp) retry(ctx context.Context) error {
	for len(c.pending) > 0 {
		var again []pendingWrite
		for _, p := range c.pending {
			if p.del != nil {
				err := c.tryDelete(ctx, p.del)
				switch {
				case err == nil:
					c.res[[2]string{p.del.project, p.del.resource}].Removed++
					c.progress(1)
				case deleteRefused(err):
					p.err = err
					again = append(again, p)
				default:
					return fmt.Errorf("target: deleting %s/%s: %w", p.del.resource, p.del.uuid, err)
				}
				continue
			}
			_, err := c.store.ImportBatch(ctx, c.items(p.rs, []*Document{p.doc}), recordCopied(p.rs.report.ResourceKey, []*Document{p.doc}))
			var be *relstore.ImportBatchError
			switch {
			case err == nil:
				c.applied(p.rs.report.ProjectName, p.rs.report.ResourceName, p.doc.UUID)
			case errors.As(err, &be):
				p.err = be.Err
				again = append(again, p)
			default:
				return fmt.Errorf("target: catching up %s: %w", p.rs.report.ResourceKey, err)
			}
		}
		if len(again) == len(c.pending) {
			break
		}
		c.pending = again
	}
	for _, p := range c.pending {
		c.fail(p)
	}
	c.pending = nil
	return nil
}

// fail reports a write the target still refuses.
func (c *catchUp) fail(p pendingWrite) {
	if p.del != nil {
		r := c.res[[2]string{p.del.project, p.del.resource}]
		r.Failed++
		c.findings = append(c.findings, Finding{ResourceKey: ResourceKey{ProjectName: p.del.project, ResourceName: p.del.resource}, DocumentUUID: p.del.uuid, Path: "$", Code: CodeDeleteRefused,
			Message: "the legacy store deleted the document; the target refuses to: " + p.err.Error()})
		c.progress(1)
		return
	}
	k := p.rs.report.ResourceKey
	c.resource(p.rs).Failed++
	code := CodeImportFailed
	if c.delta.changed[p.doc.UUID] {
		code = CodeUpdateFailed
	} else {
		c.skippedDocs = append(c.skippedDocs, skippedDoc{uuid: p.doc.UUID, project: k.ProjectName, resource: k.ResourceName, modified: p.doc.LastModifiedAt, traceID: p.doc.LastModifiedTraceID, code: code})
	}
	c.findings = append(c.findings, Finding{ResourceKey: k, DocumentUUID: p.doc.UUID, Path: "$", Code: code, Message: p.err.Error()})
	c.progress(1)
}

// resource is the report line of rs.
func (c *catchUp) resource(rs *resourceState) *CatchUpResource {
	return c.res[[2]string{rs.report.ProjectName, rs.report.ResourceName}]
}

// progress adds n settled changes and reports.
func (c *catchUp) progress(n int64) {
	c.done += n
	if c.opts.Progress != nil {
		c.opts.Progress(c.done, c.total)
	}
}

// summarise fills the report's totals and sorts the findings.
func (c *catchUp) summarise() {
	r := c.rep
	r.Resources = r.Resources[:0]
	for _, dr := range c.delta.Resources {
		cr := c.res[[2]string{dr.ProjectName, dr.ResourceName}]
		r.Resources = append(r.Resources, *cr)
		r.Inserted += cr.Inserted
		r.Updated += cr.Updated
		r.Removed += cr.Removed
		r.Rejected += cr.Rejected
		r.Failed += cr.Failed
	}
	if r.Resources == nil {
		r.Resources = []CatchUpResource{}
	}
	sortFindings(c.findings)
	r.Findings = c.findings
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
}
