package relstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// joiner accumulates LEFT JOINs for identity projections, sharing one join
// per (source expression, target relation).
type joiner struct {
	joins []string
	memo  map[string]string
	n     int
	// edOrgIDs lets identityValue take an EdOrg family's identity from
	// dms.EducationOrganization (Store.edOrgIDs): set for the statements
	// that read documents, not for identity SQL.
	edOrgIDs bool
}

func newJoiner() *joiner { return &joiner{memo: map[string]string{}} }

// newReadJoiner is newJoiner for a statement that reads documents.
func newReadJoiner() *joiner { return &joiner{memo: map[string]string{}, edOrgIDs: true} }

// join returns the alias of relation joined on alias."DocumentId" = on.
func (j *joiner) join(relation, on string) string {
	key := relation + "|" + on
	if a, ok := j.memo[key]; ok {
		return a
	}
	j.n++
	a := fmt.Sprintf("j%d", j.n)
	j.memo[key] = a
	j.joins = append(j.joins, fmt.Sprintf("LEFT JOIN %s %s ON %s.\"DocumentId\" = %s", relation, a, a, on))
	return a
}

func (j *joiner) sql() string {
	if len(j.joins) == 0 {
		return ""
	}
	return "\n" + strings.Join(j.joins, "\n")
}

const descriptorTable = `"dms"."Descriptor"`

// identityExpr returns a SQL expression giving the identity value at path
// of the document whose DocumentId is the SQL expression fk, for a concrete
// target or an abstract one.
func (s *Store) identityExpr(j *joiner, fk string, target *plan, abstract *manifest.AbstractResource, path string, depth int) (string, error) {
	expr, _, err := s.identityValue(j, fk, target, abstract, path, depth, false)
	return expr, err
}

// identityValue is identityExpr; with ids, a descriptor value is its
// DocumentId (descriptorID true) rather than a join of its Uri.
func (s *Store) identityValue(j *joiner, fk string, target *plan, abstract *manifest.AbstractResource, path string, depth int, ids bool) (expr string, descriptorID bool, err error) {
	if depth > 16 {
		return "", false, fmt.Errorf("identity of %s nests too deeply", path)
	}
	if abstract != nil {
		for _, id := range abstract.Identity {
			if id.Path != path {
				continue
			}
			if j.edOrgIDs && s.edOrgIDs[abstract] {
				return j.join(edOrgIDTable, fk) + "." + edOrgIDColumn, false, nil
			}
			return j.join(qualified(abstract.ViewSchema+"."+abstract.ViewName), fk) + "." + quoteIdent(id.Column), false, nil
		}
		return "", false, fmt.Errorf("abstract %s has no identity %s", abstract.ResourceName, path)
	}
	descriptor := func(id string) (string, bool, error) {
		if ids {
			return id, true, nil
		}
		return j.join(descriptorTable, id) + `."Uri"`, false, nil
	}
	if target.descriptor {
		return descriptor(fk)
	}
	a := j.join(target.root.qname, fk)
	for _, el := range target.res.Identity {
		if el.Path != path {
			continue
		}
		col := a + "." + quoteIdent(el.Column)
		switch el.Source {
		case manifest.SourceColumn:
			return col, false, nil
		case manifest.SourceDescriptor:
			return descriptor(col)
		case manifest.SourceReference:
			for _, e := range target.edges {
				if e.table == target.root && e.col.c.Name == el.Column {
					return s.identityValue(j, col, e.target, e.abstract, el.TargetIdentityPath, depth+1, ids)
				}
			}
			return "", false, fmt.Errorf("%s: identity %s: no reference column %s", target.res.ResourceName, path, el.Column)
		}
	}
	return "", false, fmt.Errorf("%s has no identity %s", target.res.ResourceName, path)
}

