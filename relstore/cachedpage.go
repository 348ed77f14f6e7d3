package relstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// cachedPageSQL reads a query page (pageSQL, yielding pageColumns) with the
// fresh cached body of each document (NULL when its dms.DocumentCache row
// is missing or stale) and, when countSQL is set, a row holding the total
// (t = 1). It runs no table arm: a page whose bodies are all fresh costs
// its page query and the cache lookups alone.
func cachedPageSQL(pageSQL, countSQL string) string {
	sql := `WITH page AS MATERIALIZED (` + pageSQL + `)
SELECT 0 AS t, d."DocumentId", d."DocumentUuid"::text, d."Etag"::text, ` + lastModifiedExpr + `, c."DocumentJson"::text
FROM page d LEFT JOIN "dms"."DocumentCache" c ON c."DocumentId" = d."DocumentId" AND c."Etag" = d."Etag"`
	if countSQL != "" {
		sql += "\nUNION ALL\nSELECT 1, (" + countSQL + "), NULL, NULL, NULL, NULL"
	}
	return sql
}

// cachedPage reads a query page through the DocumentCache: one statement
// selects the page, its fresh cached bodies and the total; when some body
// is missing or stale a second statement assembles those documents from
// the tables, by id, under the grant of ctx again (a document that left
// the grant in between is left out, like one deleted in between). So a
// page is one round trip while the projector keeps up, two otherwise.
// selected and last are the page's size and last DocumentId as the first
// statement selected them: the keyset cursor continues after last even
// when a document left the page in between.
func (s *Store) cachedPage(ctx context.Context, p *plan, pageSQL string, args []any, countSQL string) (docs []hydrated, total int64, selected int, last int64, err error) {
	rows, err := s.db.Query(ctx, cachedPageSQL(pageSQL, countSQL), args...)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	defer rows.Close()
	var missing []int64
	total = -1
	for rows.Next() {
		var t int32
		var id int64
		var uuid, etag, lastMod, body *string
		if err := rows.Scan(&t, &id, &uuid, &etag, &lastMod, &body); err != nil {
			return nil, 0, 0, 0, err
		}
		if t == 0 {
			selected++
			last = max(last, id)
		}
		switch {
		case t == 1:
			total = id
		case body == nil:
			missing = append(missing, id)
		default:
			h := hydrated{docID: id, fromCache: true}
			h.ID, h.ETag, h.JSON = str(uuid), str(etag), []byte(*body)
			h.LastModified, _ = time.Parse(time.RFC3339, str(lastMod))
			docs = append(docs, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, 0, err
	}
	rows.Close()
	if len(missing) > 0 {
		assembled, err := s.assembleByID(ctx, p, missing)
		if err != nil {
			return nil, 0, 0, 0, err
		}
		docs = append(docs, assembled...)
	}
	slices.SortFunc(docs, func(a, b hydrated) int { return cmp.Compare(a.docID, b.docID) })
	return docs, total, selected, last, nil
}

// assembleByID assembles the documents ids of p from the tables, those the
// grant of ctx allows.
func (s *Store) assembleByID(ctx context.Context, p *plan, ids []int64) ([]hydrated, error) {
	var args []any
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	page := "SELECT " + pageColumns + " FROM " + p.rootRelation() + ` r JOIN "dms"."Document" d ON d."DocumentId" = r."DocumentId" WHERE r."DocumentId" = ANY(` + param(ids) + `::bigint[])`
	granted, err := s.grantPredicate(ctx, p, param, true)
	if err != nil {
		return nil, err
	}
	if granted != "" {
		page += " AND " + granted
	}
	docs, _, err := hydrateSQL(ctx, s.db, p, fmt.Sprintf(p.readSQL, page, ""), args)
	return docs, err
}
