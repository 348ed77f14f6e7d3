package authz

import (
	"strings"
	"testing"
)

func strategies(names ...string) []Strategy {
	out := make([]Strategy, len(names))
	for i, n := range names {
		out[i] = LookupStrategy(n)
	}
	return out
}

// TestCombine: relationship strategies are ORed, the others ANDed with
// that disjunction; NoFurtherAuthorizationRequired only when alone;
// duplicates once.
func TestCombine(t *testing.T) {
	const (
		eo  = StrategyRelationshipsWithEdOrgsOnly
		eoi = StrategyRelationshipsWithEdOrgsOnlyInverted
		sr  = StrategyRelationshipsWithStudentsOnlyThroughResponsibility
		ns  = StrategyNamespaceBased
		nf  = StrategyNoFurtherAuthorizationRequired
		own = StrategyOwnershipBased
	)
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{eo}, eo},
		{[]string{nf}, nf},
		{[]string{nf, nf}, nf},
		{[]string{ns}, ns},
		{[]string{eo, eoi}, "OR(" + eo + ", " + eoi + ")"},
		{[]string{eo, eoi, eo}, "OR(" + eo + ", " + eoi + ")"},
		{[]string{eo, ns}, "AND(" + eo + ", " + ns + ")"},
		{[]string{ns, eo, sr}, "AND(OR(" + eo + ", " + sr + "), " + ns + ")"},
		{[]string{nf, ns}, ns},
		{[]string{eo, nf}, eo},
		{[]string{own, "Custom", eo}, "AND(" + eo + ", " + own + ", Custom)"},
	}
	for _, tt := range tests {
		p := combine(strategies(tt.in...))
		if got := p.String(); got != tt.want {
			t.Errorf("combine(%s) = %s, want %s", strings.Join(tt.in, ", "), got, tt.want)
		}
		checkShape(t, p, 0)
	}
}

// checkShape: leaves are leaves, nodes have at least two operands, an OR
// holds relationship leaves only, an AND sits only at the top.
func checkShape(t *testing.T, p Predicate, depth int) {
	t.Helper()
	switch p.Op {
	case OpStrategy:
		if p.Operands != nil {
			t.Errorf("%s: a leaf with operands", p)
		}
	case OpAny:
		if len(p.Operands) < 2 {
			t.Errorf("%s: OR of %d", p, len(p.Operands))
		}
		for _, o := range p.Operands {
			if o.Op != OpStrategy || o.Strategy.Kind != KindRelationship {
				t.Errorf("%s: OR holds %s", p, o)
			}
		}
	case OpAll:
		if len(p.Operands) < 2 || depth > 0 {
			t.Errorf("%s: AND of %d at depth %d", p, len(p.Operands), depth)
		}
		for _, o := range p.Operands {
			checkShape(t, o, depth+1)
		}
	default:
		t.Errorf("bad op %v", p.Op)
	}
}

// TestPredicateEval: Eval follows AND and OR.
func TestPredicateEval(t *testing.T) {
	p := combine(strategies(StrategyRelationshipsWithEdOrgsOnly, StrategyRelationshipsWithEdOrgsOnlyInverted, StrategyNamespaceBased))
	tests := []struct {
		holds []string
		want  bool
	}{
		{nil, false},
		{[]string{StrategyNamespaceBased}, false},
		{[]string{StrategyRelationshipsWithEdOrgsOnly}, false},
		{[]string{StrategyRelationshipsWithEdOrgsOnly, StrategyNamespaceBased}, true},
		{[]string{StrategyRelationshipsWithEdOrgsOnlyInverted, StrategyNamespaceBased}, true},
	}
	for _, tt := range tests {
		got := p.Eval(func(s Strategy) bool {
			for _, h := range tt.holds {
				if h == s.Name {
					return true
				}
			}
			return false
		})
		if got != tt.want {
			t.Errorf("%s with %v holding = %v, want %v", p, tt.holds, got, tt.want)
		}
	}
	var leaves []string
	for _, s := range p.Leaves() {
		leaves = append(leaves, s.Name)
	}
	if got := strings.Join(leaves, " "); got != StrategyRelationshipsWithEdOrgsOnly+" "+StrategyRelationshipsWithEdOrgsOnlyInverted+" "+StrategyNamespaceBased {
		t.Errorf("leaves %s", got)
	}
}