// planSQL prepares the statements of a plan.
func (s *Store) planSQL(p *plan) error {
	p.enqueue = s.opts.DocumentCache
	if p.descriptor {
		p.readSQL = `WITH page AS MATERIALIZED (%s)
SELECT 0 AS t, ARRAY[d."DocumentId"] AS k, ARRAY[d."DocumentUuid"::text, d."Etag"::text, ` + lastModifiedExpr + `, x."Namespace"::text, x."CodeValue"::text, x."ShortDescription"::text, x."Description"::text, x."EffectiveBeginDate"::text, x."EffectiveEndDate"::text] AS v
FROM page d JOIN "dms"."Descriptor" x ON x."DocumentId" = d."DocumentId"%s`
		p.readOneSQL = p.readSQL
		p.readOneCachedSQL = cachedRead(p.readSQL)
		p.edgeVerifySQL = edgeVerifySQL(nil)
		p.derivedEdgesSQL = noEdgesSQL
		writeSQL(p, s.uris != nil)
		if err := s.planIdentitySQL(p); err != nil {
			return err
		}
		return s.planQueries(p)
	}
	writeSQL(p, s.uris != nil)
	var derived, arms []string
	for _, tp := range p.tables {
		j := newReadJoiner()
		var sel, keys []string
		if tp == p.root {
			keys = []string{`d."DocumentId"`}
			sel = append(sel, `d."DocumentUuid"::text`, `d."Etag"::text`, lastModifiedExpr)
		} else {
			for _, k := range tp.keyCols {
				keys = append(keys, "t."+quoteIdent(k)+"::bigint")
			}
		}
		for _, c := range tp.dataCols {
			col := "t." + quoteIdent(c.c.Name)
			switch {
			case c.edge != nil && c.edge.descriptor && s.uris != nil:
				sel = append(sel, col+"::text") // its id (descriptoruris.go)
			case c.edge != nil && c.edge.descriptor:
				d := j.join(descriptorTable, col)
				sel = append(sel, d+`."Uri"::text`)
			case c.edge != nil:
				sel = append(sel, col+"::text")
				for i := range c.edge.fields {
					f := &c.edge.fields[i]
					expr, id, err := s.identityValue(j, col, c.edge.target, c.edge.abstract, f.identityPath, 0, s.uris != nil)
					if err != nil {
						return fmt.Errorf("reference %s: %w", c.edge.e.Path, err)
					}
					f.descriptorID = id
					if id {
						sel = append(sel, expr+"::text")
						continue
					}
					sel = append(sel, textExpr(expr, f.typ))
				}
			default:
				sel = append(sel, textExpr(col, c.typ))
			}
		}
		vals := "ARRAY[" + strings.Join(sel, ", ") + "]::text[]"
		if len(sel) == 0 {
			vals = "ARRAY[]::text[]"
		}
		var arm string
		if tp == p.root {
			arm = fmt.Sprintf("SELECT %d AS t, ARRAY[%s] AS k, %s AS v\nFROM page d JOIN %s t ON t.\"DocumentId\" = d.\"DocumentId\"%s",
				tp.idx, strings.Join(keys, ", "), vals, tp.qname, j.sql())
		} else {
			arm = fmt.Sprintf("SELECT %d, ARRAY[%s], %s\nFROM %s t%s\nWHERE t.%s "+pageCond,
				tp.idx, strings.Join(keys, ", "), vals, tp.qname, j.sql(), quoteIdent(tp.keyCols[0]))
		}
		arms = append(arms, arm)
	}
	if s.uris != nil {
		p.readTail = generationArmSQL
	}
	read := "WITH page AS MATERIALIZED (%s)\n" + strings.Join(arms, "\nUNION ALL\n") + p.readTail + "%s"
	p.readSQL = strings.ReplaceAll(read, pageCond, `IN (SELECT "DocumentId" FROM page)`)
	// One document: a scalar subquery is evaluated once and each arm
	// becomes a plain index lookup.
	p.readOneSQL = strings.ReplaceAll(read, pageCond, oneDocCond)
	p.readArms = make([]string, len(arms))
	for i, arm := range arms {
		p.readArms[i] = strings.ReplaceAll(arm, pageCond, oneDocCond)
	}
	p.readOneCachedSQL = cachedRead(p.readOneSQL)
	var batch []string
	for _, e := range p.edges {
		ident := "false"
		if e.e.IsIdentityComponent {
			ident = "true"
		}
		col, k0 := quoteIdent(e.col.c.Name), quoteIdent(e.table.keyCols[0])
		derived = append(derived, fmt.Sprintf("SELECT t.%s AS child, %s AS ident FROM %s t WHERE t.%s = $1 AND t.%s IS NOT NULL",
			col, ident, e.table.qname, k0, col))
		batch = append(batch, fmt.Sprintf("SELECT t.%s AS parent, t.%s AS child, %s AS ident FROM %s t WHERE t.%s IN (SELECT unnest($1::bigint[])) AND t.%s IS NOT NULL",
			k0, col, ident, e.table.qname, k0, col))
	}
	p.edgeVerifySQL = edgeVerifySQL(derived)
	p.derivedEdgesSQL = noEdgesSQL
	if len(batch) > 0 {
		p.derivedEdgesSQL = "SELECT parent, child, bool_or(ident) AS ident FROM (" + strings.Join(batch, "\nUNION ALL\n") + ") x GROUP BY parent, child"
	}
	if err := s.planIdentitySQL(p); err != nil {
		return err
	}
	return s.planQueries(p)
}

