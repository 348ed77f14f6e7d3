package compiler

import (
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
)

// columnAt finds the column storing path p in resource r: a scalar or
// descriptor column at p, or the FK column of the reference binding p.
func columnAt(r *model.Resource, p jsonpath.Path) (*model.Table, *model.Column) {
	for _, t := range r.Tables {
		for _, c := range t.Columns {
			if (c.Kind == model.ScalarColumn || c.Kind == model.DescriptorFKColumn) && c.Path.Equal(p) {
				return t, c
			}
		}
	}
	for _, ref := range r.References {
		for _, bd := range ref.Bindings {
			if bd.ReferencePath.Equal(p) {
				return ref.Table, ref.Column
			}
		}
	}
	return nil, nil
}

// uniqueness maps arrayUniquenessConstraints onto unique constraints of the
// collection tables: (parent key columns + mapped columns), one constraint
// per table the paths fall into.
func (b *builder) uniqueness(r *model.Resource) {
	ar := b.src[r]
	for _, uc := range ar.Uniqueness {
		paths := uc.AbsolutePaths()
		var order []*model.Table
		groups := map[*model.Table]*model.UniqueConstraint{}
		for _, p := range paths {
			t, c := columnAt(r, p)
			if c == nil {
				b.diags.Errorf(uc.Owner.File, uc.Path, CodeUnmappedUniqueness, "arrayUniquenessConstraints path %s of %s maps to no column", p, r.ResourceName)
				continue
			}
			g, ok := groups[t]
			if !ok {
				g = &model.UniqueConstraint{Table: t, Constraint: model.Constraint{Kind: "ArrayUnique"}}
				g.Cols = append(g.Cols, parentLocator(t)...)
				groups[t] = g
				order = append(order, t)
			}
			g.Paths = append(g.Paths, p)
			if !containsCol(g.Cols, c) {
				g.Cols = append(g.Cols, c)
			}
		}
		for _, t := range order {
			r.Uniqueness = append(r.Uniqueness, groups[t])
		}
	}
}

// parentLocator returns the key columns that identify a row's parent: the
// key without the table's own ordinal (collections), or the whole key.
func parentLocator(t *model.Table) []*model.Column {
	keys := t.KeyColumns()
	if (t.Kind == model.CollectionTable || t.Kind == model.CollectionExtensionTable) && len(keys) > 0 {
		return keys[:len(keys)-1]
	}
	return keys
}

func containsCol(cs []*model.Column, c *model.Column) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// queryFields maps queryFieldMapping onto root columns and references.
func (b *builder) queryFields(r *model.Resource) {
	ar := b.src[r]
	rt := root(r)
	if rt == nil {
		return
	}
	for _, qf := range ar.QueryFields {
		f := &model.QueryField{Name: qf.Name}
		for _, tg := range qf.Targets {
			if tg.JSONPath.String() == "$.id" {
				// `id` is the DocumentUuid; the runtime answers it from
				// dms.Document, not from a resource column.
				continue
			}
			qt := model.QueryTarget{Path: tg.JSONPath, Type: tg.Type}
			t, c := columnAt(r, tg.JSONPath)
			switch {
			case c == nil || t != rt:
				b.diags.Warnf(ar.Project.File, ar.Path+".queryFieldMapping", CodeUnmappedQueryField, "query field %q path %s is not a root-level value of %s; it is not queryable", qf.Name, tg.JSONPath, r.ResourceName)
				continue
			case c.Kind == model.DocumentFKColumn:
				qt.Reference = c.Reference
				for _, bd := range c.Reference.Bindings {
					if bd.ReferencePath.Equal(tg.JSONPath) {
						qt.TargetIdentityPath = bd.IdentityPath
					}
				}
			}
			qt.Column = c
			f.Targets = append(f.Targets, qt)
		}
		if len(f.Targets) > 0 {
			r.QueryFields = append(r.QueryFields, f)
		}
	}
}
