package migrate

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
)

// edgeBatch is how many legacy pairs edgeCheck looks up in the checkpoint
// at once, and how many parents' legacy resources it reads at once.
const edgeBatch = 1000

// targetEdge is a (parent, child) pair of dms.ReferenceEdge whose parent
// the checkpoint records.
type targetEdge struct {
	parent, child string // DocumentUuid
	// childCopied: the checkpoint records the child too.
	childCopied bool
}

// targetEdgesSQL reads the pairs of dms.ReferenceEdge whose parent the
// checkpoint records, ordered by parent and child DocumentUuid (the
// uuids, bytewise: as the legacy pairs).
const targetEdgesSQL = `SELECT p."DocumentUuid"::text, c."DocumentUuid"::text, cc."DocumentUuid" IS NOT NULL
FROM "dms"."ReferenceEdge" e
JOIN "dms"."Document" p ON p."DocumentId" = e."ParentDocumentId"
JOIN "dmsc_migrate"."Checkpoint" pc ON pc."DocumentUuid" = p."DocumentUuid"
JOIN "dms"."Document" c ON c."DocumentId" = e."ChildDocumentId"
LEFT JOIN "dmsc_migrate"."Checkpoint" cc ON cc."DocumentUuid" = c."DocumentUuid"
ORDER BY p."DocumentUuid", c."DocumentUuid"`

// targetEdges returns the target's edges whose parent was copied, in
// (parent, child) order; the query runs when the sequence is walked.
func targetEdges(ctx context.Context, db querier) iter.Seq2[targetEdge, error] {
	return queryRows(ctx, db, "target: reading dms.ReferenceEdge", func(rows pgx.Rows, e *targetEdge) error {
		return rows.Scan(&e.parent, &e.child, &e.childCopied)
	}, targetEdgesSQL)
}

// pairKey orders (parent, child) pairs as their DocumentUuids: the NUL
// separator sorts below every character of a uuid.
func pairKey(parent, child string) string { return parent + "\x00" + child }

// edgeCheck compares the legacy pairs between copied documents with the
// target's edges whose parent was copied (Verify's edges), as a merge of
// the two streams: a pair on both sides counts on both when its child was
// copied too (its parent was: the target side holds no other), and is an
// extra edge otherwise; a legacy pair alone counts, and is a missing
// edge, when the checkpoint records both documents (looked up edgeBatch
// pairs at a time); a target edge alone is an extra edge.
type edgeCheck struct {
	// copied returns the checkpoint tokens of those of ids it records.
	copied func(ids []string) (map[string]checkpointToken, error)
	// pending are legacy pairs without a target edge, not yet looked up.
	pending []ResourcePair
	// extra are target edges without a legacy pair, their parent's
	// legacy resource not yet read (resolveExtra).
	extra []targetEdge
	// legacyEdges and targetEdges are VerifyReport's counts.
	legacyEdges, targetEdges int64
	findings                 []Finding
}

// run merges the legacy pairs with the target edges, both in (parent,
// child) order.
func (ec *edgeCheck) run(legacy iter.Seq2[ResourcePair, error], target iter.Seq2[targetEdge, error]) error {
	err := mergeSorted(
		sortedRows[ResourcePair]{rows: legacy, key: func(p *ResourcePair) string { return pairKey(p.Parent, p.Child) }, label: "legacy database: reading dms.Reference"},
		sortedRows[targetEdge]{rows: target, key: func(e *targetEdge) string { return pairKey(e.parent, e.child) }, label: "target: reading dms.ReferenceEdge"},
		ec.step)
	if err != nil {
		return err
	}
	return ec.flush()
}

// step takes one pair of the merge: legacy l, target t, or both.
func (ec *edgeCheck) step(l *ResourcePair, t *targetEdge) error {
	if t != nil {
		ec.targetEdges++
	}
	switch {
	case l == nil:
		ec.extra = append(ec.extra, *t)
	case t == nil:
		ec.pending = append(ec.pending, *l)
		if len(ec.pending) >= edgeBatch {
			return ec.flush()
		}
	case t.childCopied:
		ec.legacyEdges++
	default:
		ec.findings = append(ec.findings, extraEdge(l.ParentResource, t))
	}
	return nil
}

// flush looks the pending legacy pairs' documents up in the checkpoint:
// a pair between copied documents counts, and is a missing edge.
func (ec *edgeCheck) flush() error {
	if len(ec.pending) == 0 {
		return nil
	}
	ids := make([]string, 0, 2*len(ec.pending))
	for _, p := range ec.pending {
		ids = append(ids, p.Parent, p.Child)
	}
	copied, err := ec.copied(ids)
	if err != nil {
		return err
	}
	for _, p := range ec.pending {
		_, pc := copied[p.Parent]
		_, cc := copied[p.Child]
		if pc && cc {
			ec.legacyEdges++
			ec.findings = append(ec.findings, Finding{ResourceKey: p.ParentResource, DocumentUUID: p.Parent, Path: "$", Code: CodeEdgeMissing,
				Message: fmt.Sprintf("dms.Reference links it to %s; dms.ReferenceEdge has no such row", p.Child)})
		}
	}
	ec.pending = ec.pending[:0]
	return nil
}

// resolveExtra reports the target edges without a legacy pair, each
// under its parent's legacy resource (resourcesOf, edgeBatch parents at a
// time; none when the legacy store no longer holds the parent).
func (ec *edgeCheck) resolveExtra(resourcesOf func(ids []string) (map[string]ResourceKey, error)) error {
	for start := 0; start < len(ec.extra); start += edgeBatch {
		chunk := ec.extra[start:min(start+edgeBatch, len(ec.extra))]
		ids := make([]string, len(chunk))
		for i, e := range chunk {
			ids[i] = e.parent
		}
		res, err := resourcesOf(ids)
		if err != nil {
			return err
		}
		for i := range chunk {
			ec.findings = append(ec.findings, extraEdge(res[chunk[i].parent], &chunk[i]))
		}
	}
	ec.extra = nil
	return nil
}

// extraEdge is the finding of a target edge dms.Reference does not hold,
// under its parent's legacy resource r.
func extraEdge(r ResourceKey, e *targetEdge) Finding {
	return Finding{ResourceKey: r, DocumentUUID: e.parent, Path: "$", Code: CodeEdgeExtra,
		Message: fmt.Sprintf("dms.ReferenceEdge links it to %s; dms.Reference does not", e.child)}
}
