package relstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// The DocumentCache projector's statements.
const (
	// projectClaimSQL claims up to $1 documents whose cache row is missing
	// or stale (its Etag is not the document's), oldest change first, and
	// returns their ids and resource keys. A document another projector
	// has claimed (a transaction-scoped advisory lock on minus its
	// DocumentId, a key space no other dmsc lock uses) is skipped; the
	// candidates are bounded first, so a claim never locks more than a
	// window of the backlog.
	projectClaimSQL = `SELECT x.d, x.k FROM (
  SELECT d."DocumentId" AS d, d."ResourceKeyId" AS k
  FROM "dms"."Document" d LEFT JOIN "dms"."DocumentCache" c ON c."DocumentId" = d."DocumentId"
  WHERE c."DocumentId" IS NULL OR c."Etag" <> d."Etag"
  ORDER BY d."LastModifiedAt", d."DocumentId"
  LIMIT 4 * $1) x
WHERE pg_try_advisory_xact_lock(-x.d)
LIMIT $1`
	// cachePutManySQL stores the bodies of documents $1 read at Etags $4
	// whose documents are still at those Etags, share-locking each
	// document row and skipping one a writer holds (the cache invariant:
	// cache.go), never replacing a newer body.
	cachePutManySQL = `INSERT INTO "dms"."DocumentCache" ("DocumentId", "DocumentUuid", "ResourceKeyId", "Etag", "LastModifiedAt", "DocumentJson")
SELECT d."DocumentId", d."DocumentUuid", d."ResourceKeyId", d."Etag", x.m::timestamptz, x.j
FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::bigint[], $5::text[], $6::text[]) AS x(d, u, k, e, m, j)
JOIN "dms"."Document" d ON d."DocumentId" = x.d AND d."DocumentUuid" = x.u::uuid AND d."ResourceKeyId" = x.k AND d."Etag" = x.e
ORDER BY d."DocumentId"
FOR SHARE OF d SKIP LOCKED
ON CONFLICT ("DocumentId") DO UPDATE SET "Etag" = EXCLUDED."Etag", "LastModifiedAt" = EXCLUDED."LastModifiedAt",
  "DocumentJson" = EXCLUDED."DocumentJson", "ComputedAt" = now()
WHERE "DocumentCache"."Etag" < EXCLUDED."Etag"`
	// cacheBacklogSQL counts the documents whose cache row is missing or
	// stale and the time since the oldest of them changed.
	cacheBacklogSQL = `SELECT count(*), coalesce(extract(epoch FROM now() - min(d."LastModifiedAt")), 0)::float8
FROM "dms"."Document" d LEFT JOIN "dms"."DocumentCache" c ON c."DocumentId" = d."DocumentId"
WHERE c."DocumentId" IS NULL OR c."Etag" <> d."Etag"`
	// projectPageSQL is the page of the claimed documents of one resource.
	projectPageSQL = `SELECT ` + pageColumns + ` FROM "dms"."Document" d WHERE d."DocumentId" = ANY($1::bigint[]) AND d."ResourceKeyId" = $2`
)

// DefaultProjectBatch is the number of documents one projector
// transaction claims when ProjectOptions.Batch is 0.
const DefaultProjectBatch = 200

// DefaultProjectorInterval is the pause of `dmsc serve --projector` after
// the backlog empties (RunProjector's idle): the longer it is, the larger
// and fewer its batches while writes go on (less work per document) and
// the staler the cache between them.
const DefaultProjectorInterval = time.Second

// ProjectOptions bound one Project call.
type ProjectOptions struct {
	// Batch is the number of documents one transaction claims and
	// projects (0: DefaultProjectBatch).
	Batch int
	// MaxBatches stops after that many batches (0: until the backlog
	// is empty).
	MaxBatches int
	// StopAfterPartial stops after a batch that claimed fewer than Batch
	// documents: what writers added meanwhile waits for the next call.
	// RunProjector sets it, so that under a steady stream of writes it
	// projects in full batches once per idle interval instead of chasing
	// the writers with batches of a few documents, each paying the claim,
	// a statement per resource and the transaction (the projector's
	// server CPU per document written during a corpus load: see
	// docs/runtime.md).
	StopAfterPartial bool
}

