package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/roundtrip"
)

// DefaultBatchSize is the number of legacy documents read per keyset page.
const DefaultBatchSize = 500

// Options tune Preflight and Backfill.
type Options struct {
	// BatchSize is the keyset page size (DefaultBatchSize when 0).
	BatchSize int
	// Progress, when set, is called after each page with the documents
	// examined so far and the total (Backfill: the documents settled —
	// copied, found in the checkpoint or refused — of those the preflight
	// accepts).
	Progress func(done, total int64)
	// PreflightProgress is Backfill's Progress for its preflight.
	PreflightProgress func(done, total int64)
	// PreflightStep, when set, is called as the preflight (Preflight's or
	// Backfill's) starts each step after its last page: one of the Step*
	// names. On a large store they take a while after the pages reach
	// 100% (about 3 s for 110,858 documents).
	PreflightStep func(step string)
	// Workers bounds the resources Backfill copies at once
	// (DefaultWorkers when 0).
	Workers int
	// SkipVerify leaves out the verification Backfill and CatchUp run at
	// the end of their pass.
	SkipVerify bool
	// VerifyProgress is Backfill's and CatchUp's Progress for their
	// verification.
	VerifyProgress func(done, total int64)

	// beforeCommit, when set (tests), runs in each backfill batch's
	// transaction after its documents are written, before the checkpoint
	// rows and the commit; an error aborts the batch.
	beforeCommit func(ctx context.Context, docs int) error
}

// ErrNoDocuments reports a legacy store whose dms.Document is empty:
// nothing to migrate, most likely the wrong database.
var ErrNoDocuments = errors.New("the legacy store holds no documents (dms.Document is empty): nothing to migrate; check that --from names the legacy database")

// Preflight reads the whole legacy store in one read-only snapshot and
// reports, changing nothing anywhere, every document the schema set of m
// cannot hold and why: resources and project versions the schema set
// lacks, values the relational columns cannot hold (with the JSON path and
// value), any other problem the runtime's validation finds, natural keys
// two documents share, references that do not resolve, and documents that
// reference a rejected document. Warnings: references added by a later
// update (creation order is not a load order for them), references the
// runtime would resolve differently from dms.Reference, and properties
// the runtime would prune.
//
// The preflight keeps its state per document in temporary tables of a
// session of its own that work opens (the target's, or any PostgreSQL
// database: nothing outlasts the session), so its memory does not grow
// with the legacy store.
func Preflight(ctx context.Context, l *Legacy, m *manifest.Manifest, work *pgx.ConnConfig, opts Options) (*Report, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	pass, err := l.BeginPass(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pass.Close(context.WithoutCancel(ctx)) }()
	sc, err := openScratch(ctx, work)
	if err != nil {
		return nil, err
	}
	defer func() { _ = sc.close(context.WithoutCancel(ctx)) }()
	pf, err := runPreflight(ctx, pass, l.Where(), m, sc, opts)
	if err != nil {
		return nil, err
	}
	return pf.rep, nil
}

// runPreflight is Preflight on an open pass, keeping its state in work;
// the backfill copies from the same snapshot the preflight read.
func runPreflight(ctx context.Context, pass *Pass, where string, m *manifest.Manifest, work *scratch, opts Options) (*preflight, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	v, err := relstore.NewValidator(m)
	if err != nil {
		return nil, err
	}
	legacy, err := pass.Resources(ctx)
	if err != nil {
		return nil, err
	}
	pf := newPreflight(m, v, where, pass, work, legacy)
	if pf.rep.Documents == 0 {
		return nil, fmt.Errorf("%s: %w", where, ErrNoDocuments)
	}
	for _, ri := range pf.order {
		if err := pf.readResource(ctx, ri, opts); err != nil {
			return nil, err
		}
	}
	for _, step := range []struct {
		name string
		run  func(context.Context) error
	}{
		{StepPairs, pf.loadPairs}, {StepResolve, pf.resolve}, {StepPropagate, pf.propagate},
		{StepCompare, pf.compareReferences}, {StepLate, pf.lateReferences}, {StepSummary, pf.summarise},
	} {
		if opts.PreflightStep != nil {
			opts.PreflightStep(step.name)
		}
		if err := step.run(ctx); err != nil {
			return nil, err
		}
	}
	return pf, nil
}

// The steps of a preflight after its last page (Options.PreflightStep).
const (
	StepPairs     = "reading dms.Reference"
	StepResolve   = "resolving references"
	StepPropagate = "rejecting the referrers of rejected documents"
	StepCompare   = "comparing the references with dms.Reference"
	StepLate      = "finding references added later"
	StepSummary   = "counting"
)

// preflight is the state of one Preflight run. What it learns per
// document lives in the scratch tables (work), so its memory does not grow
// with the legacy store; findings, the report, are kept.
type preflight struct {
	m        *manifest.Manifest
	v        *relstore.Validator
	pass     *Pass
	work     *scratch
	rep      *Report
	res      []*resourceState
	order    []int // indexes of res in load order
	next     int64 // the next document's idx (its position in load order)
	done     int64
	findings []Finding
}

