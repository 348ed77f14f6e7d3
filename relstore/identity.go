package relstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/refid"
)

// docIdentity is a document's ReferentialIds computed from its stored
// identity values.
type docIdentity struct {
	docID    int64
	uuid     string
	primary  refid.UUID
	alias    refid.UUID
	hasAlias bool
	// broken describes an equalityConstraint between two of its identity
	// values that the stored values violate ("" when none is).
	broken string
}

// planIdentityEquality finds the resource's equalityConstraints whose
// source and target are both identity values (CourseOffering's
// $.schoolReference.schoolId = $.sessionReference.schoolId).
func (p *plan) planIdentityEquality() {
	index := func(path string) int {
		for i, id := range p.identity {
			if id.el.Path == path {
				return i
			}
		}
		return -1
	}
	for _, e := range p.res.Equality {
		if i, j := index(e.SourcePath), index(e.TargetPath); i >= 0 && j >= 0 {
			p.identityEquality = append(p.identityEquality, [2]int{i, j})
		}
	}
}

// checkIdentityEquality sets d.broken when identity values vals violate
// one of the resource's identity equality constraints. A document as
// written never does (the write validates it); an identity cascade that
// changes one side of the constraint and not the other does.
func (p *plan) checkIdentityEquality(d *docIdentity, vals []*string) {
	for _, e := range p.identityEquality {
		a, b := vals[e[0]], vals[e[1]]
		if a == nil || b == nil || *a == *b {
			continue
		}
		d.broken = fmt.Sprintf("%s %s = %s (%s ≠ %s)", p.res.ResourceName, p.identity[e[0]].el.Path, p.identity[e[1]].el.Path, *a, *b)
		return
	}
}

// querier runs queries (a pool or a transaction).
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// planIdentitySQL prepares p.identitySQL: DocumentId, DocumentUuid and
// the identity values (as text, in identity order) of the documents that
// the %s condition over alias d (dms.Document) selects, ordered by
// DocumentId.
func (s *Store) planIdentitySQL(p *plan) error {
	j := newJoiner()
	var sel []string
	if p.descriptor {
		x := j.join(descriptorTable, `d."DocumentId"`)
		sel = append(sel, x+`."Uri"::text`)
		p.identitySQL = `SELECT d."DocumentId", d."DocumentUuid"::text, ARRAY[` + strings.Join(sel, ", ") + `]::text[] FROM "dms"."Document" d` + j.sql() +
			"\nWHERE d.\"ResourceKeyId\" = " + fmt.Sprint(p.key) + " AND %s ORDER BY d.\"DocumentId\""
		return nil
	}
	for _, id := range p.identity {
		expr, err := s.identityExpr(j, `d."DocumentId"`, p, nil, id.el.Path, 0)
		if err != nil {
			return fmt.Errorf("identity %s: %w", id.el.Path, err)
		}
		sel = append(sel, textExpr(expr, id.el.Type))
	}
	p.identitySQL = `SELECT d."DocumentId", d."DocumentUuid"::text, ARRAY[` + strings.Join(sel, ", ") + `]::text[] FROM "dms"."Document" d` + j.sql() +
		"\nWHERE d.\"ResourceKeyId\" = " + fmt.Sprint(p.key) + " AND %s ORDER BY d.\"DocumentId\""
	return nil
}

// storedIdentities computes the ReferentialIds of the documents of p that
// cond (a condition over alias d with parameters args) selects, from their
// current stored identity values.
func (s *Store) storedIdentities(ctx context.Context, q querier, p *plan, cond string, args ...any) ([]docIdentity, error) {
	rows, err := q.Query(ctx, fmt.Sprintf(p.identitySQL, cond), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []docIdentity
	for rows.Next() {
		var d docIdentity
		var vals []*string
		if err := rows.Scan(&d.docID, &d.uuid, &vals); err != nil {
			return nil, err
		}
		if err := p.referentialIDs(&d, vals); err != nil {
			return nil, err
		}
		if len(vals) == len(p.identity) {
			p.checkIdentityEquality(&d, vals)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// referentialIDs computes d's ReferentialIds from identity value texts.
func (p *plan) referentialIDs(d *docIdentity, vals []*string) error {
	var elems []refid.Element
	if p.descriptor {
		if len(vals) != 1 || vals[0] == nil {
			return fmt.Errorf("runtime: descriptor %d has no URI", d.docID)
		}
		elems = refid.DescriptorReferenceIdentity(*vals[0])
	} else {
		if len(vals) != len(p.identity) {
			return fmt.Errorf("runtime: %s %d: %d identity values, want %d", p.res.ResourceName, d.docID, len(vals), len(p.identity))
		}
		for i, id := range p.identity {
			if vals[i] == nil {
				return fmt.Errorf("runtime: %s %d: identity value %s is missing", p.res.ResourceName, d.docID, id.el.Path)
			}
			canon, err := canonical(id.el.Type, jsonValue(id.el.Type, *vals[i]))
			if err != nil {
				return fmt.Errorf("runtime: %s %d: %s: %w", p.res.ResourceName, d.docID, id.el.Path, err)
			}
			elems = append(elems, refid.NewElement(id.el.Path, canon))
		}
	}
	d.primary = refid.New(p.res.ProjectName, p.res.ResourceName, elems)
	if sc := p.res.Superclass; sc != nil {
		alias, err := refid.Superclass{ProjectName: sc.ProjectName, ResourceName: sc.ResourceName, IdentityJSONPath: sc.IdentityRename}.Alias(elems)
		if err != nil {
			return err
		}
		d.alias, d.hasAlias = alias, true
	}
	return nil
}

// identityRows returns the dms.ReferentialIdentity rows of identities:
// ids, their documents and resource keys (primary, then alias).
func (p *plan) identityRows(ids []docIdentity) ([][16]byte, []int64, []int16) {
	var rid [][16]byte
	var docs []int64
	var keys []int16
	for _, d := range ids {
		rid, docs, keys = append(rid, d.primary), append(docs, d.docID), append(keys, p.key)
		if d.hasAlias {
			rid, docs, keys = append(rid, d.alias), append(docs, d.docID), append(keys, p.superKey)
		}
	}
	return rid, docs, keys
}
