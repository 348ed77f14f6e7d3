package authz

import "strings"

// Op is the operator of a Predicate node.
type Op uint8

const (
	// OpStrategy is a leaf: one strategy.
	OpStrategy Op = iota + 1
	// OpAll holds when every operand holds (AND).
	OpAll
	// OpAny holds when some operand holds (OR).
	OpAny
)

// String returns "strategy", "AND" or "OR".
func (o Op) String() string {
	switch o {
	case OpStrategy:
		return "strategy"
	case OpAll:
		return "AND"
	case OpAny:
		return "OR"
	}
	return "Op(?)"
}

// Predicate is the combination of the strategies granted for one action on
// one resource, as a tree that SQL generation and an evaluator walk:
// relationship strategies are ORed, that disjunction and every other
// strategy are ANDed. NoFurtherAuthorizationRequired is the identity of the
// conjunction, so it appears only when it is the only strategy; duplicate
// names appear once. An OpAll or OpAny node has at least two operands.
//
// Shapes: a single leaf; OR(relationship…); AND(leaf or OR(…), other
// leaves…). For example RelationshipsWithEdOrgsOnly,
// RelationshipsWithEdOrgsOnlyInverted and NamespaceBased give
// AND(OR(RelationshipsWithEdOrgsOnly, RelationshipsWithEdOrgsOnlyInverted), NamespaceBased).
type Predicate struct {
	// Op is the node's operator.
	Op Op
	// Strategy is the leaf's strategy (Op == OpStrategy).
	Strategy Strategy
	// Operands are the children of an OpAll or OpAny node.
	Operands []Predicate
}

// combine builds the predicate of a non-empty strategy list.
func combine(strategies []Strategy) Predicate {
	var rel, other []Predicate
	var none *Strategy
	seen := map[string]bool{}
	for i := range strategies {
		s := strategies[i]
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		switch s.Kind {
		case KindRelationship:
			rel = append(rel, Predicate{Op: OpStrategy, Strategy: s})
		case KindNoFurtherAuthorizationRequired:
			if none == nil {
				none = &strategies[i]
			}
		default:
			other = append(other, Predicate{Op: OpStrategy, Strategy: s})
		}
	}
	var operands []Predicate
	switch len(rel) {
	case 0:
	case 1:
		operands = append(operands, rel[0])
	default:
		operands = append(operands, Predicate{Op: OpAny, Operands: rel})
	}
	operands = append(operands, other...)
	switch len(operands) {
	case 0:
		if none == nil {
			return Predicate{}
		}
		return Predicate{Op: OpStrategy, Strategy: *none}
	case 1:
		return operands[0]
	}
	return Predicate{Op: OpAll, Operands: operands}
}

// String renders the tree: a leaf is its strategy name, a node
// `AND(a, b)` or `OR(a, b)`.
func (p Predicate) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p Predicate) write(b *strings.Builder) {
	if p.Op == OpStrategy {
		b.WriteString(p.Strategy.Name)
		return
	}
	b.WriteString(p.Op.String())
	b.WriteByte('(')
	for i, o := range p.Operands {
		if i > 0 {
			b.WriteString(", ")
		}
		o.write(b)
	}
	b.WriteByte(')')
}

// Leaves returns the strategies of the tree, depth first, left to right.
func (p Predicate) Leaves() []Strategy {
	var out []Strategy
	var walk func(Predicate)
	walk = func(p Predicate) {
		if p.Op == OpStrategy {
			out = append(out, p.Strategy)
			return
		}
		for _, o := range p.Operands {
			walk(o)
		}
	}
	walk(p)
	return out
}

// Eval evaluates the tree with leaf deciding each strategy. OpAll of no
// operand holds, OpAny of none does not (neither is ever built).
func (p Predicate) Eval(leaf func(Strategy) bool) bool {
	switch p.Op {
	case OpStrategy:
		return leaf(p.Strategy)
	case OpAll:
		for _, o := range p.Operands {
			if !o.Eval(leaf) {
				return false
			}
		}
		return true
	case OpAny:
		for _, o := range p.Operands {
			if o.Eval(leaf) {
				return true
			}
		}
	}
	return false
}
