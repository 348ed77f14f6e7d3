package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/roundtrip"
)

// Verification codes (stable: scripts match them).
const (
	// CodeDocumentDiffers: the document the runtime reconstitutes differs
	// from the legacy EdfiDoc (one finding per difference, at its path).
	CodeDocumentDiffers = "document-differs"
	// CodeDocumentMissing: the checkpoint records the document, the
	// target does not hold it.
	CodeDocumentMissing = "document-missing"
	// CodeChangedSinceCopied: the legacy document changed after it was
	// copied (its change token differs from the checkpoint's).
	CodeChangedSinceCopied = "changed-since-copied"
	// CodeDeletedSinceCopied: the checkpoint records a document the
	// legacy store no longer holds.
	CodeDeletedSinceCopied = "deleted-since-copied"
	// CodeCountDiffers: a resource's target document count differs from
	// the number of its legacy documents copied.
	CodeCountDiffers = "count-differs"
	// CodeEdgeMissing and CodeEdgeExtra: a (parent, child) pair of
	// dms.Reference between migrated documents without its
	// dms.ReferenceEdge row, and the converse.
	CodeEdgeMissing = "edge-missing"
	CodeEdgeExtra   = "edge-extra"
	// CodeEdgeAudit and CodeIdentityAudit: a finding of the runtime's
	// edges or identity audit (relstore.Store.AuditEdges,
	// AuditIdentities).
	CodeEdgeAudit     = "edge-audit"
	CodeIdentityAudit = "identity-audit"
)

// maxAuditFindings bounds the audit findings a verification lists.
const maxAuditFindings = 100

// VerifyResource is the verification's count of one legacy resource.
type VerifyResource struct {
	ResourceKey
	Endpoint string `json:"endpoint,omitempty"`
	// Legacy counts its legacy documents; Migrated those the checkpoint
	// records; Target the target's documents of the resource.
	Legacy   int64 `json:"legacy"`
	Migrated int64 `json:"migrated"`
	Target   int64 `json:"target"`
	// Compared counts the documents read back and compared; Differing
	// those with a difference.
	Compared  int64 `json:"compared"`
	Differing int64 `json:"differing"`
}

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	// Legacy names the legacy database (never its DSN).
	Legacy string `json:"legacy"`
	// Compared counts the documents compared; Differing those with a
	// difference of any kind.
	Compared  int64 `json:"compared"`
	Differing int64 `json:"differing"`
	// LegacyEdges and TargetEdges count the distinct (parent, child)
	// pairs between migrated documents on each side.
	LegacyEdges int64 `json:"legacy_edges"`
	TargetEdges int64 `json:"target_edges"`
	// EdgeAudit and IdentityAudit count the audits' differences.
	EdgeAudit     int64 `json:"edge_audit_differences"`
	IdentityAudit int64 `json:"identity_audit_differences"`
	// Resources are sorted by project, resource and version.
	Resources []VerifyResource `json:"resources"`
	// Findings are sorted by project, resource, document, path, code.
	Findings []Finding `json:"findings"`
}

// OK reports a verification without any difference.
func (r *VerifyReport) OK() bool { return len(r.Findings) == 0 }

// Verify compares every document the checkpoint records as migrated with
// its legacy EdfiDoc, in one read-only snapshot of the legacy store: the
// document the runtime reconstitutes (Store.Get) must carry the legacy
// `id` and `_lastModifiedDate` (the same instant) and, without `id`,
// `_etag` and `_lastModifiedDate`, equal the legacy body compared as JSON
// values with these normalisations: nulls, empty arrays and empty objects
// of the legacy body are dropped (the runtime stores them as absent),
// numbers compare by value (1.50 = 1.5), descriptor URIs case-insensitively
// (they resolve so), and date-time values as instants (an offset or
// fraction written otherwise is the same instant). It also compares the
// document counts per resource, the distinct (parent, child) pairs of
// dms.Reference between migrated documents with dms.ReferenceEdge both
// ways, and runs the runtime's edges and identity audits. Every
// difference is a Finding; opts.BatchSize is the legacy page size and
// opts.Progress reports the documents compared.
func Verify(ctx context.Context, l *Legacy, store *relstore.Store, opts Options) (*VerifyReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if err := ensureCheckpoint(ctx, store.Pool()); err != nil {
		return nil, err
	}
	pass, err := l.BeginPass(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pass.Close(context.WithoutCancel(ctx)) }()
	return verifyPass(ctx, pass, l.Where(), store, opts)
}

