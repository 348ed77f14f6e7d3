package runtime

import (
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// joiner accumulates LEFT JOINs for identity projections, sharing one join
// per (source expression, target relation).
type joiner struct {
	joins []string
	memo  map[string]string
	n     int
}

func newJoiner() *joiner { return &joiner{memo: map[string]string{}} }

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
	if depth > 16 {
		return "", fmt.Errorf("identity of %s nests too deeply", path)
	}
	if abstract != nil {
		a := j.join(qualified(abstract.ViewSchema+"."+abstract.ViewName), fk)
		for _, id := range abstract.Identity {
			if id.Path == path {
				return a + "." + quoteIdent(id.Column), nil
			}
		}
		return "", fmt.Errorf("abstract %s has no identity %s", abstract.ResourceName, path)
	}
	if target.descriptor {
		d := j.join(descriptorTable, fk)
		return d + `."Uri"`, nil
	}
	a := j.join(target.root.qname, fk)
	for _, el := range target.res.Identity {
		if el.Path != path {
			continue
		}
		col := a + "." + quoteIdent(el.Column)
		switch el.Source {
		case manifest.SourceColumn:
			return col, nil
		case manifest.SourceDescriptor:
			d := j.join(descriptorTable, col)
			return d + `."Uri"`, nil
		case manifest.SourceReference:
			for _, e := range target.edges {
				if e.table == target.root && e.col.c.Name == el.Column {
					return s.identityExpr(j, col, e.target, e.abstract, el.TargetIdentityPath, depth+1)
				}
			}
			return "", fmt.Errorf("%s: identity %s: no reference column %s", target.res.ResourceName, path, el.Column)
		}
	}
	return "", fmt.Errorf("%s has no identity %s", target.res.ResourceName, path)
}

// compileSQL prepares the statements of a plan.
func (s *Store) compileSQL(p *plan) error {
	if p.descriptor {
		p.readSQL = []string{`WITH page AS (%s)
SELECT d."DocumentId"::text, d."DocumentUuid"::text, d."Etag"::text, ` + lastModifiedExpr + `, x."Namespace", x."CodeValue", x."ShortDescription", x."Description", x."EffectiveBeginDate"::text, x."EffectiveEndDate"::text
FROM page JOIN "dms"."Document" d ON d."DocumentId" = page."DocumentId" JOIN "dms"."Descriptor" x ON x."DocumentId" = d."DocumentId"
ORDER BY d."DocumentId"`}
		p.edgeVerifySQL = edgeVerifySQL(nil)
		return s.compileQueries(p)
	}
	var derived []string
	for _, tp := range p.tables {
		tp.insertSQL = insertSQL(tp)
		if tp.parent == p.root {
			tp.deleteSQL = fmt.Sprintf("DELETE FROM %s WHERE %s = $1", tp.qname, quoteIdent(tp.keyCols[0]))
		}
		j := newJoiner()
		var sel []string
		if tp == p.root {
			sel = append(sel, `d."DocumentId"::text`, `d."DocumentUuid"::text`, `d."Etag"::text`, lastModifiedExpr)
		} else {
			for _, k := range tp.keyCols {
				sel = append(sel, "t."+quoteIdent(k)+"::text")
			}
		}
		for _, c := range tp.dataCols {
			col := "t." + quoteIdent(c.c.Name)
			switch {
			case c.edge != nil && c.edge.descriptor:
				d := j.join(descriptorTable, col)
				sel = append(sel, d+`."Uri"`)
			case c.edge != nil:
				sel = append(sel, col+"::text")
				for _, f := range c.edge.fields {
					expr, err := s.identityExpr(j, col, c.edge.target, c.edge.abstract, f.identityPath, 0)
					if err != nil {
						return fmt.Errorf("reference %s: %w", c.edge.e.Path, err)
					}
					sel = append(sel, textExpr(expr, f.typ))
				}
			default:
				sel = append(sel, textExpr(col, c.typ))
			}
		}
		var order []string
		for _, k := range tp.keyCols {
			order = append(order, "t."+quoteIdent(k))
		}
		var q string
		if tp == p.root {
			q = fmt.Sprintf("WITH page AS (%%s)\nSELECT %s\nFROM page JOIN \"dms\".\"Document\" d ON d.\"DocumentId\" = page.\"DocumentId\" JOIN %s t ON t.\"DocumentId\" = d.\"DocumentId\"%s\nORDER BY d.\"DocumentId\"",
				strings.Join(sel, ", "), tp.qname, j.sql())
		} else {
			q = fmt.Sprintf("WITH page AS (%%s)\nSELECT %s\nFROM %s t%s\nWHERE t.%s IN (SELECT \"DocumentId\" FROM page)\nORDER BY %s",
				strings.Join(sel, ", "), tp.qname, j.sql(), quoteIdent(tp.keyCols[0]), strings.Join(order, ", "))
		}
		p.readSQL = append(p.readSQL, q)
	}
	for _, e := range p.edges {
		ident := "false"
		if e.e.IsIdentityComponent {
			ident = "true"
		}
		derived = append(derived, fmt.Sprintf("SELECT t.%s AS child, %s AS ident FROM %s t WHERE t.%s = $1 AND t.%s IS NOT NULL",
			quoteIdent(e.col.c.Name), ident, e.table.qname, quoteIdent(e.table.keyCols[0]), quoteIdent(e.col.c.Name)))
	}
	p.edgeVerifySQL = edgeVerifySQL(derived)
	return s.compileQueries(p)
}

