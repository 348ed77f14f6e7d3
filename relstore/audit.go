package relstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/refid"
)

// AuditOptions select what an audit covers and how it runs.
type AuditOptions struct {
	// Resources limit the audit to these resources, each given as
	// "projectEndpoint/endpoint" (`ed-fi/schools`) or "Project:Resource";
	// empty means every resource.
	Resources []string
	// Documents limit the audit to these documents (DocumentUuids) of the
	// selected resources; empty means all.
	Documents []string
	// BatchSize is the number of documents checked per statement (default
	// 1000).
	BatchSize int
	// Resume continues an earlier run from its Report.Cursor.
	Resume string
	// Repair rewrites what differs (rebuild); without it the audit only
	// reports.
	Repair bool
	// MaxFindings bounds the findings kept in the report (default 1000);
	// counts stay exact.
	MaxFindings int
	// Progress, when set, is called after every batch.
	Progress func(Progress)
}

// Progress reports an audit's advance.
type Progress struct {
	// Resource is the resource being checked, "Project:Resource".
	Resource string
	// Checked counts the documents checked so far (all resources).
	Checked int64
	// Findings counts the differences found so far.
	Findings int64
	// Cursor resumes the audit after the last finished batch.
	Cursor string
}

// Finding kinds.
const (
	FindingMissing = "missing" // a row the data implies is absent
	FindingExtra   = "extra"   // a row the data does not imply exists
	FindingFlag    = "flag"    // an edge's IsIdentityComponent is wrong
	FindingStale   = "stale"   // a ReferentialId does not match the identity
)

// Finding is one difference between a derived index and the data.
type Finding struct {
	// Resource is the document's resource, "Project:Resource".
	Resource string `json:"resource"`
	// DocumentID and DocumentUUID identify the document.
	DocumentID   int64  `json:"document_id"`
	DocumentUUID string `json:"document_uuid"`
	// Kind is missing, extra, flag or stale.
	Kind string `json:"kind"`
	// Detail names the row (`edge → 42 (identity)`, `alias Ed-Fi:EducationOrganization`).
	Detail string `json:"detail"`
	// identity marks edge findings that involve an identity edge.
	identity bool
}

// Report is the result of an audit or rebuild.
type Report struct {
	// Checked counts the documents checked.
	Checked int64 `json:"checked"`
	// Differences counts every finding (Findings may be truncated).
	Differences int64 `json:"differences"`
	// Repaired counts the rows written by a rebuild.
	Repaired int64 `json:"repaired"`
	// Findings are the differences, in resource and document order.
	Findings []Finding `json:"findings"`
	// Cursor resumes after the last batch ("" when the audit finished).
	Cursor string `json:"cursor"`
	// Elapsed is the audit's duration.
	Elapsed time.Duration `json:"elapsed_ns"`
}

const (
	batchDocsSQL = `SELECT "DocumentId", "DocumentUuid"::text FROM "dms"."Document"
WHERE "ResourceKeyId" = $1 AND "DocumentId" > $2 AND ($4::uuid[] IS NULL OR "DocumentUuid" = ANY($4::uuid[]))
ORDER BY "DocumentId" LIMIT $3`
	bumpDocsSQL       = `UPDATE "dms"."Document" SET "Etag" = "Etag" + 1, "LastModifiedAt" = now() WHERE "DocumentId" IN (SELECT unnest($1::bigint[]))`
	lockDocsSQL       = `SELECT "DocumentId" FROM "dms"."IdentityLock" WHERE "DocumentId" IN (SELECT unnest($1::bigint[])) ORDER BY "DocumentId" FOR UPDATE`
	actualEdgesSQL    = `SELECT "ParentDocumentId", "ChildDocumentId", "IsIdentityComponent" FROM "dms"."ReferenceEdge" WHERE "ParentDocumentId" IN (SELECT unnest($1::bigint[]))`
	deleteEdgesSQL    = `DELETE FROM "dms"."ReferenceEdge" WHERE "ParentDocumentId" IN (SELECT unnest($1::bigint[]))`
	actualIdentitySQL = `SELECT "ReferentialId", "DocumentId", "ResourceKeyId" FROM "dms"."ReferentialIdentity" WHERE "DocumentId" IN (SELECT unnest($1::bigint[]))`
)

// auditKind is what an audit compares.
type auditKind int

const (
	auditEdges auditKind = iota
	auditIdentities
)

