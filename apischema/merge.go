package apischema

import (
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/manifest/jsonpath"
)

// Clone deep-copies a schema node.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Enum = append([]string(nil), n.Enum...)
	c.Required = append([]string(nil), n.Required...)
	c.Items = n.Items.Clone()
	c.Properties = make([]*Property, len(n.Properties))
	for i, p := range n.Properties {
		c.Properties[i] = &Property{Name: p.Name, Node: p.Node.Clone()}
	}
	return &c
}

// setProp adds or replaces a property, keeping properties sorted by name.
func (n *Node) setProp(name string, child *Node) {
	for _, p := range n.Properties {
		if p.Name == name {
			p.Node = child
			return
		}
	}
	n.Properties = append(n.Properties, &Property{Name: name, Node: child})
	sort.SliceStable(n.Properties, func(i, j int) bool { return n.Properties[i].Name < n.Properties[j].Name })
}

func (n *Node) removeProp(name string) {
	out := n.Properties[:0]
	for _, p := range n.Properties {
		if p.Name != name {
			out = append(out, p)
		}
	}
	n.Properties = out
}

// rewriter maps extension-side path prefixes onto the merged document shape
// (used for the shape `$._ext.p.coll[*]._ext.p`, which extends the core
// collection `$.coll[*]`).
type rewriter struct {
	from, to []jsonpath.Path
}

func (rw *rewriter) add(from, to jsonpath.Path) {
	rw.from = append(rw.from, from)
	rw.to = append(rw.to, to)
}

func (rw *rewriter) path(p jsonpath.Path) jsonpath.Path {
	for i, f := range rw.from {
		if rel, ok := p.Rel(f); ok {
			return rw.to[i].Join(rel)
		}
	}
	return p
}

// merge attaches every resource extension to the resource it extends and
// fills s.Resources with merged copies.
func (s *Set) merge(diags *diag.List) {
	exts := map[*Resource][]*Resource{}
	for _, p := range s.Projects {
		for _, r := range p.Resources {
			if !r.IsResourceExtension {
				continue
			}
			base, err := s.findExtended(r)
			if err != nil {
				diags.Errorf(p.File, r.Path, CodeUnknownExtended, "%v", err)
				continue
			}
			exts[base] = append(exts[base], r)
		}
	}
	for _, p := range s.Projects {
		for _, r := range p.Resources {
			if r.IsResourceExtension {
				continue
			}
			m := s.mergeOne(r, exts[r], diags)
			s.Resources = append(s.Resources, m)
			s.byName[qualified(p.ProjectName, r.ResourceName)] = m
		}
	}
	sort.SliceStable(s.Resources, func(i, j int) bool {
		a, b := s.Resources[i], s.Resources[j]
		if a.Project.EndpointName != b.Project.EndpointName {
			return a.Project.EndpointName < b.Project.EndpointName
		}
		return a.ResourceName < b.ResourceName
	})
	for _, r := range s.Resources {
		s.checkExtKeys(r.Schema, diags)
	}
}

// Extensions returns the resource extensions merged into r (set on merged
// resources only), sorted by project endpoint.
func (r *Resource) Extensions() []*Resource { return r.extensions }

func (s *Set) mergeOne(base *Resource, exts []*Resource, diags *diag.List) *Resource {
	m := *base
	if len(exts) == 0 {
		return &m
	}
	m.extensions = exts
	m.Schema = base.Schema.Clone()
	m.Mappings = append([]*PathMapping(nil), base.Mappings...)
	m.Uniqueness = append([]UniquenessConstraint(nil), base.Uniqueness...)
	m.Decimals = append([]DecimalInfo(nil), base.Decimals...)
	m.Equality = append([]EqualityConstraint(nil), base.Equality...)
	m.QueryFields = append([]QueryField(nil), base.QueryFields...)
	m.Relational.NameOverrides = append([]NameOverride(nil), base.Relational.NameOverrides...)
	for _, e := range exts {
		rw := &rewriter{}
		s.graft(&m, e, rw, diags)
		for _, pm := range e.Mappings {
			c := *pm
			c.JSONPath = rw.path(pm.JSONPath)
			c.ReferenceJSONPaths = make([]ReferenceJSONPath, len(pm.ReferenceJSONPaths))
			for i, rp := range pm.ReferenceJSONPaths {
				rp.ReferenceJSONPath = rw.path(rp.ReferenceJSONPath)
				c.ReferenceJSONPaths[i] = rp
			}
			m.Mappings = append(m.Mappings, &c)
		}
		for _, u := range e.Uniqueness {
			c := u
			c.Paths = rewriteAll(rw, u.Paths)
			c.Nested = make([]NestedUniqueness, len(u.Nested))
			for i, n := range u.Nested {
				c.Nested[i] = NestedUniqueness{BasePath: rw.path(n.BasePath), Paths: rewriteAll(rw, n.Paths), Path: n.Path}
			}
			m.Uniqueness = append(m.Uniqueness, c)
		}
		for _, d := range e.Decimals {
			d.JSONPath = rw.path(d.JSONPath)
			m.Decimals = append(m.Decimals, d)
		}
		for _, q := range e.Equality {
			m.Equality = append(m.Equality, EqualityConstraint{Source: rw.path(q.Source), Target: rw.path(q.Target)})
		}
		m.QueryFields = append(m.QueryFields, e.QueryFields...)
		for _, no := range e.Relational.NameOverrides {
			if p, err := jsonpath.Parse(no.Key); err == nil {
				no.Key = rw.path(p).String()
			}
			m.Relational.NameOverrides = append(m.Relational.NameOverrides, no)
		}
	}
	sort.SliceStable(m.Mappings, func(i, j int) bool { return m.Mappings[i].Key < m.Mappings[j].Key })
	return &m
}

