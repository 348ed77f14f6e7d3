package migrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Kinds of change a catch-up pass finds in the legacy store.
const (
	// DeltaNew: a legacy document the checkpoint does not record (created
	// since the last pass, committed late, or skipped before and changed
	// since).
	DeltaNew = "new"
	// DeltaChanged: a copied document whose change token
	// (LastModifiedAt, LastModifiedTraceId) differs from the checkpoint's.
	DeltaChanged = "changed"
	// DeltaDeleted: a document the checkpoint (or the Skipped list)
	// records that the legacy store no longer holds.
	DeltaDeleted = "deleted"
)

// ErrNoCheckpoint reports a target without the migration's checkpoint:
// nothing was copied yet, so there is no pass to compare with.
var ErrNoCheckpoint = errors.New("the target has no migration checkpoint (dmsc_migrate.Checkpoint): run the backfill (dmsc migrate legacy) first")

// DeltaResource counts one resource's changes since the last pass.
type DeltaResource struct {
	ProjectName  string `json:"project"`
	ResourceName string `json:"resource"`
	New          int64  `json:"new"`
	Changed      int64  `json:"changed"`
	Deleted      int64  `json:"deleted"`
}

// Delta is what changed in the legacy store since the last pass: the
// legacy documents' narrow columns (DocumentUuid, resource,
// LastModifiedAt, LastModifiedTraceId) diffed against the checkpoint,
// never a LastModifiedAt watermark (it misses deletes and late commits).
type Delta struct {
	// Legacy names the legacy database (never its DSN); Snapshot is the
	// legacy transaction snapshot compared.
	Legacy   string `json:"legacy"`
	Snapshot string `json:"legacy_snapshot"`
	// Documents counts the legacy documents; Copied the checkpoint's.
	Documents int64 `json:"documents"`
	Copied    int64 `json:"copied"`
	// New, Changed and Deleted sum those of Resources.
	New     int64 `json:"new"`
	Changed int64 `json:"changed"`
	Deleted int64 `json:"deleted"`
	// Skipped counts legacy documents not copied (rejected or refused by
	// an earlier pass) and unchanged since: not a change.
	Skipped int64 `json:"skipped_unchanged"`
	// Resources with a change, sorted by project and resource.
	Resources []DeltaResource `json:"resources"`

	upserts []Token         // new and changed, in DocumentUuid order
	changed map[string]bool // the upserts that replace a copied document
	deletes []deletedDoc
}

// Empty reports a legacy store unchanged since the last pass.
func (d *Delta) Empty() bool { return d.New+d.Changed+d.Deleted == 0 }

// deletedDoc is a recorded document the legacy store no longer holds.
type deletedDoc struct {
	uuid              string
	project, resource string
	// skippedOnly: only dmsc_migrate.Skipped records it (it was never
	// copied): the pass just forgets it.
	skippedOnly bool
}

// recorded is a document dmsc_migrate.Checkpoint or Skipped records (or
// both): the target side of computeDelta.
type recorded struct {
	uuid string
	// copied is its checkpoint token, skipped its Skipped token; nil when
	// that table does not record it.
	copied, skipped *checkpointToken
}

// recordedSQL reads the checkpoint and the Skipped list as one stream
// ordered by DocumentUuid: the uuid (bytewise, as the legacy tokens),
// named through its tables, as the bare name would order by the output
// column, the text.
const recordedSQL = `SELECT "DocumentUuid"::text,
  c."LastModifiedAt", c."LastModifiedTraceId", c."ProjectName", c."ResourceName",
  s."LastModifiedAt", s."LastModifiedTraceId", s."ProjectName", s."ResourceName"
FROM "dmsc_migrate"."Checkpoint" c FULL JOIN "dmsc_migrate"."Skipped" s USING ("DocumentUuid")
ORDER BY coalesce(c."DocumentUuid", s."DocumentUuid")`

// recordedCopiedSQL is recordedSQL without a Skipped table.
const recordedCopiedSQL = `SELECT "DocumentUuid"::text, "LastModifiedAt", "LastModifiedTraceId", "ProjectName", "ResourceName",
  NULL::timestamp, NULL::text, NULL::text, NULL::text
FROM "dmsc_migrate"."Checkpoint" c ORDER BY c."DocumentUuid"`

// recordedRows returns the recorded documents in DocumentUuid order
// (withSkipped: the Skipped table exists); the query runs when the
// sequence is walked.
func recordedRows(ctx context.Context, db querier, withSkipped bool) iter.Seq2[recorded, error] {
	sql := recordedCopiedSQL
	if withSkipped {
		sql = recordedSQL
	}
	return queryRows(ctx, db, "target: reading the checkpoint", scanRecorded, sql)
}

// scanRecorded reads one row of recordedSQL.
func scanRecorded(rows pgx.Rows, r *recorded) error {
	var cm, sm *time.Time
	var ct, cp, cr, st, sp, sr *string
	if err := rows.Scan(&r.uuid, &cm, &ct, &cp, &cr, &sm, &st, &sp, &sr); err != nil {
		return err
	}
	r.copied, r.skipped = tokenOf(cm, ct, cp, cr), tokenOf(sm, st, sp, sr)
	return nil
}

