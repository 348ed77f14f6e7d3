package authbench

import (
	"context"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// planModes are the plan cache modes compared, by case name.
var planModes = []struct{ name, mode string }{
	{"generic", planGeneric},
	{"custom", planCustom},
	{"auto", planAuto},
	{"generic-nojit", planGeneric + noJIT},
}

// BenchmarkPlanMode compares PostgreSQL's plan cache modes
// (plan_cache_mode, set per session in the pool's runtime parameters)
// under the grant of 10,000 schools: force_generic_plan (what
// relstore.NewPool sets), force_custom_plan and auto. Names are
// <scale>/<resource>/<operation>/<case>: "baseline" is the operation
// without a grant in the generic mode (BenchmarkAuth's baseline),
// "generic", "custom" and "auto" are it under the grant in each mode, and
// "custom-noauth" and "auto-noauth" without a grant in the other modes
// (the mode applies to every statement of the store); "generic-nojit"
// and "generic-nojit-noauth" are the generic mode with JIT compilation
// off (PostgreSQL JIT-compiles a plan whose estimated cost passes
// jit_above_cost, and generic plans over ANY($1) estimate high).
func BenchmarkPlanMode(b *testing.B) {
	s := benchScale(b)
	e := getEnv(b, s)
	bg := context.Background()
	g := grantByName(s, "school10000")
	type planOp struct {
		t      target
		name   string
		action authz.Action
		mk     func(bs *benchStore, ctx context.Context) (op, bool)
	}
	query := func(t target, name string) planOp {
		return planOp{t, name, authz.ActionRead, func(bs *benchStore, ctx context.Context) (op, bool) {
			switch name {
			case "First":
				return queryOp(bs, t, relstore.QueryOptions{Limit: pageLimit}, -1), true
			case "FirstCount":
				return queryOp(bs, t, relstore.QueryOptions{Limit: pageLimit, TotalCount: true}, -1), true
			}
			gctx := e.grantCtx(b, bg, t, authz.ActionRead, g.claims)
			pos, ok := e.deepPage(b, e.store(b, planGeneric), gctx, t, g.name)
			for _, d := range deepOps(pos) {
				if d.name == name {
					return queryOp(bs, t, d.q, pageLimit), ok
				}
			}
			return op{}, false
		}}
	}
	ops := []planOp{
		{targetStudent, "Get", authz.ActionRead, func(bs *benchStore, _ context.Context) (op, bool) { return e.getOp(b, bs, targetStudent), true }},
		query(targetStudent, "First"),
		query(targetStudent, "FirstCount"),
		query(targetStudent, "DeepKeyset"),
		{targetSSA, "Get", authz.ActionRead, func(bs *benchStore, _ context.Context) (op, bool) { return e.getOp(b, bs, targetSSA), true }},
		query(targetSSA, "First"),
		query(targetSSA, "FirstCount"),
		query(targetSSA, "DeepKeyset"),
		{targetSSA, "Put", authz.ActionUpdate, func(bs *benchStore, _ context.Context) (op, bool) { return e.putOp(b, bs, targetSSA), true }},
		query(targetSchool, "First"),
		query(targetSchool, "FirstCount"),
	}
	for _, po := range ops {
		prefix := s.Name + "/" + po.t.name + "/" + po.name + "/"
		gctx := e.grantCtx(b, bg, po.t, po.action, g.claims)
		type runCase struct {
			name string
			mode string
			ctx  context.Context
		}
		cases := []runCase{{"baseline", planGeneric, bg}}
		for _, m := range planModes {
			cases = append(cases, runCase{m.name, m.mode, gctx})
			if m.mode != planGeneric {
				cases = append(cases, runCase{m.name + "-noauth", m.mode, bg})
			}
		}
		for _, c := range cases {
			bs := e.store(b, c.mode)
			if _, ok := po.mk(bs, c.ctx); !ok {
				b.Logf("%s%s: no deep page", prefix, c.name)
				continue
			}
			b.Run(prefix+c.name, func(b *testing.B) {
				o, _ := po.mk(bs, c.ctx)
				measure(b, bs, c.ctx, o)
			})
		}
	}
}
