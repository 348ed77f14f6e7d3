package datadict

import (
	"fmt"
	"slices"
	"sort"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// Build arranges the model m, compiled from set, into a dictionary, with
// the descriptions found in set. m names its dialect, whose type names
// are shown.
func Build(set *apischema.Set, m *model.Model) (*Dictionary, error) {
	if set == nil || m == nil {
		return nil, fmt.Errorf("datadict: a schema set and its model are required")
	}
	dl, err := all.For(m.Dialect)
	if err != nil {
		return nil, fmt.Errorf("datadict: %w", err)
	}
	b := &builder{set: set, dl: dl, desc: newDescriber(set), byEndpoint: map[string]*Project{}, byName: map[string]*Project{}, homes: map[string]string{}, sections: map[string]string{}}
	d := &Dictionary{
		Dialect: m.Dialect, DialectTitle: dl.Title(),
		APISchemaVersion: m.APISchemaVersion, MappingVersion: m.MappingVersion, EffectiveSchemaHash: m.EffectiveSchemaHash,
	}
	b.projects(d, m)
	resources := append([]*model.Resource(nil), m.Resources...)
	sort.SliceStable(resources, func(i, j int) bool {
		a, c := resources[i], resources[j]
		if a.ProjectEndpoint != c.ProjectEndpoint {
			return a.ProjectEndpoint < c.ProjectEndpoint
		}
		return a.ResourceName < c.ResourceName
	})
	for _, r := range resources {
		if p := b.byEndpoint[r.ProjectEndpoint]; p != nil {
			b.sections[resourceKey(r.ProjectName, r.ResourceName)] = p.Page + "#" + resourceAnchor(r.ResourceName)
		}
		for _, t := range r.Tables {
			if p := b.byEndpoint[b.owner(r, t)]; p != nil {
				b.homes[t.Qualified()] = p.Page + "#" + tableAnchor(t.Qualified())
			}
		}
	}
	for _, r := range resources {
		b.resource(r)
	}
	views := append([]*model.View(nil), m.Views...)
	sort.SliceStable(views, func(i, j int) bool {
		if views[i].Schema != views[j].Schema {
			return views[i].Schema < views[j].Schema
		}
		return views[i].Name < views[j].Name
	})
	for _, v := range views {
		if p := b.byName[v.ProjectName]; p != nil {
			b.sections[resourceKey(v.ProjectName, v.ResourceName)] = p.Page + "#" + tableAnchor(v.Schema+"."+v.Name)
		}
	}
	for _, v := range views {
		if p := b.byName[v.ProjectName]; p != nil {
			p.Views = append(p.Views, b.view(v))
		}
	}
	for _, p := range d.Projects {
		sort.SliceStable(p.Resources, func(i, j int) bool { return p.Resources[i].ResourceName < p.Resources[j].ResourceName })
		sort.SliceStable(p.Extensions, func(i, j int) bool {
			a, c := p.Extensions[i], p.Extensions[j]
			if a.ProjectEndpoint != c.ProjectEndpoint {
				return a.ProjectEndpoint < c.ProjectEndpoint
			}
			return a.ResourceName < c.ResourceName
		})
	}
	return d, nil
}

// builder holds what Build looks things up in.
type builder struct {
	set  *apischema.Set
	dl   dialect.Dialect
	desc *describer
	// byEndpoint and byName find a project by endpoint and by name.
	byEndpoint, byName map[string]*Project
	// homes maps a qualified table name to its page and fragment.
	homes map[string]string
	// sections maps a resource (resourceKey) to its section: its page and
	// fragment (the view's section for an abstract resource).
	sections map[string]string
}

// resourceKey keys a resource by project and resource name.
func resourceKey(project, resource string) string { return project + "\x00" + resource }

// projects adds every project of m to d, with its file names.
func (b *builder) projects(d *Dictionary, m *model.Model) {
	projects := append([]model.Project(nil), m.Projects...)
	sort.SliceStable(projects, func(i, j int) bool { return projects[i].EndpointName < projects[j].EndpointName })
	names := pageNames(projects)
	for i, mp := range projects {
		p := &Project{
			EndpointName: mp.EndpointName, ProjectName: mp.ProjectName, ProjectVersion: mp.ProjectVersion,
			IsExtension: mp.IsExtension, Schema: mp.Schema,
			Page: names[i] + ".html", Diagrams: names[i] + ".md",
		}
		if ap := b.set.Project(mp.ProjectName); ap != nil {
			p.Description = collapse(ap.Description)
		}
		d.Projects = append(d.Projects, p)
		b.byEndpoint[p.EndpointName] = p
		b.byName[p.ProjectName] = p
	}
}

// owner returns the endpoint of the project whose page shows table t of
// resource r: the extension project owning an extension table, else the
// resource's project.
func (b *builder) owner(r *model.Resource, t *model.Table) string {
	if t.ExtensionProject != "" && b.byEndpoint[t.ExtensionProject] != nil {
		return t.ExtensionProject
	}
	return r.ProjectEndpoint
}

// resource adds r to its project's page, and its extension tables to the
// pages of the projects owning them.
func (b *builder) resource(r *model.Resource) {
	home := b.byEndpoint[r.ProjectEndpoint]
	if home == nil {
		return
	}
	api := b.set.Resource(r.ProjectName, r.ResourceName)
	var schema *apischema.Node
	if api != nil {
		schema = api.Schema
	}
	entry := func(ext string) *Resource {
		e := &Resource{
			ProjectName: r.ProjectName, ResourceName: r.ResourceName,
			ProjectEndpoint: r.ProjectEndpoint, EndpointName: r.EndpointName,
			ResourceKeyID: r.ResourceKeyID, IsDescriptor: r.Storage == model.StorageDescriptor,
			Description: b.desc.node(schema), Extension: ext, Anchor: resourceAnchor(r.ResourceName),
		}
		if ext != "" {
			e.Anchor = extensionAnchor(r.ProjectEndpoint, r.ResourceName)
		}
		for _, id := range r.Identity {
			e.Identity = append(e.Identity, id.Path.String())
		}
		return e
	}
	own := entry("")
	home.Resources = append(home.Resources, own)
	exts := map[string]*Resource{}
	var extOrder []string
	for _, t := range r.Tables {
		o := b.owner(r, t)
		if o == r.ProjectEndpoint {
			own.Tables = append(own.Tables, b.table(t, schema))
			continue
		}
		e := exts[o]
		if e == nil {
			e = entry(o)
			exts[o] = e
			extOrder = append(extOrder, o)
		}
		e.Tables = append(e.Tables, b.table(t, schema))
	}
	sort.Strings(extOrder)
	for _, o := range extOrder {
		p := b.byEndpoint[o]
		p.Extensions = append(p.Extensions, exts[o])
		own.ExtendedBy = append(own.ExtendedBy, Link{Text: p.ProjectName, Href: p.Page + "#" + exts[o].Anchor})
	}
}

// table describes one table; schema is its resource's merged JSON schema.
func (b *builder) table(t *model.Table, schema *apischema.Node) *Table {
	out := &Table{
		Schema: t.Schema, Name: t.Name, Qualified: t.Qualified(), Kind: t.Kind, Scope: t.Scope.String(),
		ExtensionProject: t.ExtensionProject, Anchor: tableAnchor(t.Qualified()),
		PrimaryKey: constraint(t.Key),
	}
	if t.Parent != nil {
		out.Parent = b.link(t.Parent.Qualified())
	}
	if !t.Scope.IsRoot() {
		out.Description = b.desc.at(schema, t.Scope)
		if out.Description == "" && t.Scope.Last().Wildcard {
			out.Description = b.desc.at(schema, t.Scope.Parent())
		}
	}
	for _, u := range t.Uniques {
		out.Uniques = append(out.Uniques, constraint(u))
	}
	for _, ix := range t.Indexes {
		out.Indexes = append(out.Indexes, constraint(ix))
	}
	for _, fk := range t.ForeignKeys {
		out.ForeignKeys = append(out.ForeignKeys, &ForeignKey{
			Name: fk.Name, Columns: slices.Clone(fk.Columns),
			Target: b.link(fk.TargetSchema + "." + fk.TargetTable), TargetColumns: slices.Clone(fk.TargetColumns),
			OnDelete: fk.OnDelete, Kind: fk.Kind,
		})
	}
	for _, c := range t.Columns {
		out.Columns = append(out.Columns, b.column(t, c, out, schema))
	}
	return out
}

// column describes column c of table t (described so far in out).
func (b *builder) column(t *model.Table, c *model.Column, out *Table, schema *apischema.Node) *Column {
	col := &Column{
		Name: c.Name, Kind: c.Kind, Type: b.dl.TypeName(c.Type), Logical: c.Type.String(),
		Nullable: c.Nullable, PrimaryKey: c.IsKey || slices.Contains(out.PrimaryKey.Columns, c.Name),
	}
	for _, u := range out.Uniques {
		if slices.Contains(u.Columns, c.Name) {
			col.Unique = true
		}
	}
	for _, fk := range out.ForeignKeys {
		if slices.Contains(fk.Columns, c.Name) {
			col.Foreign = true
			col.References = fk.Target
			break
		}
	}
	switch {
	case c.Reference != nil:
		ref := c.Reference
		col.Target = Link{Text: ref.TargetProject + " " + ref.TargetResource, Href: b.sections[resourceKey(ref.TargetProject, ref.TargetResource)]}
		if ref.TargetIsAbstract {
			col.Target.Text = "abstract " + col.Target.Text
		}
	case c.Descriptor != nil:
		ds := c.Descriptor
		col.Target = Link{Text: ds.DescriptorProject + " " + ds.DescriptorResource, Href: b.sections[resourceKey(ds.DescriptorProject, ds.DescriptorResource)]}
	}
	switch c.Kind {
	case model.ScalarColumn, model.DocumentFKColumn, model.DescriptorFKColumn:
		col.Path = c.Path.String()
		col.Description = b.desc.at(schema, c.Path)
	default:
		col.Description, col.Generated = keyDescription(t, c), true
	}
	return col
}

// keyDescription says what dmsc stores in a key column.
func keyDescription(t *model.Table, c *model.Column) string {
	parent := ""
	if t.Parent != nil {
		parent = t.Parent.Qualified()
	}
	switch {
	case c.Kind == model.DocumentIDColumn && t.Parent == nil:
		return "The document's id: its row in dms.Document."
	case c.Kind == model.DocumentIDColumn:
		return "The extended document's id: its row in " + parent + "."
	case c.Kind == model.OrdinalColumn:
		return "The item's position in its JSON array, from 0."
	case c.Kind == model.ParentKeyColumn:
		return "Part of the key of the parent row in " + parent + "."
	}
	return ""
}

// view describes an abstract union view.
func (b *builder) view(v *model.View) *View {
	out := &View{
		Schema: v.Schema, Name: v.Name, Qualified: v.Schema + "." + v.Name, Anchor: tableAnchor(v.Schema + "." + v.Name),
		ProjectName: v.ProjectName, ResourceName: v.ResourceName,
	}
	for _, c := range v.Columns {
		out.Columns = append(out.Columns, &ViewColumn{Name: c.Name, Type: b.dl.TypeName(c.Type), Logical: c.Type.String(), Path: c.Path.String()})
	}
	for _, a := range v.Arms {
		l := b.link(a.Table.Qualified())
		l.Text = a.Discriminator + " (" + a.Table.Qualified() + ")"
		out.Members = append(out.Members, l)
	}
	return out
}

// link links to the section of a table, when some page shows it.
func (b *builder) link(qualified string) Link {
	return Link{Text: qualified, Href: b.homes[qualified]}
}

// constraint copies a model constraint.
func constraint(c model.Constraint) Constraint {
	return Constraint{Name: c.Name, Columns: slices.Clone(c.Columns), Kind: c.Kind}
}
