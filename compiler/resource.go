package compiler

import (
	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// resourceCtx carries per-resource lookups during the walk.
type resourceCtx struct {
	b    *builder
	ar   *apischema.Resource
	r    *model.Resource
	root *model.Table
	// refByObj maps a reference object path to its mapping.
	refByObj  map[string]*apischema.PathMapping
	refSeen   map[string]bool
	descByPth map[string]*apischema.PathMapping
	descSeen  map[string]bool
	overrides map[string]*apischema.NameOverride
	used      map[string]bool
	decimals  map[string]apischema.DecimalInfo
	identity  map[string]bool
	// extRoot maps an extension endpoint to its extension resource.
	extRoot map[string]*apischema.Resource
}

// resource derives the tables of one merged resource.
func (b *builder) resource(ar *apischema.Resource) *model.Resource {
	r := &model.Resource{
		ProjectName: ar.Project.ProjectName, ResourceName: ar.ResourceName,
		ProjectEndpoint: ar.Project.EndpointName, EndpointName: ar.EndpointName,
		ResourceVersion: ar.Project.ProjectVersion, IsDescriptor: ar.IsDescriptor,
		IsSchoolYearEnumeration: ar.IsSchoolYearEnumeration, AllowIdentityUpdates: ar.AllowIdentityUpdates,
		Storage: model.StorageTables,
	}
	if ar.IsSubclass {
		r.Superclass = &model.Superclass{
			ProjectName: ar.SuperclassProjectName, ResourceName: ar.SuperclassResourceName,
			IdentityRename: ar.SuperclassIdentityJSONPath,
			IsAbstract:     b.set.AbstractResource(ar.SuperclassProjectName, ar.SuperclassResourceName) != nil,
		}
	}
	for _, e := range ar.Equality {
		r.Equality = append(r.Equality, [2]jsonpath.Path{e.Source, e.Target})
	}
	if ar.IsDescriptor {
		r.Storage = model.StorageDescriptor
		return r
	}
	c := &resourceCtx{
		b: b, ar: ar, r: r,
		refByObj: map[string]*apischema.PathMapping{}, refSeen: map[string]bool{},
		descByPth: map[string]*apischema.PathMapping{}, descSeen: map[string]bool{},
		overrides: map[string]*apischema.NameOverride{}, used: map[string]bool{},
		decimals: map[string]apischema.DecimalInfo{}, identity: map[string]bool{},
		extRoot: map[string]*apischema.Resource{},
	}
	c.index()
	c.walkRoot()
	c.checkUnmapped()
	for _, t := range r.Tables {
		sortColumns(t.Columns)
	}
	return r
}

// index builds the lookups of one resource and validates name overrides.
func (c *resourceCtx) index() {
	for _, e := range c.ar.Extensions() {
		c.extRoot[e.Project.EndpointName] = e
	}
	for _, p := range c.ar.IdentityJSONPaths {
		c.identity[p.String()] = true
	}
	for _, d := range c.ar.Decimals {
		c.decimals[d.JSONPath.String()] = d
	}
	for i := range c.ar.Relational.NameOverrides {
		no := &c.ar.Relational.NameOverrides[i]
		f := no.Owner.File
		p, err := jsonpath.Parse(no.Key)
		if err != nil {
			c.b.diags.Errorf(f, no.Path, CodeBadNameOverride, "nameOverrides key: %v", err)
			continue
		}
		if !validBaseName(no.Value) {
			c.b.diags.Errorf(f, no.Path, CodeBadNameOverride, "nameOverrides value %q must be a non-empty name of letters, digits and underscores", no.Value)
			c.used[p.String()] = true // reported already; not "unknown" too
			continue
		}
		if prev, ok := c.overrides[p.String()]; ok {
			c.b.diags.Errorf(f, no.Path, CodeBadNameOverride, "nameOverrides key %s is given twice (also at %s)", p, prev.Path)
			continue
		}
		c.overrides[p.String()] = no
	}
	for _, pm := range c.ar.Mappings {
		switch {
		case pm.IsReference && !pm.IsDescriptor:
			obj, ok := referenceObject(pm)
			if !ok {
				c.b.diags.Errorf(pm.Owner.File, pm.Path, CodeBadReferencePaths, "the referenceJsonPaths of %q do not share one parent object", pm.Key)
				continue
			}
			if prev, ok := c.refByObj[obj.String()]; ok {
				c.b.diags.Errorf(pm.Owner.File, pm.Path, CodeBadReferencePaths, "reference object %s is claimed by both %q and %q", obj, prev.Key, pm.Key)
				continue
			}
			c.refByObj[obj.String()] = pm
		case pm.IsDescriptor && pm.HasJSONPath:
			c.descByPth[pm.JSONPath.String()] = pm
		}
	}
}

// referenceObject returns the common parent of a reference's
// referenceJsonPaths: the reference object.
func referenceObject(pm *apischema.PathMapping) (jsonpath.Path, bool) {
	if len(pm.ReferenceJSONPaths) == 0 {
		return jsonpath.Path{}, false
	}
	obj := pm.ReferenceJSONPaths[0].ReferenceJSONPath.Parent()
	if obj.IsRoot() || obj.Last().Wildcard {
		return jsonpath.Path{}, false
	}
	for _, rp := range pm.ReferenceJSONPaths[1:] {
		if !rp.ReferenceJSONPath.Parent().Equal(obj) {
			return jsonpath.Path{}, false
		}
	}
	return obj, true
}

func validBaseName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) {
			return false
		}
	}
	return true
}

