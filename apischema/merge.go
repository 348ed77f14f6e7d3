package apischema

import (
	"slices"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/jsonpath"
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
// (the alignment shape `$._ext.p.coll[*]._ext.p` extends the base
// collection `$.coll[*]`; see mirror.go).
type rewriter struct {
	from, to []jsonpath.Path
}

func (rw *rewriter) add(from, to jsonpath.Path) {
	rw.from = append(rw.from, from)
	rw.to = append(rw.to, to)
}

// path rewrites p by the longest matching prefix, repeatedly: a nested
// alignment (`$._ext.p.a[*]._ext.p.b[*]._ext.p`) takes one rule per level.
func (rw *rewriter) path(p jsonpath.Path) jsonpath.Path {
	for range rw.from {
		best := -1
		for i, f := range rw.from {
			if p.HasPrefix(f) && (best < 0 || f.Len() > rw.from[best].Len()) {
				best = i
			}
		}
		if best < 0 {
			return p
		}
		rel, _ := p.Rel(rw.from[best])
		p = rw.to[best].Join(rel)
	}
	return p
}

func (rw *rewriter) paths(ps []jsonpath.Path) []jsonpath.Path {
	out := make([]jsonpath.Path, len(ps))
	for i, p := range ps {
		out[i] = rw.path(p)
	}
	return out
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

// mergeOne returns base merged with its resource extensions: the schema
// grafted (mirror.go), and the extensions' mappings, constraints, decimal
// infos, query fields and name overrides added with their paths in the
// merged document's terms.
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
		mergeMappings(&m, base, e, rw, diags)
		mergeUniqueness(&m, base, e, rw, diags)
		for _, d := range e.Decimals {
			d.JSONPath = rw.path(d.JSONPath)
			m.Decimals = append(m.Decimals, d)
		}
		for _, q := range e.Equality {
			c := EqualityConstraint{Source: rw.path(q.Source), Target: rw.path(q.Target)}
			if !slices.ContainsFunc(m.Equality, func(x EqualityConstraint) bool { return x.Source.Equal(c.Source) && x.Target.Equal(c.Target) }) {
				m.Equality = append(m.Equality, c)
			}
		}
		for _, q := range e.QueryFields {
			if !slices.ContainsFunc(m.QueryFields, func(x QueryField) bool { return x.Name == q.Name }) {
				m.QueryFields = append(m.QueryFields, q)
			}
		}
		for _, no := range e.Relational.NameOverrides {
			if p, err := jsonpath.Parse(no.Key); err == nil {
				no.Key = rw.path(p).String()
			}
			m.Relational.NameOverrides = append(m.Relational.NameOverrides, no)
		}
	}
	sort.SliceStable(m.Mappings, func(i, j int) bool { return m.Mappings[i].Key < m.Mappings[j].Key })
	sort.SliceStable(m.QueryFields, func(i, j int) bool { return m.QueryFields[i].Name < m.QueryFields[j].Name })
	return &m
}

// mergeMappings adds e's documentPathsMapping to m. An extension maps its
// own `_ext.{p}` subtrees; an entry that repeats one of base's exactly is
// dropped, any other entry outside `_ext.{p}` is an error.
func mergeMappings(m, base *Resource, e *Resource, rw *rewriter, diags *diag.List) {
	own := e.Project.EndpointName
	for _, pm := range e.Mappings {
		c := *pm
		c.JSONPath = rw.path(pm.JSONPath)
		c.ReferenceJSONPaths = make([]ReferenceJSONPath, len(pm.ReferenceJSONPaths))
		for i, rp := range pm.ReferenceJSONPaths {
			rp.ReferenceJSONPath = rw.path(rp.ReferenceJSONPath)
			c.ReferenceJSONPaths[i] = rp
		}
		if !c.underExt(own) {
			if !slices.ContainsFunc(base.Mappings, c.samePaths) {
				diags.Errorf(e.Project.File, pm.Path, CodeExtOutsideExt,
					"%q maps %s, outside _ext.%s, which %s's own mapping does not map that way; a resource extension maps only its _ext.%s properties", pm.Key, c.where(), own, base.ResourceName, own)
			}
			continue
		}
		m.Mappings = append(m.Mappings, &c)
	}
}

