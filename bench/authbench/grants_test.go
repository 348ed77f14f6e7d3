package authbench

import (
	"context"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// grantSpec is one benchmarked grant: its case name and EdOrg claims.
type grantSpec struct {
	name   string
	claims []int64
}

// grantsFor returns the grants the issue names, at scale s: 1 school,
// 100 schools, 10,000 schools (each capped at the scale's schools) and 1
// LEA. Each includes school 0, whose students the GET and write
// benchmarks use, so every grant allows the same documents there: 100
// schools are every (schools/100)th school from school 0, spread over
// the LEAs; the LEA is school 0's.
func grantsFor(s Scale) []grantSpec {
	n := s.Schools()
	spread := func(k int) []int64 {
		k = min(k, n)
		out := make([]int64, 0, k)
		for i := 0; i < k; i++ {
			out = append(out, s.SchoolID(i*(n/k)))
		}
		return out
	}
	return []grantSpec{
		{"school1", spread(1)},
		{"school100", spread(100)},
		{"school10000", spread(10000)},
		{"lea1", []int64{LEAID(0)}},
	}
}

// grantByName returns the grant named name of scale s.
func grantByName(s Scale, name string) grantSpec {
	for _, g := range grantsFor(s) {
		if g.name == name {
			return g
		}
	}
	panic("authbench: no grant " + name)
}

// target is a benchmarked resource and the claim set whose strategies
// apply to it.
type target struct {
	// name names the resource in benchmark names.
	name string
	// endpoint is its endpoint under ProjectEndpoint.
	endpoint string
	// claimSet is a claim set of testdata/auth/claims.ds-5.0-sample.json
	// with a relationship strategy on the resource for the benchmarked
	// actions.
	claimSet string
}

// The targets: School exercises the EdOrg path (self, through the
// closure, and its inverted form), Student the person path
// (EdOrg → StudentSchoolAssociation → Student), StudentSchoolAssociation
// both (EdOrg and person subjects ANDed).
var (
	targetSchool  = target{"School", "schools", "EdOrgInvertedReader"}
	targetStudent = target{"Student", "students", "SISVendor"}
	targetSSA     = target{"StudentSchoolAssociation", "studentSchoolAssociations", "SISVendor"}
	targets       = []target{targetSchool, targetStudent, targetSSA}
)

// resource returns the target's manifest resource.
func (e *benchEnv) resource(tb testing.TB, t target) *manifest.Resource {
	tb.Helper()
	for i := range e.man.Resources {
		r := &e.man.Resources[i]
		if r.ProjectEndpoint == ProjectEndpoint && r.EndpointName == t.endpoint {
			return r
		}
	}
	tb.Fatalf("no resource %s/%s in the manifest", ProjectEndpoint, t.endpoint)
	return nil
}

// decision resolves the target's claim set for action and fails unless
// it is a relationship strategy the store evaluates.
func (e *benchEnv) decision(tb testing.TB, t target, action authz.Action) authz.Decision {
	tb.Helper()
	dec := e.claims.ResolveResource(t.claimSet, e.resource(tb, t), action)
	if dec.Status() != 0 {
		tb.Fatalf("%s %s %s: %v", t.claimSet, action, t.name, dec)
	}
	relationship := false
	for _, s := range dec.Predicate.Leaves() {
		relationship = relationship || s.Kind == authz.KindRelationship
	}
	if !relationship {
		tb.Fatalf("%s %s %s is %v, not a relationship strategy", t.claimSet, action, t.name, dec)
	}
	return dec
}

// grantCtx returns ctx carrying the grant of claims for action on t (a
// Create grant also carries the Update predicate, as the server's does).
func (e *benchEnv) grantCtx(tb testing.TB, ctx context.Context, t target, action authz.Action, claims []int64) context.Context {
	tb.Helper()
	g := relstore.Grant{Predicate: e.decision(tb, t, action).Predicate, EdOrgIDs: claims}
	if action == authz.ActionCreate {
		u := e.decision(tb, t, authz.ActionUpdate).Predicate
		g.UpdatePredicate = &u
	}
	return relstore.WithGrant(ctx, g)
}
