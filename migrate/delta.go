package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"

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

	upserts []Token         // new and changed, in no particular order
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

// computeDelta diffs the pass's narrow rows against the checkpoint and
// the Skipped list.
func computeDelta(ctx context.Context, pass *Pass, where string, copied map[string]checkpointToken, skipped map[string]skippedToken) (*Delta, error) {
	d := &Delta{Legacy: where, Snapshot: pass.Snapshot, Copied: int64(len(copied)), changed: map[string]bool{}}
	per := map[[2]string]*DeltaResource{}
	res := func(project, resource string) *DeltaResource {
		k := [2]string{project, resource}
		r := per[k]
		if r == nil {
			r = &DeltaResource{ProjectName: project, ResourceName: resource}
			per[k] = r
		}
		return r
	}
	seen := make(map[string]bool, len(copied))
	err := pass.Tokens(ctx, func(t Token) error {
		d.Documents++
		if tok, ok := copied[t.UUID]; ok {
			seen[t.UUID] = true
			if !tok.modified.Equal(t.LastModifiedAt) || tok.traceID != t.LastModifiedTraceID {
				res(t.Resource.ProjectName, t.Resource.ResourceName).Changed++
				d.upserts = append(d.upserts, t)
				d.changed[t.UUID] = true
			}
			return nil
		}
		if tok, ok := skipped[t.UUID]; ok {
			seen[t.UUID] = true
			if tok.modified.Equal(t.LastModifiedAt) && tok.traceID == t.LastModifiedTraceID {
				d.Skipped++
				return nil
			}
		}
		res(t.Resource.ProjectName, t.Resource.ResourceName).New++
		d.upserts = append(d.upserts, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id, tok := range copied {
		if !seen[id] {
			res(tok.project, tok.resource).Deleted++
			d.deletes = append(d.deletes, deletedDoc{uuid: id, project: tok.project, resource: tok.resource})
		}
	}
	for id, tok := range skipped {
		if _, isCopied := copied[id]; !seen[id] && !isCopied {
			res(tok.project, tok.resource).Deleted++
			d.deletes = append(d.deletes, deletedDoc{uuid: id, project: tok.project, resource: tok.resource, skippedOnly: true})
		}
	}
	sort.Slice(d.deletes, func(i, j int) bool { return d.deletes[i].uuid < d.deletes[j].uuid })
	for _, r := range per {
		d.Resources = append(d.Resources, *r)
		d.New += r.New
		d.Changed += r.Changed
		d.Deleted += r.Deleted
	}
	sort.Slice(d.Resources, func(i, j int) bool {
		a, b := d.Resources[i], d.Resources[j]
		if a.ProjectName != b.ProjectName {
			return a.ProjectName < b.ProjectName
		}
		return a.ResourceName < b.ResourceName
	})
	if d.Resources == nil {
		d.Resources = []DeltaResource{}
	}
	return d, nil
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
	copied, err := readCheckpoint(ctx, tx)
	if err != nil {
		return nil, err
	}
	skipped := map[string]skippedToken{}
	if hasSkipped {
		if skipped, err = readSkipped(ctx, tx); err != nil {
			return nil, err
		}
	}
	pass, err := l.BeginPass(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pass.Close(context.WithoutCancel(ctx)) }()
	return computeDelta(ctx, pass, l.Where(), copied, skipped)
}
