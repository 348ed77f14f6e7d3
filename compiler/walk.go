package compiler

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// walk maps the properties of object node n (at absolute path p) into
// table t. prefix holds the inlined object names between the table scope
// and n; optional tells whether some inlined ancestor is optional.
func (c *resourceCtx) walk(t *model.Table, n *apischema.Node, p jsonpath.Path, prefix []string, optional bool) {
	for _, prop := range n.Properties {
		cp := p.Child(prop.Name)
		required := n.IsRequired(prop.Name) && !optional
		if n.IsRequired(prop.Name) || prop.Node.MinItems > 0 {
			c.r.PropertyRules = append(c.r.PropertyRules, &model.PropertyRule{Path: cp, Required: n.IsRequired(prop.Name), MinItems: prop.Node.MinItems})
		}
		if prop.Name == "_ext" {
			c.extension(t, prop.Node, cp, prefix)
			continue
		}
		if pm, ok := c.refByObj[cp.String()]; ok {
			c.reference(t, pm, prop.Node, cp, required)
			continue
		}
		if pm, ok := c.descByPth[cp.String()]; ok {
			c.descriptor(t, pm, prop.Node, cp, append(prefix, prop.Name), required)
			continue
		}
		switch prop.Node.Type {
		case "object":
			c.walk(t, prop.Node, cp, append(append([]string(nil), prefix...), prop.Name), !required)
		case "array":
			c.collection(t, prop.Node, cp, prop.Name)
		default:
			c.scalar(t, prop.Node, cp, append(prefix, prop.Name), required)
		}
	}
}

// columnBase returns the override for path p or the PascalCase join of the
// names in scope.
func (c *resourceCtx) columnBase(p jsonpath.Path, names []string) string {
	if o, ok := c.override(p); ok {
		return naming.Pascal(o)
	}
	return naming.PascalJoin(names...)
}

// scalar adds a typed column.
func (c *resourceCtx) scalar(t *model.Table, n *apischema.Node, p jsonpath.Path, names []string, required bool) {
	typ, ok := c.scalarType(n, p)
	if !ok {
		return
	}
	col := &model.Column{Name: c.columnBase(p, names), Kind: model.ScalarColumn, Type: typ, Nullable: !required, Path: p}
	if n.MinLength > 0 || n.Minimum != "" || n.Maximum != "" || n.Pattern != "" || len(n.Enum) > 0 {
		col.Rule = &model.PathRule{Path: p, MinLength: n.MinLength, Minimum: n.Minimum, Maximum: n.Maximum, Pattern: n.Pattern, Enum: n.Enum}
	}
	c.addColumn(t, col, n)
}

func (c *resourceCtx) addColumn(t *model.Table, col *model.Column, n *apischema.Node) {
	t.Columns = append(t.Columns, c.column(t, col))
	c.b.loc[col] = location{file: n.File, path: n.Path}
}

// scalarType maps a JSON-schema scalar to a logical type, reporting what
// cannot become a column (a string without maxLength, an unknown type) and
// numbers that fall back to decimal(18,4).
func (c *resourceCtx) scalarType(n *apischema.Node, p jsonpath.Path) (model.Type, bool) {
	t, ok := c.typeOf(n, p)
	switch {
	case !ok:
		c.b.diags.Errorf(n.File, n.Path, CodeUnsupportedShape, "cannot map type %q at %s to a column", n.Type, p)
	case t.Kind == model.String && !n.HasMaxLength:
		c.b.diags.Errorf(n.File, n.Path, CodeStringWithoutMaxLength, "string property %s of %s has no maxLength; set maxLength in MetaEd (a column needs a bounded length)", p, c.r.ResourceName)
		return model.Type{}, false
	case t.Kind == model.Decimal:
		if _, ok := c.decimals[p.String()]; !ok {
			c.b.warnDecimal(n, p, c.r)
		}
	}
	return t, ok
}

// typeOf maps a JSON-schema scalar at p to its logical type, without
// reporting anything: a string's length is its maxLength (0 when absent); a
// number takes its decimalPropertyValidationInfos, else decimal(18,4).
func (c *resourceCtx) typeOf(n *apischema.Node, p jsonpath.Path) (model.Type, bool) {
	switch n.Type {
	case "string":
		switch n.Format {
		case "date":
			return model.Type{Kind: model.Date}, true
		case "date-time":
			return model.Type{Kind: model.DateTime}, true
		case "time":
			return model.Type{Kind: model.Time}, true
		}
		return model.Type{Kind: model.String, MaxLength: n.MaxLength}, true
	case "integer":
		if n.Format == "int64" {
			return model.Type{Kind: model.Int64}, true
		}
		return model.Type{Kind: model.Int32}, true
	case "number":
		if d, ok := c.decimals[p.String()]; ok {
			return model.Type{Kind: model.Decimal, Precision: d.TotalDigits, Scale: d.DecimalPlaces}, true
		}
		return model.Type{Kind: model.Decimal, Precision: model.FallbackDecimalPrecision, Scale: model.FallbackDecimalScale}, true
	case "boolean":
		return model.Type{Kind: model.Boolean}, true
	}
	return model.Type{}, false
}

