package compiler

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
)

// root returns a resource's root table, or nil for descriptors.
func root(r *model.Resource) *model.Table {
	if len(r.Tables) == 0 {
		return nil
	}
	return r.Tables[0]
}

// identity resolves each identity path of r to its source column.
func (b *builder) identity(r *model.Resource) {
	rt := root(r)
	if rt == nil {
		return
	}
	ar := b.src[r]
	file := ar.Project.File
	for i, ip := range ar.IdentityJSONPaths {
		where := ar.Path + ".identityJsonPaths[" + itoa(i) + "]"
		if ip.WildcardCount() > 0 {
			b.diags.Errorf(file, where, CodeUnmappedIdentity, "identity path %s lies inside a collection; identities must be single-valued", ip)
			continue
		}
		part := b.identityPart(r, rt, ip)
		if part == nil {
			b.diags.Errorf(file, where, CodeUnmappedIdentity, "identity path %s of %s maps to no column of %s", ip, r.ResourceName, rt.Name)
			continue
		}
		if part.Column.Nullable {
			b.diags.Errorf(file, where, CodeNullableIdentity, "identity path %s of %s maps to nullable column %s; identity values must be required", ip, r.ResourceName, part.Column.Name)
		}
		r.Identity = append(r.Identity, part)
	}
}

