package compiler

import (
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
)

// Manifest builds the runtime mapping manifest of a dialect model. Every
// list is non-nil so the JSON always carries every key.
func Manifest(m *model.Model) *manifest.Manifest {
	out := &manifest.Manifest{
		FormatVersion: manifest.FormatVersion, Dialect: manifest.Dialect(m.Dialect),
		APISchemaFormatVersion: m.APISchemaVersion, RelationalMappingVersion: m.MappingVersion,
		EffectiveSchemaHash: m.EffectiveSchemaHash, ResourceKeySeedHash: m.ResourceKeySeedHash,
		Projects:          make([]manifest.Project, 0, len(m.Projects)),
		ResourceKeys:      make([]manifest.ResourceKey, 0, len(m.ResourceKeys)),
		Resources:         make([]manifest.Resource, 0, len(m.Resources)),
		AbstractResources: make([]manifest.AbstractResource, 0, len(m.Views)),
		EdOrgTypes:        make([]manifest.EdOrgType, 0, len(m.EdOrgTypes)),
	}
	for _, p := range m.Projects {
		out.Projects = append(out.Projects, manifest.Project{EndpointName: p.EndpointName, ProjectName: p.ProjectName, ProjectVersion: p.ProjectVersion, IsExtension: p.IsExtension, ProjectHash: p.ProjectHash, Schema: p.Schema})
	}
	for _, k := range m.ResourceKeys {
		out.ResourceKeys = append(out.ResourceKeys, manifest.ResourceKey{ID: k.ID, ProjectName: k.ProjectName, ResourceName: k.ResourceName, ResourceVersion: k.ResourceVersion})
	}
	for _, r := range m.Resources {
		out.Resources = append(out.Resources, manifestResource(r))
	}
	for _, v := range m.Views {
		a := manifest.AbstractResource{ProjectName: v.ProjectName, ResourceName: v.ResourceName, ViewSchema: v.Schema, ViewName: v.Name,
			Identity: []manifest.ViewIdentity{}, Members: []manifest.Member{}}
		for _, c := range v.Columns[2:] {
			a.Identity = append(a.Identity, manifest.ViewIdentity{Path: c.Path.String(), Column: c.Name, Type: manifestType(c.Type)})
		}
		for _, arm := range v.Arms {
			a.Members = append(a.Members, manifest.Member{ProjectName: arm.Member.ProjectName, ResourceName: arm.Member.ResourceName, Discriminator: arm.Discriminator})
		}
		out.AbstractResources = append(out.AbstractResources, a)
	}
	for _, t := range m.EdOrgTypes {
		mt := manifest.EdOrgType{ProjectName: t.Resource.ProjectName, ResourceName: t.Resource.ResourceName, Parents: []manifest.EdOrgParent{}}
		if t.IDColumn != nil {
			mt.IDColumn = t.IDColumn.Name
		}
		for _, p := range t.Parents {
			mt.Parents = append(mt.Parents, manifest.EdOrgParent{ParentType: p.ParentType, Column: p.Reference.Column.Name})
		}
		out.EdOrgTypes = append(out.EdOrgTypes, mt)
	}
	return out
}

// manifestSecurable converts a compiled securable element.
func manifestSecurable(e *model.SecurableElement) manifest.SecurableElement {
	me := manifest.SecurableElement{Ordinal: e.Ordinal, Subject: manifest.Subject(e.Subject), Path: e.Path.String(), Name: e.Name,
		Site: manifest.Site(e.Site), Hops: []manifest.Hop{}, SubjectProject: e.SubjectProject, SubjectResource: e.SubjectResource}
	if e.Column != nil {
		me.Column = e.Column.Name
	}
	if e.SubjectColumn != nil {
		me.SubjectColumn = e.SubjectColumn.Name
	}
	for _, h := range e.Hops {
		me.Hops = append(me.Hops, manifest.Hop{Table: h.Table.Qualified(), Column: h.Column.Name,
			TargetProject: h.TargetProject, TargetResource: h.TargetResource, TargetIsAbstract: h.TargetIsAbstract})
	}
	return me
}

func manifestType(t model.Type) manifest.Type {
	return manifest.Type{Kind: manifest.TypeKind(t.Kind), MaxLength: t.MaxLength, Precision: t.Precision, Scale: t.Scale}
}