// verifyAtEnd is the verification a backfill or a catch-up pass runs at
// its end in its own snapshot, reporting to opts.VerifyProgress; nil with
// opts.SkipVerify.
func verifyAtEnd(ctx context.Context, pass *Pass, where string, store *relstore.Store, opts Options) (*VerifyReport, error) {
	if opts.SkipVerify {
		return nil, nil
	}
	opts.Progress = opts.VerifyProgress
	return verifyPass(ctx, pass, where, store, opts)
}

// verifyPass is Verify in an open legacy pass: a catch-up pass verifies
// the snapshot it applied. Its memory does not grow with the documents:
// each legacy page looks its checkpoint rows up, and the documents
// deleted since copied and the edges are merges of ordered streams; only
// the findings are held.
func verifyPass(ctx context.Context, pass *Pass, where string, store *relstore.Store, opts Options) (*VerifyReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	legacy, err := pass.Resources(ctx)
	if err != nil {
		return nil, err
	}
	v := &verifier{store: store, m: store.Manifest(), idx: roundtrip.NewDescriptors(store.Manifest()), rep: &VerifyReport{Legacy: where}}
	if err := v.resources(ctx, pass, legacy, opts); err != nil {
		return nil, err
	}
	if err := v.deletedSinceCopied(ctx, pass); err != nil {
		return nil, err
	}
	if err := v.edges(ctx, pass); err != nil {
		return nil, err
	}
	if err := v.audits(ctx); err != nil {
		return nil, err
	}
	docs := map[string]bool{}
	for _, f := range v.findings {
		if f.DocumentUUID != "" {
			docs[f.DocumentUUID] = true
		}
	}
	v.rep.Differing = int64(len(docs))
	sortFindings(v.findings)
	v.rep.Findings = v.findings
	if v.rep.Findings == nil {
		v.rep.Findings = []Finding{}
	}
	return v.rep, nil
}

