package relstore

import (
	"context"
	"strconv"
	"time"
)

const (
	// cacheGetSQL returns the cached body of a document when it is fresh
	// (its Etag equals dms.Document's).
	cacheGetSQL = `SELECT c."DocumentJson", d."Etag", d."LastModifiedAt"
FROM "dms"."Document" d JOIN "dms"."DocumentCache" c ON c."DocumentId" = d."DocumentId" AND c."Etag" = d."Etag"
WHERE d."DocumentUuid" = $1::uuid AND d."ResourceKeyId" = $2`
	// cachePutSQL stores a body read at Etag $4, never replacing a newer
	// one.
	cachePutSQL = `INSERT INTO "dms"."DocumentCache" ("DocumentId", "DocumentUuid", "ResourceKeyId", "Etag", "LastModifiedAt", "DocumentJson")
VALUES ($1, $2::uuid, $3, $4, $5::timestamptz, $6)
ON CONFLICT ("DocumentId") DO UPDATE SET "Etag" = EXCLUDED."Etag", "LastModifiedAt" = EXCLUDED."LastModifiedAt",
  "DocumentJson" = EXCLUDED."DocumentJson", "ComputedAt" = now()
WHERE "DocumentCache"."Etag" < EXCLUDED."Etag"`
)

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