// reference adds the single FK column standing for a reference object.
func (c *resourceCtx) reference(t *model.Table, pm *apischema.PathMapping, obj *apischema.Node, p jsonpath.Path, required bool) {
	c.refSeen[p.String()] = true
	base, ok := c.override(p)
	if ok {
		base = naming.Pascal(base)
	} else {
		base = naming.Pascal(pm.Key)
	}
	if ext := obj.Prop("_ext"); ext != nil {
		if len(ext.Properties) > 0 {
			ext = ext.Properties[0].Node // in the file that put it there
		}
		c.b.diags.Errorf(ext.File, ext.Path, CodeUnsupportedShape, "_ext inside the reference object %s: a reference holds only the target's identity values", p)
	}
	ref := &model.Reference{
		Key: pm.Key, Table: t, ObjectPath: p,
		TargetProject: pm.ProjectName, TargetResource: pm.ResourceName,
		TargetIsAbstract: c.b.set.AbstractResource(pm.ProjectName, pm.ResourceName) != nil,
		IsRequired:       required,
	}
	for _, rp := range pm.ReferenceJSONPaths {
		leaf := rp.ReferenceJSONPath.Last().Name
		field := obj.Prop(leaf)
		if field == nil {
			c.b.diags.Errorf(pm.Owner.File, pm.Path, CodeBadReferencePaths, "referenceJsonPath %s of %q is not a property of the reference object %s", rp.ReferenceJSONPath, pm.Key, p)
			continue
		}
		if c.identity[rp.ReferenceJSONPath.String()] {
			ref.IsIdentityComponent = true
		}
		ref.Bindings = append(ref.Bindings, model.Binding{ReferencePath: rp.ReferenceJSONPath, IdentityPath: rp.IdentityJSONPath, Type: c.bindingType(field, rp.ReferenceJSONPath)})
	}
	col := &model.Column{Name: base + "_DocumentId", Kind: model.DocumentFKColumn, Type: model.Type{Kind: model.Int64}, Nullable: !required, Path: p, Reference: ref}
	ref.Column = col
	c.addColumn(t, col, obj)
	c.b.loc[ref] = location{file: pm.Owner.File, path: pm.Path}
	c.r.References = append(c.r.References, ref)
}

// bindingType is the type of a reference identity value as declared in the
// referencing document; a string without maxLength there is a descriptor
// URI.
func (c *resourceCtx) bindingType(n *apischema.Node, p jsonpath.Path) model.Type {
	if n.Type == "string" && n.Format == "" && !n.HasMaxLength {
		return model.DescriptorURIType
	}
	t, _ := c.typeOf(n, p)
	return t
}

// descriptor adds the FK column for a descriptor URI property.
func (c *resourceCtx) descriptor(t *model.Table, pm *apischema.PathMapping, n *apischema.Node, p jsonpath.Path, names []string, required bool) {
	c.descSeen[p.String()] = true
	if n.Type != "string" {
		c.b.diags.Errorf(n.File, n.Path, CodeUnmappedDescriptor, "descriptor %q at %s must be a string property, found %s", pm.Key, p, n.Type)
		return
	}
	d := &model.DescriptorRef{
		Table: t, Path: p, DescriptorProject: pm.ProjectName, DescriptorResource: pm.ResourceName,
		IsIdentityComponent: c.identity[p.String()], IsRequired: required,
	}
	col := &model.Column{Name: c.columnBase(p, names) + "_DescriptorId", Kind: model.DescriptorFKColumn, Type: model.Type{Kind: model.Int64}, Nullable: !required, Path: p, Descriptor: d}
	d.Column = col
	c.addColumn(t, col, n)
	c.r.Descriptors = append(c.r.Descriptors, d)
}