func rewriteAll(rw *rewriter, ps []jsonpath.Path) []jsonpath.Path {
	out := make([]jsonpath.Path, len(ps))
	for i, p := range ps {
		out[i] = rw.path(p)
	}
	return out
}

// graft places the `_ext.{p}` subtrees of extension e into the merged
// schema of m.
func (s *Set) graft(m *Resource, e *Resource, rw *rewriter, diags *diag.List) {
	file := e.Project.File
	own := e.Project.EndpointName
	if es := e.Schema; es != nil {
		for _, p := range es.Properties {
			if p.Name != "_ext" {
				diags.Errorf(file, p.Node.Path, CodeExtOutsideExt, "a resource extension may only add properties under _ext.%s; found %q at the root", own, p.Name)
			}
		}
		if ext := es.Prop("_ext"); ext != nil {
			for _, p := range ext.Properties {
				if !s.ownExtKey(p.Name, own, file, p.Node.Path, diags) {
					continue
				}
				content := p.Node.Clone()
				extBase := jsonpath.Root.Child("_ext").Child(own)
				s.alignCollections(content, m.Schema, extBase, jsonpath.Root, own, rw, diags)
				s.attachExt(m.Schema, own, content, file, p.Node.Path, diags)
			}
		}
	}
	for _, co := range e.CommonExtensionOverrides {
		frag := co.Fragment.Prop("_ext")
		if frag == nil {
			diags.Errorf(file, co.Fragment.Path, CodeBadInsertion, "schemaFragment has no _ext property")
			continue
		}
		for i, loc := range co.InsertionLocations {
			locPath := indexPath(keyPath(co.Path, "insertionLocations"), i)
			target := schemaAt(m.Schema, loc)
			if target == nil || target.Type != "object" {
				diags.Errorf(file, locPath, CodeBadInsertion, "insertion location %q does not name an object in %s's jsonSchemaForInsert", loc, m.ResourceName)
				continue
			}
			for _, p := range frag.Properties {
				if s.ownExtKey(p.Name, own, file, p.Node.Path, diags) {
					s.attachExt(target, own, p.Node.Clone(), file, p.Node.Path, diags)
				}
			}
		}
	}
}

// ownExtKey checks that an extension contributes only its own `_ext.{p}`.
func (s *Set) ownExtKey(key, own, file, path string, diags *diag.List) bool {
	if key == own {
		return true
	}
	if s.isExtensionEndpoint(key) {
		diags.Errorf(file, path, CodeExtOutsideExt, "extension project %q may only add _ext.%s, not _ext.%s", own, own, key)
		return false
	}
	diags.Errorf(file, path, CodeUnknownExtProject, "_ext key %q is not the endpoint name of a loaded extension project (%s)", key, s.extensionEndpoints())
	return false
}

func (s *Set) isExtensionEndpoint(name string) bool {
	for _, p := range s.Projects {
		if p.IsExtension && p.EndpointName == name {
			return true
		}
	}
	return false
}

func (s *Set) extensionEndpoints() string {
	var names []string
	for _, p := range s.Projects {
		if p.IsExtension {
			names = append(names, p.EndpointName)
		}
	}
	if len(names) == 0 {
		return "none loaded"
	}
	return "loaded: " + strings.Join(names, ", ")
}

// attachExt adds content as `_ext.{own}` of target.
func (s *Set) attachExt(target *Node, own string, content *Node, file, path string, diags *diag.List) {
	ext := target.Prop("_ext")
	if ext == nil {
		ext = &Node{Type: "object", Path: target.Path + ".properties._ext", File: target.File}
		target.setProp("_ext", ext)
	}
	if existing := ext.Prop(own); existing != nil {
		// Two contributions to one _ext.{own} (for example the extension's
		// own schema and a commonExtensionOverride) are deep-merged.
		deepMerge(existing, content, file, path, diags)
		return
	}
	ext.setProp(own, content)
}

