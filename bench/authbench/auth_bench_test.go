package authbench

import (
	"context"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// benchScale returns the scale DMSC_AUTHBENCH_SCALE selects.
func benchScale(b *testing.B) Scale {
	s, err := ScaleFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkAuth measures every operation under each grant against the
// same operation without a grant, in one run, on the database of the
// selected scale (see doc.go). Names are
// <scale>/<resource>/<operation>/<case>: the case "baseline" is the
// operation without a grant, the others name the grant; deep pages, whose
// position depends on what the grant sees, are
// <scale>/<resource>/<operation>/<grant>/{baseline,auth}.
func BenchmarkAuth(b *testing.B) {
	s := benchScale(b)
	e := getEnv(b, s)
	if e.loaded.Documents > 0 {
		b.Logf("loaded %d documents in %v (%.0f docs/s)", e.loaded.Documents, e.loaded.Elapsed, e.loaded.Rate())
	}
	bs := e.store(b, planGeneric)
	bg := context.Background()
	grants := grantsFor(s)
	// sameOp runs the operation without a grant as the baseline, then
	// under each grant of action.
	sameOp := func(name string, t target, action authz.Action, mk func() op) {
		b.Run(s.Name+"/"+t.name+"/"+name+"/baseline", func(b *testing.B) { measure(b, bs, bg, mk()) })
		for _, g := range grants {
			ctx := e.grantCtx(b, bg, t, action, g.claims)
			b.Run(s.Name+"/"+t.name+"/"+name+"/"+g.name, func(b *testing.B) {
				measure(b, bs, ctx, mk())
				b.ReportMetric(float64(len(g.claims)), "claims")
			})
		}
	}
	for _, t := range targets {
		sameOp("Get", t, authz.ActionRead, func() op { return e.getOp(b, bs, t) })
		for _, q := range []struct {
			name  string
			count bool
		}{{"First", false}, {"FirstCount", true}} {
			sameOp(q.name, t, authz.ActionRead, func() op {
				return queryOp(bs, t, relstore.QueryOptions{Limit: pageLimit, TotalCount: q.count}, -1)
			})
		}
		for _, g := range grants {
			ctx := e.grantCtx(b, bg, t, authz.ActionRead, g.claims)
			pos, ok := e.deepPage(b, bs, ctx, t, g.name)
			if !ok {
				b.Logf("%s under %s sees %d documents: no deep page", t.name, g.name, pos.visible)
				continue
			}
			for _, d := range deepOps(pos) {
				for _, c := range []struct {
					name string
					ctx  context.Context
				}{{"baseline", bg}, {"auth", ctx}} {
					b.Run(s.Name+"/"+t.name+"/"+d.name+"/"+g.name+"/"+c.name, func(b *testing.B) {
						measure(b, bs, c.ctx, queryOp(bs, t, d.q, pageLimit))
					})
				}
			}
		}
	}
	sameOp("Post", targetSSA, authz.ActionCreate, func() op { return e.postOp(bs) })
	sameOp("Put", targetSSA, authz.ActionUpdate, func() op { return e.putOp(b, bs, targetSSA) })
	sameOp("Delete", targetSSA, authz.ActionDelete, func() op { return e.deleteOp(bs) })
	sameOp("Put", targetStudent, authz.ActionUpdate, func() op { return e.putOp(b, bs, targetStudent) })
}

// deepOp is a deep-page query: its name and options.
type deepOp struct {
	name string
	q    relstore.QueryOptions
}

// deepOps are the deep-page queries at pos: keyset (After) with and
// without the total count, and offset.
func deepOps(pos deepPos) []deepOp {
	return []deepOp{
		{"DeepKeyset", relstore.QueryOptions{Limit: pageLimit, After: pos.after}},
		{"DeepKeysetCount", relstore.QueryOptions{Limit: pageLimit, After: pos.after, TotalCount: true}},
		{"DeepOffset", relstore.QueryOptions{Limit: pageLimit, Offset: pos.offset}},
	}
}