// collection creates the child table of an array property.
func (c *resourceCtx) collection(parent *model.Table, n *apischema.Node, p jsonpath.Path, prop string) {
	scope := p.Wildcard()
	base := naming.CollectionBase(prop)
	if o, ok := c.override(scope); ok {
		base = c.collectionOverride(parent, o)
	}
	t := c.newTable(parent, c.b.logicalTable[parent]+base, parent.Schema, scope, model.CollectionTable, parent.ExtensionProject)
	t.Base = base
	c.childKeys(t, parent)
	items := n.Items
	if items == nil {
		return
	}
	switch items.Type {
	case "object":
		c.walk(t, items, scope, nil, false)
	case "array":
		c.b.diags.Errorf(items.File, items.Path, CodeUnsupportedShape, "arrays of arrays are not supported (%s)", scope)
	default:
		// An array of scalars: one value column named after the singular.
		if pm, ok := c.descByPth[scope.String()]; ok {
			c.descriptor(t, pm, items, scope, []string{naming.Singular(prop)}, true)
			return
		}
		c.scalar(t, items, scope, []string{naming.Singular(prop)}, true)
	}
}

// collectionOverride applies a `[*]` nameOverride: the value is PascalCased
// and an implied prefix (the owning table name or one of its PascalCase
// suffixes) is stripped, so `SchoolLocation` and `Location` both name table
// SchoolLocation.
func (c *resourceCtx) collectionOverride(parent *model.Table, value string) string {
	v := naming.Pascal(value)
	owner := c.b.logicalTable[parent]
	for _, pre := range pascalSuffixes(owner) {
		if strings.HasPrefix(v, pre) && len(v) > len(pre) {
			return v[len(pre):]
		}
	}
	return v
}

// pascalSuffixes lists the suffixes of a PascalCase name that start at a
// word boundary, longest first (`SchoolAddress` → SchoolAddress, Address).
func pascalSuffixes(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if i == 0 || (isUpper(s[i]) && (isLower(s[i-1]) || (i+1 < len(s) && isLower(s[i+1])))) {
			out = append(out, s[i:])
		}
	}
	return out
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isLower(b byte) bool { return b >= 'a' && b <= 'z' }

// childKeys gives a child table its parent's key columns (the root
// DocumentId renamed `{Root}_DocumentId`, the parent's Ordinal renamed
// `{ParentBase}Ordinal`) followed by its own Ordinal.
func (c *resourceCtx) childKeys(t, parent *model.Table) {
	for _, k := range parent.KeyColumns() {
		name := c.b.logicalCol[k]
		switch {
		case k.Kind == model.DocumentIDColumn:
			name = c.b.logicalTable[c.root] + "_DocumentId"
		case name == "Ordinal":
			name = parent.Base + "Ordinal"
		}
		t.Columns = append(t.Columns, c.column(t, &model.Column{Name: name, Kind: model.ParentKeyColumn, Type: k.Type, IsKey: true}))
	}
	t.Columns = append(t.Columns, c.column(t, &model.Column{Name: "Ordinal", Kind: model.OrdinalColumn, Type: model.Type{Kind: model.Int32}, IsKey: true}))
}

// extension maps `_ext` found in table t's scope — directly in the scope
// object, or in an inlined object on the way (prefix names it): one table
// per extension project, keyed exactly like t, named
// `{Root}Extension{suffix of t}{inlined object names}`.
func (c *resourceCtx) extension(t *model.Table, ext *apischema.Node, p jsonpath.Path, prefix []string) {
	if t.ExtensionProject != "" {
		c.b.diags.Errorf(ext.File, ext.Path, CodeUnsupportedShape, "_ext at %s lies inside the _ext.%s scope; an extension's own properties cannot be extended again", p, t.ExtensionProject)
		return
	}
	for _, proj := range ext.Properties {
		scope := p.Child(proj.Name)
		extBase := c.b.logicalTable[c.root] + "Extension"
		if er, ok := c.extRoot[proj.Name]; ok && er.Relational.RootTableNameOverride != "" && validBaseName(er.Relational.RootTableNameOverride) {
			extBase = naming.Pascal(er.Relational.RootTableNameOverride)
		}
		name := extBase + strings.TrimPrefix(c.b.logicalTable[t], c.b.logicalTable[c.root]) + naming.PascalJoin(prefix...)
		kind := model.RootExtensionTable
		if t.Kind != model.RootTable {
			kind = model.CollectionExtensionTable
		}
		et := c.newTable(t, name, naming.Schema(proj.Name), scope, kind, proj.Name)
		et.Base = t.Base
		for _, k := range t.KeyColumns() {
			kk := model.ParentKeyColumn
			if k.Kind == model.DocumentIDColumn {
				kk = model.DocumentIDColumn
			}
			et.Columns = append(et.Columns, c.column(et, &model.Column{Name: c.b.logicalCol[k], Kind: kk, Type: k.Type, IsKey: true}))
		}
		if proj.Node.Type != "object" {
			c.b.diags.Errorf(proj.Node.File, proj.Node.Path, CodeUnsupportedShape, "_ext.%s must be an object", proj.Name)
			continue
		}
		c.walk(et, proj.Node, scope, nil, false)
	}
}
