package compiler

import (
	"sort"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
)

// Diagnostic codes of the authorization metadata.
const (
	// CodeSecurableUnresolved: a securable element's path reaches no root
	// column, reference or subject.
	CodeSecurableUnresolved = "securable-element-unresolved"
	// CodeEdOrgTypeUnknown (a warning): an EdOrg type names no resource
	// of the set.
	CodeEdOrgTypeUnknown = "edorg-type-unknown"
	// CodeEdOrgParentUnresolved (a warning): a hierarchy path reaches no
	// root reference of the type; that parent is left out.
	CodeEdOrgParentUnresolved = "edorg-parent-unresolved"
)

// edOrgAbstract is the abstract resource of the EdOrg family.
const edOrgAbstract = "EducationOrganization"

// descriptorNamespace is the namespace path of every descriptor.
var descriptorNamespace = jsonpath.MustParse("$.namespace")

// maxSubjectHops bounds the references a securable element may walk.
const maxSubjectHops = 8

// personResources maps a person subject to its resource name.
var personResources = map[model.SubjectKind]string{
	model.SubjectStudent: "Student",
	model.SubjectContact: "Contact",
	model.SubjectStaff:   "Staff",
}

// auth compiles the EdOrg family (types, id columns, hierarchy) and every
// resource's securable elements.
func (b *builder) auth() {
	b.edOrgTypes()
	for _, r := range b.m.Resources {
		b.securable(r)
	}
}

// coreName is the core project's name ("" for a lone extension).
func (b *builder) coreName() string {
	if b.set.Core == nil {
		return ""
	}
	return b.set.Core.ProjectName
}

