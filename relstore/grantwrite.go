package relstore

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
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
	cond, err := s.predicateSQL(p, g, param, formProbe, 0)
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

// collisionError is decide's natural-key conflict: the write's new
// identity id (or its superclass alias) is another document's. writeTx
// answers it after the references resolve (an unresolved reference's 409
// first) and, under a grant, after the proposed-document check where that
// check can be decided without writing (subjectsFollowIdentity): the
// spec's order is 403 proposed, then 409.
type collisionError struct {
	id    refid.UUID
	alias bool
	err   *ConflictError
}

// Error implements error.
func (e *collisionError) Error() string { return e.err.Error() }

// beforeCollisionCheck, when set (tests), runs before collision's check
// statement.
var beforeCollisionCheck func()

// holderByRefExpr is the document holding ReferentialId $1.
const holderByRefExpr = `(SELECT ri."DocumentId" FROM "dms"."ReferentialIdentity" ri WHERE ri."ReferentialId" = $1::uuid)`

// collision answers c: a 403 when the grant does not allow the document as
// written, else c's 409. The document as written cannot be stored to be
// checked (its identity is taken), but when every securable element of the
// resource sits on its identity it would have the subjects of the
// document holding that identity: the check runs on that one, in one
// statement, on this path only. If no document holds the identity any
// more (renamed or deleted since the lock statement read it), the write
// runs again. An alias collision (another resource of the superclass) or
// a resource with an element off its identity keeps the 409.
func (s *Store) collision(ctx context.Context, tx pgx.Tx, p *plan, c *collisionError) error {
	g, ok := grantFrom(ctx)
	if !ok || c.alias || !subjectsFollowIdentity(p) {
		return c.err
	}
	if beforeCollisionCheck != nil {
		beforeCollisionCheck()
	}
	sql, args, err := s.allowedSQL(ctx, p, g.updatePredicate(), holderByRefExpr, []any{c.id.String()})
	if err != nil {
		return err
	}
	var allowed bool
	switch err := tx.QueryRow(ctx, sql, args...).Scan(&allowed); {
	case isNoRows(err):
		return errRecheck
	case err != nil:
		return err
	case !allowed:
		return denied("the document as written")
	}
	return c.err
}

// subjectsFollowIdentity reports whether two documents of p with the same
// identity have the same authorization subjects: every securable element
// is a value or reference on an identity column (a reference's FK column
// is an identity column when the reference is part of the identity, and
// equal identities then reference the same documents; a namespace on the
// document itself is such a value). A person or EdOrg that is the
// document itself, and descriptors (whose identity ignores letter case,
// where namespace prefixes do not), do not qualify. With DS 5.0 and
// testdata/auth/ds-5.0.overlay.json every resource that allows identity
// updates qualifies.
func subjectsFollowIdentity(p *plan) bool {
	if p.descriptor {
		return false
	}
	identity := map[string]bool{}
	for _, e := range p.res.Identity {
		identity[e.Column] = true
	}
	for _, e := range p.res.SecurableElements {
		self := e.Site == manifest.SiteSelf && e.Subject != manifest.SubjectNamespace
		if self || !identity[e.Column] {
			return false
		}
	}
	return true
}