// Parts of a read statement (readSQL) that cachedRead rewrites.
const (
	readPrefix = "WITH page AS MATERIALIZED (%s)\n"
	readSuffix = "%s"
	// cachedArm is the result type of a fresh dms.DocumentCache body in a
	// page read (before every table's rows).
	cachedArm = -3
)

// cachedRead turns a page read statement into one that takes the page's
// documents whose dms.DocumentCache row is fresh (its Etag the
// document's) from the cache — one arm yielding (cachedArm, [DocumentId],
// [uuid, etag, last modified, body]) — and assembles only the others
// from the tables: the same single statement and snapshot.
func cachedRead(read string) string {
	if !strings.HasPrefix(read, readPrefix) || !strings.HasSuffix(read, readSuffix) {
		return ""
	}
	body := strings.TrimSuffix(strings.TrimPrefix(read, readPrefix), readSuffix)
	return `WITH page0 AS MATERIALIZED (%s),
cached AS MATERIALIZED (SELECT p.*, c."DocumentJson" FROM page0 p JOIN "dms"."DocumentCache" c ON c."DocumentId" = p."DocumentId" AND c."Etag" = p."Etag"),
page AS MATERIALIZED (SELECT p.* FROM page0 p WHERE NOT EXISTS (SELECT 1 FROM cached x WHERE x."DocumentId" = p."DocumentId"))
` + body + fmt.Sprintf("\nUNION ALL\nSELECT %d, ARRAY[d.\"DocumentId\"], ARRAY[d.\"DocumentUuid\"::text, d.\"Etag\"::text, %s, d.\"DocumentJson\"::text]\nFROM cached d", cachedArm, lastModifiedExpr) + readSuffix
}

// pageCond marks where the child arms of a read statement select the
// page's documents.
const pageCond = "\x00PAGE\x00"

// oneDocCond is pageCond for a page of at most one document.
const oneDocCond = `= (SELECT "DocumentId" FROM page)`

