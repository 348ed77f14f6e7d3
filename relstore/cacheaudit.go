package relstore

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// cacheFreshSQL lists the fresh cache rows (Etag equal to the document's)
// of resource key $1 after DocumentId $2, $3 at a time.
const cacheFreshSQL = `SELECT c."DocumentId", c."DocumentJson"::text
FROM "dms"."DocumentCache" c JOIN "dms"."Document" d ON d."DocumentId" = c."DocumentId" AND d."Etag" = c."Etag"
WHERE c."ResourceKeyId" = $1 AND c."DocumentId" > $2
ORDER BY c."DocumentId" LIMIT $3`

// cacheStaleSQL lists the cache rows whose Etag is not their document's:
// rows the cache invariant (cache.go) forbids, which a GET would serve.
const cacheStaleSQL = `SELECT c."DocumentId", d."ResourceKeyId", c."Etag", d."Etag"
FROM "dms"."DocumentCache" c JOIN "dms"."Document" d ON d."DocumentId" = c."DocumentId"
WHERE d."Etag" <> c."Etag"
ORDER BY c."DocumentId"`

// cacheAuditBatch is the number of cache rows AuditCache compares per
// statement pair.
const cacheAuditBatch = 500

// CacheFinding is a dms.DocumentCache row a GET would serve wrongly: a
// stale row, or a fresh one whose body is not the document the tables
// assemble.
type CacheFinding struct {
	// DocumentID is the document's internal id; Resource its
	// "Project:Resource".
	DocumentID int64  `json:"document_id"`
	Resource   string `json:"resource"`
	// Differences are the first differing JSON paths (cached vs
	// assembled).
	Differences []string `json:"differences"`
}