// tokenOf is the token of a row's nullable columns (nil when the table
// had no row: its NOT NULL columns read NULL).
func tokenOf(modified *time.Time, traceID, project, resource *string) *checkpointToken {
	if modified == nil || traceID == nil || project == nil || resource == nil {
		return nil
	}
	return &checkpointToken{modified: *modified, traceID: *traceID, project: *project, resource: *resource}
}

// computeDelta diffs the pass's narrow rows against the checkpoint and
// the Skipped list (withSkipped: the table exists) read from target: a
// merge of the two streams in DocumentUuid order, holding no document
// that does not change.
func computeDelta(ctx context.Context, pass *Pass, where string, target querier, withSkipped bool) (*Delta, error) {
	d, err := buildDelta(pass.Tokens(ctx), recordedRows(ctx, target, withSkipped))
	if err != nil {
		return nil, err
	}
	d.Legacy, d.Snapshot = where, pass.Snapshot
	return d, nil
}

// buildDelta merges legacy tokens and recorded documents, both in
// DocumentUuid order, into a Delta (without Legacy and Snapshot).
func buildDelta(tokens iter.Seq2[Token, error], records iter.Seq2[recorded, error]) (*Delta, error) {
	b := &deltaBuilder{d: &Delta{changed: map[string]bool{}}, per: map[[2]string]*DeltaResource{}}
	err := mergeSorted(
		sortedRows[Token]{rows: tokens, key: func(t *Token) string { return t.UUID }, label: "legacy database: reading change tokens"},
		sortedRows[recorded]{rows: records, key: func(r *recorded) string { return r.uuid }, label: "target: reading the checkpoint"},
		b.step)
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// deltaBuilder accumulates a Delta during the merge.
type deltaBuilder struct {
	d   *Delta
	per map[[2]string]*DeltaResource
}

// res returns the counts of a resource.
func (b *deltaBuilder) res(project, resource string) *DeltaResource {
	k := [2]string{project, resource}
	r := b.per[k]
	if r == nil {
		r = &DeltaResource{ProjectName: project, ResourceName: resource}
		b.per[k] = r
	}
	return r
}

// step takes one DocumentUuid of the merge: a legacy document t, its
// record r, or both.
func (b *deltaBuilder) step(t *Token, r *recorded) error {
	if r != nil && r.copied != nil {
		b.d.Copied++
	}
	if t == nil {
		b.gone(r)
		return nil
	}
	b.d.Documents++
	switch {
	case r == nil:
	case r.copied != nil:
		if !sameToken(r.copied, t) {
			b.res(t.Resource.ProjectName, t.Resource.ResourceName).Changed++
			b.d.upserts = append(b.d.upserts, *t)
			b.d.changed[t.UUID] = true
		}
		return nil
	case sameToken(r.skipped, t):
		b.d.Skipped++
		return nil
	}
	b.res(t.Resource.ProjectName, t.Resource.ResourceName).New++
	b.d.upserts = append(b.d.upserts, *t)
	return nil
}

// sameToken reports a recorded token equal to the legacy document's.
func sameToken(tok *checkpointToken, t *Token) bool {
	return tok.modified.Equal(t.LastModifiedAt) && tok.traceID == t.LastModifiedTraceID
}

// gone records a document the legacy store no longer holds: copied (the
// checkpoint's resource) or only skipped.
func (b *deltaBuilder) gone(r *recorded) {
	tok, skippedOnly := r.copied, false
	if tok == nil {
		tok, skippedOnly = r.skipped, true
	}
	b.res(tok.project, tok.resource).Deleted++
	b.d.deletes = append(b.d.deletes, deletedDoc{uuid: r.uuid, project: tok.project, resource: tok.resource, skippedOnly: skippedOnly})
}

// finish sums the resources' counts, sorted by project and resource, and
// sorts the deletes by DocumentUuid.
func (b *deltaBuilder) finish() *Delta {
	d := b.d
	sort.Slice(d.deletes, func(i, j int) bool { return d.deletes[i].uuid < d.deletes[j].uuid })
	keys := slices.SortedFunc(maps.Keys(b.per), func(x, y [2]string) int {
		if c := cmp.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return cmp.Compare(x[1], y[1])
	})
	d.Resources = make([]DeltaResource, 0, len(keys))
	for _, k := range keys {
		r := b.per[k]
		d.Resources = append(d.Resources, *r)
		d.New += r.New
		d.Changed += r.Changed
		d.Deleted += r.Deleted
	}
	return d
}

// FreezeCheck reports what changed in the legacy store since the last
// pass — per resource, the documents new, changed and deleted — reading
// the target's checkpoint in a READ ONLY transaction: it writes nothing
// anywhere. With writes to the legacy store frozen, an empty Delta means
// the target holds everything the legacy store does (but the documents
// the migration skipped, counted apart): the moment to cut over.
func FreezeCheck(ctx context.Context, l *Legacy, target *pgxpool.Pool) (*Delta, error) {
	tx, err := target.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var hasCheckpoint, hasSkipped bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('"dmsc_migrate"."Checkpoint"') IS NOT NULL, to_regclass('"dmsc_migrate"."Skipped"') IS NOT NULL`).Scan(&hasCheckpoint, &hasSkipped); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	if !hasCheckpoint {
		return nil, ErrNoCheckpoint
	}
	pass, err := l.BeginPass(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pass.Close(context.WithoutCancel(ctx)) }()
	return computeDelta(ctx, pass, l.Where(), tx, hasSkipped)
}
