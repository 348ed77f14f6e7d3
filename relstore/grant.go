package relstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/authz"
)

// Grant is what an authenticated caller may see of one resource and
// action: the predicate of its claim set's strategies (resolved by the
// caller with package authz) and its EdOrg ids and namespace prefixes.
type Grant struct {
	// Predicate is the strategies' predicate for the operation's action
	// (Read for GET and queries, Create for POST, Update for PUT, Delete
	// for DELETE).
	Predicate authz.Predicate
	// UpdatePredicate is, for a POST, the Update predicate applied when
	// the natural key exists and the POST updates (nil: Predicate).
	UpdatePredicate *authz.Predicate
	// UpdateDenied is, for a POST, that the claim set may not update: a
	// POST that finds its natural key is then a 403.
	UpdateDenied      bool
	EdOrgIDs          []int64
	NamespacePrefixes []string
}

// grantKey keys the Grant in a context.
type grantKey struct{}

// WithGrant returns ctx carrying g: reads through the returned context
// see only the documents g allows (queries filter their keys and totals;
// a GET of a document g does not allow is a *ForbiddenError); a PUT or
// DELETE (and a POST that finds its natural key) must be allowed on the
// stored document, and a POST or PUT on the document as written, else a
// *ForbiddenError and nothing changes.
func WithGrant(ctx context.Context, g Grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

// ErrNoGrant is the error of a call without a grant to a store with
// Options.RequireGrant: a server configuration error (500), as upstream
// DMS answers a request its security configuration cannot decide.
var ErrNoGrant = &ForbiddenError{Status: 500, ProblemType: authz.ProblemTypeSecurityConfiguration,
	Detail: "The store requires every call to carry a grant (Options.RequireGrant) and this call carries none."}

// entry resolves the resource of a public call and, with
// Options.RequireGrant, refuses a call whose context carries no grant.
func (s *Store) entry(ctx context.Context, projectEndpoint, endpoint string) (*plan, error) {
	if _, ok := grantFrom(ctx); s.opts.RequireGrant && !ok {
		return nil, ErrNoGrant
	}
	p, err := s.lookup(projectEndpoint, endpoint)
	if err != nil {
		return nil, err
	}
	if err := s.ensureClaimSet(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// grantFrom returns the grant of ctx.
func grantFrom(ctx context.Context) (Grant, bool) {
	g, ok := ctx.Value(grantKey{}).(Grant)
	return g, ok
}

// ForbiddenError reports a request the grant does not allow: a document
// it may not see, or a grant that cannot be applied (no EdOrg claims under
// a relationship strategy: Status 403; a strategy the resource cannot
// check: 500 or 501). Servers answer with Status and ProblemType.
type ForbiddenError struct {
	// Status is 403, 500 or 501.
	Status int
	// ProblemType is the problem type URN.
	ProblemType string
	// Detail explains the denial.
	Detail string
}

// Error implements error.
func (e *ForbiddenError) Error() string { return "authorization: " + e.Detail }

// ProblemTypeDocumentDenied is the problem type of a document the grant
// may not see (upstream DMS's relationship denial).
const ProblemTypeDocumentDenied = "urn:ed-fi:api:security:authorization:access-denied:relationships"

// Placeholders the predicate is built with (valid, and far above any
// parameter a statement of this package uses), replaced by the real
// parameter numbers once the statement's other parameters are known.
const (
	claimsToken   = "$9001"
	prefixesToken = "$9002"
	claimSetToken = "$9003"
	afterToken    = "$9004"
)

// predicateForm is how a statement tests the grant.
type predicateForm int

const (
	// formIn tests membership in each subject's reach (IN subqueries): a
	// page's total count.
	formIn predicateForm = iota
	// formProbe probes up the views from the row's values
	// (authsql.Shape.Single): one document, or a page under many claims.
	formProbe
	// formKeys is formIn with the document-is-subject elements as arrays
	// of the reach (authsql.Shape.KeyArray): a page's keys under few
	// claims.
	formKeys
	// formUnion is formIn with the IN tests an OR joins on one expression
	// merged into an IN over the union of their reaches
	// (authsql.Shape.MergeIn): a page's total count under few claims.
	formUnion
)

// grantPredicate returns, when ctx carries a grant, the SQL condition over
// alias r that the grant allows, in form, adding its parameters through
// param; "" without a grant. after is the keyset cursor of a formKeys page
// (0: none).
func (s *Store) grantPredicate(ctx context.Context, p *plan, param func(any) string, form predicateForm, after int64) (string, error) {
	g, ok := grantFrom(ctx)
	if !ok {
		return "", nil
	}
	return s.predicateSQL(p, g, param, form, after)
}

// predicateSQL is the SQL condition over alias r that grant g allows, in
// form, adding its parameters through param; after as grantPredicate.
func (s *Store) predicateSQL(p *plan, g Grant, param func(any) string, form predicateForm, after int64) (string, error) {
	shape := authsql.Shape{
		Claims: len(g.EdOrgIDs), Prefixes: len(g.NamespacePrefixes),
		ClaimsParam: claimsToken, PrefixesParam: prefixesToken,
		Single: form == formProbe, KeyArray: form == formKeys, MergeIn: form == formUnion,
	}
	if form == formKeys && after > 0 {
		shape.AfterParam = afterToken
	}
	claimSet := s.storedClaimSet(g)
	if claimSet != "" {
		shape.ClaimSetParam = claimSetToken
	}
	res, err := authsql.Build(s.m, p.res, g.Predicate, shape)
	if err != nil {
		return "", forbidden(err)
	}
	return bindGrant(p, g, res, claimSet, param, after)
}

// reachSQL is, when grant g's documents of p can be listed from the auth
// views alone (authsql.Reach), a query of their ids (an id may repeat)
// adding its parameters through param; "" when they cannot.
func (s *Store) reachSQL(p *plan, g Grant, param func(any) string) (string, error) {
	shape := authsql.Shape{Claims: len(g.EdOrgIDs), Prefixes: len(g.NamespacePrefixes),
		ClaimsParam: claimsToken, PrefixesParam: prefixesToken}
	claimSet := s.storedClaimSet(g)
	if claimSet != "" {
		shape.ClaimSetParam = claimSetToken
	}
	res, ok, err := authsql.Reach(s.m, p.res, g.Predicate, shape)
	if err != nil || !ok {
		return "", forbidden(err)
	}
	return bindGrant(p, g, res, claimSet, param, 0)
}

// forbidden turns an authsql error into the *ForbiddenError it stands for
// (nil stays nil, others pass).
func forbidden(err error) error {
	var ae *authsql.Error
	if errors.As(err, &ae) {
		return &ForbiddenError{Status: ae.Status(), ProblemType: ae.ProblemType(), Detail: ae.Message}
	}
	return err
}

// bindGrant replaces the placeholders of a built predicate or reach with
// parameters added through param: the stored claim set's id when
// claimSet is not "", else the claims; the prefixes' patterns; the cursor
// after.
func bindGrant(p *plan, g Grant, res authsql.Result, claimSet string, param func(any) string, after int64) (string, error) {
	sql := res.SQL
	switch {
	case res.UsesClaims && claimSet != "":
		sql = strings.ReplaceAll(sql, claimSetToken, param(claimSet))
	case res.UsesClaims:
		sql = strings.ReplaceAll(sql, claimsToken, param(claimIDs(g.EdOrgIDs)))
	}
	if res.UsesPrefixes {
		sql = strings.ReplaceAll(sql, prefixesToken, param(authsql.LikePatterns(g.NamespacePrefixes)))
	}
	if strings.Contains(sql, afterToken) {
		sql = strings.ReplaceAll(sql, afterToken, param(after))
	}
	if strings.Contains(sql, claimsToken) || strings.Contains(sql, prefixesToken) || strings.Contains(sql, claimSetToken) {
		return "", fmt.Errorf("relstore: authorization predicate of %s kept a placeholder", p.res.ResourceName)
	}
	return sql, nil
}

// AuthorizesDocuments reports whether the store applies the grant of the
// context (WithGrant) to the documents of action: every CRUD action.
func (s *Store) AuthorizesDocuments(action authz.Action) bool {
	switch action {
	case authz.ActionCreate, authz.ActionRead, authz.ActionUpdate, authz.ActionDelete:
		return true
	}
	return false
}