// deepMerge adds the properties of src to dst, recursing into objects and
// array items that both define; a property defined twice otherwise is an
// error.
func deepMerge(dst, src *Node, file, path string, diags *diag.List) {
	for _, p := range src.Properties {
		d := dst.Prop(p.Name)
		switch {
		case d == nil:
			dst.setProp(p.Name, p.Node)
		case d.Type == "object" && p.Node.Type == "object":
			deepMerge(d, p.Node, file, path, diags)
		case d.Type == "array" && p.Node.Type == "array" && d.Items != nil && p.Node.Items != nil &&
			d.Items.Type == "object" && p.Node.Items.Type == "object":
			deepMerge(d.Items, p.Node.Items, file, path, diags)
		default:
			diags.Errorf(file, p.Node.Path, CodeExtOutsideExt, "property %q is defined twice for one extension (also at %s)", p.Name, d.Path)
		}
	}
	for _, r := range src.Required {
		if !dst.IsRequired(r) {
			dst.Required = append(dst.Required, r)
		}
	}
	sort.Strings(dst.Required)
}

// alignCollections moves the shape `_ext.p.coll[*]._ext.p` (an extension of
// the base collection coll written inside the root extension object) onto
// the base collection's items, recording the path rewrite.
func (s *Set) alignCollections(content, base *Node, extPrefix, basePrefix jsonpath.Path, own string, rw *rewriter, diags *diag.List) {
	if content == nil || base == nil || content.Type != "object" {
		return
	}
	for _, p := range append([]*Property(nil), content.Properties...) {
		bp := base.Prop(p.Name)
		if p.Node.Type != "array" || p.Node.Items == nil || bp == nil || bp.Type != "array" || bp.Items == nil {
			continue
		}
		items := p.Node.Items
		if items.Type != "object" || (items.Prop("_ext") == nil && !hasArrays(items)) {
			continue
		}
		extColl := extPrefix.Child(p.Name).Wildcard()
		baseColl := basePrefix.Child(p.Name).Wildcard()
		s.alignCollections(items, bp.Items, extColl, baseColl, own, rw, diags)
		for _, ip := range items.Properties {
			if ip.Name == "_ext" {
				continue
			}
			diags.Errorf(items.File, ip.Node.Path, CodeExtOutsideExt, "%s extends the core collection %s and may only hold _ext.%s, found %q", extColl, baseColl, own, ip.Name)
		}
		if ext := items.Prop("_ext"); ext != nil {
			for _, ep := range ext.Properties {
				if s.ownExtKey(ep.Name, own, items.File, ep.Node.Path, diags) {
					s.attachExt(bp.Items, own, ep.Node, items.File, ep.Node.Path, diags)
				}
			}
		}
		rw.add(extColl, baseColl)
		content.removeProp(p.Name)
	}
}

func hasArrays(n *Node) bool {
	for _, p := range n.Properties {
		if p.Node.Type == "array" {
			return true
		}
	}
	return false
}

// schemaAt follows a JSON-schema location such as
// `$.properties.addresses.items` from root.
func schemaAt(root *Node, loc string) *Node {
	p, err := jsonpath.Parse(loc)
	if err != nil {
		return nil
	}
	n := root
	names := p.Names()
	for i := 0; i < len(names) && n != nil; i++ {
		switch names[i] {
		case "properties":
			if i+1 >= len(names) {
				return nil
			}
			n = n.Prop(names[i+1])
			i++
		case "items":
			n = n.Items
		default:
			return nil
		}
	}
	return n
}

// checkExtKeys verifies that every `_ext` object in a merged schema names
// loaded extension projects only.
func (s *Set) checkExtKeys(n *Node, diags *diag.List) {
	if n == nil {
		return
	}
	for _, p := range n.Properties {
		if p.Name == "_ext" {
			if p.Node.Type != "object" {
				diags.Errorf(p.Node.File, p.Node.Path, CodeWrongType, "_ext must be an object")
				continue
			}
			for _, ep := range p.Node.Properties {
				if !s.isExtensionEndpoint(ep.Name) {
					diags.Errorf(ep.Node.File, ep.Node.Path, CodeUnknownExtProject, "_ext key %q is not the endpoint name of a loaded extension project (%s)", ep.Name, s.extensionEndpoints())
				}
			}
		}
		s.checkExtKeys(p.Node, diags)
	}
	s.checkExtKeys(n.Items, diags)
}
