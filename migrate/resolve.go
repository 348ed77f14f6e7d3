package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// pairsInSQL reads the distinct document pairs of dms.Reference (parent,
// child, child created after the parent) for pf_pair_in.
const pairsInSQL = `SELECT DISTINCT pd.DocumentUuid, cd.DocumentUuid,
  (cd.CreatedAt, cd.DocumentPartitionKey, cd.Id) > (pd.CreatedAt, pd.DocumentPartitionKey, pd.Id)
FROM dms.Reference r
JOIN dms.Document pd ON pd.DocumentPartitionKey = r.ParentDocumentPartitionKey AND pd.Id = r.ParentDocumentId
JOIN dms.Document cd ON cd.DocumentPartitionKey = r.ReferencedDocumentPartitionKey AND cd.Id = r.ReferencedDocumentId`

// Statements of the steps after the documents are recorded.
const (
	pairMapSQL = `INSERT INTO pf_pair (parent, child, later)
SELECT p.idx, c.idx, i.later FROM pf_pair_in i JOIN pf_doc p ON p.uuid = i.parent JOIN pf_doc c ON c.uuid = i.child`
	pairUnlistedSQL = `SELECT i.parent::text, i.child::text FROM pf_pair_in i
WHERE NOT EXISTS (SELECT 1 FROM pf_doc p WHERE p.uuid = i.parent) OR NOT EXISTS (SELECT 1 FROM pf_doc c WHERE c.uuid = i.child) LIMIT 1`

	// resolveSQL resolves the references whose target was recorded after
	// them, then prepares the tables for the steps that follow (indexes,
	// statistics: autovacuum never analyzes temporary tables).
	resolveSQL = `UPDATE pf_ref r SET tgt = c.idx FROM pf_claim c WHERE r.tgt IS NULL AND c.refid = r.refid;
TRUNCATE pf_pair_in;
CREATE INDEX pf_pair_parent ON pf_pair (parent);
CREATE INDEX pf_ref_tgt ON pf_ref (tgt);
ANALYZE pf_doc; ANALYZE pf_claim; ANALYZE pf_ref; ANALYZE pf_pair`

	// unresolvedSQL lists, in load order, the documents not rejected yet
	// with a reference that does not resolve: whether a child is rejected,
	// their children and those references.
	unresolvedSQL = `SELECT d.idx, d.res, d.uuid::text,
  EXISTS (SELECT 1 FROM pf_pair p JOIN pf_doc c ON c.idx = p.child WHERE p.parent = d.idx AND c.rejected IS NOT NULL),
  ARRAY(SELECT p.child FROM pf_pair p WHERE p.parent = d.idx),
  u.paths, u.targets, u.vals, u.descriptors
FROM pf_doc d
JOIN (SELECT r.idx, array_agg(r.path ORDER BY r.ord) AS paths, array_agg(r.target ORDER BY r.ord) AS targets,
    array_agg(r.value ORDER BY r.ord) AS vals, array_agg(r.descriptor ORDER BY r.ord) AS descriptors
  FROM pf_ref r WHERE r.tgt IS NULL GROUP BY r.idx) u ON u.idx = d.idx
WHERE d.rejected IS NULL
ORDER BY d.idx`

	markRejectedSQL = `UPDATE pf_doc d SET rejected = u.code FROM unnest($1::bigint[], $2::text[]) AS u(idx, code) WHERE d.idx = u.idx`

	// propagateSQL rejects, one level at a time, the documents linked (by
	// dms.Reference or by resolution) to a rejected document.
	propagateSQL = `UPDATE pf_doc d SET rejected = $1, newly = true
WHERE d.rejected IS NULL AND d.idx IN (
  SELECT p.parent FROM pf_pair p JOIN pf_doc c ON c.idx = p.child WHERE c.rejected IS NOT NULL
  UNION
  SELECT r.idx FROM pf_ref r JOIN pf_doc c ON c.idx = r.tgt WHERE c.rejected IS NOT NULL)`

	// propagatedSQL lists what the documents propagate rejected link to:
	// each rejected document, with the path of the first reference that
	// resolves to it ("" when only dms.Reference links them).
	propagatedSQL = `SELECT d.res, d.uuid::text, c.res, c.uuid::text, c.rejected,
  coalesce((SELECT r.path FROM pf_ref r WHERE r.idx = d.idx AND r.tgt = c.idx ORDER BY r.ord LIMIT 1), '')
FROM pf_doc d
JOIN LATERAL (SELECT p.child AS l FROM pf_pair p WHERE p.parent = d.idx
  UNION SELECT r.tgt FROM pf_ref r WHERE r.idx = d.idx AND r.tgt IS NOT NULL) k ON true
JOIN pf_doc c ON c.idx = k.l
WHERE d.newly AND c.rejected IS NOT NULL`

	// differsSQL lists the documents not rejected whose distinct
	// dms.Reference children differ from the documents their references
	// resolve to (-1: unresolved), both sorted by idx.
	differsSQL = `WITH ch AS (SELECT parent AS idx, array_agg(DISTINCT child ORDER BY child) AS a FROM pf_pair GROUP BY parent),
tg AS (SELECT idx, array_agg(DISTINCT coalesce(tgt, -1) ORDER BY coalesce(tgt, -1)) AS a FROM pf_ref GROUP BY idx)
SELECT d.idx, d.res, d.uuid::text, coalesce(ch.a, '{}'), coalesce(tg.a, '{}')
FROM pf_doc d LEFT JOIN ch ON ch.idx = d.idx LEFT JOIN tg ON tg.idx = d.idx
WHERE d.rejected IS NULL AND ch.a IS DISTINCT FROM tg.a`

	namesSQL = `SELECT idx, res, uuid::text FROM pf_doc WHERE idx = ANY($1::bigint[])`

	warnSQL = `UPDATE pf_doc d SET warned = true, deferred = d.deferred OR u.deferred FROM unnest($1::bigint[], $2::boolean[]) AS u(idx, deferred) WHERE d.idx = u.idx`

	// lateSQL lists the references of documents not rejected to documents
	// created after them.
	lateSQL = `SELECT d.idx, d.res, d.uuid::text, c.res, c.uuid::text
FROM pf_doc d JOIN pf_pair p ON p.parent = d.idx AND p.later JOIN pf_doc c ON c.idx = p.child
WHERE d.rejected IS NULL`

	countsSQL = `SELECT res, count(*), count(*) FILTER (WHERE rejected IS NOT NULL),
  count(*) FILTER (WHERE rejected IS NULL AND deferred), count(*) FILTER (WHERE rejected IS NULL AND warned)
FROM pf_doc GROUP BY res ORDER BY res`

	rejectedSQL = `SELECT uuid::text FROM pf_doc WHERE rejected IS NOT NULL ORDER BY uuid`
)

