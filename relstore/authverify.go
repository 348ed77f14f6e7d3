package relstore

import (
	"fmt"
	"strings"
)

// AuthVerifyError reports a write whose maintained authorization rows
// differ from their recomputation (Options.VerifyAuthRows). The write was
// rolled back. It is a bug in the runtime or a corrupted database, never
// the caller's fault (500).
type AuthVerifyError struct {
	// DocumentID is the written document.
	DocumentID int64
	// Differences counts the rows that differ (missing or extra).
	Differences int64
}

// Error implements error.
func (e *AuthVerifyError) Error() string {
	return fmt.Sprintf("runtime: authorization row verification failed: %d derived authorization rows of document %d differ from their recomputation", e.Differences, e.DocumentID)
}

// symmetricDiffCount counts the rows of two relations with the same
// columns that are in one and not the other.
func symmetricDiffCount(want, have string) string {
	return `(SELECT count(*) FROM ((SELECT * FROM ` + want + ` EXCEPT SELECT * FROM ` + have + `) UNION ALL (SELECT * FROM ` + have + ` EXCEPT SELECT * FROM ` + want + `)) x)`
}

// closureVerifyCTE recomputes, from the parent table, the closure of the
// subtree of EdOrg document $1 (cw: descendant, ancestor) and reads the
// stored one (ch).
const closureVerifyCTE = `down(id) AS (
  SELECT $1::bigint
  UNION SELECT p."DocumentId" FROM "dms"."EducationOrganizationParent" p JOIN down ON p."ParentDocumentId" = down.id),
cw(d, a) AS (
  SELECT id, id FROM down
  UNION SELECT cw.d, p."ParentDocumentId" FROM cw JOIN "dms"."EducationOrganizationParent" p ON p."DocumentId" = cw.a),
ch AS (SELECT "DescendantDocumentId" AS d, "AncestorDocumentId" AS a FROM "auth"."EducationOrganizationClosure"
  WHERE "DescendantDocumentId" IN (SELECT id FROM down))`

// planAuthVerify builds p.authVerifySQL, which counts for document $1 the
// derived authorization rows that differ from their recomputation: its
// dms.DocumentSubject rows (from the transitive elements' hops) and, for
// an EdOrg type, its dms.EducationOrganization row, its parent rows (from
// the root's hierarchy FK columns) and the closure rows of its subtree
// (from the parent table). "" when the resource derives none.
func (s *Store) planAuthVerify(p *plan) {
	var ctes, counts []string
	if p.subjectsWantSQL != "" {
		ctes = append(ctes,
			`sw AS (SELECT d::bigint, k::bigint, t::bigint, subj::bigint FROM (`+p.subjectsWantSQL+`) w WHERE w.d = $1 AND w.subj IS NOT NULL)`,
			`sh AS (SELECT "DocumentId"::bigint, "ElementOrdinal"::bigint, "SubjectType"::bigint, "SubjectDocumentId"::bigint FROM "dms"."DocumentSubject" WHERE "DocumentId" = $1)`)
		counts = append(counts, symmetricDiffCount("sw", "sh"))
	}
	if p.edorg != nil {
		et := p.edorgType
		var parents []string
		for _, par := range et.Parents {
			parents = append(parents, fmt.Sprintf(`SELECT r.%s AS p FROM %s r WHERE r."DocumentId" = $1`, quoteIdent(par.Column), p.root.qname))
		}
		wp := `SELECT NULL::bigint AS p WHERE false`
		if len(parents) > 0 {
			wp = `SELECT x.p FROM (` + strings.Join(parents, " UNION ") + `) x WHERE x.p IN (SELECT "DocumentId" FROM "dms"."EducationOrganization")`
		}
		ctes = append(ctes,
			fmt.Sprintf(`ew AS (SELECT r."DocumentId"::bigint, r.%s::bigint, %d::bigint FROM %s r WHERE r."DocumentId" = $1)`, quoteIdent(et.IDColumn), p.key, p.root.qname),
			`eh AS (SELECT "DocumentId"::bigint, "EducationOrganizationId"::bigint, "ResourceKeyId"::bigint FROM "dms"."EducationOrganization" WHERE "DocumentId" = $1)`,
			`pw AS (`+wp+`)`,
			`ph AS (SELECT "ParentDocumentId" AS p FROM "dms"."EducationOrganizationParent" WHERE "DocumentId" = $1)`,
			closureVerifyCTE)
		counts = append(counts, symmetricDiffCount("ew", "eh"), symmetricDiffCount("pw", "ph"), symmetricDiffCount("cw", "ch"))
	}
	if len(counts) == 0 {
		return
	}
	with := "WITH "
	if p.edorg != nil {
		with = "WITH RECURSIVE "
	}
	p.authVerifySQL = with + strings.Join(ctes, ",\n") + "\nSELECT " + strings.Join(counts, "\n + ")
}