// lastModifiedExpr renders dms.Document.LastModifiedAt as an ISO UTC
// timestamp with seconds precision.
const lastModifiedExpr = `to_char(d."LastModifiedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

// textExpr renders a column as text the assembler understands.
func textExpr(expr string, t manifest.Type) string {
	if t.Kind == manifest.KindDateTime {
		return "to_char(" + expr + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	}
	return expr + "::text"
}

// presenceOnly reports a non-root table keyed by the document id alone and
// without data columns (an extension of the root, or of an inlined object,
// holding only collections): nothing in its rows says how many there are
// (none or one), so an array of one element per row is passed.
func (tp *tablePlan) presenceOnly() bool {
	return tp.parent != nil && len(tp.keyCols) == 1 && len(tp.dataCols) == 0
}

// insertSQL returns the INSERT of one table's rows: the document id is
// parameter docParam, each further key column and data column one array
// parameter numbered from *n on (text arrays cast per column, so one
// statement writes any number of rows).
func insertSQL(tp *tablePlan, docParam string, n *int) string {
	var cols, sel, unnest, names []string
	cols = append(cols, quoteIdent(tp.keyCols[0]))
	sel = append(sel, docParam+"::bigint")
	next := func() string {
		*n++
		return "$" + strconv.Itoa(*n)
	}
	for i, k := range tp.keyCols[1:] {
		cols = append(cols, quoteIdent(k))
		name := fmt.Sprintf("k%d", i)
		sel = append(sel, "u."+name)
		unnest = append(unnest, next()+"::integer[]")
		names = append(names, name)
	}
	for i, c := range tp.dataCols {
		cols = append(cols, quoteIdent(c.c.Name))
		name := fmt.Sprintf("c%d", i)
		cast := c.sql
		if c.edge != nil {
			cast = "bigint"
		}
		sel = append(sel, "u."+name+"::"+castType(cast))
		unnest = append(unnest, next()+"::text[]")
		names = append(names, name)
	}
	if tp.presenceOnly() {
		unnest = append(unnest, next()+"::integer[]")
		names = append(names, "present")
	}
	q := fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s", tp.qname, strings.Join(cols, ", "), strings.Join(sel, ", "))
	if len(unnest) > 0 {
		q += fmt.Sprintf("\nFROM unnest(%s) AS u(%s)", strings.Join(unnest, ", "), strings.Join(names, ", "))
	} else {
		// A root without data columns: one row per document, written
		// when the document is.
		q += fmt.Sprintf(" WHERE %s IS NOT NULL", docParam)
	}
	if tp.parent == nil {
		var set []string
		for _, c := range tp.dataCols {
			set = append(set, fmt.Sprintf("%s = EXCLUDED.%s", quoteIdent(c.c.Name), quoteIdent(c.c.Name)))
		}
		if len(set) == 0 {
			q += "\nON CONFLICT (\"DocumentId\") DO NOTHING"
		} else {
			q += "\nON CONFLICT (\"DocumentId\") DO UPDATE SET " + strings.Join(set, ", ")
		}
	}
	return q
}

// rowsCTE returns data-modifying CTEs writing the tables of p that shape
// holds (allTables: every one), with the document id at docParam and
// array parameters numbered from *n on (in tables order, then key
// columns, then data columns).
func rowsCTE(p *plan, docParam string, n *int, shape writeShape) []string {
	var ctes []string
	for _, tp := range p.tables {
		if shape.has(tp.idx) {
			ctes = append(ctes, fmt.Sprintf("w%d AS (%s)", tp.idx, insertSQL(tp, docParam, n)))
		}
	}
	return ctes
}

// writeSQL prepares createSQL, updateSQL and rowsSQL of a plan. Foreign
// keys are checked at the end of each statement, so one statement may
// write a parent row and its children.
//
// createSQL parameters: $1 DocumentId, $2 DocumentUuid, $3 ResourceKeyId,
// $4 ReferentialIds, $5 their ResourceKeyIds, $6 edge children, $7 their
// identity flags, then (descriptors) the nine dms.Descriptor values or
// (tables) the rows' arrays. It returns Etag, LastModifiedAt and the
// number of edges inserted.
//
// updateSQL parameters: $1 DocumentId, $2 children, $3 flags. It returns
// Etag, LastModifiedAt and the edges inserted, updated and deleted.
// With uriGeneration, a descriptor update that changes the Uri increments
// dms.DescriptorUriGeneration (descriptoruris.go).
func writeSQL(p *plan, uriGeneration bool) {
	p.createSQL = createSQLOf(p, uriGeneration, allTables)
	p.updateSQL = updateSQLOf(p)
	p.rowsSQL = rowsSQLOf(p, uriGeneration, allTables)
}

// createSQLOf is createSQL writing the tables of shape only (their
// arrays, in table order, are the parameters after $7).
func createSQLOf(p *plan, uriGeneration bool, shape writeShape) string {
	n := 7
	ctes := []string{
		`doc AS (INSERT INTO "dms"."Document" ("DocumentId", "DocumentUuid", "ResourceKeyId") VALUES ($1, $2::uuid, $3) RETURNING "Etag", "LastModifiedAt")`,
		`lck AS (INSERT INTO "dms"."IdentityLock" ("DocumentId") VALUES ($1))`,
		`rid AS (INSERT INTO "dms"."ReferentialIdentity" ("ReferentialId", "DocumentId", "ResourceKeyId") SELECT u.id, $1, u.k FROM unnest($4::uuid[], $5::smallint[]) AS u(id, k))`,
		`edg AS (INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent") SELECT $1, u.c, u.i FROM unnest($6::bigint[], $7::boolean[]) AS u(c, i) RETURNING 1)`,
	}
	if p.enqueue {
		ctes = append(ctes, enqueueOneCTE)
	}
	if p.descriptor {
		ctes = append(ctes, `dsc AS (`+descriptorUpsert(8)+`)`)
	} else {
		ctes = append(ctes, rowsCTE(p, "$1", &n, shape)...)
	}
	sql := "WITH " + strings.Join(ctes, ",\n") + "\nSELECT doc.\"Etag\", " + strings.ReplaceAll(lastModifiedPlain, `"LastModifiedAt"`, `doc."LastModifiedAt"`) + ", (SELECT count(*) FROM edg)"
	if p.descriptor && uriGeneration {
		// The generation the new descriptor's Uri is known at
		// (Store.noteURI).
		sql += ", (" + generationSQL + ")"
	}
	return sql + " FROM doc"
}

