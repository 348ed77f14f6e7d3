package apischema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/jsonpath"
)

// extKey is the property that holds extension projects' objects.
const extKey = "_ext"

// The extension merge rule, in one place.
//
// A resource extension's jsonSchemaForInsert mirrors the shape of the
// document it extends. Every `_ext.{own}` object found at an object scope
// of it — the root, an inlined object, a collection item, a nested
// collection item — extends the base scope at the same JSON path. Outside
// `_ext`, a property must name a property the base already has at that
// path (an object, or an array of objects) and may hold nothing but the
// path down to `_ext.{own}` nodes. Inside `_ext.{own}` everything is
// allowed; those subtrees are grafted into the merged schema. Two older
// ways to say the same thing are accepted too:
//
//   - the alignment shape `_ext.{own}.coll[*]._ext.{own}`: a property of
//     `_ext.{own}` that repeats a base object or collection and holds only
//     mirrored paths down to `_ext` nodes is the mirror of that base
//     object or collection (its paths are rewritten to the base's);
//   - commonExtensionOverrides: each `schemaFragment` is the schema of an
//     `_ext` object, grafted at each of its `insertionLocations`.
//
// Contributions to one `_ext.{own}` object combine: identical definitions
// are kept once, different ones are an error.

// grafter grafts one resource extension into a merged resource's schema.
type grafter struct {
	s     *Set
	ext   *Resource
	own   string // the extension project's endpoint
	base  string // the extended resource's name, for messages
	rw    *rewriter
	diags *diag.List
}

// graft places every `_ext.{own}` subtree of extension e (from its schema
// and its commonExtensionOverrides) into the merged schema of m, recording
// in rw how alignment-shape paths map onto the merged document.
func (s *Set) graft(m *Resource, e *Resource, rw *rewriter, diags *diag.List) {
	g := &grafter{s: s, ext: e, own: e.Project.EndpointName, base: m.ResourceName, rw: rw, diags: diags}
	if e.Schema != nil && m.Schema != nil {
		g.mirror(m.Schema, e.Schema, jsonpath.Root)
	}
	for _, co := range e.CommonExtensionOverrides {
		g.override(m.Schema, co)
	}
}

// mirror grafts the mirrored object ext onto base, the base document's
// object at doc.
func (g *grafter) mirror(base, ext *Node, doc jsonpath.Path) {
	for _, p := range ext.Properties {
		if p.Name == extKey {
			g.extObject(base, p.Node, doc)
			continue
		}
		at := doc.Child(p.Name)
		bp := base.Prop(p.Name)
		if bp == nil {
			g.errorf(p.Node, CodeExtOutsideExt,
				"%s has no property %q at %s (the base scope %s has %s); outside _ext a resource extension may only repeat the base document's path down to _ext.%s objects",
				g.base, p.Name, at, doc, propList(base), g.own)
			continue
		}
		if bi, ei, ok := objectItems(bp, p.Node); ok {
			g.mirror(bi, ei, at.Wildcard())
			continue
		}
		if bp.Type == "object" && p.Node.Type == "object" {
			g.mirror(bp, p.Node, at)
			continue
		}
		if isValue(bp) || isValue(p.Node) {
			g.errorf(p.Node, CodeExtOutsideExt,
				"%s at %s is a value of %s (%s); outside _ext a resource extension may only repeat the objects and collections of objects that lead to _ext.%s objects — new values belong under _ext.%s",
				p.Name, at, g.base, kindOf(bp), g.own, g.own)
			continue
		}
		g.errorf(p.Node, CodeExtOutsideExt,
			"%s at %s is %s in %s but %s here; a resource extension must repeat the base document's shape down to _ext.%s objects",
			p.Name, at, kindOf(bp), g.base, kindOf(p.Node), g.own)
	}
}

// objectItems returns the item schemas when base and ext are both arrays
// of objects.
func objectItems(base, ext *Node) (*Node, *Node, bool) {
	if base.Type != "array" || ext.Type != "array" || base.Items == nil || ext.Items == nil ||
		base.Items.Type != "object" || ext.Items.Type != "object" {
		return nil, nil, false
	}
	return base.Items, ext.Items, true
}