// lastModifiedExpr renders dms.Document.LastModifiedAt as an ISO UTC
// timestamp with seconds precision.
const lastModifiedExpr = `to_char(d."LastModifiedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

// textExpr renders a column as text the assembler understands.
func textExpr(expr string, t manifest.Type) string {
	if t.Kind == "DateTime" {
		return "to_char(" + expr + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
	}
	return expr + "::text"
}

func insertSQL(tp *tablePlan) string {
	var cols, sel, unnest, names []string
	n := 1
	cols = append(cols, quoteIdent(tp.keyCols[0]))
	sel = append(sel, "$1::bigint")
	for i, k := range tp.keyCols[1:] {
		n++
		cols = append(cols, quoteIdent(k))
		name := fmt.Sprintf("k%d", i)
		sel = append(sel, "u."+name)
		unnest = append(unnest, fmt.Sprintf("$%d::integer[]", n))
		names = append(names, name)
	}
	for i, c := range tp.dataCols {
		n++
		cols = append(cols, quoteIdent(c.c.Name))
		name := fmt.Sprintf("c%d", i)
		cast := c.sql
		if c.edge != nil {
			cast = "bigint"
		}
		sel = append(sel, "u."+name+"::"+castType(cast))
		unnest = append(unnest, fmt.Sprintf("$%d::text[]", n))
		names = append(names, name)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s", tp.qname, strings.Join(cols, ", "), strings.Join(sel, ", "))
	if len(unnest) > 0 {
		q += fmt.Sprintf("\nFROM unnest(%s) AS u(%s)", strings.Join(unnest, ", "), strings.Join(names, ", "))
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

// castType drops typmods: a cast to varchar(n) or numeric(p,s) would
// silently truncate or round, while assignment to the column raises an
// error instead (and the runtime validates first anyway).
func castType(t string) string {
	if i := strings.IndexByte(t, '('); i >= 0 {
		return t[:i]
	}
	return t
}

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

// edgeDiffSQL replaces the dms.ReferenceEdge rows of document $1 by the
// set ($2 children, $3 identity flags), writing only what changed.
const edgeDiffSQL = `WITH new AS (SELECT * FROM unnest($2::bigint[], $3::boolean[]) AS n(child, ident)),
del AS (DELETE FROM "dms"."ReferenceEdge" e WHERE e."ParentDocumentId" = $1 AND NOT EXISTS (SELECT 1 FROM new WHERE new.child = e."ChildDocumentId") RETURNING 1),
upd AS (UPDATE "dms"."ReferenceEdge" e SET "IsIdentityComponent" = new.ident FROM new WHERE e."ParentDocumentId" = $1 AND e."ChildDocumentId" = new.child AND e."IsIdentityComponent" <> new.ident RETURNING 1),
ins AS (INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent")
  SELECT $1, new.child, new.ident FROM new WHERE NOT EXISTS (SELECT 1 FROM "dms"."ReferenceEdge" e WHERE e."ParentDocumentId" = $1 AND e."ChildDocumentId" = new.child) RETURNING 1)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd), (SELECT count(*) FROM del)`