// updateSQLOf is updateSQL: the Etag bump, the delete of every
// top-level child table's rows of the document, the edge diff.
func updateSQLOf(p *plan) string {
	upd := []string{`doc AS (UPDATE "dms"."Document" SET "Etag" = "Etag" + 1, "LastModifiedAt" = now() WHERE "DocumentId" = $1 RETURNING "Etag", "LastModifiedAt")`}
	for _, tp := range p.tables {
		if tp.parent == p.root {
			upd = append(upd, fmt.Sprintf("d%d AS (DELETE FROM %s WHERE %s = $1)", tp.idx, tp.qname, quoteIdent(tp.keyCols[0])))
		}
	}
	upd = append(upd, edgeDiffCTEs...)
	return "WITH " + strings.Join(upd, ",\n") + "\nSELECT doc.\"Etag\", " + strings.ReplaceAll(lastModifiedPlain, `"LastModifiedAt"`, `doc."LastModifiedAt"`) +
		", (SELECT count(*) FROM ins), (SELECT count(*) FROM upd), (SELECT count(*) FROM del) FROM doc"
}

// rowsSQLOf is rowsSQL writing the tables of shape only (their arrays
// are the parameters after $1).
func rowsSQLOf(p *plan, uriGeneration bool, shape writeShape) string {
	if p.descriptor {
		// It returns whether the Uri (parameter 9) changed, its letter
		// case included: the documents showing it then change too (the
		// write cascades). With uriGeneration, such a change increments
		// the generation the descriptor URI maps read.
		gen := ""
		if uriGeneration {
			gen = "gen AS (" + bumpGenerationSQL + ` AND EXISTS (SELECT 1 FROM old WHERE old."Uri" IS DISTINCT FROM $9)),` + "\n"
		}
		return `WITH old AS (SELECT "Uri" FROM "dms"."Descriptor" WHERE "DocumentId" = $1),` + "\n" + invalidateCTEs(p) + ",\n" + gen +
			"ups AS (" + descriptorUpsert(2) + ")\n" +
			`SELECT EXISTS (SELECT 1 FROM old WHERE old."Uri" IS DISTINCT FROM $9)`
	}
	n := 1
	return "WITH " + strings.Join(append([]string{invalidateCTEs(p)}, rowsCTE(p, "$1", &n, shape)...), ",\n") + "\nSELECT 1"
}