func manifestResource(r *model.Resource) manifest.Resource {
	mr := manifest.Resource{
		ProjectName: r.ProjectName, ResourceName: r.ResourceName, ProjectEndpoint: r.ProjectEndpoint, EndpointName: r.EndpointName,
		ResourceKeyID: r.ResourceKeyID, Storage: manifest.Storage(r.Storage), IsDescriptor: r.IsDescriptor,
		IsSchoolYearEnumeration: r.IsSchoolYearEnumeration, AllowIdentityUpdates: r.AllowIdentityUpdates,
		Identity: []manifest.IdentityElement{}, Tables: []manifest.Table{}, EdgeSources: []manifest.EdgeSource{},
		QueryFields: []manifest.QueryField{}, Uniqueness: []manifest.Uniqueness{}, Equality: []manifest.Equality{},
		PropertyRules: []manifest.PropertyRule{}, SecurableElements: []manifest.SecurableElement{},
	}
	for _, e := range r.Securable {
		mr.SecurableElements = append(mr.SecurableElements, manifestSecurable(e))
	}
	if s := r.Superclass; s != nil {
		mr.Superclass = &manifest.Superclass{ProjectName: s.ProjectName, ResourceName: s.ResourceName, IdentityRename: s.IdentityRename, IsAbstract: s.IsAbstract}
	}
	for _, p := range r.Identity {
		e := manifest.IdentityElement{Path: p.Path.String(), Source: manifest.SourceKind(p.Kind), Column: p.Column.Name, Type: manifestType(p.Type)}
		if p.Kind == model.FromReference {
			e.TargetIdentityPath = p.TargetIdentityPath.String()
		}
		mr.Identity = append(mr.Identity, e)
	}
	for _, t := range r.Tables {
		mr.Tables = append(mr.Tables, manifestTable(t))
	}
	for _, ref := range r.References {
		e := manifest.EdgeSource{Table: ref.Table.Qualified(), Column: ref.Column.Name, Kind: manifest.EdgeReference,
			TargetProject: ref.TargetProject, TargetResource: ref.TargetResource, TargetIsAbstract: ref.TargetIsAbstract,
			IsIdentityComponent: ref.IsIdentityComponent, IsRequired: ref.IsRequired, Path: ref.ObjectPath.String(), Bindings: []manifest.Binding{}}
		for _, b := range ref.Bindings {
			e.Bindings = append(e.Bindings, manifest.Binding{ReferencePath: b.ReferencePath.String(), IdentityPath: b.IdentityPath.String(), Type: manifestType(b.Type)})
		}
		mr.EdgeSources = append(mr.EdgeSources, e)
	}
	for _, d := range r.Descriptors {
		mr.EdgeSources = append(mr.EdgeSources, manifest.EdgeSource{Table: d.Table.Qualified(), Column: d.Column.Name, Kind: manifest.EdgeDescriptor,
			TargetProject: d.DescriptorProject, TargetResource: d.DescriptorResource, IsIdentityComponent: d.IsIdentityComponent,
			IsRequired: d.IsRequired, Path: d.Path.String(), Bindings: []manifest.Binding{}})
	}
	for _, q := range r.QueryFields {
		f := manifest.QueryField{Name: q.Name, Targets: []manifest.QueryTarget{}}
		for _, tg := range q.Targets {
			kind := manifest.SourceColumn
			switch tg.Column.Kind {
			case model.DescriptorFKColumn:
				kind = manifest.SourceDescriptor
			case model.DocumentFKColumn:
				kind = manifest.SourceReference
			}
			qt := manifest.QueryTarget{Path: tg.Path.String(), Column: tg.Column.Name, Kind: kind, Type: tg.Type}
			if tg.Reference != nil {
				qt.TargetIdentityPath = tg.TargetIdentityPath.String()
			}
			f.Targets = append(f.Targets, qt)
		}
		mr.QueryFields = append(mr.QueryFields, f)
	}
	for _, u := range r.Uniqueness {
		mu := manifest.Uniqueness{Table: u.Table.Qualified(), Constraint: u.Constraint.Name, Columns: u.Constraint.Columns, Paths: []string{}}
		for _, p := range u.Paths {
			mu.Paths = append(mu.Paths, p.String())
		}
		mr.Uniqueness = append(mr.Uniqueness, mu)
	}
	for _, pr := range r.PropertyRules {
		mr.PropertyRules = append(mr.PropertyRules, manifest.PropertyRule{Path: pr.Path.String(), Required: pr.Required, MinItems: pr.MinItems})
	}
	for _, e := range r.Equality {
		mr.Equality = append(mr.Equality, manifest.Equality{SourcePath: e[0].String(), TargetPath: e[1].String()})
	}
	return mr
}

func manifestTable(t *model.Table) manifest.Table {
	mt := manifest.Table{Schema: t.Schema, Name: t.Name, Scope: t.Scope.String(), Kind: manifest.TableKind(t.Kind), ExtensionProject: t.ExtensionProject,
		KeyColumns: names(t.KeyColumns()), ParentKeyColumns: []string{}, Columns: []manifest.Column{}}
	if t.Parent != nil {
		mt.Parent = t.Parent.Qualified()
		for _, fk := range t.ForeignKeys {
			if fk.Kind == "Parent" {
				mt.ParentKeyColumns = fk.Columns
			}
		}
	}
	for _, c := range t.Columns {
		mc := manifest.Column{Name: c.Name, Kind: manifest.ColumnKind(c.Kind), Type: manifestType(c.Type), Nullable: c.Nullable}
		switch c.Kind {
		case model.ScalarColumn, model.DescriptorFKColumn, model.DocumentFKColumn:
			mc.SourcePath = relative(c.Path, t.Scope)
		}
		if rl := c.Rule; rl != nil {
			mc.Validation = &manifest.Validation{MinLength: rl.MinLength, Minimum: rl.Minimum, Maximum: rl.Maximum, Pattern: rl.Pattern, Enum: rl.Enum}
		}
		mt.Columns = append(mt.Columns, mc)
	}
	return mt
}

// relative renders p relative to scope (`$.addresses[*].city` in
// `$.addresses[*]` → `$.city`).
func relative(p, scope jsonpath.Path) string {
	if rel, ok := p.Rel(scope); ok {
		return rel.String()
	}
	return p.String()
}