func (b *builder) identityPart(r *model.Resource, rt *model.Table, ip jsonpath.Path) *model.IdentityPart {
	for _, ref := range r.References {
		if ref.Table != rt {
			continue
		}
		for _, bd := range ref.Bindings {
			if bd.ReferencePath.Equal(ip) {
				return &model.IdentityPart{Path: ip, Kind: model.FromReference, Column: ref.Column, Reference: ref, TargetIdentityPath: bd.IdentityPath}
			}
		}
	}
	for _, d := range r.Descriptors {
		if d.Table == rt && d.Path.Equal(ip) {
			return &model.IdentityPart{Path: ip, Kind: model.FromDescriptor, Column: d.Column, Type: model.DescriptorURIType}
		}
	}
	for _, c := range rt.Columns {
		if c.Kind == model.ScalarColumn && c.Path.Equal(ip) {
			return &model.IdentityPart{Path: ip, Kind: model.FromColumn, Column: c, Type: c.Type}
		}
	}
	return nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// identityEdges returns the resources whose identity r's identity depends
// on, sorted; abstract targets expand to their members.
func (b *builder) identityEdges(r *model.Resource) []*model.Resource {
	seen := map[*model.Resource]bool{}
	var out []*model.Resource
	for _, ref := range r.References {
		if !ref.IsIdentityComponent {
			continue
		}
		var targets []*model.Resource
		if ref.TargetIsAbstract {
			targets = b.members(ref.TargetProject, ref.TargetResource)
		} else if t := b.byName[qname(ref.TargetProject, ref.TargetResource)]; t != nil {
			targets = []*model.Resource{t}
		}
		for _, t := range targets {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sortResources(out)
	return out
}

// members lists the concrete subclasses of an abstract resource, ordered by
// (resource name, project name).
func (b *builder) members(project, abstract string) []*model.Resource {
	var out []*model.Resource
	for _, r := range b.m.Resources {
		if r.Superclass != nil && r.Superclass.ProjectName == project && r.Superclass.ResourceName == abstract {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ResourceName != out[j].ResourceName {
			return out[i].ResourceName < out[j].ResourceName
		}
		return out[i].ProjectName < out[j].ProjectName
	})
	return out
}

// identityCycles reports resource-type cycles in identity dependencies:
// such identities could never be computed.
func (b *builder) identityCycles() {
	const (
		white = iota
		grey
		black
	)
	color := map[*model.Resource]int{}
	var stack []*model.Resource
	reported := map[string]bool{}
	var visit func(r *model.Resource)
	visit = func(r *model.Resource) {
		color[r] = grey
		stack = append(stack, r)
		for _, t := range b.identityEdges(r) {
			switch color[t] {
			case white:
				visit(t)
			case grey:
				i := len(stack) - 1
				for stack[i] != t {
					i--
				}
				cycle := append([]*model.Resource(nil), stack[i:]...)
				for _, c := range cycle {
					b.cyclic[c] = true
				}
				names := make([]string, 0, len(cycle)+1)
				for _, c := range cycle {
					names = append(names, c.ResourceName)
				}
				names = append(names, t.ResourceName)
				key := canonicalCycle(names[:len(names)-1])
				if !reported[key] {
					reported[key] = true
					ar := b.src[t]
					b.diags.Errorf(ar.Project.File, ar.Path+".identityJsonPaths", CodeIdentityCycle, "identity cycle: %s; an identity cannot depend on itself", strings.Join(names, " → "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[r] = black
	}
	for _, r := range b.m.Resources {
		if color[r] == white {
			visit(r)
		}
	}
}

// canonicalCycle names a cycle independently of its starting point.
func canonicalCycle(names []string) string {
	best := ""
	for i := range names {
		rot := strings.Join(append(append([]string(nil), names[i:]...), names[:i]...), ">")
		if best == "" || rot < best {
			best = rot
		}
	}
	return best
}

// identityTypes fills IdentityPart.Type for reference-sourced parts and
// checks every reference binding against its target's identity.
func (b *builder) identityTypes() {
	for _, r := range b.m.Resources {
		for _, part := range r.Identity {
			if part.Kind != model.FromReference {
				continue
			}
			if t, ok := b.targetIdentityType(part.Reference, part.TargetIdentityPath, 0); ok {
				part.Type = t
			} else {
				part.Type = part.Reference.Bindings[0].Type
			}
		}
		for _, ref := range r.References {
			b.checkReferenceIdentity(r, ref)
		}
	}
}

// checkReferenceIdentity reports, in one error located at the reference's
// documentPathsMapping entry (in the file that declared it, an extension's
// for extension references), a reference whose identityJsonPaths differ
// from its target's identity, naming the paths that differ on each side.
func (b *builder) checkReferenceIdentity(r *model.Resource, ref *model.Reference) {
	if b.cyclic[r] {
		return // the identity cycle is the error to fix
	}
	want, ok := b.targetIdentityPaths(ref)
	if !ok {
		return // an unknown target is reported by the loader
	}
	bound := map[string]bool{}
	var extra, missing []string
	for _, bd := range ref.Bindings {
		bound[bd.IdentityPath.String()] = true
		if !slices.ContainsFunc(want, bd.IdentityPath.Equal) {
			extra = append(extra, bd.IdentityPath.String())
		}
	}
	for _, p := range want {
		if !bound[p.String()] {
			missing = append(missing, p.String())
		}
	}
	if len(extra)+len(missing) == 0 {
		return
	}
	var diff []string
	if len(extra) > 0 {
		diff = append(diff, "the reference binds "+strings.Join(extra, ", ")+", which the target's identity does not have")
	}
	if len(missing) > 0 {
		diff = append(diff, "the target's identity has "+strings.Join(missing, ", ")+", which the reference does not bind")
	}
	at := b.loc[ref]
	if tp := b.set.Project(ref.TargetProject); tp != nil && tp.File != at.file {
		diff = append(diff, fmt.Sprintf("%s and %s were probably generated for different versions of %s", at.file, tp.File, ref.TargetProject))
	}
	b.diags.Errorf(at.file, at.path, CodeReferenceIdentityMismatch,
		"%s's reference %q at %s does not match the identity of %s %s (%s): %s",
		r.ResourceName, ref.Key, ref.ObjectPath, ref.TargetProject, ref.TargetResource, joinPaths(want), strings.Join(diff, "; "))
}

// targetIdentityPaths lists the identityJsonPaths of a reference's target
// (a resource or an abstract resource).
func (b *builder) targetIdentityPaths(ref *model.Reference) ([]jsonpath.Path, bool) {
	if ref.TargetIsAbstract {
		if a := b.set.AbstractResource(ref.TargetProject, ref.TargetResource); a != nil {
			return a.IdentityJSONPaths, true
		}
		return nil, false
	}
	if t := b.set.Resource(ref.TargetProject, ref.TargetResource); t != nil {
		return t.IdentityJSONPaths, true
	}
	return nil, false
}

func joinPaths(ps []jsonpath.Path) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, ", ")
}

// targetIdentityType is the type of identity path p of a reference's target.
func (b *builder) targetIdentityType(ref *model.Reference, p jsonpath.Path, depth int) (model.Type, bool) {
	if depth > 32 {
		return model.Type{}, false
	}
	if ref.TargetIsAbstract {
		return b.abstractType(ref.TargetProject, ref.TargetResource, p, depth+1)
	}
	t := b.byName[qname(ref.TargetProject, ref.TargetResource)]
	if t == nil {
		return model.Type{}, false
	}
	return b.resourceIdentityType(t, p, depth+1)
}

func (b *builder) resourceIdentityType(r *model.Resource, p jsonpath.Path, depth int) (model.Type, bool) {
	if r.IsDescriptor {
		return model.DescriptorURIType, true
	}
	for _, part := range r.Identity {
		if !part.Path.Equal(p) {
			continue
		}
		if part.Kind == model.FromReference {
			return b.targetIdentityType(part.Reference, part.TargetIdentityPath, depth)
		}
		return part.Type, true
	}
	return model.Type{}, false
}

// memberPath maps an abstract identity path onto a member's identity path.
func memberPath(m *model.Resource, p jsonpath.Path) (jsonpath.Path, bool) {
	if m.Superclass != nil && m.Superclass.IdentityRename == p.String() {
		if len(m.Identity) != 1 {
			return jsonpath.Path{}, false
		}
		return m.Identity[0].Path, true
	}
	for _, part := range m.Identity {
		if part.Path.Equal(p) {
			return p, true
		}
	}
	return jsonpath.Path{}, false
}

// abstractType is the canonical type of an abstract identity path: the
// widest of its members' types.
func (b *builder) abstractType(project, abstract string, p jsonpath.Path, depth int) (model.Type, bool) {
	var out model.Type
	found := false
	for _, m := range b.members(project, abstract) {
		mp, ok := memberPath(m, p)
		if !ok {
			continue
		}
		t, ok := b.resourceIdentityType(m, mp, depth)
		if !ok {
			continue
		}
		if !found {
			out, found = t, true
			continue
		}
		if w, ok := model.Widest(out, t); ok {
			out = w
		}
	}
	return out, found
}