// invalidateCTEs is invalidateOneCTE, with enqueueOneCTE when the plan's
// writes queue their document.
func invalidateCTEs(p *plan) string {
	if p.enqueue {
		return invalidateOneCTE + ",\n" + enqueueOneCTE
	}
	return invalidateOneCTE
}

// descriptorUpsert writes dms.Descriptor from parameters $1 (DocumentId)
// and first.. first+7 (ResourceKeyId, Namespace, CodeValue,
// ShortDescription, Description, EffectiveBeginDate, EffectiveEndDate,
// Uri).
func descriptorUpsert(first int) string {
	var ps []string
	for i := 0; i < 8; i++ {
		ps = append(ps, "$"+strconv.Itoa(first+i))
	}
	ps[5] += "::date"
	ps[6] += "::date"
	return `INSERT INTO "dms"."Descriptor" ("DocumentId", "ResourceKeyId", "Namespace", "CodeValue", "ShortDescription", "Description", "EffectiveBeginDate", "EffectiveEndDate", "Uri")
VALUES ($1, ` + strings.Join(ps, ", ") + `)
ON CONFLICT ("DocumentId") DO UPDATE SET "Namespace" = EXCLUDED."Namespace", "CodeValue" = EXCLUDED."CodeValue",
  "ShortDescription" = EXCLUDED."ShortDescription", "Description" = EXCLUDED."Description",
  "EffectiveBeginDate" = EXCLUDED."EffectiveBeginDate", "EffectiveEndDate" = EXCLUDED."EffectiveEndDate", "Uri" = EXCLUDED."Uri"`
}

// castType drops typmods: a cast to varchar(n) or numeric(p,s) would
// silently truncate or round, while assignment to the column raises an
// error instead (and the runtime validates first anyway).
func castType(t string) string {
	if i := strings.IndexByte(t, '('); i >= 0 {
		return t[:i]
	}
	return t
}

// noEdgesSQL is derivedEdgesSQL of a resource without references.
const noEdgesSQL = `SELECT NULL::bigint AS parent, NULL::bigint AS child, NULL::boolean AS ident WHERE $1::bigint[] IS NULL`

// edgeVerifySQL compares the maintained dms.ReferenceEdge rows of document
// $1 with the set derived from its stored FK columns and returns the
// number of differing rows.
func edgeVerifySQL(derived []string) string {
	src := `SELECT NULL::bigint AS child, NULL::boolean AS ident WHERE false`
	if len(derived) > 0 {
		src = strings.Join(derived, "\nUNION ALL\n")
	}
	return `WITH derived AS (SELECT child, bool_or(ident) AS ident FROM (` + src + `) x GROUP BY child),
actual AS (SELECT "ChildDocumentId" AS child, "IsIdentityComponent" AS ident FROM "dms"."ReferenceEdge" WHERE "ParentDocumentId" = $1)
SELECT count(*) FROM ((SELECT * FROM derived EXCEPT SELECT * FROM actual) UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM derived)) z`
}

// edgeDiffCTEs replace the dms.ReferenceEdge rows of document $1 by the
// set ($2 children, $3 identity flags), writing only what changed: del,
// upd and ins return one row per deleted, updated and inserted edge.
var edgeDiffCTEs = []string{
	`new AS (SELECT * FROM unnest($2::bigint[], $3::boolean[]) AS n(child, ident))`,
	`del AS (DELETE FROM "dms"."ReferenceEdge" e WHERE e."ParentDocumentId" = $1 AND NOT EXISTS (SELECT 1 FROM new WHERE new.child = e."ChildDocumentId") RETURNING 1)`,
	`upd AS (UPDATE "dms"."ReferenceEdge" e SET "IsIdentityComponent" = new.ident FROM new WHERE e."ParentDocumentId" = $1 AND e."ChildDocumentId" = new.child AND e."IsIdentityComponent" <> new.ident RETURNING 1)`,
	`ins AS (INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent")
  SELECT $1, new.child, new.ident FROM new WHERE NOT EXISTS (SELECT 1 FROM "dms"."ReferenceEdge" e WHERE e."ParentDocumentId" = $1 AND e."ChildDocumentId" = new.child) RETURNING 1)`,
}