// AuditEdges compares dms.ReferenceEdge with the edges the documents' FK
// columns imply (missing, extra, wrong identity flag) and, with
// opts.Repair, rewrites the edge set of every document that differs.
func (s *Store) AuditEdges(ctx context.Context, opts AuditOptions) (*Report, error) {
	return s.audit(ctx, auditEdges, opts)
}

// AuditIdentities recomputes every document's ReferentialIds (primary and
// superclass alias) from its current identity values and compares them
// with dms.ReferentialIdentity (missing, extra, stale); with opts.Repair it
// rewrites the rows of every document that differs. A repair that would
// give two documents one ReferentialId fails with a *ConflictError and
// changes nothing of that batch.
func (s *Store) AuditIdentities(ctx context.Context, opts AuditOptions) (*Report, error) {
	return s.audit(ctx, auditIdentities, opts)
}

// auditPlans returns the plans an audit covers, in ResourceKeyId order.
func (s *Store) auditPlans(names []string) ([]*plan, error) {
	var out []*plan
	if len(names) == 0 {
		out = append(out, s.plans...)
	} else {
		seen := map[*plan]bool{}
		for _, n := range names {
			p, ok := s.byPath[n]
			if !ok {
				p, ok = s.byName[n]
			}
			if !ok {
				return nil, fmt.Errorf("%w: no resource %q (use projectEndpoint/endpoint or Project:Resource)", ErrNotFound, n)
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// parseCursor reads "resourceKeyId:documentId".
func parseCursor(c string) (int16, int64, error) {
	if c == "" {
		return 0, 0, nil
	}
	k, d, ok := strings.Cut(c, ":")
	key, err1 := strconv.ParseInt(k, 10, 16)
	doc, err2 := strconv.ParseInt(d, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, &ValidationError{Problems: []Problem{{Path: "resume", Message: fmt.Sprintf("%q is not an audit cursor (resourceKeyId:documentId)", c)}}}
	}
	return int16(key), doc, nil
}

func (s *Store) audit(ctx context.Context, kind auditKind, opts AuditOptions) (*Report, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.MaxFindings <= 0 {
		opts.MaxFindings = 1000
	}
	plans, err := s.auditPlans(opts.Resources)
	if err != nil {
		return nil, err
	}
	resumeKey, resumeDoc, err := parseCursor(opts.Resume)
	if err != nil {
		return nil, err
	}
	var docs []string
	for _, d := range opts.Documents {
		if _, err := refid.Parse(d); err != nil {
			return nil, &ValidationError{Problems: []Problem{{Path: "document", Message: fmt.Sprintf("%q is not a document id", d)}}}
		}
		docs = append(docs, strings.ToLower(d))
	}
	// An interrupted run resumes from where it started until a batch
	// finishes.
	rep := &Report{Findings: []Finding{}, Cursor: opts.Resume}
	for _, p := range plans {
		if p.key < resumeKey {
			continue
		}
		after := int64(0)
		if p.key == resumeKey {
			after = resumeDoc
		}
		for {
			if err := ctx.Err(); err != nil {
				rep.Elapsed = time.Since(start)
				return rep, err
			}
			ids, uuids, err := s.batchDocs(ctx, p, after, opts.BatchSize, docs)
			if err != nil {
				rep.Elapsed = time.Since(start)
				return rep, err
			}
			if len(ids) == 0 {
				break
			}
			var found []Finding
			var repaired int64
			switch kind {
			case auditEdges:
				found, repaired, err = s.auditEdgeBatch(ctx, p, ids, uuids, opts.Repair)
			default:
				found, repaired, err = s.auditIdentityBatch(ctx, p, ids, uuids, opts.Repair)
			}
			if err != nil {
				rep.Elapsed = time.Since(start)
				return rep, err
			}
			rep.Checked += int64(len(ids))
			rep.Differences += int64(len(found))
			rep.Repaired += repaired
			for _, f := range found {
				if len(rep.Findings) < opts.MaxFindings {
					rep.Findings = append(rep.Findings, f)
				}
			}
			after = ids[len(ids)-1]
			rep.Cursor = fmt.Sprintf("%d:%d", p.key, after)
			if opts.Progress != nil {
				opts.Progress(Progress{Resource: p.name(), Checked: rep.Checked, Findings: rep.Differences, Cursor: rep.Cursor})
			}
			if len(ids) < opts.BatchSize {
				break
			}
		}
	}
	rep.Cursor = ""
	rep.Elapsed = time.Since(start)
	return rep, nil
}

func (p *plan) name() string { return p.res.ProjectName + ":" + p.res.ResourceName }

// batchDocs returns the next batch of a resource's documents.
func (s *Store) batchDocs(ctx context.Context, p *plan, after int64, n int, docs []string) ([]int64, map[int64]string, error) {
	var only any
	if len(docs) > 0 {
		only = docs
	}
	rows, err := s.db.Query(ctx, batchDocsSQL, p.key, after, n, only)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []int64
	uuids := map[int64]string{}
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
		uuids[id] = u
	}
	return ids, uuids, rows.Err()
}

// edgeKey is one edge.
type edgeKey struct{ parent, child int64 }

// auditEdgeBatch compares the edges of one batch; with repair, it locks
// the batch's documents, compares again inside the transaction and
// rewrites the edge sets that differ.
func (s *Store) auditEdgeBatch(ctx context.Context, p *plan, ids []int64, uuids map[int64]string, repair bool) ([]Finding, int64, error) {
	if !repair {
		found, err := s.edgeFindings(ctx, s.db, p, ids, uuids)
		return found, 0, err
	}
	var found []Finding
	var repaired int64
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockDocsSQL, ids); err != nil {
			return err
		}
		var err error
		found, err = s.edgeFindings(ctx, tx, p, ids, uuids)
		if err != nil || len(found) == 0 {
			return err
		}
		parents := findingDocuments(found, func(Finding) bool { return true })
		tag, err := tx.Exec(ctx, deleteEdgesSQL, parents)
		if err != nil {
			return err
		}
		repaired += tag.RowsAffected()
		tag, err = tx.Exec(ctx, `INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent") `+p.derivedEdgesSQL, parents)
		if err != nil {
			return err
		}
		repaired += tag.RowsAffected()
		// Documents whose identity edges were wrong may have missed a
		// cascade: recompute their identities and bump their ETags.
		ident := findingDocuments(found, func(f Finding) bool { return f.identity })
		if len(ident) == 0 {
			return nil
		}
		if err := s.recomputeIdentities(ctx, tx, ident); err != nil {
			return mapWriteError(p, err)
		}
		if _, err := tx.Exec(ctx, bumpDocsSQL, ident); err != nil {
			return err
		}
		// In a statement after the bump (the cache invariant, cache.go).
		_, err = tx.Exec(ctx, s.invalidateSQL(), ident)
		return err
	})
	return found, repaired, err
}