// loadPairs records dms.Reference's document pairs in pf_pair, streamed
// from the legacy snapshot.
func (pf *preflight) loadPairs(ctx context.Context) error {
	rows, err := pf.pass.tx.Query(ctx, pairsInSQL)
	if err != nil {
		return fmt.Errorf("legacy database: reading dms.Reference: %w", err)
	}
	defer rows.Close()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		var parent, child [16]byte
		var later bool
		if err := rows.Scan(&parent, &child, &later); err != nil {
			return nil, err
		}
		return []any{parent, child, later}, nil
	})
	read, err := pf.work.copyRows(ctx, "pf_pair_in", []string{"parent", "child", "later"}, src)
	if err != nil {
		return fmt.Errorf("reading dms.Reference: %w", err)
	}
	mapped, err := pf.work.exec(ctx, pairMapSQL)
	if err != nil || mapped == read {
		return err
	}
	var parent, child string // both were read in the same snapshot
	err = pf.work.query(ctx, pairUnlistedSQL, nil, func(r pgx.Rows) error { return r.Scan(&parent, &child) })
	if err != nil {
		return err
	}
	return fmt.Errorf("legacy database: dms.Reference links %s to %s, which the document pages did not list", parent, child)
}

// unresolved is a document with a reference that does not resolve.
type unresolved struct {
	idx           int64
	res           int
	uuid          string
	rejectedChild bool
	children      []int64
	paths         []string
	targets       []string
	values        []string
	descriptors   []bool
}

