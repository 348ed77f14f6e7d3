package relstore

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/refid"
)

// CascadeStats describes the identity cascade of a write that changed a
// document's identity (or a descriptor's URI, its letter case included:
// the documents showing it change too).
type CascadeStats struct {
	// Closure counts the documents whose identity depends on the written
	// one (not counting it), found over identity edges to a fixpoint.
	Closure int
	// Levels counts the closure expansion steps.
	Levels int
	// Bumped counts the other documents whose ETag changed (the closure
	// and the one-hop referrers of closure and written document).
	Bumped int64
}

// Arrays of document ids are joined through unnest, never tested with
// `= ANY($1)`: under generic plans PostgreSQL checks ANY element by
// element on every row of a sequential scan (rows × ids), while a join on
// unnest uses the indexes.

// docsCond selects the documents (alias d) of the id array $1.
const docsCond = `d."DocumentId" IN (SELECT unnest($1::bigint[]))`

const (
	// expandSQL returns, update-locked in ascending order, the documents
	// that reference any of $1 as part of their identity and are not in
	// $2.
	expandSQL = `SELECT l."DocumentId" FROM "dms"."IdentityLock" l
WHERE l."DocumentId" IN (SELECT e."ParentDocumentId" FROM unnest($1::bigint[]) f(id) JOIN "dms"."ReferenceEdge" e ON e."ChildDocumentId" = f.id WHERE e."IsIdentityComponent")
  AND NOT EXISTS (SELECT 1 FROM unnest($2::bigint[]) c(id) WHERE c.id = l."DocumentId")
ORDER BY l."DocumentId" FOR UPDATE`
	docKeysSQL        = `SELECT "DocumentId", "ResourceKeyId" FROM "dms"."Document" WHERE "DocumentId" IN (SELECT unnest($1::bigint[])) ORDER BY "DocumentId"`
	deleteIdentitySQL = `DELETE FROM "dms"."ReferentialIdentity" WHERE "DocumentId" IN (SELECT unnest($1::bigint[]))`
	insertIdentitySQL = `INSERT INTO "dms"."ReferentialIdentity" ("ReferentialId", "DocumentId", "ResourceKeyId") SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::smallint[])`
	// bumpSQL bumps the ETag of the closure $1 and of every document that
	// references the closure or the written document ($2), except $2,
	// and returns their ids and uuids.
	bumpSQL = `UPDATE "dms"."Document" d SET "Etag" = d."Etag" + 1, "LastModifiedAt" = now()
FROM (SELECT f.id FROM unnest($1::bigint[]) f(id)
  UNION SELECT e."ParentDocumentId" FROM unnest($1::bigint[]) f(id) JOIN "dms"."ReferenceEdge" e ON e."ChildDocumentId" = f.id
  UNION SELECT e."ParentDocumentId" FROM "dms"."ReferenceEdge" e WHERE e."ChildDocumentId" = $2) t(id)
WHERE d."DocumentId" = t.id AND d."DocumentId" <> $2
RETURNING d."DocumentId", d."DocumentUuid"`
)

// cascade runs the identity cascade of document docID, whose own
// ReferentialIdentity rows are already rewritten: expand the identity
// closure to a fixpoint under update locks, recompute the closure's
// ReferentialIds set-based, and bump every affected ETag once.
func (s *Store) cascade(ctx context.Context, tx pgx.Tx, docID int64) (CascadeStats, error) {
	var st CascadeStats
	closure := []int64{docID}
	frontier := []int64{docID}
	for len(frontier) > 0 {
		rows, err := tx.Query(ctx, expandSQL, frontier, closure)
		if err != nil {
			return st, err
		}
		next, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return st, err
		}
		if len(next) == 0 {
			break
		}
		st.Levels++
		closure = append(closure, next...)
		frontier = next
	}
	members := closure[1:]
	st.Closure = len(members)
	if len(members) > 0 {
		if err := s.recomputeIdentities(ctx, tx, members); err != nil {
			return st, err
		}
	}
	rows, err := tx.Query(ctx, bumpSQL, members, docID)
	if err != nil {
		return st, err
	}
	var bumped []int64
	var id int64
	var uuid [16]byte
	if _, err := pgx.ForEachRow(rows, []any{&id, &uuid}, func() error {
		bumped = append(bumped, id)
		// Its remembered read shape went stale: forgotten, so that its
		// next GET reads it whole in one round trip (readshape.go).
		s.shapes.forget(refid.UUID(uuid))
		return nil
	}); err != nil {
		return st, err
	}
	st.Bumped = int64(len(bumped))
	// In a statement after the bump (the cache invariant, cache.go).
	if _, err := tx.Exec(ctx, s.invalidateSQL(), bumped); err != nil {
		return st, err
	}
	return st, nil
}

// recomputeIdentities rewrites the ReferentialIdentity rows of docs from
// their current identity values (one query per resource, then one delete
// and one insert for all).
func (s *Store) recomputeIdentities(ctx context.Context, tx pgx.Tx, docs []int64) error {
	rows, err := tx.Query(ctx, docKeysSQL, docs)
	if err != nil {
		return err
	}
	byKey := map[int16][]int64{}
	var keys []int16
	for rows.Next() {
		var d int64
		var k int16
		if err := rows.Scan(&d, &k); err != nil {
			rows.Close()
			return err
		}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var rid [][16]byte
	var rdocs []int64
	var rkeys []int16
	for _, k := range keys {
		p := s.byKey[k]
		if p == nil {
			continue
		}
		ids, err := s.storedIdentities(ctx, tx, p, docsCond, byKey[k])
		if err != nil {
			return err
		}
		for _, d := range ids {
			if d.broken != "" {
				return &ConflictError{Constraint: "equality", Message: fmt.Sprintf(
					"the identity change would propagate to %s %s and break its equality constraint %s; nothing was changed (delete or change the documents that reference the old identity first)", p.res.ResourceName, d.uuid, d.broken)}
			}
		}
		if p.subjectsSQL != "" {
			// Their chains may pass through the document whose identity
			// changed: recompute their transitive subjects.
			if _, err := tx.Exec(ctx, p.subjectsSQL, byKey[k]); err != nil {
				return err
			}
		}
		a, b, c := p.identityRows(ids)
		rid, rdocs, rkeys = append(rid, a...), append(rdocs, b...), append(rkeys, c...)
	}
	if _, err := tx.Exec(ctx, deleteIdentitySQL, docs); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, insertIdentitySQL, rid, rdocs, rkeys)
	return err
}