// readEdges reads (parent, child, identity flag) rows of documents ids.
func readEdges(ctx context.Context, q querier, sql string, ids []int64) (map[edgeKey]bool, error) {
	rows, err := q.Query(ctx, sql, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[edgeKey]bool{}
	for rows.Next() {
		var k edgeKey
		var ident bool
		if err := rows.Scan(&k.parent, &k.child, &ident); err != nil {
			return nil, err
		}
		out[k] = ident
	}
	return out, rows.Err()
}

// edgeFindings diffs derived and actual edges of documents ids.
func (s *Store) edgeFindings(ctx context.Context, q querier, p *plan, ids []int64, uuids map[int64]string) ([]Finding, error) {
	derived, err := readEdges(ctx, q, p.derivedEdgesSQL, ids)
	if err != nil {
		return nil, err
	}
	actual, err := readEdges(ctx, q, actualEdgesSQL, ids)
	if err != nil {
		return nil, err
	}
	var found []Finding
	add := func(k edgeKey, kind, detail string, identity bool) {
		found = append(found, Finding{Resource: p.name(), DocumentID: k.parent, DocumentUUID: uuids[k.parent], Kind: kind, Detail: detail, identity: identity})
	}
	for k, ident := range derived {
		a, ok := actual[k]
		switch {
		case !ok:
			add(k, FindingMissing, fmt.Sprintf("edge → %d%s", k.child, identNote(ident)), ident)
		case a != ident:
			add(k, FindingFlag, fmt.Sprintf("edge → %d: IsIdentityComponent %t, want %t", k.child, a, ident), true)
		}
	}
	for k, ident := range actual {
		if _, ok := derived[k]; !ok {
			add(k, FindingExtra, fmt.Sprintf("edge → %d%s", k.child, identNote(ident)), ident)
		}
	}
	sortFindings(found)
	return found, nil
}

func identNote(ident bool) string {
	if ident {
		return " (identity)"
	}
	return ""
}

func sortFindings(f []Finding) {
	sort.Slice(f, func(i, j int) bool {
		if f[i].DocumentID != f[j].DocumentID {
			return f[i].DocumentID < f[j].DocumentID
		}
		if f[i].Kind != f[j].Kind {
			return f[i].Kind < f[j].Kind
		}
		return f[i].Detail < f[j].Detail
	})
}

// identityRow is one dms.ReferentialIdentity row.
type identityRow struct {
	id  refid.UUID
	key int16
}

// auditIdentityBatch compares the ReferentialIdentity rows of one batch;
// with repair, it locks the documents, compares again inside the
// transaction and rewrites the rows of the documents that differ.
func (s *Store) auditIdentityBatch(ctx context.Context, p *plan, ids []int64, uuids map[int64]string, repair bool) ([]Finding, int64, error) {
	if !repair {
		found, _, err := s.identityFindings(ctx, s.db, p, ids, uuids)
		return found, 0, err
	}
	var found []Finding
	var repaired int64
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockDocsSQL, ids); err != nil {
			return err
		}
		var want []docIdentity
		var err error
		found, want, err = s.identityFindings(ctx, tx, p, ids, uuids)
		if err != nil || len(found) == 0 {
			return err
		}
		docs := findingDocuments(found, func(Finding) bool { return true })
		bad := make(map[int64]bool, len(docs))
		for _, id := range docs {
			bad[id] = true
		}
		var fix []docIdentity
		for _, d := range want {
			if bad[d.docID] {
				fix = append(fix, d)
			}
		}
		tag, err := tx.Exec(ctx, deleteIdentitySQL, docs)
		if err != nil {
			return err
		}
		repaired += tag.RowsAffected()
		rid, rdocs, rkeys := p.identityRows(fix)
		tag, err = tx.Exec(ctx, insertIdentitySQL, rid, rdocs, rkeys)
		if err != nil {
			return mapWriteError(p, err)
		}
		repaired += tag.RowsAffected()
		return nil
	})
	return found, repaired, err
}

