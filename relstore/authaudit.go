package relstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The derived authorization tables AuditAuth checks, in check order.
const (
	AuthTableEdOrg   = "dms.EducationOrganization"
	AuthTableParent  = "dms.EducationOrganizationParent"
	AuthTableClosure = "auth.EducationOrganizationClosure"
	AuthTableSubject = "dms.DocumentSubject"
)

// AuthFinding is one row of a derived authorization table that differs
// from its recomputation from the documents.
type AuthFinding struct {
	// Table is one of the AuthTable names.
	Table string `json:"table"`
	// Kind is missing (recomputed, not stored), extra (stored, not
	// recomputed) or stale (same key, other value).
	Kind string `json:"kind"`
	// Row names the row's key and value ("document 12 → 7").
	Row string `json:"row"`
}

// AuthReport is the result of AuditAuth.
type AuthReport struct {
	// Rows counts the recomputed rows per table, in check order.
	Rows map[string]int64 `json:"rows"`
	// Differences counts every finding (Findings may be truncated).
	Differences int64 `json:"differences"`
	// Findings are the differences, table by table, sorted by row.
	Findings []AuthFinding `json:"findings"`
	// Repaired is true when the tables were rewritten (rebuild).
	Repaired bool `json:"repaired"`
	// Elapsed is the audit's duration.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// authCheck is one table's recomputation: want yields the expected rows as
// (key text, value text); have the stored ones; rebuild rewrites the table
// from want.
type authCheck struct {
	table      string
	want, have string
	rebuild    []string
}

// authChecks builds the recomputations from the manifest: EdOrg rows and
// parents from the EdOrg types' root tables, the closure from those
// parents (recursive), and DocumentSubject from every transitive element's
// hops.
func (s *Store) authChecks() []authCheck {
	var edorgs, parents, subjects []string
	for i := range s.m.EdOrgTypes {
		et := &s.m.EdOrgTypes[i]
		p := s.byName[et.ProjectName+":"+et.ResourceName]
		if p == nil || p.root == nil {
			continue
		}
		edorgs = append(edorgs, fmt.Sprintf(`SELECT r."DocumentId" AS d, r.%s::bigint AS id, %d::smallint AS k FROM %s r`,
			quoteIdent(et.IDColumn), p.key, p.root.qname))
		for _, par := range et.Parents {
			parents = append(parents, fmt.Sprintf(`SELECT r."DocumentId" AS d, r.%s AS parent FROM %s r`, quoteIdent(par.Column), p.root.qname))
		}
	}
	for _, p := range s.plans {
		if p.subjectsWantSQL != "" {
			subjects = append(subjects, p.subjectsWantSQL)
		}
	}
	union := func(arms []string, empty string) string {
		if len(arms) == 0 {
			return empty
		}
		return strings.Join(arms, "\nUNION ALL\n")
	}
	edorgSQL := union(edorgs, `SELECT NULL::bigint AS d, NULL::bigint AS id, NULL::smallint AS k WHERE false`)
	// Parents are the hierarchy FKs that point at an EdOrg document.
	parentSQL := `SELECT DISTINCT x.d, x.parent FROM (` + union(parents, `SELECT NULL::bigint AS d, NULL::bigint AS parent WHERE false`) +
		`) x WHERE x.parent IN (SELECT e.d FROM (` + edorgSQL + `) e)`
	subjectSQL := union(subjects, `SELECT NULL::bigint AS d, NULL::int AS k, NULL::int AS t, NULL::bigint AS subj WHERE false`)
	closureSQL := `WITH RECURSIVE p AS (` + parentSQL + `),
e AS (SELECT d FROM (` + edorgSQL + `) x),
up(d, a) AS (SELECT d, d FROM e UNION SELECT up.d, p.parent FROM up JOIN p ON p.d = up.a)
SELECT a::text || ' → ' || d::text AS key, '' AS val FROM up`
	return []authCheck{
		{table: AuthTableEdOrg,
			want: `SELECT d::text AS key, id::text || ' (resource key ' || k::text || ')' AS val FROM (` + edorgSQL + `) w`,
			have: `SELECT "DocumentId"::text, "EducationOrganizationId"::text || ' (resource key ' || "ResourceKeyId"::text || ')' FROM "dms"."EducationOrganization"`,
			rebuild: []string{
				`DELETE FROM "dms"."EducationOrganizationParent" p WHERE NOT EXISTS (SELECT 1 FROM (` + edorgSQL + `) w WHERE w.d = p."DocumentId")
  OR NOT EXISTS (SELECT 1 FROM (` + edorgSQL + `) w WHERE w.d = p."ParentDocumentId")`,
				`DELETE FROM "dms"."EducationOrganization" e WHERE NOT EXISTS (SELECT 1 FROM (` + edorgSQL + `) w WHERE w.d = e."DocumentId")`,
				`INSERT INTO "dms"."EducationOrganization" ("DocumentId", "EducationOrganizationId", "ResourceKeyId") SELECT d, id, k FROM (` + edorgSQL + `) w
ON CONFLICT ("DocumentId") DO UPDATE SET "EducationOrganizationId" = EXCLUDED."EducationOrganizationId", "ResourceKeyId" = EXCLUDED."ResourceKeyId"`}},
		{table: AuthTableParent,
			want:    `SELECT d::text || ' → ' || parent::text AS key, '' AS val FROM (` + parentSQL + `) w`,
			have:    `SELECT "DocumentId"::text || ' → ' || "ParentDocumentId"::text, '' FROM "dms"."EducationOrganizationParent"`,
			rebuild: []string{`DELETE FROM "dms"."EducationOrganizationParent" WHERE true`, `INSERT INTO "dms"."EducationOrganizationParent" ("DocumentId", "ParentDocumentId") SELECT d, parent FROM (` + parentSQL + `) w ON CONFLICT DO NOTHING`}},
		{table: AuthTableClosure,
			want:    closureSQL,
			have:    `SELECT "AncestorDocumentId"::text || ' → ' || "DescendantDocumentId"::text, '' FROM "auth"."EducationOrganizationClosure"`,
			rebuild: []string{`DELETE FROM "auth"."EducationOrganizationClosure" WHERE true`, `INSERT INTO "auth"."EducationOrganizationClosure" ("AncestorDocumentId", "DescendantDocumentId") SELECT split_part(key, ' → ', 1)::bigint, split_part(key, ' → ', 2)::bigint FROM (` + closureSQL + `) c ON CONFLICT DO NOTHING`}},
		{table: AuthTableSubject,
			want:    `SELECT d::text || ' #' || k::text AS key, subj::text || ' (type ' || t::text || ')' AS val FROM (` + subjectSQL + `) w WHERE subj IS NOT NULL`,
			have:    `SELECT "DocumentId"::text || ' #' || "ElementOrdinal"::text, "SubjectDocumentId"::text || ' (type ' || "SubjectType"::text || ')' FROM "dms"."DocumentSubject"`,
			rebuild: []string{`DELETE FROM "dms"."DocumentSubject" WHERE true`, `INSERT INTO "dms"."DocumentSubject" ("DocumentId", "ElementOrdinal", "SubjectType", "SubjectDocumentId") SELECT d, k, t, subj FROM (` + subjectSQL + `) w WHERE subj IS NOT NULL ON CONFLICT DO NOTHING`}},
	}
}

// authDiffSQL compares a check's want and have: (kind, key, want, have).
const authDiffSQL = `WITH w(key, val) AS (%s), h(key, val) AS (%s)
SELECT CASE WHEN h.key IS NULL THEN 'missing' WHEN w.key IS NULL THEN 'extra' ELSE 'stale' END,
  coalesce(w.key, h.key), coalesce(w.val, ''), coalesce(h.val, '')
FROM w FULL JOIN h ON h.key = w.key
WHERE w.key IS NULL OR h.key IS NULL OR w.val IS DISTINCT FROM h.val
ORDER BY 2, 1`

// AuditAuth recomputes the derived authorization tables from the
// documents — dms.EducationOrganization and its parent rows from the EdOrg
// types' root tables, the closure from those parents, dms.DocumentSubject
// from the transitive elements' hops — and compares them with what is
// stored, both ways, under dms.AuthLock (no hierarchy write runs
// meanwhile). Each table is compared in one statement, which starts after
// the lock is held (READ COMMITTED: it sees every write committed before).
// With repair, every table that differs is rewritten from its
// recomputation in the same transaction.
// At most maxFindings findings are kept (counts stay exact).
func (s *Store) AuditAuth(ctx context.Context, repair bool, maxFindings int) (*AuthReport, error) {
	start := time.Now()
	tx, err := s.db.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, lockAuthSQL); err != nil {
		return nil, fmt.Errorf("lock dms.AuthLock: %w", err)
	}
	rep := &AuthReport{Rows: map[string]int64{}, Findings: []AuthFinding{}}
	for _, c := range s.authChecks() {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (`+c.want+`) w`).Scan(&n); err != nil {
			return nil, fmt.Errorf("recompute %s: %w", c.table, err)
		}
		rep.Rows[c.table] = n
		rows, err := tx.Query(ctx, fmt.Sprintf(authDiffSQL, c.want, c.have))
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", c.table, err)
		}
		differs := false
		for rows.Next() {
			var kind, key, want, have string
			if err := rows.Scan(&kind, &key, &want, &have); err != nil {
				rows.Close()
				return nil, err
			}
			differs = true
			rep.Differences++
			if len(rep.Findings) < maxFindings {
				rep.Findings = append(rep.Findings, AuthFinding{Table: c.table, Kind: kind, Row: authRow(key, want, have)})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if repair && differs {
			for _, sql := range c.rebuild {
				if _, err := tx.Exec(ctx, sql); err != nil {
					return nil, fmt.Errorf("rebuild %s: %w", c.table, err)
				}
			}
		}
	}
	if repair && rep.Differences > 0 {
		if err := tx.Commit(ctx); err != nil {
			return nil, err
		}
		rep.Repaired = true
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// authRow describes a finding's row: its key, and the values when both
// sides have one.
func authRow(key, want, have string) string {
	switch {
	case want != "" && have != "" && want != have:
		return key + ": " + have + ", want " + want
	case want != "":
		return key + " " + want
	case have != "":
		return key + " " + have
	}
	return key
}