// edOrgTypes fills m.EdOrgTypes: the core's educationOrganizationTypes
// (an overlay may supply them), else every concrete subclass of
// EducationOrganization; parents from the core's
// educationOrganizationHierarchy, else every root reference from a member
// to the family.
func (b *builder) edOrgTypes() {
	core := b.set.Core
	if core == nil {
		return
	}
	byType := map[string]*model.EdOrgType{}
	var names []string
	if len(core.EdOrgTypes) > 0 {
		for _, n := range core.EdOrgTypes {
			if n == edOrgAbstract {
				continue
			}
			r := b.byName[qname(core.ProjectName, n)]
			if r == nil {
				b.diags.Warnf(core.File, "$.educationOrganizationTypes", CodeEdOrgTypeUnknown, "EdOrg type %s is no resource of project %s", n, core.ProjectName)
				continue
			}
			names = append(names, n)
		}
	} else {
		for _, r := range b.members(core.ProjectName, edOrgAbstract) {
			names = append(names, r.ResourceName)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		r := b.byName[qname(core.ProjectName, n)]
		t := &model.EdOrgType{Resource: r}
		if len(r.Identity) == 1 && r.Identity[0].Column != nil && r.Identity[0].Reference == nil {
			t.IDColumn = r.Identity[0].Column
		}
		byType[n] = t
		b.m.EdOrgTypes = append(b.m.EdOrgTypes, t)
	}
	isFamily := func(resource string) bool { return resource == edOrgAbstract || byType[resource] != nil }
	if len(core.EdOrgHierarchy) > 0 {
		for _, h := range core.EdOrgHierarchy {
			t := byType[h.Type]
			if t == nil {
				continue
			}
			p, err := jsonpath.Parse(h.Path)
			ref := b.referenceAt(t.Resource, p)
			if err != nil || ref == nil || !isFamily(ref.TargetResource) {
				b.diags.Warnf(core.File, "$.educationOrganizationHierarchy."+h.Type, CodeEdOrgParentUnresolved,
					"the parent %s of %s at %s is no root reference of %s to the EdOrg family; it is left out of the hierarchy", h.ParentType, h.Type, h.Path, h.Type)
				continue
			}
			t.Parents = append(t.Parents, model.EdOrgParentLink{ParentType: h.ParentType, Reference: ref})
		}
	} else {
		for _, t := range b.m.EdOrgTypes {
			for _, ref := range t.Resource.References {
				if ref.Table == t.Resource.Tables[0] && ref.TargetProject == core.ProjectName && isFamily(ref.TargetResource) {
					t.Parents = append(t.Parents, model.EdOrgParentLink{ParentType: ref.TargetResource, Reference: ref})
				}
			}
		}
	}
	for _, t := range b.m.EdOrgTypes {
		sort.SliceStable(t.Parents, func(i, j int) bool { return t.Parents[i].ParentType < t.Parents[j].ParentType })
	}
}

// referenceAt returns r's root reference whose binding supplies path p,
// or nil.
func (b *builder) referenceAt(r *model.Resource, p jsonpath.Path) *model.Reference {
	if len(r.Tables) == 0 {
		return nil
	}
	for _, ref := range r.References {
		if ref.Table != r.Tables[0] {
			continue
		}
		for _, bd := range ref.Bindings {
			if bd.ReferencePath.Equal(p) {
				return ref
			}
		}
	}
	return nil
}

// securable compiles r's securable elements, kinds in file order (Contact,
// EducationOrganization, Namespace, Staff, Student), paths in list order.
func (b *builder) securable(r *model.Resource) {
	src := b.src[r]
	if src == nil {
		return
	}
	el := src.Securable
	for _, kind := range apischema.SecurableKinds() {
		for i, p := range el.Paths(kind) {
			name := string(kind)
			if kind == apischema.KindEdOrg {
				name = el.EducationOrganization[i].MetaEdName
			}
			e, ok := b.subject(r, model.SubjectKind(kind), p, 0)
			if !ok {
				b.diags.Errorf(b.file(r), src.Path+".securableElements."+string(kind), CodeSecurableUnresolved,
					"%s element %s of %s reaches no root column or reference leading to its subject", kind, p, r.ResourceName)
				continue
			}
			e.Ordinal, e.Path, e.Name = len(r.Securable), p, name
			r.Securable = append(r.Securable, e)
		}
	}
}

// subject resolves path p of r for a subject kind: the document itself,
// a root value, or the references leading to the subject document.
func (b *builder) subject(r *model.Resource, kind model.SubjectKind, p jsonpath.Path, depth int) (*model.SecurableElement, bool) {
	if r.Storage == model.StorageDescriptor && kind == model.SubjectNamespace && p.Equal(descriptorNamespace) {
		// A descriptor's namespace lives in dms.Descriptor.Namespace.
		return &model.SecurableElement{Subject: kind, Site: model.SiteSelf, SubjectProject: r.ProjectName, SubjectResource: r.ResourceName}, true
	}
	if depth > maxSubjectHops || len(r.Tables) == 0 {
		return nil, false
	}
	root := r.Tables[0]
	if p.Len() == 1 {
		col := rootColumn(root, p)
		if col == nil {
			return nil, false
		}
		e := &model.SecurableElement{Subject: kind, Column: col, SubjectProject: r.ProjectName, SubjectResource: r.ResourceName, SubjectColumn: col}
		switch {
		case kind == model.SubjectNamespace:
			e.Site = model.SiteSelf
		case kind == model.SubjectEdOrg && b.isEdOrgType(r) && isIdentityColumn(r, col):
			e.Site = model.SiteSelf
		case kind == model.SubjectEdOrg:
			e.Site = model.SiteValue
		case r.ProjectName == b.coreName() && personResources[kind] == r.ResourceName && isIdentityColumn(r, col):
			e.Site = model.SiteSelf
		default:
			return nil, false
		}
		return e, true
	}
	ref := b.referenceAt(r, p)
	if ref == nil {
		return nil, false
	}
	var ip jsonpath.Path
	for _, bd := range ref.Bindings {
		if bd.ReferencePath.Equal(p) {
			ip = bd.IdentityPath
		}
	}
	direct := func(subjectColumn *model.Column) (*model.SecurableElement, bool) {
		return &model.SecurableElement{Subject: kind, Site: model.SiteDirect, Column: ref.Column, Hops: []*model.Reference{ref},
			SubjectProject: ref.TargetProject, SubjectResource: ref.TargetResource, SubjectColumn: subjectColumn}, true
	}
	if ref.TargetIsAbstract {
		if kind == model.SubjectEdOrg && ref.TargetResource == edOrgAbstract {
			return direct(nil)
		}
		return nil, false
	}
	target := b.byName[qname(ref.TargetProject, ref.TargetResource)]
	if target == nil {
		return nil, false
	}
	sub, ok := b.subject(target, kind, ip, depth+1)
	if !ok || sub.Site == model.SiteValue {
		return nil, false
	}
	if sub.Site == model.SiteSelf {
		return direct(sub.SubjectColumn)
	}
	return &model.SecurableElement{Subject: kind, Site: model.SiteTransitive, Column: ref.Column,
		Hops:           append([]*model.Reference{ref}, sub.Hops...),
		SubjectProject: sub.SubjectProject, SubjectResource: sub.SubjectResource, SubjectColumn: sub.SubjectColumn}, true
}

// isEdOrgType reports whether r is a concrete EdOrg type.
func (b *builder) isEdOrgType(r *model.Resource) bool {
	for _, t := range b.m.EdOrgTypes {
		if t.Resource == r {
			return true
		}
	}
	return false
}

// rootColumn returns the scalar root column storing path p, or nil.
func rootColumn(root *model.Table, p jsonpath.Path) *model.Column {
	for _, c := range root.Columns {
		if c.Kind == model.ScalarColumn && c.Path.Equal(p) {
			return c
		}
	}
	return nil
}

// isIdentityColumn reports whether c holds one of r's identity values.
func isIdentityColumn(r *model.Resource, c *model.Column) bool {
	for _, id := range r.Identity {
		if id.Column == c {
			return true
		}
	}
	return false
}