// ProjectStats is what a Project call did.
type ProjectStats struct {
	// Batches and Documents count the transactions committed and the
	// cache rows they wrote (a row another projector wrote first with the
	// same Etag is not counted).
	Batches   int   `json:"batches"`
	Documents int64 `json:"documents"`
	// Elapsed is the call's duration.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Backlog is how far dms.DocumentCache is behind the documents.
type Backlog struct {
	// Documents counts the documents without a fresh cache row.
	Documents int64 `json:"documents"`
	// OldestAge is the time since the oldest of them changed (0 when
	// there is none).
	OldestAge time.Duration `json:"oldest_age_ns"`
}

// CacheBacklog counts the documents whose dms.DocumentCache row is
// missing or stale, and the age of the oldest change among them.
func (s *Store) CacheBacklog(ctx context.Context) (Backlog, error) { return readBacklog(ctx, s.db) }

// rowQuerier runs single-row queries (a pool or a transaction).
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readBacklog runs cacheBacklogSQL through q.
func readBacklog(ctx context.Context, q rowQuerier) (Backlog, error) {
	var b Backlog
	var secs float64
	if err := q.QueryRow(ctx, cacheBacklogSQL).Scan(&b.Documents, &secs); err != nil {
		return Backlog{}, err
	}
	b.OldestAge = time.Duration(secs * float64(time.Second))
	return b, nil
}

// Project fills dms.DocumentCache: in batches, oldest change first, it
// claims documents whose cache row is missing or stale (skipping those
// another projector holds, so several may run), assembles them through
// the read path (one statement per resource of the batch, which reads
// each body with its Etag) and stores each body with the Etag it
// represents, never over a newer one, and only while the document is
// still at that Etag (a body that went stale meanwhile is dropped and
// projected again later: the cache invariant, cache.go).
// It returns when the backlog is empty, opts.MaxBatches batches are done,
// a batch wrote nothing (its documents were all being written: the next
// call takes them) or ctx is cancelled (ctx's error).
func (s *Store) Project(ctx context.Context, opts ProjectOptions) (ProjectStats, error) {
	start := time.Now()
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultProjectBatch
	}
	var st ProjectStats
	for opts.MaxBatches == 0 || st.Batches < opts.MaxBatches {
		if err := ctx.Err(); err != nil {
			st.Elapsed = time.Since(start)
			return st, err
		}
		claimed, written, err := s.projectBatch(ctx, batch)
		if err != nil {
			st.Elapsed = time.Since(start)
			return st, err
		}
		if claimed == 0 {
			break
		}
		st.Batches++
		st.Documents += written
		if opts.StopAfterPartial && claimed < int64(batch) {
			break
		}
		if written == 0 {
			// Every claimed document was held by a writer (skipped) or
			// written meanwhile: claiming again would find the same
			// ones, so the next call takes them.
			break
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// projectBatch projects one batch in one transaction and returns the
// number of documents it claimed and the cache rows it wrote.
func (s *Store) projectBatch(ctx context.Context, batch int) (claimed, written int64, err error) {
	// READ COMMITTED: each resource's body and Etag come from one
	// statement (consistent per document), and a row another projector
	// wrote meanwhile is updated only when this body is newer (under
	// REPEATABLE READ that update would be a serialization failure).
	tx, err := s.db.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows, err := tx.Query(ctx, projectClaimSQL, batch)
	if err != nil {
		return 0, 0, err
	}
	byKey := map[int16][]int64{}
	for rows.Next() {
		var d int64
		var k int16
		if err := rows.Scan(&d, &k); err != nil {
			rows.Close()
			return 0, 0, err
		}
		byKey[k] = append(byKey[k], d)
		claimed++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	if claimed == 0 {
		return 0, 0, nil
	}
	keys := make([]int16, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var ids, etags []int64
	var uuids, mods, bodies []string
	var rks []int16
	for _, k := range keys {
		p := s.byKey[k]
		if p == nil {
			return 0, 0, fmt.Errorf("runtime: projector: resource key %d is not in the manifest", k)
		}
		docs, _, err := hydrateWith(ctx, tx, p, projectPageSQL, []any{byKey[k], p.key}, "", false)
		if err != nil {
			return 0, 0, fmt.Errorf("runtime: projector: %s: %w", p.res.ResourceName, err)
		}
		for _, h := range docs {
			etag, err := parseETag(h.ETag)
			if err != nil {
				return 0, 0, err
			}
			ids, uuids, rks, etags = append(ids, h.docID), append(uuids, h.ID), append(rks, p.key), append(etags, etag)
			mods, bodies = append(mods, h.LastModified.UTC().Format(time.RFC3339)), append(bodies, string(h.JSON))
		}
	}
	if len(ids) > 0 {
		tag, err := tx.Exec(ctx, cachePutManySQL, ids, uuids, rks, etags, mods, bodies)
		if err != nil {
			return 0, 0, err
		}
		written = tag.RowsAffected()
	}
	return claimed, written, tx.Commit(ctx)
}

// RunProjector runs Project until ctx is cancelled (then returns nil):
// after each call, which projects full batches and stops after the first
// partial one (ProjectOptions.StopAfterPartial), it waits idle before the
// next; a failed call is reported to report (with the stats of what it
// did) and retried after idle. report also receives every successful call
// that wrote something; it may be nil.
func (s *Store) RunProjector(ctx context.Context, opts ProjectOptions, idle time.Duration, report func(ProjectStats, error)) error {
	if idle <= 0 {
		idle = time.Second
	}
	opts.StopAfterPartial = true
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		st, err := s.Project(ctx, opts)
		if ctx.Err() != nil {
			return nil
		}
		if report != nil && (err != nil || st.Documents > 0) {
			report(st, err)
		}
		t.Reset(idle)
	}
}