// extObject grafts the `_ext` object ext onto base, the base document's
// object at doc: its `{own}` object is attached as base's `_ext.{own}`.
func (g *grafter) extObject(base, ext *Node, doc jsonpath.Path) {
	if ext.Type != "object" {
		g.errorf(ext, CodeWrongType, "_ext must be an object")
		return
	}
	for _, p := range ext.Properties {
		if !g.s.ownExtKey(p.Name, g.own, p.Node.File, p.Node.Path, g.diags) {
			continue
		}
		if p.Node.Type != "object" {
			g.errorf(p.Node, CodeWrongType, "_ext.%s must be an object", p.Name)
			continue
		}
		content := p.Node.Clone()
		g.align(content, base, doc.Child(extKey).Child(g.own), doc)
		g.attach(base, content)
	}
}

// align moves the alignment shape out of content (the `_ext.{own}` object
// found at extDoc, extending base at doc): a property that repeats a base
// object or collection and holds only mirrored paths down to `_ext`
// objects is grafted onto that base object or collection instead, and its
// paths are rewritten.
func (g *grafter) align(content, base *Node, extDoc, doc jsonpath.Path) {
	for _, p := range append([]*Property(nil), content.Properties...) {
		bp := base.Prop(p.Name)
		if bp == nil || p.Name == extKey {
			continue
		}
		from, to := extDoc.Child(p.Name), doc.Child(p.Name)
		sub, bsub := p.Node, bp
		if bi, ei, ok := objectItems(bp, p.Node); ok {
			sub, bsub = ei, bi
			from, to = from.Wildcard(), to.Wildcard()
		} else if bp.Type != "object" || p.Node.Type != "object" {
			continue
		}
		if !isMirror(sub, bsub) {
			continue
		}
		g.rw.add(from, to)
		g.mirror(bsub, sub, to)
		content.removeProp(p.Name)
	}
}

// isMirror reports whether ext only repeats base's shape down to at least
// one `_ext` object: every property is `_ext` or names a base object or
// collection of objects whose content is again a mirror.
func isMirror(ext, base *Node) bool {
	shapeOK, hasExt := mirrorShape(ext, base)
	return shapeOK && hasExt
}

func mirrorShape(ext, base *Node) (shapeOK, hasExt bool) {
	if ext.Type != "object" || base.Type != "object" {
		return false, false
	}
	for _, p := range ext.Properties {
		if p.Name == extKey {
			hasExt = true
			continue
		}
		bp := base.Prop(p.Name)
		if bp == nil {
			return false, false
		}
		sub, bsub := p.Node, bp
		if bi, ei, ok := objectItems(bp, p.Node); ok {
			sub, bsub = ei, bi
		}
		ok, ext := mirrorShape(sub, bsub)
		if !ok {
			return false, false
		}
		hasExt = hasExt || ext
	}
	return true, hasExt
}

// override grafts one commonExtensionOverride: its schemaFragment is the
// schema of an `_ext` object, placed at each insertion location.
func (g *grafter) override(root *Node, co CommonExtensionOverride) {
	frag := co.Fragment
	if frag.Prop(extKey) != nil {
		g.errorf(frag, CodeBadInsertion,
			"schemaFragment is the schema of the _ext object itself ({\"properties\":{\"%s\":{…}}}); it must not hold an _ext property", g.own)
		return
	}
	for i, loc := range co.InsertionLocations {
		locPath := indexPath(keyPath(co.Path, "insertionLocations"), i)
		target, doc, ok := schemaAt(root, loc)
		if !ok || target.Type != "object" {
			g.diags.Errorf(g.ext.Project.File, locPath, CodeBadInsertion,
				"insertion location %q does not name an object in %s's jsonSchemaForInsert (write it as $.properties.<name>[.items]…)", loc, g.base)
			continue
		}
		g.extObject(target, frag, doc)
	}
}

