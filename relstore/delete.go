package relstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/refid"
)

const (
	// The document is locked by lockByUUIDSQL (write.go); its Etag is
	// read by the next statement, which starts once the lock is held (a
	// statement that waited keeps its old snapshot).
	readForDeleteSQL = `SELECT d."DocumentId", d."Etag" FROM "dms"."Document" d
WHERE d."DocumentUuid" = $1::uuid AND d."ResourceKeyId" = $2`
	referrersSQL = `SELECT DISTINCT rk."ProjectName" || ':' || rk."ResourceName"
FROM "dms"."ReferenceEdge" e JOIN "dms"."Document" pd ON pd."DocumentId" = e."ParentDocumentId"
JOIN "dms"."ResourceKey" rk ON rk."ResourceKeyId" = pd."ResourceKeyId"
WHERE e."ChildDocumentId" = (SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid)
  AND e."ParentDocumentId" <> e."ChildDocumentId"
ORDER BY 1`
	deleteDocSQL = `DELETE FROM "dms"."Document" WHERE "DocumentId" = $1`
)

// Delete removes the document id. ifMatch, when not "", must equal the
// document's current ETag. A referenced document is not deleted: the
// error is a *ReferencedError listing the referring resources.
func (s *Store) Delete(ctx context.Context, projectEndpoint, endpoint, id, ifMatch string) (err error) {
	defer func() { err = classify(err) }()
	p, err := s.entry(ctx, projectEndpoint, endpoint)
	if err != nil {
		return err
	}
	u, err := refid.Parse(id)
	if err != nil {
		return fmt.Errorf("%w: %q is not a document id", ErrNotFound, id)
	}
	id = strings.ToLower(id)
	if err := s.retrying(ctx, func() error { return s.deleteOnce(ctx, p, id, ifMatch, nil) }); err != nil {
		return err
	}
	s.shapes.forget(u)
	return nil
}

// deleteOnce is one attempt of a delete; finish, when not nil, runs in
// its transaction before the commit (ImportDelete).
func (s *Store) deleteOnce(ctx context.Context, p *plan, id, ifMatch string, finish func(context.Context, pgx.Tx) error) error {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	// BEGIN goes with the first batch and, without finish, COMMIT with
	// the DELETE: two round trips.
	tx := newPipeTx(conn.Conn())
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	b := &pgx.Batch{}
	b.Queue(lockByUUIDSQL, [][16]byte{}, id, p.key)
	b.Queue(readForDeleteSQL, id, p.key)
	b.Queue(referrersSQL, id)
	g, granted := grantFrom(ctx)
	if granted {
		sql, args, err := s.allowedSQL(ctx, p, g.Predicate, storedByUUIDExpr, []any{id, p.key})
		if err != nil {
			return err
		}
		b.Queue(sql, args...)
	}
	br := tx.SendBatch(ctx, b)
	var docID, etag int64
	var referrers []string
	allowed := true
	err = func() error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		if err := br.QueryRow().Scan(&docID, &etag); err != nil {
			if isNoRows(err) {
				return ErrNotFound
			}
			return err
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		referrers, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if granted {
			if err := br.QueryRow().Scan(&allowed); err != nil && !isNoRows(err) {
				return err
			}
		}
		return br.Close()
	}()
	if err != nil {
		_ = br.Close()
		return err
	}
	if !allowed {
		return denied("the stored document")
	}
	if ifMatch != "" && strings.Trim(ifMatch, `"`) != strconv.FormatInt(etag, 10) {
		return ErrETagMismatch
	}
	if len(referrers) > 0 {
		return &ReferencedError{Referrers: referrers}
	}
	b = &pgx.Batch{}
	if p.edorg != nil {
		b.Queue(lockAuthSQL)
		b.Queue(closureDeleteSQL, docID)
	}
	b.Queue(deleteDocSQL, docID)
	if finish == nil {
		tx.commitWithNextBatch()
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		var pg *pgconn.PgError
		if errors.As(err, &pg) && pg.Code == "23503" {
			return &ReferencedError{Referrers: []string{"a document written concurrently (" + pg.TableName + ")"}}
		}
		return err
	}
	if finish != nil {
		if err := finish(ctx, tx); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