// underExt reports whether the mapping's path (or reference object) lies
// under an `_ext.{own}` object.
func (pm *PathMapping) underExt(own string) bool {
	if pm.HasJSONPath && underExt(pm.JSONPath, own) {
		return true
	}
	for _, rp := range pm.ReferenceJSONPaths {
		if !underExt(rp.ReferenceJSONPath, own) {
			return false
		}
	}
	return len(pm.ReferenceJSONPaths) > 0
}

// samePaths reports whether two mappings map the same paths the same way.
func (pm *PathMapping) samePaths(o *PathMapping) bool {
	if pm.Key != o.Key || pm.IsReference != o.IsReference || pm.IsDescriptor != o.IsDescriptor ||
		!pm.JSONPath.Equal(o.JSONPath) || len(pm.ReferenceJSONPaths) != len(o.ReferenceJSONPaths) {
		return false
	}
	for i, rp := range pm.ReferenceJSONPaths {
		q := o.ReferenceJSONPaths[i]
		if !rp.ReferenceJSONPath.Equal(q.ReferenceJSONPath) || !rp.IdentityJSONPath.Equal(q.IdentityJSONPath) {
			return false
		}
	}
	return true
}

// where names a mapping's path for messages.
func (pm *PathMapping) where() string {
	if pm.HasJSONPath || len(pm.ReferenceJSONPaths) == 0 {
		return pm.JSONPath.String()
	}
	return pm.ReferenceJSONPaths[0].ReferenceJSONPath.Parent().String()
}

// underExt reports whether p passes through `_ext.{own}`.
func underExt(p jsonpath.Path, own string) bool {
	segs := p.Segments()
	for i := 0; i+1 < len(segs); i++ {
		if segs[i].Name == extKey && !segs[i].Wildcard && segs[i+1].Name == own {
			return true
		}
	}
	return false
}

// mergeUniqueness adds e's arrayUniquenessConstraints to m, with every
// path absolute. MetaEd repeats the base resource's constraints on core
// collections in each extension; those are dropped when base has them and
// reported (once per extension) when it does not, since an extension does
// not change core tables.
func mergeUniqueness(m, base *Resource, e *Resource, rw *rewriter, diags *diag.List) {
	own := e.Project.EndpointName
	inBase := map[string]bool{}
	for _, u := range base.Uniqueness {
		for _, p := range u.AbsolutePaths() {
			inBase[p.String()] = true
		}
	}
	var ignored []string
	first := ""
	for _, u := range e.Uniqueness {
		c := UniquenessConstraint{Path: u.Path, Owner: u.Owner}
		for _, p := range rw.paths(u.AbsolutePaths()) {
			switch {
			case underExt(p, own):
				c.Paths = append(c.Paths, p)
			case !inBase[p.String()]:
				ignored = append(ignored, p.String())
				if first == "" {
					first = u.Path
				}
			}
		}
		if len(c.Paths) > 0 {
			m.Uniqueness = append(m.Uniqueness, c)
		}
	}
	if len(ignored) > 0 {
		diags.Warnf(e.Project.File, first, CodeIgnoredConstraint,
			"%s's arrayUniquenessConstraints name paths of %s's own collections that %s does not constrain (%s); an extension does not change core tables, so they are not applied",
			e.EndpointName, base.ResourceName, base.Project.EndpointName, strings.Join(ignored, ", "))
	}
}

// AbsolutePaths lists every path of the constraint, nested ones joined to
// their base path.
func (u UniquenessConstraint) AbsolutePaths() []jsonpath.Path {
	out := append([]jsonpath.Path(nil), u.Paths...)
	for _, n := range u.Nested {
		for _, p := range n.Paths {
			if p.HasPrefix(n.BasePath) {
				out = append(out, p)
			} else {
				out = append(out, n.BasePath.Join(p))
			}
		}
	}
	return out
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
