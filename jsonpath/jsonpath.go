// Package jsonpath parses and manipulates the restricted JSONPath grammar used
// by ApiSchema files and dmsc manifests: `$`, `.property` and `[*]` only.
//
// A path such as `$.addresses[*].periods[*].beginDate` names one location in
// a document shape. The grammar admits no filters, indexes, recursion or
// quoting, which keeps every path a plain walk that both the compiler and the
// runtime can follow without a general JSONPath engine.
package jsonpath

import (
	"fmt"
	"strings"
)

// Segment is one step of a path: a property name, or the array wildcard.
type Segment struct {
	// Name is the property name; empty for a wildcard.
	Name string
	// Wildcard is true for `[*]`.
	Wildcard bool
}

// Path is a parsed restricted JSONPath. The zero value is the root `$`.
// Paths are immutable values; their canonical text is kept alongside the
// steps, so String and Equal cost nothing.
type Path struct {
	segs []Segment
	// s is the canonical text ("" for the zero value, the root).
	s string
}

// Root is the path `$`.
var Root = Path{}

// SyntaxError describes why a string is not a restricted JSONPath.
type SyntaxError struct {
	// Input is the rejected text.
	Input string
	// Offset is the byte offset of the problem.
	Offset int
	// Reason says what was expected.
	Reason string
}

// Error renders the problem with its offset.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSONPath %q at offset %d: %s (allowed: $, .name, [*])", e.Input, e.Offset, e.Reason)
}

// IsNameByte reports whether c may appear in a property name segment.
func IsNameByte(c byte) bool {
	return c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// Parse parses s, which must start with `$` and continue with `.name` and
// `[*]` steps; names consist of ASCII letters, digits, `_` and `-`.
func Parse(s string) (Path, error) {
	if s == "" || s[0] != '$' {
		return Path{}, &SyntaxError{Input: s, Offset: 0, Reason: "must start with $"}
	}
	var segs []Segment
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && IsNameByte(s[j]) {
				j++
			}
			if j == i+1 {
				return Path{}, &SyntaxError{Input: s, Offset: i + 1, Reason: "expected a property name after '.'"}
			}
			segs = append(segs, Segment{Name: s[i+1 : j]})
			i = j
		case '[':
			if !strings.HasPrefix(s[i:], "[*]") {
				return Path{}, &SyntaxError{Input: s, Offset: i, Reason: "only [*] is allowed inside brackets"}
			}
			if len(segs) == 0 || segs[len(segs)-1].Wildcard {
				return Path{}, &SyntaxError{Input: s, Offset: i, Reason: "[*] must follow a property name"}
			}
			segs = append(segs, Segment{Wildcard: true})
			i += 3
		default:
			return Path{}, &SyntaxError{Input: s, Offset: i, Reason: fmt.Sprintf("unexpected character %q", s[i])}
		}
	}
	return Path{segs: segs, s: s}, nil
}

// MustParse parses a path known to be valid at compile time (literals in
// code); an invalid literal yields the root path. Use Parse for input.
func MustParse(s string) Path {
	p, err := Parse(s)
	if err != nil {
		return Root
	}
	return p
}

// String renders the path in canonical form.
func (p Path) String() string { return p.text() }

// text is the canonical text; the zero value renders as `$`.
func (p Path) text() string {
	if p.s == "" {
		return "$"
	}
	return p.s
}

func segText(s Segment) string {
	if s.Wildcard {
		return "[*]"
	}
	return "." + s.Name
}

// Segments returns a copy of the path's steps.
func (p Path) Segments() []Segment { return append([]Segment(nil), p.segs...) }

// Len is the number of steps.
func (p Path) Len() int { return len(p.segs) }

// IsRoot reports whether p is `$`.
func (p Path) IsRoot() bool { return len(p.segs) == 0 }

// Last returns the final step, or the zero Segment for the root.
func (p Path) Last() Segment {
	if len(p.segs) == 0 {
		return Segment{}
	}
	return p.segs[len(p.segs)-1]
}

// Parent drops the final step; the parent of the root is the root.
func (p Path) Parent() Path {
	if len(p.segs) == 0 {
		return p
	}
	last := p.segs[len(p.segs)-1]
	t := p.text()
	return Path{segs: p.segs[: len(p.segs)-1 : len(p.segs)-1], s: t[:len(t)-len(segText(last))]}
}

// Child appends a property step.
func (p Path) Child(name string) Path {
	return Path{segs: appendSeg(p.segs, Segment{Name: name}), s: p.text() + "." + name}
}

// Wildcard appends a `[*]` step.
func (p Path) Wildcard() Path {
	return Path{segs: appendSeg(p.segs, Segment{Wildcard: true}), s: p.text() + "[*]"}
}

// Join appends the steps of rel (a path relative to p, written from `$`).
func (p Path) Join(rel Path) Path {
	out := make([]Segment, 0, len(p.segs)+len(rel.segs))
	out = append(out, p.segs...)
	out = append(out, rel.segs...)
	return Path{segs: out, s: p.text() + rel.text()[1:]}
}

func appendSeg(segs []Segment, s Segment) []Segment {
	out := make([]Segment, len(segs), len(segs)+1)
	copy(out, segs)
	return append(out, s)
}

// HasPrefix reports whether q is p or an ancestor of p.
func (p Path) HasPrefix(q Path) bool {
	a, b := p.text(), q.text()
	if !strings.HasPrefix(a, b) {
		return false
	}
	// The prefix must end at a step boundary (`$.a` is not a prefix of
	// `$.ab`).
	return len(a) == len(b) || a[len(b)] == '.' || a[len(b)] == '['
}

// Rel returns p relative to its ancestor base, written from `$`
// (`$.a[*].b` relative to `$.a[*]` is `$.b`). ok is false when base is not
// an ancestor of p.
func (p Path) Rel(base Path) (Path, bool) {
	if !p.HasPrefix(base) {
		return Path{}, false
	}
	rest := append([]Segment(nil), p.segs[len(base.segs):]...)
	return Path{segs: rest, s: "$" + p.text()[len(base.text()):]}, true
}

// Equal reports whether both paths have the same steps.
func (p Path) Equal(q Path) bool { return p.text() == q.text() }

// WildcardCount is the number of `[*]` steps, the collection depth.
func (p Path) WildcardCount() int {
	n := 0
	for _, s := range p.segs {
		if s.Wildcard {
			n++
		}
	}
	return n
}

// Names returns the property names of p in order, skipping wildcards.
func (p Path) Names() []string {
	out := make([]string, 0, len(p.segs))
	for _, s := range p.segs {
		if !s.Wildcard {
			out = append(out, s.Name)
		}
	}
	return out
}

// Lookup follows p through a decoded JSON value (maps and slices as produced
// by encoding/json). Wildcards fan out over array elements; the result holds
// every value found, in document order. Missing properties yield nothing.
func (p Path) Lookup(doc any) []any {
	cur := []any{doc}
	for _, s := range p.segs {
		var next []any
		for _, v := range cur {
			if s.Wildcard {
				if arr, ok := v.([]any); ok {
					next = append(next, arr...)
				}
				continue
			}
			if obj, ok := v.(map[string]any); ok {
				if child, ok := obj[s.Name]; ok {
					next = append(next, child)
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}
