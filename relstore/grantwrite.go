package relstore

import (
	"context"
	"strconv"

	"github.com/edfi-dmsc/dmsc/authz"
)

// Lookups of the written document for the stored check: by natural key
// (POST) or by id (PUT, DELETE), parameters $1 and $2.
const (
	storedByRefExpr  = `(SELECT ri."DocumentId" FROM "dms"."ReferentialIdentity" ri WHERE ri."ReferentialId" = $1::uuid AND ri."ResourceKeyId" = $2)`
	storedByUUIDExpr = `(SELECT d."DocumentId" FROM "dms"."Document" d WHERE d."DocumentUuid" = $1::uuid AND d."ResourceKeyId" = $2)`
)

// denied is the 403 of a write or delete the grant does not allow.
func denied(what string) *ForbiddenError {
	return &ForbiddenError{Status: 403, ProblemType: ProblemTypeDocumentDenied,
		Detail: "Access to the resource item could not be authorized: the caller's education organizations, people or namespaces do not reach " + what + "."}
}

// allowedSQL is a statement yielding whether predicate pred allows the
// document doc (an SQL expression over the leading args), or no row when
// there is no such document.
func (s *Store) allowedSQL(ctx context.Context, p *plan, pred authz.Predicate, doc string, args []any) (string, []any, error) {
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	g, _ := grantFrom(ctx)
	g.Predicate = pred
	cond, err := s.predicateSQL(p, g, param, true)
	if err != nil {
		return "", nil, err
	}
	return `SELECT coalesce(` + cond + `, false) FROM ` + p.rootRelation() + ` r WHERE r."DocumentId" = ` + doc, args, nil
}

// updatePredicate is the predicate a write that updates an existing
// document checks: the Update predicate a POST carries, else the grant's.
func (g Grant) updatePredicate() authz.Predicate {
	if g.UpdatePredicate != nil {
		return *g.UpdatePredicate
	}
	return g.Predicate
}
