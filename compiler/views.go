package compiler

import (
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// viewColumnName names an abstract identity column: the PascalCase leaf for
// a top-level path (`EducationOrganizationId`), else the reference object
// and the field joined by `_`
// (`ProgramReference_ProgramTypeDescriptor`).
func viewColumnName(p jsonpath.Path) string {
	names := p.Names()
	if len(names) == 1 {
		return naming.Pascal(names[0])
	}
	return naming.PascalJoin(names[:len(names)-1]...) + "_" + naming.Pascal(names[len(names)-1])
}

// views builds one union view per abstract resource (types only; names and
// value sources are filled by viewNames after physical naming).
func (b *builder) views() {
	for _, a := range b.set.Abstract {
		members := b.members(a.Project.ProjectName, a.Name)
		if len(members) == 0 {
			b.diags.Errorf(a.Project.File, a.Path, CodeAbstractNoMembers, "abstract resource %s has no concrete subclass in the schema set, so its union view would be empty", a.Name)
			continue
		}
		v := &model.View{Schema: naming.Schema(a.Project.EndpointName), Name: naming.Pascal(a.Name) + "_View", ProjectName: a.Project.ProjectName, ResourceName: a.Name}
		v.Columns = append(v.Columns,
			model.ViewColumn{Name: "DocumentId", Type: model.Type{Kind: model.Int64}},
			model.ViewColumn{Name: "Discriminator", Type: model.Type{Kind: model.String, MaxLength: 256}})
		for _, p := range a.IdentityJSONPaths {
			col := model.ViewColumn{Name: viewColumnName(p), Path: p}
			found := false
			for _, m := range members {
				mp, ok := memberPath(m, p)
				if !ok {
					b.diags.Errorf(b.file(m), b.src[m].Path, CodeAbstractMemberMissing, "%s is a subclass of %s but has no identity path %s (nor a superclassIdentityJsonPath naming it)", m.ResourceName, a.Name, p)
					continue
				}
				t, ok := b.resourceIdentityType(m, mp, 0)
				if !ok {
					continue
				}
				if !found {
					col.Type, found = t, true
					continue
				}
				w, ok := model.Widest(col.Type, t)
				if !ok {
					b.diags.Errorf(b.file(m), b.src[m].Path, CodeAbstractTypeMismatch, "%s supplies %s of %s as %s, other members as %s", m.ResourceName, p, a.Name, t, col.Type)
					continue
				}
				col.Type = w
			}
			v.Columns = append(v.Columns, col)
		}
		for _, m := range members {
			v.Arms = append(v.Arms, model.ViewArm{Member: m, Table: root(m), Discriminator: m.ProjectName + ":" + m.ResourceName})
		}
		b.m.Views = append(b.m.Views, v)
	}
}

// viewNames shortens view names and resolves each arm's value sources to
// physical columns and joins.
func (b *builder) viewNames() {
	for _, v := range b.m.Views {
		v.Name = b.limit.Shorten(v.Name, v.Name)
		for i := range v.Columns {
			v.Columns[i].Name = b.limit.Shorten(v.Columns[i].Name, v.Columns[i].Name)
		}
		for i := range v.Arms {
			arm := &v.Arms[i]
			arm.Values = nil
			for _, col := range v.Columns[2:] {
				mp, ok := memberPath(arm.Member, col.Path)
				if !ok {
					continue
				}
				vs, ok := b.valueSource(arm.Member, mp, 0)
				if !ok {
					continue
				}
				vs.Type = col.Type
				arm.Values = append(arm.Values, vs)
			}
		}
	}
}

// view finds the union view of an abstract resource.
func (b *builder) view(project, abstract string) *model.View {
	for _, v := range b.m.Views {
		if v.ProjectName == project && v.ResourceName == abstract {
			return v
		}
	}
	return nil
}

// valueSource locates identity value p of resource r as a chain of joins
// from r's root row.
func (b *builder) valueSource(r *model.Resource, p jsonpath.Path, depth int) (model.ValueSource, bool) {
	if depth > 32 {
		return model.ValueSource{}, false
	}
	for _, part := range r.Identity {
		if !part.Path.Equal(p) {
			continue
		}
		switch part.Kind {
		case model.FromColumn:
			return model.ValueSource{Column: part.Column.Name, Type: part.Type}, true
		case model.FromDescriptor:
			return model.ValueSource{Hops: []model.Hop{{FKColumn: part.Column.Name, Schema: "dms", Table: "Descriptor"}}, Column: "Uri", Descriptor: true, Type: part.Type}, true
		}
		ref := part.Reference
		hop := model.Hop{FKColumn: ref.Column.Name}
		if ref.TargetIsAbstract {
			v := b.view(ref.TargetProject, ref.TargetResource)
			if v == nil {
				return model.ValueSource{}, false
			}
			hop.Schema, hop.Table = v.Schema, v.Name
			for _, c := range v.Columns {
				if c.Path.Equal(part.TargetIdentityPath) {
					return model.ValueSource{Hops: []model.Hop{hop}, Column: c.Name, Type: c.Type}, true
				}
			}
			return model.ValueSource{}, false
		}
		t := b.byName[qname(ref.TargetProject, ref.TargetResource)]
		if t == nil {
			return model.ValueSource{}, false
		}
		if t.IsDescriptor {
			return model.ValueSource{Hops: []model.Hop{{FKColumn: ref.Column.Name, Schema: "dms", Table: "Descriptor"}}, Column: "Uri", Descriptor: true, Type: model.DescriptorURIType}, true
		}
		hop.Schema, hop.Table = root(t).Schema, root(t).Name
		inner, ok := b.valueSource(t, part.TargetIdentityPath, depth+1)
		if !ok {
			return model.ValueSource{}, false
		}
		inner.Hops = append([]model.Hop{hop}, inner.Hops...)
		return inner, true
	}
	return model.ValueSource{}, false
}