// resolve resolves each valid document's references the way the runtime
// will, against the current-format ReferentialIds of the legacy documents,
// and rejects, in load order, the documents with a reference that does not
// resolve, but those with a rejected child: a reference to a rejected
// document does not resolve either (that document has no ReferentialId
// here), and propagate reports it.
func (pf *preflight) resolve(ctx context.Context) error {
	if _, err := pf.work.exec(ctx, resolveSQL); err != nil {
		return err
	}
	var docs []unresolved
	err := pf.work.query(ctx, unresolvedSQL, nil, func(r pgx.Rows) error {
		var u unresolved
		if err := r.Scan(&u.idx, &u.res, &u.uuid, &u.rejectedChild, &u.children, &u.paths, &u.targets, &u.values, &u.descriptors); err != nil {
			return err
		}
		docs = append(docs, u)
		return nil
	})
	if err != nil {
		return err
	}
	var ids []int64
	var codes []string
	rejected := map[int64]bool{} // by this step, so far
	for _, u := range docs {
		if u.rejectedChild || slices.ContainsFunc(u.children, func(c int64) bool { return rejected[c] }) {
			continue
		}
		d := scratchDoc{res: u.res, uuid: u.uuid}
		for i, path := range u.paths {
			if u.descriptors[i] {
				pf.reject(&d, path, cut(`"`+u.values[i]+`"`), CodeUnresolvedDescriptor, fmt.Sprintf("no legacy %s has the URI %q: the runtime refuses the document (400)", u.targets[i], u.values[i]))
			} else {
				pf.reject(&d, path, "", CodeUnresolvedReference, fmt.Sprintf("no legacy %s has the identity (%s): the runtime refuses the document (409)", u.targets[i], u.values[i]))
			}
		}
		rejected[u.idx] = true
		ids, codes = append(ids, u.idx), append(codes, d.rejected)
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = pf.work.exec(ctx, markRejectedSQL, ids, codes)
	return err
}

// propagate rejects, to a fixpoint, every document that references a
// rejected document (through dms.Reference or through the runtime's own
// resolution): the runtime could not resolve the reference either.
func (pf *preflight) propagate(ctx context.Context) error {
	for {
		n, err := pf.work.exec(ctx, propagateSQL, CodeReferencesRejected)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	return pf.work.query(ctx, propagatedSQL, nil, func(r pgx.Rows) error {
		var res, cres int
		var uuid, cuuid, code, path string
		if err := r.Scan(&res, &uuid, &cres, &cuuid, &code, &path); err != nil {
			return err
		}
		c := pf.res[cres].report
		pf.findings = append(pf.findings, Finding{ResourceKey: pf.res[res].report.ResourceKey, DocumentUUID: uuid, Path: path, Code: CodeReferencesRejected,
			Message: fmt.Sprintf("references %s/%s/%s, which the target cannot hold (%s)", c.ProjectName, c.ResourceName, cuuid, code)})
		return nil
	})
}

// differing is a document whose references resolve to other documents
// than dms.Reference names.
type differing struct {
	idx            int64
	res            int
	uuid           string
	legacy, target []int64
}

// compareReferences warns where the documents the runtime resolves a
// migratable document's references to differ from dms.Reference.
func (pf *preflight) compareReferences(ctx context.Context) error {
	var docs []differing
	err := pf.work.query(ctx, differsSQL, nil, func(r pgx.Rows) error {
		var d differing
		if err := r.Scan(&d.idx, &d.res, &d.uuid, &d.legacy, &d.target); err != nil {
			return err
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil || len(docs) == 0 {
		return err
	}
	var named, warned []int64
	for _, d := range docs {
		named = append(append(named, d.legacy...), d.target...)
		warned = append(warned, d.idx)
	}
	names, err := pf.names(ctx, named)
	if err != nil {
		return err
	}
	for _, d := range docs {
		pf.findings = append(pf.findings, Finding{ResourceKey: pf.res[d.res].report.ResourceKey, DocumentUUID: d.uuid, Code: CodeReferenceDiffers, Warning: true,
			Message: fmt.Sprintf("dms.Reference links it to %s; the runtime resolves its references to %s", listNames(names, d.legacy), listNames(names, d.target))})
	}
	return pf.warn(ctx, warned, nil)
}

// names returns `Resource/uuid` of documents idx.
func (pf *preflight) names(ctx context.Context, idx []int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := pf.work.query(ctx, namesSQL, []any{idx}, func(r pgx.Rows) error {
		var i int64
		var res int
		var uuid string
		if err := r.Scan(&i, &res, &uuid); err != nil {
			return err
		}
		out[i] = pf.res[res].report.ResourceName + "/" + uuid
		return nil
	})
	return out, err
}

// listNames lists documents idx (sorted) for a message.
func listNames(names map[int64]string, idx []int64) string {
	if len(idx) == 0 {
		return "nothing"
	}
	parts := make([]string, len(idx))
	for i, d := range idx {
		parts[i] = names[d]
		if d < 0 {
			parts[i] = "an unresolved reference"
		}
	}
	return strings.Join(parts, ", ")
}

// warn marks documents idx warned, and deferred where deferred says so
// (nil: none).
func (pf *preflight) warn(ctx context.Context, idx []int64, deferred []bool) error {
	if deferred == nil {
		deferred = make([]bool, len(idx))
	}
	_, err := pf.work.exec(ctx, warnSQL, idx, deferred)
	return err
}

// lateReferences warns about migratable documents that reference a
// document created after them (a reference added by a later update). The
// backfill loads resources in dependency order and each resource in
// creation order, so such a reference matters only when the target's
// resource does not load earlier (the same resource, or a cycle): then
// the document is deferred until its target is copied.
func (pf *preflight) lateReferences(ctx context.Context) error {
	deferred := map[int64]bool{}
	var order []int64
	err := pf.work.query(ctx, lateSQL, nil, func(r pgx.Rows) error {
		var idx int64
		var res, cres int
		var uuid, cuuid string
		if err := r.Scan(&idx, &res, &uuid, &cres, &cuuid); err != nil {
			return err
		}
		rs, cs := pf.res[res], pf.res[cres]
		msg := fmt.Sprintf("references %s/%s, created after it (a reference added by a later update)", cs.report.ResourceName, cuuid)
		defer_ := cs.loadPos >= rs.loadPos
		if defer_ {
			msg += fmt.Sprintf("; %s does not load before %s, so the backfill must defer this document until its target is copied", cs.report.ResourceName, rs.report.ResourceName)
		} else {
			msg += fmt.Sprintf("; %s loads before %s, so the load order holds", cs.report.ResourceName, rs.report.ResourceName)
		}
		if _, seen := deferred[idx]; !seen {
			order = append(order, idx)
		}
		deferred[idx] = deferred[idx] || defer_
		pf.findings = append(pf.findings, Finding{ResourceKey: rs.report.ResourceKey, DocumentUUID: uuid, Code: CodeLateReference, Warning: true, Message: msg})
		return nil
	})
	if err != nil || len(order) == 0 {
		return err
	}
	flags := make([]bool, len(order))
	for i, idx := range order {
		flags[i] = deferred[idx]
	}
	return pf.warn(ctx, order, flags)
}
