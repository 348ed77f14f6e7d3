package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/edfi-dmsc/dmsc/relstore"

	"github.com/edfi-dmsc/dmsc/authz"
)

// Auth turns on authentication and resource-level authorization for the
// /data routes (spec 70-authorization.md, "Library and dmsc serve"). The
// index, /health and /ready stay open.
//
// Every /data request is first authenticated by Authenticator (401 when it
// cannot be); its grant then travels in the request context (GrantFrom).
// Once the request itself has been checked (route 404, method 405, headers,
// query and body 400/413/415), Claims resolves (claim set, resource,
// action) as upstream DMS does: a denial is a 403, a misconfigured claim a
// 500, OwnershipBased a 501 (authz.Decision.Status).
//
// An Auth with a nil Claims or Authenticator answers every /data request
// with 500 (a misconfigured server fails closed).
type Auth struct {
	// Claims are the claim sets and the claims hierarchy (authz.LoadFile).
	Claims *authz.Claims
	// Authenticator finds the caller's grant: a JWTAuthenticator or a
	// HeaderAuthenticator.
	Authenticator Authenticator
}

// Authenticator finds who sends a request.
type Authenticator interface {
	// Authenticate returns the caller's grant, normalized
	// (authz.Grant.Normalize), or an error: an *AuthError says what to
	// answer; any other error answers 401.
	Authenticate(r *http.Request) (authz.Grant, error)
}

// loopbackOnly is an Authenticator that Run refuses to serve on a
// listener other than loopback.
type loopbackOnly interface {
	LoopbackOnly() bool
}

// DocumentAuthorizer is a Store that applies the document-level part of
// authorization itself: the relationship and namespace strategies, which
// decide per document, and the Update check of a POST that finds its
// natural key (spec "Operations and errors"), using the grant of the
// request context. When the store is not one (a *relstore.Store is not,
// yet), the server fails closed: it serves a request only when the claim
// set's strategies for its action are NoFurtherAuthorizationRequired alone
// (for a POST, those of Update too), and answers 501 otherwise.
type DocumentAuthorizer interface {
	// AuthorizesDocuments reports whether the store filters the documents
	// of action by the grant relstore.WithGrant puts in the context.
	AuthorizesDocuments(action authz.Action) bool
}

// MaxCredentialBytes bounds a credential header value (an Authorization
// header, a Dmsc-* header). net/http's MaxHeaderBytes (--max-header-bytes,
// 32 KiB by default) bounds all headers together first, with 431: a token
// holding 10,000 EdOrg ids (about 140 KB) needs it raised.
const MaxCredentialBytes = 1 << 20

// The problem types of authentication and authorization, as upstream DMS
// words them where it has them.
const (
	// TypeAuthentication (401): no credentials, or credentials that are
	// malformed, expired, wrongly signed or hold an invalid grant.
	TypeAuthentication = "urn:ed-fi:api:security:authentication"
	// TypeAuthorization (403): the claim set has no claim for the resource,
	// or is not declared.
	TypeAuthorization = authz.ProblemTypeAuthorization
	// TypeAuthorizationAction (403): the claim set is not granted the
	// action on the resource.
	TypeAuthorizationAction = authz.ProblemTypeActionDenied
	// TypeSecurityConfiguration (500): the claims file grants the action
	// without a strategy, or with one dmsc does not know.
	TypeSecurityConfiguration = authz.ProblemTypeSecurityConfiguration
	// TypeNotImplemented (501, dmsc's own): OwnershipBased, or a strategy
	// that needs document-level checks the store does not apply.
	TypeNotImplemented = "urn:ed-fi:api:not-implemented"
)

// AuthError is why a request could not be authenticated.
type AuthError struct {
	// Status is 401, or 400 for a request whose Authorization header is
	// given twice.
	Status int
	// Challenge is the WWW-Authenticate value (RFC 6750 §3).
	Challenge string
	// Problems say what is wrong, one sentence each (the problem's errors).
	Problems []string
}

