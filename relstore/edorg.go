package relstore

import (
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// The EdOrg hierarchy statements. Every EdOrg write (and delete) takes
// lockAuthSQL once its document locks are held (first in its second round
// trip), so hierarchy changes are serialised — and a writer waiting for a
// document never holds AuthLock — and the statements below, which start
// after the lock is held, see every hierarchy change committed before.
const (
	lockAuthSQL = `SELECT "LockId" FROM "dms"."AuthLock" WHERE "LockId" = 1 FOR UPDATE`
	// edOrgCycleSQL ($1 document, $2 parents): a parent is the document
	// itself or one of its descendants.
	edOrgCycleSQL = `SELECT $1 = ANY($2::bigint[]) OR EXISTS (SELECT 1 FROM "auth"."EducationOrganizationClosure"
WHERE "AncestorDocumentId" = $1 AND "DescendantDocumentId" = ANY($2::bigint[]))`
	// edOrgRowSQL ($1 document, $2 EducationOrganizationId, $3 ResourceKeyId).
	edOrgRowSQL = `INSERT INTO "dms"."EducationOrganization" ("DocumentId", "EducationOrganizationId", "ResourceKeyId")
VALUES ($1, $2, $3)
ON CONFLICT ("DocumentId") DO UPDATE SET "EducationOrganizationId" = EXCLUDED."EducationOrganizationId"
WHERE "EducationOrganization"."EducationOrganizationId" <> EXCLUDED."EducationOrganizationId"`
	edOrgParentsDeleteSQL = `DELETE FROM "dms"."EducationOrganizationParent"
WHERE "DocumentId" = $1 AND NOT ("ParentDocumentId" = ANY($2::bigint[]))`
	edOrgParentsInsertSQL = `INSERT INTO "dms"."EducationOrganizationParent" ("DocumentId", "ParentDocumentId")
SELECT $1, p FROM unnest($2::bigint[]) AS p ON CONFLICT DO NOTHING`
	// closureStaleSQL removes the closure rows of the document's subtree
	// when the document's ancestors in the closure are not {itself} ∪ the
	// closure ancestors of its (new) parents.
	closureStaleSQL = `WITH want AS (
  SELECT $1::bigint AS a
  UNION SELECT c."AncestorDocumentId" FROM "auth"."EducationOrganizationClosure" c
  JOIN "dms"."EducationOrganizationParent" p ON c."DescendantDocumentId" = p."ParentDocumentId" WHERE p."DocumentId" = $1),
have AS (SELECT "AncestorDocumentId" AS a FROM "auth"."EducationOrganizationClosure" WHERE "DescendantDocumentId" = $1)
DELETE FROM "auth"."EducationOrganizationClosure" c
WHERE c."DescendantDocumentId" IN (SELECT "DescendantDocumentId" FROM "auth"."EducationOrganizationClosure" WHERE "AncestorDocumentId" = $1)
  AND EXISTS ((SELECT a FROM want EXCEPT SELECT a FROM have) UNION ALL (SELECT a FROM have EXCEPT SELECT a FROM want))`
	// closureRebuildSQL rewrites the closure of the document's subtree
	// (walked down through the parent table) from the parent table, when
	// the document has no self pair (new, or removed as stale above).
	// Each step looks its rows up through the parent table's index (a
	// LATERAL subquery the planner cannot flatten, OFFSET 0), and the
	// walks are UNION ALL bounded at maxEdOrgDepth levels, duplicates left
	// to ON CONFLICT: a generic plan of the UNION form hashed the whole
	// parent table per step and sized its dedup table for a million rows
	// (a new school under 10,101 EdOrgs: about 8 ms against 0.04 ms).
	closureRebuildSQL = `WITH RECURSIVE down(id, n) AS (
  SELECT $1::bigint, 0
  UNION ALL SELECT p."DocumentId", down.n + 1 FROM down CROSS JOIN LATERAL (
    SELECT p."DocumentId" FROM "dms"."EducationOrganizationParent" p WHERE p."ParentDocumentId" = down.id OFFSET 0) p
  WHERE down.n < ` + maxEdOrgDepth + `),
up(d, a, n) AS (
  SELECT id, id, 0 FROM down
  UNION ALL SELECT up.d, p."ParentDocumentId", up.n + 1 FROM up CROSS JOIN LATERAL (
    SELECT p."ParentDocumentId" FROM "dms"."EducationOrganizationParent" p WHERE p."DocumentId" = up.a OFFSET 0) p
  WHERE up.n < ` + maxEdOrgDepth + `)
INSERT INTO "auth"."EducationOrganizationClosure" ("AncestorDocumentId", "DescendantDocumentId")
SELECT a, d FROM up
WHERE NOT EXISTS (SELECT 1 FROM "auth"."EducationOrganizationClosure" WHERE "AncestorDocumentId" = $1 AND "DescendantDocumentId" = $1)
ON CONFLICT DO NOTHING`
	// maxEdOrgDepth bounds the closure walks (the writes refuse cycles;
	// Ed-Fi hierarchies are 3–4 levels deep).
	maxEdOrgDepth = "64"
	// closureDeleteSQL drops a deleted EdOrg's closure rows.
	closureDeleteSQL = `DELETE FROM "auth"."EducationOrganizationClosure" WHERE "DescendantDocumentId" = $1 OR "AncestorDocumentId" = $1`
)

// edOrgPlan says how writes of an EdOrg type keep the hierarchy tables:
// dms.EducationOrganization, dms.EducationOrganizationParent and the
// closure.
type edOrgPlan struct {
	// idCol is the root dataCols index of the EducationOrganizationId.
	idCol int
	// parentCols are the root dataCols indexes of the hierarchy FKs.
	parentCols []int
}

// planEdOrgs attaches an edOrgPlan to every EdOrg type of the manifest.
func (s *Store) planEdOrgs() error {
	for i := range s.m.EdOrgTypes {
		et := &s.m.EdOrgTypes[i]
		p := s.byName[et.ProjectName+":"+et.ResourceName]
		if p == nil || p.root == nil {
			return fmt.Errorf("relstore.Open: EdOrg type %s:%s is no resource with tables", et.ProjectName, et.ResourceName)
		}
		ep := &edOrgPlan{idCol: -1}
		for _, c := range p.root.dataCols {
			if c.c.Name == et.IDColumn {
				ep.idCol = c.idx
			}
			for _, par := range et.Parents {
				if c.c.Name == par.Column {
					ep.parentCols = append(ep.parentCols, c.idx)
				}
			}
		}
		if ep.idCol < 0 || len(ep.parentCols) != len(et.Parents) {
			return fmt.Errorf("relstore.Open: EdOrg type %s:%s: its id or parent columns are not root columns", et.ProjectName, et.ResourceName)
		}
		p.edorg, p.edorgType = ep, et
	}
	return nil
}

// HierarchyCycleError reports an EdOrg write that would make an EdOrg its
// own ancestor. Nothing was written. Servers map it to 409.
type HierarchyCycleError struct {
	// DocumentID is the EdOrg document.
	DocumentID int64
}

// Error implements error.
func (e *HierarchyCycleError) Error() string {
	return "conflict: the education organization would become its own ancestor (a parent is the organization itself or one of its descendants)"
}

// queueEdOrg queues, after the document's rows, the maintenance of an EdOrg
// write: the cycle check, the dms.EducationOrganization row, the parent
// rows and the closure of its subtree. Its results are read by
// readEdOrg. A created document (a DocumentId no row holds yet) has no
// descendant, parent row or closure row to check or remove: only its row,
// its parents and its closure are inserted (a third of the DS 5.0 corpus
// are EdOrgs, each three statements fewer).
func (p *plan) queueEdOrg(b *pgx.Batch, f *flat, docID int64, created bool) error {
	root := f.rows[0][0]
	idText := root.vals[p.edorg.idCol]
	if idText == nil {
		return fmt.Errorf("runtime: EdOrg %s has no id", p.res.ResourceName)
	}
	edOrgID, err := strconv.ParseInt(*idText, 10, 64)
	if err != nil {
		return fmt.Errorf("runtime: EdOrg id %q: %w", *idText, err)
	}
	parents := []int64{}
	for _, c := range p.edorg.parentCols {
		if v := root.vals[c]; v != nil {
			d, err := strconv.ParseInt(*v, 10, 64)
			if err != nil {
				return fmt.Errorf("runtime: EdOrg parent %q: %w", *v, err)
			}
			parents = append(parents, d)
		}
	}
	if created {
		b.Queue(edOrgRowSQL, docID, edOrgID, p.key)
		b.Queue(edOrgParentsInsertSQL, docID, parents)
		b.Queue(closureRebuildSQL, docID)
		return nil
	}
	b.Queue(edOrgCycleSQL, docID, parents)
	b.Queue(edOrgRowSQL, docID, edOrgID, p.key)
	b.Queue(edOrgParentsDeleteSQL, docID, parents)
	b.Queue(edOrgParentsInsertSQL, docID, parents)
	b.Queue(closureStaleSQL, docID)
	b.Queue(closureRebuildSQL, docID)
	return nil
}

// readEdOrg reads the results queueEdOrg queued (created as given to it):
// a cycle is a *HierarchyCycleError (the caller rolls back).
func readEdOrg(br pgx.BatchResults, docID int64, created bool) error {
	if created {
		for range 3 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		return nil
	}
	var cycle bool
	if err := br.QueryRow().Scan(&cycle); err != nil {
		return err
	}
	for range 5 {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	if cycle {
		return &HierarchyCycleError{DocumentID: docID}
	}
	return nil
}