// override returns the name override for path p, marking it used.
func (c *resourceCtx) override(p jsonpath.Path) (string, bool) {
	no, ok := c.overrides[p.String()]
	if !ok {
		return "", false
	}
	c.used[p.String()] = true
	return no.Value, true
}

// checkUnmapped reports references and descriptors the walk never met, and
// name overrides that named nothing.
func (c *resourceCtx) checkUnmapped() {
	for _, pm := range c.ar.Mappings {
		switch {
		case pm.IsReference && !pm.IsDescriptor:
			obj, ok := referenceObject(pm)
			if ok && !c.refSeen[obj.String()] {
				c.b.diags.Errorf(pm.Owner.File, pm.Path, CodeUnmappedReference, "reference %q (object %s) is not an object property of jsonSchemaForInsert, so it maps to no FK column", pm.Key, obj)
			}
		case pm.IsDescriptor && pm.HasJSONPath:
			if c.descSeen[pm.JSONPath.String()] || c.insideReference(pm.JSONPath) {
				continue
			}
			c.b.diags.Errorf(pm.Owner.File, pm.Path, CodeUnmappedDescriptor, "descriptor %q (path %s) is not a string property of jsonSchemaForInsert, so it maps to no FK column", pm.Key, pm.JSONPath)
		}
	}
	for _, no := range c.ar.Relational.NameOverrides {
		p, err := jsonpath.Parse(no.Key)
		if err != nil {
			continue
		}
		if !c.used[p.String()] {
			c.b.diags.Errorf(no.Owner.File, no.Path, CodeUnknownNameOverride, "nameOverrides key %s names no table, column or reference of %s", p, c.ar.ResourceName)
		}
	}
}

// insideReference reports whether p lies inside a reference object.
func (c *resourceCtx) insideReference(p jsonpath.Path) bool {
	for q := p.Parent(); !q.IsRoot(); q = q.Parent() {
		if _, ok := c.refByObj[q.String()]; ok {
			return true
		}
	}
	return false
}

// walkRoot creates the root table and walks the merged schema.
func (c *resourceCtx) walkRoot() {
	name := c.ar.ResourceName
	if o := c.ar.Relational.RootTableNameOverride; o != "" {
		if !validBaseName(o) {
			c.b.diags.Errorf(c.ar.Project.File, c.ar.Path+".relational.rootTableNameOverride", CodeBadNameOverride, "rootTableNameOverride %q must be a name of letters, digits and underscores", o)
		} else {
			name = o
		}
	}
	root := c.newTable(nil, name, naming.Schema(c.ar.Project.EndpointName), jsonpath.Root, model.RootTable, "")
	root.Columns = append(root.Columns, c.column(root, &model.Column{Name: "DocumentId", Kind: model.DocumentIDColumn, Type: model.Type{Kind: model.Int64}, IsKey: true}))
	c.root = root
	if c.ar.Schema != nil {
		c.walk(root, c.ar.Schema, jsonpath.Root, nil, false)
	}
}

// newTable registers a table of the resource.
func (c *resourceCtx) newTable(parent *model.Table, name, schema string, scope jsonpath.Path, kind model.TableKind, extProject string) *model.Table {
	t := &model.Table{Schema: schema, Name: name, Scope: scope, Kind: kind, Parent: parent, Resource: c.r, ExtensionProject: extProject}
	t.Comment = schema + "." + name + ": " + c.r.ResourceName + " " + scope.String()
	c.r.Tables = append(c.r.Tables, t)
	c.b.logicalTable[t] = name
	c.b.loc[t] = location{file: c.ar.Project.File, path: c.ar.Path}
	return t
}

// column registers a column's logical name.
func (c *resourceCtx) column(t *model.Table, col *model.Column) *model.Column {
	c.b.logicalCol[col] = col.Name
	return col
}
