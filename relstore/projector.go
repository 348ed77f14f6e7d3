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
	// projectClaimSQL claims up to $1 queued documents, oldest queued
	// first, and returns their ids and resource keys; a queue row another
	// projector holds is skipped (row locks of the claim's transaction).
	// A write queues its document (enqueueOneCTE) or a sweep does
	// (projectSweepSQL), so a claim reads a window of the queue, never
	// every document.
	projectClaimSQL = `SELECT q."DocumentId", d."ResourceKeyId"
FROM "dms"."DocumentCacheQueue" q JOIN "dms"."Document" d ON d."DocumentId" = q."DocumentId"
ORDER BY q."EnqueuedAt", q."DocumentId"
LIMIT $1
FOR UPDATE OF q SKIP LOCKED`
	// projectDoneSQL removes from the queue the documents of $1 whose
	// cache row is fresh, share-locking each document row and skipping
	// one a writer holds: a writer that bumps the Etag after this lock
	// waits for the projector's commit and then queues the document again
	// (its enqueue follows its bump), one that bumped before makes the
	// lock find another Etag, so the row stays queued. Its own puts of
	// the transaction and rows a reader stored count alike.
	projectDoneSQL = `WITH fresh AS (
  SELECT d."DocumentId" FROM "dms"."Document" d
  JOIN "dms"."DocumentCache" c ON c."DocumentId" = d."DocumentId" AND c."Etag" = d."Etag"
  WHERE d."DocumentId" = ANY($1::bigint[])
  FOR SHARE OF d SKIP LOCKED)
DELETE FROM "dms"."DocumentCacheQueue" q USING fresh f WHERE q."DocumentId" = f."DocumentId"`
	// projectSweepSQL queues every document whose cache row is missing or
	// stale (one scan of dms.Document and dms.DocumentCache), as of its
	// last change, in DocumentId order: what writers without
	// Options.DocumentCache (another process, an older dmsc, a migration)
	// did not queue. It key-share-locks each document it queues, skipping
	// one a transaction holds or deleted since the statement's snapshot
	// (whose queue row would break the foreign key): a writer holding one
	// queues it itself or leaves it to the next sweep. It waits for a
	// writer queuing the same document meanwhile; a writer that then
	// waits for a row the sweep queued is a deadlock PostgreSQL breaks
	// (a write retries it, a sweep is retried on the next pass).
	projectSweepSQL = `INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId", "EnqueuedAt")
SELECT x.d, x.m FROM (
  SELECT d."DocumentId" AS d, d."LastModifiedAt" AS m
  FROM "dms"."Document" d LEFT JOIN "dms"."DocumentCache" c ON c."DocumentId" = d."DocumentId"
  WHERE c."DocumentId" IS NULL OR c."Etag" <> d."Etag"
  ORDER BY d."DocumentId"
  FOR KEY SHARE OF d SKIP LOCKED) x
ORDER BY x.d
ON CONFLICT DO NOTHING`
	// queueBacklogSQL counts the queued documents and the time since the
	// oldest was queued.
	queueBacklogSQL = `SELECT count(*), coalesce(extract(epoch FROM now() - min("EnqueuedAt")), 0)::float8
FROM "dms"."DocumentCacheQueue"`
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
	// SkipSweep claims from the queue only. Without it, Project first
	// queues every document whose cache row is missing or stale
	// (projectSweepSQL: one scan of every document), so that it also
	// projects what writers without Options.DocumentCache wrote.
	// RunProjector sweeps on its first pass and then every SweepInterval.
	SkipSweep bool
	// SweepInterval is RunProjector's time between sweeps (0:
	// DefaultSweepInterval).
	SweepInterval time.Duration
}

// DefaultSweepInterval is RunProjector's time between sweeps: the
// longest a document written by a store without Options.DocumentCache
// (which does not queue it) waits for its cache row while a projector
// runs.
const DefaultSweepInterval = 10 * time.Minute