// CacheReport is the result of AuditCache.
type CacheReport struct {
	// Fresh counts the fresh rows compared; Backlog is what Project has
	// left to do (missing or stale rows are never served, so they are not
	// findings).
	Fresh   int64   `json:"fresh"`
	Backlog Backlog `json:"backlog"`
	// Stale counts the rows whose Etag is not their document's: the
	// cache invariant forbids them, since a GET serves the row it finds.
	Stale int64 `json:"stale"`
	// Differences counts the stale rows and the fresh rows whose body
	// differs; Findings lists them (at most maxFindings), stale rows
	// first, then by resource and id.
	Differences int64          `json:"differences"`
	Findings    []CacheFinding `json:"findings"`
	// Removed counts the rows a repair deleted (Project rewrites them).
	Removed int64 `json:"removed"`
	// Elapsed is the audit's duration.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// AuditCache lists the stale dms.DocumentCache rows (the cache
// invariant forbids them) and compares every fresh row with the document
// assembled from the tables in the same snapshot, as JSON values. With
// repair, the stale rows and the rows that differ are
// deleted in the same transaction (the next Project or GET rewrites
// them). At most maxFindings findings are kept (counts stay exact).
func (s *Store) AuditCache(ctx context.Context, repair bool, maxFindings int) (*CacheReport, error) {
	start := time.Now()
	tx, err := s.db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rep := &CacheReport{Findings: []CacheFinding{}}
	keys := make([]int16, 0, len(s.byKey))
	for k := range s.byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	bad, err := s.staleCacheRows(ctx, tx, rep, maxFindings)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		p := s.byKey[k]
		after := int64(0)
		for {
			cached, ids, err := freshCacheRows(ctx, tx, k, after)
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				break
			}
			after = ids[len(ids)-1]
			docs, _, err := hydrateWith(ctx, tx, p, projectPageSQL, []any{ids, p.key}, "", false)
			if err != nil {
				return nil, fmt.Errorf("assemble %s: %w", p.res.ResourceName, err)
			}
			assembled := map[int64][]byte{}
			for _, h := range docs {
				assembled[h.docID] = h.JSON
			}
			for _, id := range ids {
				rep.Fresh++
				diff, err := bodyDiff(cached[id], assembled[id])
				if err != nil {
					return nil, fmt.Errorf("document %d: %w", id, err)
				}
				if len(diff) == 0 {
					continue
				}
				rep.Differences++
				bad = append(bad, id)
				if len(rep.Findings) < maxFindings {
					rep.Findings = append(rep.Findings, CacheFinding{DocumentID: id, Resource: p.res.ProjectName + ":" + p.res.ResourceName, Differences: diff})
				}
			}
		}
	}
	if rep.Backlog, err = readBacklog(ctx, tx, cacheBacklogSQL); err != nil {
		return nil, err
	}
	if repair && len(bad) > 0 {
		tag, err := tx.Exec(ctx, `DELETE FROM "dms"."DocumentCache" WHERE "DocumentId" = ANY($1::bigint[])`, bad)
		if err != nil {
			return nil, err
		}
		rep.Removed = tag.RowsAffected()
		if err := tx.Commit(ctx); err != nil {
			return nil, err
		}
		// Queued (READ COMMITTED, after the commit: the audit's snapshot
		// may predate a delete), so that a projector claiming from the
		// queue rewrites them without waiting for its next sweep, which
		// queues them otherwise: a failure here costs freshness only.
		_, _ = s.db.Exec(ctx, enqueueExistingSQL, bad)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// staleCacheRows adds the stale rows to rep (Stale, Differences and
// Findings) and returns their ids.
func (s *Store) staleCacheRows(ctx context.Context, tx pgx.Tx, rep *CacheReport, maxFindings int) ([]int64, error) {
	rows, err := tx.Query(ctx, cacheStaleSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id, cached, current int64
		var k int16
		if err := rows.Scan(&id, &k, &cached, &current); err != nil {
			return nil, err
		}
		ids = append(ids, id)
		rep.Stale++
		rep.Differences++
		if len(rep.Findings) < maxFindings {
			resource := fmt.Sprintf("resource key %d", k)
			if p := s.byKey[k]; p != nil {
				resource = p.res.ProjectName + ":" + p.res.ResourceName
			}
			rep.Findings = append(rep.Findings, CacheFinding{DocumentID: id, Resource: resource,
				Differences: []string{fmt.Sprintf("$: a stale row: cached at Etag %d, the document is at Etag %d", cached, current)}})
		}
	}
	return ids, rows.Err()
}

// freshCacheRows reads one batch of fresh cache rows of resource key k
// after DocumentId after: bodies by id, and the ids in order.
func freshCacheRows(ctx context.Context, tx pgx.Tx, k int16, after int64) (map[int64][]byte, []int64, error) {
	rows, err := tx.Query(ctx, cacheFreshSQL, k, after, cacheAuditBatch)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cached := map[int64][]byte{}
	var ids []int64
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, nil, err
		}
		cached[id] = []byte(body)
		ids = append(ids, id)
	}
	return cached, ids, rows.Err()
}

// bodyDiff compares a cached body with the assembled one (nil: the
// document is gone) and returns the first differences: as JSON values, or
// one line when only the bytes differ (a GET must serve the same bytes
// under the same strong ETag, whether from the cache or not).
func bodyDiff(cached, assembled []byte) ([]string, error) {
	if assembled == nil {
		return []string{"$: the document assembles to nothing"}, nil
	}
	if bytes.Equal(cached, assembled) {
		return nil, nil
	}
	a, err := jsonvalue.Decode(cached)
	if err != nil {
		return nil, fmt.Errorf("cached body: %w", err)
	}
	b, err := jsonvalue.Decode(assembled)
	if err != nil {
		return nil, fmt.Errorf("assembled body: %w", err)
	}
	if jsonvalue.Equal(b, a) {
		return []string{"$: the same JSON value in other bytes (key order or spacing) than the assembled body"}, nil
	}
	d := jsonvalue.Diff(b, a)
	if len(d) > 5 {
		d = d[:5]
	}
	return d, nil
}
