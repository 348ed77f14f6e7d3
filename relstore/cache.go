package relstore

import (
	"context"
	"strconv"
	"time"
)

// The cache invariant: a dms.DocumentCache row exists only at its
// document's current Etag, so a GET serves the row it finds by
// DocumentUuid without reading dms.Document (one index lookup, as the
// JSONB store's GET). Two rules keep it under READ COMMITTED:
//
//   - Every writer that bumps an Etag deletes the document's cache row in
//     a later statement of its transaction (invalidateCacheSQL, or the
//     dc CTE of a plan's rowsSQL after its updateSQL). The bump row-locks
//     the dms.Document row until commit, and the later statement's
//     snapshot holds every cache row committed before the lock was
//     granted.
//   - Every cache insert share-locks the document's dms.Document row in
//     the inserting statement and keeps the row only while the Etag still
//     equals the one the body was read at (SKIP LOCKED: a row a writer
//     holds is left to the next projection, never waited for). A writer
//     bumping the Etag after that lock waits for the insert's commit, and
//     its later delete sees the row; a writer that bumped first makes the
//     insert find another Etag (the lock re-reads the newest row version).
//
// The freshness the spec defines (a row's Etag equals the document's) is
// therefore what every row has; pages and grant reads, which read
// dms.Document anyway, still compare the Etags. Open removes rows a
// writer of an older dmsc left stale.
const (
	// cacheGetSQL returns the cached body of a document (fresh by the
	// invariant above).
	cacheGetSQL = `SELECT c."DocumentJson", c."Etag", c."LastModifiedAt"
FROM "dms"."DocumentCache" c
WHERE c."DocumentUuid" = $1::uuid AND c."ResourceKeyId" = $2`
	// cachePutSQL stores a body of document $1 read at Etag $4 while the
	// document is still at that Etag, never replacing a newer one.
	cachePutSQL = `INSERT INTO "dms"."DocumentCache" ("DocumentId", "DocumentUuid", "ResourceKeyId", "Etag", "LastModifiedAt", "DocumentJson")
SELECT d."DocumentId", d."DocumentUuid", d."ResourceKeyId", d."Etag", $5::timestamptz, $6
FROM "dms"."Document" d
WHERE d."DocumentId" = $1 AND d."DocumentUuid" = $2::uuid AND d."ResourceKeyId" = $3 AND d."Etag" = $4
FOR SHARE OF d SKIP LOCKED
ON CONFLICT ("DocumentId") DO UPDATE SET "Etag" = EXCLUDED."Etag", "LastModifiedAt" = EXCLUDED."LastModifiedAt",
  "DocumentJson" = EXCLUDED."DocumentJson", "ComputedAt" = now()
WHERE "DocumentCache"."Etag" < EXCLUDED."Etag"`
	// invalidateCacheSQL deletes the cache rows of documents $1 whose
	// Etags an earlier statement of the transaction bumped.
	invalidateCacheSQL = `DELETE FROM "dms"."DocumentCache" WHERE "DocumentId" IN (SELECT unnest($1::bigint[]))`
	// invalidateOneCTE is invalidateCacheSQL of document $1 as a CTE of
	// the statement that follows a plan's updateSQL.
	invalidateOneCTE = `dc AS (DELETE FROM "dms"."DocumentCache" WHERE "DocumentId" = $1)`
	// enqueueOneCTE queues document $1 for the projector (a write of a
	// store with Options.DocumentCache: in createSQL, and beside
	// invalidateOneCTE after an update's bump). A document already queued
	// keeps its place (the oldest change first).
	enqueueOneCTE = `dq AS (INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId") VALUES ($1) ON CONFLICT DO NOTHING)`
	// invalidateAndEnqueueSQL is invalidateCacheSQL queuing the documents
	// for the projector too, in DocumentId order (as the sweep inserts, so
	// that two inserting transactions never wait on each other in a
	// cycle).
	invalidateAndEnqueueSQL = `WITH dc AS (DELETE FROM "dms"."DocumentCache" WHERE "DocumentId" IN (SELECT unnest($1::bigint[])))
` + enqueueManySQL
	// enqueueManySQL queues documents $1, which the transaction holds
	// (bumped), for the projector, in DocumentId order.
	enqueueManySQL = `INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId") SELECT DISTINCT x FROM unnest($1::bigint[]) AS x ORDER BY x ON CONFLICT DO NOTHING`
	// enqueueExistingSQL queues those of documents $1 that exist, for a
	// transaction that does not hold them: each is key-share-locked,
	// skipping one deleted meanwhile (or held by a writer, which queues it
	// itself or leaves it to a sweep).
	enqueueExistingSQL = `INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId")
SELECT x.d FROM (SELECT d."DocumentId" AS d FROM "dms"."Document" d WHERE d."DocumentId" = ANY($1::bigint[]) ORDER BY 1 FOR KEY SHARE OF d SKIP LOCKED) x
ORDER BY x.d ON CONFLICT DO NOTHING`
	// purgeStaleCacheSQL deletes the rows whose Etag is not their
	// document's (left by a writer that did not keep the invariant).
	purgeStaleCacheSQL = `DELETE FROM "dms"."DocumentCache" c USING "dms"."Document" d
WHERE d."DocumentId" = c."DocumentId" AND d."Etag" <> c."Etag"`
)

// invalidateSQL is the statement that follows a bump of documents $1:
// invalidateCacheSQL, queuing them for the projector when the store's
// writes do (Options.DocumentCache).
func (s *Store) invalidateSQL() string {
	if s.opts.DocumentCache {
		return invalidateAndEnqueueSQL
	}
	return invalidateCacheSQL
}

// cachedGet returns the fresh cached body of document id, if any.
func (s *Store) cachedGet(ctx context.Context, p *plan, id string) (Document, bool, error) {
	var body []byte
	var etag int64
	var lastMod time.Time
	err := s.db.QueryRow(ctx, cacheGetSQL, id, p.key).Scan(&body, &etag, &lastMod)
	if isNoRows(err) {
		return Document{}, false, nil
	}
	if err != nil {
		return Document{}, false, err
	}
	d := Document{ID: id, ETag: strconv.FormatInt(etag, 10), JSON: body}
	d.LastModified = lastMod.UTC().Truncate(time.Second) // as lastModifiedExpr renders it
	return d, true, nil
}

// cachePut stores a hydrated body as the cache row of its ETag. A failure
// is not the reader's problem: the next read recomputes.
func (s *Store) cachePut(ctx context.Context, p *plan, h hydrated) {
	etag, err := parseETag(h.ETag)
	if err != nil {
		return
	}
	_, _ = s.db.Exec(ctx, cachePutSQL, h.docID, h.ID, p.key, etag, h.LastModified.UTC().Format(time.RFC3339), string(h.JSON))
}

// parseETag reads an `_etag` value (the decimal Etag).
func parseETag(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// CacheStats counts, since the store was opened, the GETs that
// Options.DocumentCache served from a fresh cache row (Hits) and those
// that assembled the document instead (Misses); a GET under a grant
// counts only when the grant allows the document.
type CacheStats struct {
	Hits, Misses int64
}

// CacheStats returns the store's cache counters.
func (s *Store) CacheStats() CacheStats {
	return CacheStats{Hits: s.cacheHits.Load(), Misses: s.cacheMisses.Load()}
}