// ProjectStats is what a Project call did.
type ProjectStats struct {
	// Batches and Documents count the transactions committed and the
	// cache rows they wrote (a row another projector wrote first with the
	// same Etag is not counted).
	Batches   int   `json:"batches"`
	Documents int64 `json:"documents"`
	// Sweep says whether the call swept (ProjectOptions.SkipSweep), and
	// Swept counts the documents the sweep queued.
	Sweep bool  `json:"sweep"`
	Swept int64 `json:"swept"`
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
// missing or stale, and the age of the oldest change among them. It
// compares every document with its cache row (a scan of both tables):
// for operators' one-off reports; QueueBacklog is what a metric polls.
func (s *Store) CacheBacklog(ctx context.Context) (Backlog, error) {
	return readBacklog(ctx, s.db, cacheBacklogSQL)
}

// QueueBacklog counts the documents queued for the projector
// (dms.DocumentCacheQueue) and the age of the oldest queue entry: the
// projector's own backlog, read without scanning every document. A
// document written by a store without Options.DocumentCache is not
// queued until a sweep (ProjectOptions.SkipSweep).
func (s *Store) QueueBacklog(ctx context.Context) (Backlog, error) {
	return readBacklog(ctx, s.db, queueBacklogSQL)
}

// rowQuerier runs single-row queries (a pool or a transaction).
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readBacklog runs a backlog query (cacheBacklogSQL, queueBacklogSQL)
// through q.
func readBacklog(ctx context.Context, q rowQuerier, sql string) (Backlog, error) {
	var b Backlog
	var secs float64
	if err := q.QueryRow(ctx, sql).Scan(&b.Documents, &secs); err != nil {
		return Backlog{}, err
	}
	b.OldestAge = time.Duration(secs * float64(time.Second))
	return b, nil
}

// Project fills dms.DocumentCache: unless opts.SkipSweep, it first queues
// every document whose cache row is missing or stale (the sweep); then,
// in batches, oldest queued first, it claims queued documents (skipping
// those another projector holds, so several may run), assembles them
// through the read path (one statement per resource of the batch, which
// reads each body with its Etag), stores each body with the Etag it
// represents, never over a newer one, and only while the document is
// still at that Etag (a body that went stale meanwhile is dropped: the
// cache invariant, cache.go), and removes from the queue the claimed
// documents whose cache row is then fresh (the rest stay queued).
// It returns when the queue is empty, opts.MaxBatches batches are done,
// a batch changed nothing (its documents were all being written: the
// next call takes them) or ctx is cancelled (ctx's error).
func (s *Store) Project(ctx context.Context, opts ProjectOptions) (ProjectStats, error) {
	start := time.Now()
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultProjectBatch
	}
	var st ProjectStats
	if !opts.SkipSweep {
		tag, err := s.db.Exec(ctx, projectSweepSQL)
		if err != nil {
			st.Elapsed = time.Since(start)
			return st, fmt.Errorf("runtime: projector: sweep: %w", err)
		}
		st.Sweep, st.Swept = true, tag.RowsAffected()
	}
	for opts.MaxBatches == 0 || st.Batches < opts.MaxBatches {
		if err := ctx.Err(); err != nil {
			st.Elapsed = time.Since(start)
			return st, err
		}
		b, err := s.projectBatch(ctx, batch)
		if err != nil {
			st.Elapsed = time.Since(start)
			return st, err
		}
		if b.claimed == 0 {
			break
		}
		st.Batches++
		st.Documents += b.written
		if opts.StopAfterPartial && b.claimed < int64(batch) {
			break
		}
		if b.written == 0 && b.done == 0 {
			// Every claimed document was held by a writer (skipped) or
			// written meanwhile: claiming again would find the same
			// ones, so the next call takes them.
			break
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// batchResult is what one projector transaction did: the documents it
// claimed, the cache rows it wrote and the documents it took off the
// queue.
type batchResult struct {
	claimed, written, done int64
}

// projectBatch projects one batch in one transaction.
func (s *Store) projectBatch(ctx context.Context, batch int) (batchResult, error) {
	var r batchResult
	// READ COMMITTED: each resource's body and Etag come from one
	// statement (consistent per document), and a row another projector
	// wrote meanwhile is updated only when this body is newer (under
	// REPEATABLE READ that update would be a serialization failure).
	tx, err := s.db.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return r, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows, err := tx.Query(ctx, projectClaimSQL, batch)
	if err != nil {
		return r, err
	}
	byKey := map[int16][]int64{}
	var claimed []int64
	for rows.Next() {
		var d int64
		var k int16
		if err := rows.Scan(&d, &k); err != nil {
			rows.Close()
			return r, err
		}
		byKey[k] = append(byKey[k], d)
		claimed = append(claimed, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.claimed = int64(len(claimed))
	if r.claimed == 0 {
		return r, nil
	}
	if r.written, err = s.projectClaimed(ctx, tx, byKey); err != nil {
		return r, err
	}
	tag, err := tx.Exec(ctx, projectDoneSQL, claimed)
	if err != nil {
		return r, err
	}
	r.done = tag.RowsAffected()
	return r, tx.Commit(ctx)
}

// projectClaimed assembles the claimed documents (by resource key) and
// stores their bodies, returning the cache rows written.
func (s *Store) projectClaimed(ctx context.Context, tx pgx.Tx, byKey map[int16][]int64) (int64, error) {
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
			return 0, fmt.Errorf("runtime: projector: resource key %d is not in the manifest", k)
		}
		docs, _, err := hydrateWith(ctx, tx, p, projectPageSQL, []any{byKey[k], p.key}, "", false)
		if err != nil {
			return 0, fmt.Errorf("runtime: projector: %s: %w", p.res.ResourceName, err)
		}
		for _, h := range docs {
			etag, err := parseETag(h.ETag)
			if err != nil {
				return 0, err
			}
			ids, uuids, rks, etags = append(ids, h.docID), append(uuids, h.ID), append(rks, p.key), append(etags, etag)
			mods, bodies = append(mods, h.LastModified.UTC().Format(time.RFC3339)), append(bodies, string(h.JSON))
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, cachePutManySQL, ids, uuids, rks, etags, mods, bodies)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// RunProjector runs Project until ctx is cancelled (then returns nil):
// after each call, which projects full batches and stops after the first
// partial one (ProjectOptions.StopAfterPartial), it waits idle before the
// next. The first call sweeps (ProjectOptions.SkipSweep), and so does the
// first call after each opts.SweepInterval; the others claim from the
// queue only. A failed call is reported to report (with the stats of what
// it did) and retried after idle (a failed sweep too). report also
// receives every successful call that wrote something; it may be nil.
func (s *Store) RunProjector(ctx context.Context, opts ProjectOptions, idle time.Duration, report func(ProjectStats, error)) error {
	if idle <= 0 {
		idle = time.Second
	}
	sweepEvery := opts.SweepInterval
	if sweepEvery <= 0 {
		sweepEvery = DefaultSweepInterval
	}
	opts.StopAfterPartial = true
	var swept time.Time // zero: sweep on the first pass
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		sweep := swept.IsZero() || time.Since(swept) >= sweepEvery
		opts.SkipSweep = !sweep
		st, err := s.Project(ctx, opts)
		if ctx.Err() != nil {
			return nil
		}
		if st.Sweep {
			swept = time.Now()
		}
		if report != nil && (err != nil || st.Documents > 0) {
			report(st, err)
		}
		t.Reset(idle)
	}
}