// resourceState is one legacy resource during the run.
type resourceState struct {
	report *ResourceReport
	index  int                // in preflight.res (pf_doc.res)
	target *manifest.Resource // nil when the schema set lacks it
	// rejectCode is the resource-level finding that rejects every
	// document ("" when the documents are validated).
	rejectCode string
	// loadPos is the resource's position in the load order (after every
	// known resource when unknown).
	loadPos int
}

func newPreflight(m *manifest.Manifest, v *relstore.Validator, where string, pass *Pass, work *scratch, legacy []LegacyResource) *preflight {
	pf := &preflight{m: m, v: v, pass: pass, work: work,
		rep: &Report{Legacy: where, TimeZone: pass.TimeZone, Snapshot: pass.Snapshot, EffectiveSchemaHash: m.EffectiveSchemaHash}}
	projects := map[string]*manifest.Project{}
	for i := range m.Projects {
		projects[m.Projects[i].ProjectName] = &m.Projects[i]
	}
	pos := map[string]int{}
	for i, r := range roundtrip.LoadOrder(m) {
		pos[r.ProjectName+":"+r.ResourceName] = i
	}
	pf.rep.Resources = make([]ResourceReport, len(legacy))
	for i, lr := range legacy {
		pf.rep.Resources[i] = ResourceReport{LegacyResource: lr}
		rs := &resourceState{report: &pf.rep.Resources[i], index: i, loadPos: len(m.Resources)}
		pf.rep.Documents += lr.Documents
		name := lr.ProjectName + ":" + lr.ResourceName
		if p, ok := pos[name]; ok {
			rs.loadPos = p
			rs.target = m.FindResource(name)
		}
		project := projects[lr.ProjectName]
		switch {
		case project == nil:
			rs.rejectCode = CodeProjectMissing
			pf.resourceFinding(rs, fmt.Sprintf("the schema set has no project %s (it has %s): its %d documents cannot be migrated", lr.ProjectName, projectList(m), lr.Documents))
		case rs.target == nil:
			rs.rejectCode = CodeResourceMissing
			pf.resourceFinding(rs, fmt.Sprintf("project %s %s of the schema set has no resource %s: its %d documents cannot be migrated", project.ProjectName, project.ProjectVersion, lr.ResourceName, lr.Documents))
		case project.ProjectVersion != lr.ResourceVersion:
			rs.rejectCode = CodeProjectVersion
			pf.resourceFinding(rs, fmt.Sprintf("the %d documents were written under %s %s, the schema set has %s %s: migrate to the version they were written with, then upgrade", lr.Documents, lr.ProjectName, lr.ResourceVersion, project.ProjectName, project.ProjectVersion))
		default:
			rs.report.Endpoint = "/" + rs.target.ProjectEndpoint + "/" + rs.target.EndpointName
		}
		pf.res = append(pf.res, rs)
	}
	pf.order = make([]int, len(pf.res))
	for i := range pf.order {
		pf.order[i] = i
	}
	// Load order; the legacy list is sorted by name, so ties (unknown
	// resources) keep that order.
	sortStableBy(pf.order, func(a, b int) bool { return pf.res[a].loadPos < pf.res[b].loadPos })
	return pf
}

// projectList names the schema set's projects for a message.
func projectList(m *manifest.Manifest) string {
	s := ""
	for i, p := range m.Projects {
		if i > 0 {
			s += ", "
		}
		s += p.ProjectName + " " + p.ProjectVersion
	}
	return s
}

// resourceFinding records a finding about a whole resource.
func (pf *preflight) resourceFinding(rs *resourceState, msg string) {
	pf.findings = append(pf.findings, Finding{ResourceKey: rs.report.ResourceKey, Code: rs.rejectCode, Message: msg, Documents: rs.report.Documents})
}

// readResource pages through one resource's documents in creation order
// and validates each.
func (pf *preflight) readResource(ctx context.Context, ri int, opts Options) error {
	rs := pf.res[ri]
	var after Cursor
	for {
		page, err := pf.pass.Documents(ctx, rs.report.ResourceKey, after, opts.BatchSize)
		if err != nil {
			return err
		}
		if _, err := pf.page(ctx, rs, page); err != nil {
			return err
		}
		pf.done += int64(len(page))
		if opts.Progress != nil {
			opts.Progress(pf.done, pf.rep.Documents)
		}
		if len(page) < opts.BatchSize {
			return nil
		}
		after = page[len(page)-1].Key
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// sortStableBy sorts idx stably by less.
func sortStableBy(idx []int, less func(a, b int) bool) {
	sort.SliceStable(idx, func(i, j int) bool { return less(idx[i], idx[j]) })
}