// resources compares every legacy resource's documents with their
// migrated copies, and its counts; opts.Progress reports the documents
// read.
func (v *verifier) resources(ctx context.Context, pass *Pass, legacy []LegacyResource, opts Options) error {
	targetCounts, err := v.targetCounts(ctx)
	if err != nil {
		return err
	}
	var total, done int64
	for _, lr := range legacy {
		total += lr.Documents
	}
	read := func(n int) {
		done += int64(n)
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	for _, lr := range legacy {
		vr := VerifyResource{ResourceKey: lr.ResourceKey, Legacy: lr.Documents}
		target := v.m.FindResource(lr.ProjectName + ":" + lr.ResourceName)
		if target != nil {
			vr.Endpoint = "/" + target.ProjectEndpoint + "/" + target.EndpointName
			vr.Target = targetCounts[lr.ProjectName+":"+lr.ResourceName]
		}
		if err := v.resource(ctx, pass, &vr, target, opts.BatchSize, read); err != nil {
			return err
		}
		if vr.Target != vr.Migrated {
			v.add(Finding{ResourceKey: lr.ResourceKey, Code: CodeCountDiffers, Documents: vr.Migrated,
				Message: fmt.Sprintf("the target holds %d documents of the resource, %d were copied", vr.Target, vr.Migrated)})
		}
		v.rep.Compared += vr.Compared
		v.rep.Resources = append(v.rep.Resources, vr)
	}
	return nil
}

// resource compares one legacy resource's documents, a keyset page of
// batchSize at a time, with their migrated copies: those the checkpoint
// records (one query per page). read reports each page's documents.
func (v *verifier) resource(ctx context.Context, pass *Pass, vr *VerifyResource, target *manifest.Resource, batchSize int, read func(int)) error {
	var after Cursor
	for {
		page, err := pass.Documents(ctx, vr.ResourceKey, after, batchSize)
		if err != nil {
			return err
		}
		ids := make([]string, len(page))
		for i := range page {
			ids[i] = page[i].UUID
		}
		copied, err := checkpointOf(ctx, v.store.Pool(), ids)
		if err != nil {
			return err
		}
		for i := range page {
			if tok, ok := copied[page[i].UUID]; ok {
				if err := v.document(ctx, vr, target, &page[i], tok); err != nil {
					return err
				}
			}
		}
		read(len(page))
		if len(page) < batchSize {
			return nil
		}
		after = page[len(page)-1].Key
	}
}

// deletedSinceCopied reports the documents the checkpoint records that
// the legacy store no longer holds: a merge of the checkpoint with the
// legacy DocumentUuids, both in DocumentUuid order.
func (v *verifier) deletedSinceCopied(ctx context.Context, pass *Pass) error {
	return mergeSorted(
		sortedRows[checkpointRow]{rows: checkpointRows(ctx, v.store.Pool()), key: func(r *checkpointRow) string { return r.uuid }, label: "target: reading the checkpoint"},
		sortedRows[string]{rows: pass.DocumentUUIDs(ctx), key: func(id *string) string { return *id }, label: "legacy database: listing documents"},
		func(c *checkpointRow, id *string) error {
			if id == nil {
				v.add(deletedFinding(c))
			}
			return nil
		})
}

// deletedFinding is the finding of a checkpoint row whose document the
// legacy store no longer holds.
func deletedFinding(c *checkpointRow) Finding {
	return Finding{ResourceKey: ResourceKey{ProjectName: c.project, ResourceName: c.resource}, DocumentUUID: c.uuid, Code: CodeDeletedSinceCopied,
		Message: "the checkpoint records the document, the legacy store no longer holds it"}
}

// verifier is the state of one Verify run.
type verifier struct {
	store    *relstore.Store
	m        *manifest.Manifest
	idx      *roundtrip.Descriptors
	rep      *VerifyReport
	findings []Finding
	// descriptors and dateTimes hold, per resource, the wildcard paths of
	// descriptor URIs and date-time values.
	descriptors, dateTimes map[*manifest.Resource]map[string]bool
}

// add records a finding.
func (v *verifier) add(f Finding) { v.findings = append(v.findings, f) }

// targetCounts counts the target's documents per `Project:Resource`.
func (v *verifier) targetCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := v.store.Pool().Query(ctx, `SELECT rk."ProjectName" || ':' || rk."ResourceName", count(*)
FROM "dms"."Document" d JOIN "dms"."ResourceKey" rk ON rk."ResourceKeyId" = d."ResourceKeyId" GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("target: counting documents: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

// document compares one legacy document with its migrated copy, copied
// with change token tok.
func (v *verifier) document(ctx context.Context, vr *VerifyResource, target *manifest.Resource, d *Document, tok checkpointToken) error {
	vr.Migrated++
	before := len(v.findings)
	defer func() {
		if len(v.findings) > before {
			vr.Differing++
		}
	}()
	add := func(path, code, msg string) {
		v.add(Finding{ResourceKey: vr.ResourceKey, DocumentUUID: d.UUID, Path: path, Code: code, Message: msg})
	}
	if !tok.modified.Equal(d.LastModifiedAt) || tok.traceID != d.LastModifiedTraceID {
		add("", CodeChangedSinceCopied, fmt.Sprintf("the legacy document changed after it was copied (LastModifiedAt %s, trace %s; copied at %s, trace %s): a catch-up pass copies it again",
			d.LastModifiedAt.Format(time.RFC3339Nano), d.LastModifiedTraceID, tok.modified.Format(time.RFC3339Nano), tok.traceID))
	}
	if target == nil {
		add("", CodeDocumentMissing, "the schema set has no such resource, yet the checkpoint records the document")
		return nil
	}
	got, err := v.store.Get(ctx, target.ProjectEndpoint, target.EndpointName, d.UUID)
	if err != nil {
		if errors.Is(err, relstore.ErrNotFound) {
			add("", CodeDocumentMissing, "the checkpoint records the document, the target does not hold it")
			return nil
		}
		return fmt.Errorf("target: reading %s/%s: %w", vr.ResourceName, d.UUID, err)
	}
	vr.Compared++
	for _, line := range v.compare(target, d.EdfiDoc, got.JSON, d.UUID) {
		path, msg, _ := strings.Cut(line, ": ")
		add(path, CodeDocumentDiffers, msg)
	}
	return nil
}

// compare returns the differences between a legacy EdfiDoc and the body
// the runtime reconstitutes, as `$.path: message` lines.
func (v *verifier) compare(r *manifest.Resource, legacyBody, gotBody []byte, id string) []string {
	want, err := jsonvalue.Decode(legacyBody)
	if err != nil {
		return []string{"$: the legacy EdfiDoc is not JSON: " + err.Error()}
	}
	got, err := jsonvalue.Decode(gotBody)
	if err != nil {
		return []string{"$: the reconstituted document is not JSON: " + err.Error()}
	}
	wobj, ok1 := want.(map[string]any)
	gobj, ok2 := got.(map[string]any)
	if !ok1 || !ok2 {
		return []string{"$: not a JSON object"}
	}
	var diffs []string
	if gid, _ := gobj["id"].(string); !strings.EqualFold(gid, id) {
		diffs = append(diffs, fmt.Sprintf("$.id: want %q (the legacy DocumentUuid), got %q", id, gid))
	}
	wl, _ := wobj["_lastModifiedDate"].(string)
	gl, _ := gobj["_lastModifiedDate"].(string)
	wt, err1 := time.Parse(time.RFC3339Nano, wl)
	gt, err2 := time.Parse(time.RFC3339Nano, gl)
	if err1 != nil || err2 != nil || !wt.Equal(gt) {
		diffs = append(diffs, fmt.Sprintf("$._lastModifiedDate: want %q (the legacy one), got %q", wl, gl))
	}
	if v.descriptors == nil {
		v.descriptors, v.dateTimes = map[*manifest.Resource]map[string]bool{}, map[*manifest.Resource]map[string]bool{}
	}
	desc, ok := v.descriptors[r]
	if !ok {
		desc = v.idx.Paths(r)
		v.descriptors[r] = desc
		v.dateTimes[r] = dateTimePaths(r)
	}
	dt := v.dateTimes[r]
	w := canonDateTimes(jsonvalue.Normalize(want, roundtrip.MetadataKeys...), "$", dt)
	g := canonDateTimes(jsonvalue.StripKeys(got, roundtrip.MetadataKeys...), "$", dt)
	opts := jsonvalue.Options{FoldCase: func(path string) bool { return desc[jsonvalue.Wildcard(path)] }}
	return append(diffs, jsonvalue.DiffWith(w, g, opts)...)
}

// dateTimePaths returns the wildcard paths of r's date-time columns.
func dateTimePaths(r *manifest.Resource) map[string]bool {
	out := map[string]bool{}
	for _, t := range r.Tables {
		for _, c := range t.Columns {
			if c.Type.Kind == manifest.KindDateTime && c.SourcePath != "" {
				out[t.Scope+strings.TrimPrefix(c.SourcePath, "$")] = true
			}
		}
	}
	return out
}

// canonDateTimes returns v with every string at a date-time path (in
// wildcard form) that parses as RFC 3339 rewritten as its UTC instant, so
// that the same instant written differently compares equal. Maps and
// slices are copied where they change.
func canonDateTimes(v any, path string, paths map[string]bool) any {
	if len(paths) == 0 {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, xv := range x {
			out[k] = canonDateTimes(xv, path+"."+k, paths)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, xv := range x {
			out[i] = canonDateTimes(xv, path+"[*]", paths)
		}
		return out
	case string:
		if paths[path] {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	return v
}

// edges compares the distinct (parent, child) pairs of dms.Reference
// between migrated documents with dms.ReferenceEdge: a merge of the two
// in (parent, child) DocumentUuid order (edgeCheck).
func (v *verifier) edges(ctx context.Context, pass *Pass) error {
	pool := v.store.Pool()
	ec := &edgeCheck{copied: func(ids []string) (map[string]checkpointToken, error) { return checkpointOf(ctx, pool, ids) }}
	if err := ec.run(pass.ResourcePairs(ctx), targetEdges(ctx, pool)); err != nil {
		return err
	}
	if err := ec.resolveExtra(func(ids []string) (map[string]ResourceKey, error) { return pass.ResourcesOf(ctx, ids) }); err != nil {
		return err
	}
	v.rep.LegacyEdges, v.rep.TargetEdges = ec.legacyEdges, ec.targetEdges
	v.findings = append(v.findings, ec.findings...)
	return nil
}

// audits runs the runtime's edges and identity audits.
func (v *verifier) audits(ctx context.Context) error {
	for _, a := range []struct {
		code  string
		run   func(context.Context, relstore.AuditOptions) (*relstore.Report, error)
		count *int64
	}{
		{CodeEdgeAudit, v.store.AuditEdges, &v.rep.EdgeAudit},
		{CodeIdentityAudit, v.store.AuditIdentities, &v.rep.IdentityAudit},
	} {
		rep, err := a.run(ctx, relstore.AuditOptions{MaxFindings: maxAuditFindings})
		if err != nil {
			return fmt.Errorf("target: %s: %w", a.code, err)
		}
		*a.count = rep.Differences
		for _, f := range rep.Findings {
			project, resource, _ := strings.Cut(f.Resource, ":")
			v.add(Finding{ResourceKey: ResourceKey{ProjectName: project, ResourceName: resource}, DocumentUUID: f.DocumentUUID, Path: "$", Code: a.code, Message: f.Kind + ": " + f.Detail})
		}
	}
	return nil
}
