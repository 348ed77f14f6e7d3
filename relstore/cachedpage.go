package relstore

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// cachedPageSQL reads a query page — keysSQL selects its DocumentIds in
// order — with each document's dms.DocumentCache row (NULLs when it has
// none) and, when countSQL is set, a row holding the total (t = 1). It
// reads neither dms.Document nor any table arm: a cache row exists only
// at its document's current Etag (cache.go), so the row's own
// DocumentUuid, Etag and LastModifiedAt are the document's, in the
// statement's snapshot, as a cached GET takes them. A page whose bodies
// are all cached costs its key query and the cache lookups alone.
func cachedPageSQL(keysSQL, countSQL string) string {
	sql := `WITH k AS MATERIALIZED (` + keysSQL + `)
SELECT 0 AS t, k."DocumentId", c."DocumentUuid"::text, c."Etag", c."LastModifiedAt", c."DocumentJson"::text
FROM k LEFT JOIN "dms"."DocumentCache" c ON c."DocumentId" = k."DocumentId"`
	if countSQL != "" {
		sql += "\nUNION ALL\nSELECT 1, (" + countSQL + "), NULL, NULL, NULL, NULL"
	}
	return sql
}

// cachedPage reads a query page through the DocumentCache: one statement
// selects the page's keys (keysSQL), their cached bodies and the total;
// when some body is missing a second statement assembles those documents
// from the tables, by id, under the grant of ctx again (a document that
// left the grant in between is left out, like one deleted in between).
// So a page is one round trip while the projector keeps up, two
// otherwise.
// selected and last are the page's size and last DocumentId as the first
// statement selected them: the keyset cursor continues after last even
// when a document left the page in between.
func (s *Store) cachedPage(ctx context.Context, p *plan, keysSQL string, args []any, countSQL string) (docs []hydrated, total int64, selected int, last int64, err error) {
	rows, err := s.db.Query(ctx, cachedPageSQL(keysSQL, countSQL), args...)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	defer rows.Close()
	var missing []int64
	total = -1
	for rows.Next() {
		var r cachedRow
		if err := scanCachedRow(rows, &r); err != nil {
			return nil, 0, 0, 0, err
		}
		if r.t == 0 {
			selected++
			last = max(last, r.id)
		}
		switch {
		case r.t == 1:
			total = r.id
		case r.body == nil:
			missing = append(missing, r.id)
		default:
			h := hydrated{docID: r.id, fromCache: true}
			h.ID, h.ETag, h.JSON = r.uuid, strconv.FormatInt(r.etag, 10), r.body
			h.LastModified = r.lastMod.UTC().Truncate(time.Second) // as lastModifiedExpr renders it
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
	granted, err := s.grantPredicate(ctx, p, param, formProbe, 0)
	if err != nil {
		return nil, err
	}
	if granted != "" {
		page += " AND " + granted
	}
	docs, _, err := hydrateSQL(ctx, s.db, p, fmt.Sprintf(p.readSQL, page, ""), args)
	return docs, err
}

// cachedRow is one row of cachedPageSQL: the arm, the DocumentId (or the
// total), and the page columns with the cached body (nil when missing or
// stale).
type cachedRow struct {
	t, id   int64
	uuid    string
	etag    int64
	lastMod time.Time
	body    []byte
}

// pgEpochMicros is the origin of PostgreSQL's binary timestamps
// (2000-01-01 UTC) in Unix microseconds.
const pgEpochMicros = 946684800000000

// scanCachedRow decodes one row of cachedPageSQL from its wire values: an
// allocation for the uuid and one copy of the body, where pgx's scan into
// pointers allocated twice per column. A row in another shape or format
// is left to rows.Scan.
func scanCachedRow(rows pgx.Rows, r *cachedRow) error {
	fds := rows.FieldDescriptions()
	raw := rows.RawValues()
	want := [...]uint32{pgtype.Int4OID, pgtype.Int8OID, pgtype.TextOID, pgtype.Int8OID, pgtype.TimestamptzOID, pgtype.TextOID}
	size := [...]int{4, 8, -1, 8, 8, -1}
	fast := len(fds) == len(want) && len(raw) == len(want)
	for i := 0; fast && i < len(want); i++ {
		fast = fds[i].DataTypeOID == want[i] && (size[i] < 0 || fds[i].Format == pgx.BinaryFormatCode && (raw[i] == nil || len(raw[i]) == size[i]))
	}
	if !fast || raw[0] == nil || raw[1] == nil {
		var t int32
		var uuid *string
		var etag *int64
		var lastMod *time.Time
		if err := rows.Scan(&t, &r.id, &uuid, &etag, &lastMod, &r.body); err != nil {
			return err
		}
		r.t, r.uuid = int64(t), str(uuid)
		if etag != nil {
			r.etag = *etag
		}
		if lastMod != nil {
			r.lastMod = *lastMod
		}
		return nil
	}
	r.t = int64(int32(binary.BigEndian.Uint32(raw[0])))
	r.id = int64(binary.BigEndian.Uint64(raw[1]))
	if raw[2] == nil { // the total's row
		return nil
	}
	r.uuid = string(raw[2])
	r.etag = int64(binary.BigEndian.Uint64(raw[3]))
	r.lastMod = time.UnixMicro(pgEpochMicros + int64(binary.BigEndian.Uint64(raw[4])))
	if raw[5] != nil {
		r.body = append(make([]byte, 0, len(raw[5])), raw[5]...)
	}
	return nil
}
