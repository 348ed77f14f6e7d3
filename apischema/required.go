package apischema

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/jsonpath"
)

// checkRequired judges the `required` names of res's jsonSchemaForInsert
// that no property of their object declares.
//
// In a resource that is not an extension, and anywhere inside an
// `_ext.{p}` object, such a name is an error. A resource extension mirrors
// the base document's shape outside `_ext` (see mirror.go), and MetaEd
// writes, at those mirrored levels, a `required` list naming the required
// properties of that level's `_ext.{p}` object (Sample's Contact lists
// `isSportsFan` at the root). A mirrored level's `required` list cannot
// change the base document, so it is ignored, with one warning per
// resource, as upstream DMS ignores it; a name found neither at that level
// nor under its `_ext` is still an error.
func (r *reader) checkRequired(res *Resource) {
	if res.Schema == nil {
		return
	}
	var ignored []string
	first := ""
	var walk func(n *Node, doc jsonpath.Path, mirrored bool)
	walk = func(n *Node, doc jsonpath.Path, mirrored bool) {
		if n == nil {
			return
		}
		if mirrored && len(n.Required)+len(n.undeclared) > 0 {
			names := append([]string(nil), n.Required...)
			for _, name := range n.undeclared {
				if !declaredUnderExt(n, name) {
					r.undeclaredRequired(n, name)
					continue
				}
				names = append(names, name)
			}
			if len(names) > 0 {
				if first == "" {
					first = keyPath(n.Path, "required")
				}
				ignored = append(ignored, strings.Join(names, ", ")+" at "+doc.String())
			}
		} else {
			for _, name := range n.undeclared {
				r.undeclaredRequired(n, name)
			}
		}
		for _, p := range n.Properties {
			walk(p.Node, doc.Child(p.Name), mirrored && p.Name != extKey)
		}
		if n.Items != nil {
			walk(n.Items, doc.Wildcard(), mirrored)
		}
	}
	walk(res.Schema, jsonpath.Root, res.IsResourceExtension)
	if len(ignored) > 0 {
		r.diags.Warnf(r.file, first, CodeIgnoredRequired,
			"%s extends %s and repeats the base document's shape outside _ext; its required lists there (%s) cannot change the base document and are ignored, as upstream DMS ignores them",
			res.EndpointName, res.ResourceName, strings.Join(ignored, "; "))
	}
}

// checkRequiredStrict reports every undeclared `required` name below n (a
// schema fragment, which has no mirrored levels).
func (r *reader) checkRequiredStrict(n *Node) {
	if n == nil {
		return
	}
	for _, name := range n.undeclared {
		r.undeclaredRequired(n, name)
	}
	for _, p := range n.Properties {
		r.checkRequiredStrict(p.Node)
	}
	r.checkRequiredStrict(n.Items)
}

func (r *reader) undeclaredRequired(n *Node, name string) {
	r.diags.Errorf(r.file, keyPath(n.Path, "required"), CodeBadValue, "required property %q is not declared in properties", name)
}

// declaredUnderExt reports whether some `_ext.{p}` object of n declares
// name.
func declaredUnderExt(n *Node, name string) bool {
	ext := n.Prop(extKey)
	if ext == nil {
		return false
	}
	for _, p := range ext.Properties {
		if p.Node.Prop(name) != nil {
			return true
		}
	}
	return false
}