// Error joins the problems.
func (e *AuthError) Error() string {
	return "authentication failed: " + strings.Join(e.Problems, "; ")
}

// grantKey is the context key of the caller's grant.
type grantKey struct{}

// WithGrant returns ctx carrying g, the grant of an authenticated caller.
func WithGrant(ctx context.Context, g authz.Grant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

// GrantFrom returns the grant WithGrant put in ctx; false when there is
// none (no Auth, or a route outside /data).
func GrantFrom(ctx context.Context) (authz.Grant, bool) {
	g, ok := ctx.Value(grantKey{}).(authz.Grant)
	return g, ok
}

// authProblem is the 401 (or 400) of an authentication failure, with
// upstream DMS's type, title and detail; the errors say what is wrong.
func authProblem(w http.ResponseWriter, err error) *Problem {
	var ae *AuthError
	if !errors.As(err, &ae) {
		ae = &AuthError{Status: http.StatusUnauthorized, Problems: []string{clip(err.Error(), 512)}}
	}
	status := ae.Status
	if status == 0 {
		status = http.StatusUnauthorized
	}
	if ae.Challenge != "" {
		w.Header().Set("WWW-Authenticate", ae.Challenge)
	}
	title := "Authentication Failed"
	if status == http.StatusBadRequest {
		title = "Bad Request"
	}
	p := newProblem(status, TypeAuthentication, title, "The caller could not be authenticated.")
	p.Errors = ae.Problems
	return p
}

// authenticate runs the Authenticator on a /data request and returns the
// request with the grant in its context, or the problem to answer.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, *Problem) {
	a := h.opts.Auth
	if a.Claims == nil || a.Authenticator == nil {
		fmt.Fprintf(h.errLog, "dmsc: %s %s: 500: server.Auth needs both Claims and an Authenticator\n", clip(r.Method, 32), logURI(r))
		return nil, newProblem(http.StatusInternalServerError, TypeSecurityConfiguration, "Security Configuration Error",
			"A security configuration problem was detected. The request cannot be authorized.")
	}
	g, err := a.Authenticator.Authenticate(r)
	if err != nil {
		return nil, authProblem(w, err)
	}
	// An Authenticator of another package may skip the bounds.
	if g, err = g.Normalize(); err != nil {
		return nil, authProblem(w, &AuthError{Status: http.StatusUnauthorized, Problems: grantProblems(err)})
	}
	return r.WithContext(WithGrant(r.Context(), g)), nil
}

// grantProblems lists the problems of a failed Grant.Normalize.
func grantProblems(err error) []string {
	var ge *authz.GrantError
	if errors.As(err, &ge) {
		return ge.Problems
	}
	return []string{err.Error()}
}