// attach adds content as `_ext.{own}` of target, combining it with what
// other contributions placed there.
func (g *grafter) attach(target *Node, content *Node) {
	ext := target.Prop(extKey)
	if ext == nil {
		ext = &Node{Type: "object", Path: target.Path + ".properties._ext", File: target.File}
		target.setProp(extKey, ext)
	}
	if existing := ext.Prop(g.own); existing != nil {
		g.combine(existing, content)
		return
	}
	ext.setProp(g.own, content)
}

// combine adds the properties of src to dst: a property both define is
// kept once when the definitions are the same, and combined when both are
// objects or collections of objects; different definitions are an error.
func (g *grafter) combine(dst, src *Node) {
	for _, p := range src.Properties {
		d := dst.Prop(p.Name)
		switch {
		case d == nil:
			dst.setProp(p.Name, p.Node)
		case d.Type == "object" && p.Node.Type == "object":
			g.combine(d, p.Node)
		case d.Type == "array" && p.Node.Type == "array" && d.Items != nil && p.Node.Items != nil &&
			d.Items.Type == "object" && p.Node.Items.Type == "object":
			g.combine(d.Items, p.Node.Items)
			if p.Node.MinItems > d.MinItems {
				d.MinItems = p.Node.MinItems
			}
		case sameScalar(d, p.Node):
		default:
			g.errorf(p.Node, CodeExtOutsideExt, "property %q of _ext.%s is defined twice, differently (also at %s:%s)", p.Name, g.own, d.File, d.Path)
		}
	}
	for _, r := range src.Required {
		if !dst.IsRequired(r) {
			dst.Required = append(dst.Required, r)
		}
	}
	sort.Strings(dst.Required)
}

// sameScalar reports whether two scalar schemas define the same values.
func sameScalar(a, b *Node) bool {
	return a.Type == b.Type && a.Type != "object" && a.Type != "array" &&
		a.Format == b.Format && a.MaxLength == b.MaxLength && a.HasMaxLength == b.HasMaxLength &&
		a.MinLength == b.MinLength && a.Minimum == b.Minimum && a.Maximum == b.Maximum &&
		a.Pattern == b.Pattern && strings.Join(a.Enum, "\x00") == strings.Join(b.Enum, "\x00")
}

func (g *grafter) errorf(n *Node, code, format string, args ...any) {
	g.diags.Errorf(n.File, n.Path, code, format, args...)
}

// schemaAt follows a JSON-schema location such as
// `$.properties.addresses.items` from root and returns the node with the
// document path it describes (`$.addresses[*]`).
func schemaAt(root *Node, loc string) (*Node, jsonpath.Path, bool) {
	p, err := jsonpath.Parse(loc)
	if err != nil || root == nil {
		return nil, jsonpath.Path{}, false
	}
	n, doc := root, jsonpath.Root
	names := p.Names()
	for i := 0; i < len(names); i++ {
		switch {
		case names[i] == "properties" && i+1 < len(names):
			i++
			n, doc = n.Prop(names[i]), doc.Child(names[i])
		case names[i] == "items":
			n, doc = n.Items, doc.Wildcard()
		default:
			return nil, jsonpath.Path{}, false
		}
		if n == nil {
			return nil, jsonpath.Path{}, false
		}
	}
	return n, doc, true
}

// propList lists a base object's property names for messages.
func propList(n *Node) string {
	var names []string
	for _, p := range n.Properties {
		if p.Name != extKey {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return "no properties"
	}
	if len(names) > 12 {
		names = append(names[:12], fmt.Sprintf("… %d more", len(names)-12))
	}
	return "properties " + strings.Join(names, ", ")
}

// isValue reports whether n is a scalar or an array of scalars.
func isValue(n *Node) bool {
	return n.Type != "object" && (n.Type != "array" || n.Items == nil || n.Items.Type != "object")
}

// kindOf describes a schema node's kind for messages.
func kindOf(n *Node) string {
	switch {
	case n.Type == "array" && n.Items != nil:
		return "an array of " + n.Items.Type + "s"
	case n.Type == "object":
		return "an object"
	}
	return "a " + n.Type
}