// identityFindings diffs the expected and stored ReferentialIdentity rows
// of documents ids; it also returns the expected identities.
func (s *Store) identityFindings(ctx context.Context, q querier, p *plan, ids []int64, uuids map[int64]string) ([]Finding, []docIdentity, error) {
	want, err := s.storedIdentities(ctx, q, p, docsCond, ids)
	if err != nil {
		return nil, nil, err
	}
	actual := map[int64][]identityRow{}
	rows, err := q.Query(ctx, actualIdentitySQL, ids)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id [16]byte
		var doc int64
		var key int16
		if err := rows.Scan(&id, &doc, &key); err != nil {
			rows.Close()
			return nil, nil, err
		}
		actual[doc] = append(actual[doc], identityRow{id: id, key: key})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var found []Finding
	for _, d := range want {
		expected := []identityRow{{id: d.primary, key: p.key}}
		if d.hasAlias {
			expected = append(expected, identityRow{id: d.alias, key: p.superKey})
		}
		add := func(kind, detail string) {
			found = append(found, Finding{Resource: p.name(), DocumentID: d.docID, DocumentUUID: uuids[d.docID], Kind: kind, Detail: detail})
		}
		have := actual[d.docID]
		for _, e := range expected {
			var match *identityRow
			for i := range have {
				if have[i].key == e.key {
					match = &have[i]
				}
			}
			switch {
			case match == nil:
				add(FindingMissing, fmt.Sprintf("%s %s", s.keyName(e.key), e.id))
			case match.id != e.id:
				add(FindingStale, fmt.Sprintf("%s %s, want %s", s.keyName(e.key), match.id, e.id))
			}
		}
		for _, h := range have {
			ok := false
			for _, e := range expected {
				ok = ok || e.key == h.key
			}
			if !ok {
				add(FindingExtra, fmt.Sprintf("%s %s", s.keyName(h.key), h.id))
			}
		}
	}
	sortFindings(found)
	return found, want, nil
}

// keyName names a resource key ("Ed-Fi:School").
func (s *Store) keyName(k int16) string {
	for _, rk := range s.m.ResourceKeys {
		if rk.ID == k {
			return rk.ProjectName + ":" + rk.ResourceName
		}
	}
	return fmt.Sprintf("resource key %d", k)
}

// findingDocuments returns the distinct DocumentIDs of the findings keep
// accepts, in the order they first occur.
func findingDocuments(found []Finding, keep func(Finding) bool) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, f := range found {
		if keep(f) && !seen[f.DocumentID] {
			seen[f.DocumentID] = true
			out = append(out, f.DocumentID)
		}
	}
	return out
}