// authorize checks the resource-level authorization of a request for
// action on rt and answers when it fails: 403, 500 or 501. It reports
// whether the request may go on to the store. Without Auth everything
// is allowed.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request, rt route, action authz.Action) (*http.Request, bool) {
	if h.opts.Auth == nil {
		return r, true
	}
	g, ok := GrantFrom(r.Context())
	if !ok {
		// authenticate runs first on every /data route.
		h.fail(w, r, errors.New("server: no grant in the context of an authenticated request"))
		return r, false
	}
	d := h.opts.Auth.Claims.Resolve(g.ClaimSet, rt.project, rt.name, action)
	if p := decisionProblem(d); p != nil {
		if p.Status == http.StatusInternalServerError {
			fmt.Fprintf(h.errLog, "dmsc: %s %s: %d: claim set %q, %s on %s: %s\n", clip(r.Method, 32), logURI(r), p.Status,
				clip(g.ClaimSet, 64), action, d.ResourceClaim, clip(strings.Join(d.Errors(), " "), maxLogDetail))
		}
		WriteProblem(w, p)
		return r, false
	}
	if h.docAuth != nil && h.docAuth.AuthorizesDocuments(action) {
		rg := relstore.Grant{Predicate: d.Predicate, EdOrgIDs: g.EdOrgIDs, NamespacePrefixes: g.NamespacePrefixes}
		if action == authz.ActionCreate {
			// A POST that finds its natural key updates the document.
			if u := h.opts.Auth.Claims.Resolve(g.ClaimSet, rt.project, rt.name, authz.ActionUpdate); u.Status() == 0 {
				pred := u.Predicate
				rg.UpdatePredicate = &pred
			} else {
				rg.UpdateDenied = true
			}
		}
		return r.WithContext(relstore.WithGrant(r.Context(), rg)), true
	}
	if p := documentLevelProblem(d); p != nil {
		WriteProblem(w, p)
		return r, false
	}
	if action == authz.ActionCreate {
		// A POST that finds its natural key updates the document.
		u := h.opts.Auth.Claims.Resolve(g.ClaimSet, rt.project, rt.name, authz.ActionUpdate)
		if u.Status() != 0 || documentLevelProblem(u) != nil {
			p := newProblem(http.StatusNotImplemented, TypeNotImplemented, "Not Implemented",
				fmt.Sprintf("A POST whose natural key exists updates the document, and the claim set '%s' may update %s only %s; this server cannot tell before writing, so it refuses the POST.",
					d.ClaimSet, rt.name, updateTerms(u)))
			p.Errors = []string{fmt.Sprintf("The 'Update' check of a POST on the resource claim '%s' is not applied by this server.", d.ResourceClaim)}
			WriteProblem(w, p)
			return r, false
		}
	}
	return r, true
}

// decisionProblem is the problem of a decision whose Status is not 0, as
// upstream DMS words it; nil for 0.
func decisionProblem(d authz.Decision) *Problem {
	var p *Problem
	switch d.Status() {
	case 0:
		return nil
	case http.StatusForbidden:
		p = newProblem(http.StatusForbidden, d.ProblemType(), "Authorization Denied", "Access to the resource could not be authorized.")
	case http.StatusInternalServerError:
		p = newProblem(http.StatusInternalServerError, TypeSecurityConfiguration, "Security Configuration Error",
			"A security configuration problem was detected. The request cannot be authorized.")
	default: // 501
		p = newProblem(http.StatusNotImplemented, TypeNotImplemented, "Not Implemented",
			"The request cannot be authorized: its authorization strategy is not implemented.")
	}
	errs := d.Errors()
	if errs == nil {
		errs = []string{}
	}
	p.Errors = errs
	return p
}

// documentLevelProblem is the 501 of an allowed decision whose strategies
// decide per document, when the store does not apply them; nil when
// NoFurtherAuthorizationRequired alone applies.
func documentLevelProblem(d authz.Decision) *Problem {
	var names []string
	for _, s := range d.Predicate.Leaves() {
		if s.Kind != authz.KindNoFurtherAuthorizationRequired {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	p := newProblem(http.StatusNotImplemented, TypeNotImplemented, "Not Implemented",
		fmt.Sprintf("The claim set '%s' may %s %s only under %s, which decides per document; this server does not apply document-level authorization yet, so it refuses the request rather than answer unfiltered.",
			d.ClaimSet, strings.ToLower(string(d.Action)), d.Resource, d.Predicate))
	p.Errors = []string{fmt.Sprintf("Document-level authorization (%s) of the '%s' action on the resource claim '%s' is not applied by this server.",
		strings.Join(names, ", "), d.Action, d.ResourceClaim)}
	return p
}

// updateTerms says on what terms a decision for Update allows it.
func updateTerms(u authz.Decision) string {
	switch {
	case u.Outcome == authz.OutcomeDenied:
		return "not at all"
	case u.Status() != 0:
		return fmt.Sprintf("under a claim this server cannot apply (%d)", u.Status())
	}
	return "under " + u.Predicate.String() + ", which decides per document"
}
