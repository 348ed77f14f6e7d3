package relstore

import (
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// subjectTypes are dms.DocumentSubject.SubjectType values.
var subjectTypes = map[manifest.Subject]int{
	manifest.SubjectStudent:   1,
	manifest.SubjectContact:   2,
	manifest.SubjectStaff:     3,
	manifest.SubjectEdOrg:     4,
	manifest.SubjectNamespace: 5,
}

// planSubjects builds p.subjectsSQL when the resource has transitive
// securable elements: one statement that, for the documents $1
// (bigint[]), computes each transitive element's subject document by
// following the hops' FK columns from the documents' root rows, inserts
// or updates the dms.DocumentSubject rows that differ and deletes those
// whose chain now ends in NULL.
func (s *Store) planSubjects(p *plan) error {
	var arms []string
	for _, e := range p.res.SecurableElements {
		if e.Site != manifest.SiteTransitive {
			continue
		}
		if len(e.Hops) < 2 {
			return fmt.Errorf("transitive element %s has %d hops", e.Path, len(e.Hops))
		}
		typ, ok := subjectTypes[e.Subject]
		if !ok {
			return fmt.Errorf("element %s: unknown subject %q", e.Path, e.Subject)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "SELECT h0.%s AS d, %d AS k, %d AS t, h%d.%s AS subj FROM %s h0",
			quoteIdent("DocumentId"), e.Ordinal, typ, len(e.Hops)-1, quoteIdent(e.Hops[len(e.Hops)-1].Column), qualified(e.Hops[0].Table))
		for i := 1; i < len(e.Hops); i++ {
			fmt.Fprintf(&b, " JOIN %s h%d ON h%d.%s = h%d.%s",
				qualified(e.Hops[i].Table), i, i, quoteIdent("DocumentId"), i-1, quoteIdent(e.Hops[i-1].Column))
		}
		fmt.Fprintf(&b, " WHERE h0.%s IN (SELECT id FROM docs)", quoteIdent("DocumentId"))
		arms = append(arms, b.String())
	}
	if len(arms) == 0 {
		return nil
	}
	all := make([]string, len(arms))
	for i, a := range arms {
		all[i] = strings.TrimSuffix(a, ` WHERE h0."DocumentId" IN (SELECT id FROM docs)`)
	}
	p.subjectsWantSQL = strings.Join(all, "\nUNION ALL\n")
	p.subjectsSQL = `WITH docs AS (SELECT unnest($1::bigint[]) AS id),
want AS (` + strings.Join(arms, "\nUNION ALL\n") + `),
gone AS (DELETE FROM "dms"."DocumentSubject" s USING docs
  WHERE s."DocumentId" = docs.id
    AND NOT EXISTS (SELECT 1 FROM want w WHERE w.d = s."DocumentId" AND w.k = s."ElementOrdinal" AND w.subj IS NOT NULL))
INSERT INTO "dms"."DocumentSubject" ("DocumentId", "ElementOrdinal", "SubjectType", "SubjectDocumentId")
SELECT d, k, t, subj FROM want WHERE subj IS NOT NULL
ON CONFLICT ("DocumentId", "ElementOrdinal") DO UPDATE
SET "SubjectType" = EXCLUDED."SubjectType", "SubjectDocumentId" = EXCLUDED."SubjectDocumentId"
WHERE "DocumentSubject"."SubjectDocumentId" IS DISTINCT FROM EXCLUDED."SubjectDocumentId"`
	return nil
}
