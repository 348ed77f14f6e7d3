package compiler

import (
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// physicalNames shortens table and column names to the dialect limit and
// reports collisions (after overrides and shortening) naming both origins.
func (b *builder) physicalNames() {
	tables := map[string]*model.Table{}
	for _, r := range b.m.Resources {
		for _, t := range r.Tables {
			logical := b.logicalTable[t]
			t.Name = b.limit.Shorten(logical, logical)
			t.Comment = t.Schema + "." + t.Name + ": " + r.ResourceName + " " + t.Scope.String()
			key := t.Schema + "." + strings.ToLower(t.Name)
			if prev, ok := tables[key]; ok {
				loc := b.loc[t]
				name := t.Name
				if name != logical {
					name += " (" + string(b.d.Name()) + " shortening of " + logical + ")"
				}
				b.diags.Errorf(loc.file, loc.path, CodeNameCollision, "table name %s.%s of %s collides with the table of %s",
					t.Schema, name, scopeLabel(r, t.Scope), scopeLabel(prev.Resource, prev.Scope))
				continue
			}
			tables[key] = t
			cols := map[string]*model.Column{}
			for _, c := range t.Columns {
				logicalCol := b.logicalCol[c]
				c.Name = b.limit.Shorten(logicalCol, logicalCol)
				ck := strings.ToLower(c.Name)
				if prev, ok := cols[ck]; ok {
					loc := b.loc[c]
					if loc.file == "" {
						loc = b.loc[t]
					}
					name := c.Name
					if name != logicalCol {
						name += " (" + string(b.d.Name()) + " shortening of " + logicalCol + ")"
					}
					b.diags.Errorf(loc.file, loc.path, CodeNameCollision, "column %s of table %s.%s (from %s) collides with the column from %s",
						name, t.Schema, t.Name, describeColumn(c), describeColumn(prev))
					continue
				}
				cols[ck] = c
			}
		}
	}
	for _, v := range b.m.Views {
		key := v.Schema + "." + strings.ToLower(b.limit.Shorten(v.Name, v.Name))
		if prev, ok := tables[key]; ok {
			b.diags.Errorf(b.file(prev.Resource), b.src[prev.Resource].Path, CodeNameCollision, "view %s.%s of abstract resource %s collides with the table of %s", v.Schema, v.Name, v.ResourceName, scopeLabel(prev.Resource, prev.Scope))
		}
	}
}

func describeColumn(c *model.Column) string {
	switch c.Kind {
	case model.ScalarColumn, model.DescriptorFKColumn, model.DocumentFKColumn:
		return c.Path.String()
	}
	return "the " + string(c.Kind) + " key"
}

func names(cols []*model.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// constraintName shortens a constraint name, hashing its signature.
func (b *builder) constraintName(name, kind string, t *model.Table, cols []string, fk *naming.FKSignature) string {
	return b.limit.Shorten(name, naming.Signature(kind, t.Schema, t.Name, cols, fk))
}

// uxTokens groups columns by the prefix before their last `_` (upstream's
// unique-constraint naming): ungrouped names first, then each prefix with
// its suffixes, all ordinal-sorted.
func uxTokens(cols []string) string {
	groups := map[string][]string{}
	var prefixes []string
	for _, c := range cols {
		prefix, suffix := "", c
		if i := strings.LastIndexByte(c, '_'); i > 0 && i < len(c)-1 {
			prefix, suffix = c[:i], c[i+1:]
		}
		if _, ok := groups[prefix]; !ok {
			prefixes = append(prefixes, prefix)
		}
		groups[prefix] = append(groups[prefix], suffix)
	}
	sort.Strings(prefixes)
	var toks []string
	for _, p := range prefixes {
		s := groups[p]
		sort.Strings(s)
		if p != "" {
			toks = append(toks, p)
		}
		toks = append(toks, s...)
	}
	return strings.Join(toks, "_")
}

// constraints derives a table's keys, foreign keys and indexes.
func (b *builder) constraints(t *model.Table) {
	logical := b.logicalTable[t]
	keys := t.KeyColumns()
	t.Key = model.Constraint{Kind: "PrimaryKey", Columns: names(keys), Name: b.constraintName("PK_"+logical, "PrimaryKey", t, names(keys), nil)}
	t.Uniques, t.ForeignKeys, t.Indexes = nil, nil, nil
	r := t.Resource
	if t.Kind == model.RootTable {
		var nk []*model.Column
		for _, part := range r.Identity {
			if !containsCol(nk, part.Column) {
				nk = append(nk, part.Column)
			}
		}
		if len(nk) > 0 {
			t.Uniques = append(t.Uniques, model.Constraint{Kind: "NaturalKey", Columns: names(nk), Name: b.constraintName("UX_"+logical+"_NK", "Unique", t, names(nk), nil)})
		}
		b.addFK(t, "Document", names(keys), "dms", "Document", []string{"DocumentId"}, "Cascade", "Document")
	} else {
		p := t.Parent
		own := keys
		if t.Kind == model.CollectionTable {
			own = keys[:len(keys)-1]
		}
		b.addFK(t, b.logicalTable[p], names(own), p.Schema, p.Name, names(p.KeyColumns()), "Cascade", "Parent")
	}
	for _, uc := range r.Uniqueness {
		if uc.Table != t {
			continue
		}
		cols := names(uc.Cols)
		uc.Constraint.Columns = cols
		uc.Constraint.Name = b.constraintName("UX_"+logical+"_"+uxTokens(b.logicalNames(uc.Cols)), "Unique", t, cols, nil)
		t.Uniques = append(t.Uniques, uc.Constraint)
	}
	for _, c := range t.Columns {
		switch c.Kind {
		case model.DocumentFKColumn:
			ref := c.Reference
			token := strings.TrimSuffix(b.logicalCol[c], "_DocumentId")
			if ref.TargetIsAbstract {
				b.addFK(t, token, []string{c.Name}, "dms", "Document", []string{"DocumentId"}, "NoAction", "AbstractReference")
				continue
			}
			target := b.byName[qname(ref.TargetProject, ref.TargetResource)]
			if target == nil || root(target) == nil {
				continue
			}
			rt := root(target)
			b.addFK(t, token, []string{c.Name}, rt.Schema, rt.Name, []string{"DocumentId"}, "NoAction", "Reference")
		case model.DescriptorFKColumn:
			token := strings.TrimSuffix(b.logicalCol[c], "_DescriptorId")
			b.addFK(t, token, []string{c.Name}, "dms", "Descriptor", []string{"DocumentId"}, "NoAction", "Descriptor")
		}
	}
	covered := [][]string{t.Key.Columns}
	for _, u := range t.Uniques {
		covered = append(covered, u.Columns)
	}
	for _, fk := range t.ForeignKeys {
		if leftPrefixOfAny(fk.Columns, covered) {
			continue
		}
		name := "IX_" + logical + "_" + strings.Join(b.logicalNamesOf(t, fk.Columns), "_")
		t.Indexes = append(t.Indexes, model.Constraint{Kind: "Index", Columns: fk.Columns, Name: b.limit.Shorten(name, name)})
		covered = append(covered, fk.Columns)
	}
}

func (b *builder) addFK(t *model.Table, token string, cols []string, schema, table string, tcols []string, onDelete, kind string) {
	name := b.constraintName("FK_"+b.logicalTable[t]+"_"+token, "ForeignKey", t, cols,
		&naming.FKSignature{TargetSchema: schema, TargetTable: table, TargetColumns: tcols, OnDelete: onDelete, OnUpdate: "NoAction"})
	t.ForeignKeys = append(t.ForeignKeys, &model.ForeignKey{Name: name, Columns: cols, TargetSchema: schema, TargetTable: table, TargetColumns: tcols, OnDelete: onDelete, Kind: kind})
}

func (b *builder) logicalNames(cols []*model.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = b.logicalCol[c]
	}
	return out
}

// logicalNamesOf maps physical column names of t back to logical names.
func (b *builder) logicalNamesOf(t *model.Table, phys []string) []string {
	out := make([]string, len(phys))
	for i, n := range phys {
		out[i] = n
		if c := t.Column(n); c != nil {
			out[i] = b.logicalCol[c]
		}
	}
	return out
}

func leftPrefixOfAny(cols []string, keys [][]string) bool {
	for _, k := range keys {
		if len(cols) <= len(k) {
			match := true
			for i := range cols {
				if cols[i] != k[i] {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}

// constraintCollisions reports constraint and index names that repeat
// within a schema (both engines require them unique there).
func (b *builder) constraintCollisions() {
	seen := map[string]*model.Table{}
	for _, r := range b.m.Resources {
		for _, t := range r.Tables {
			all := []string{t.Key.Name}
			for _, u := range t.Uniques {
				all = append(all, u.Name)
			}
			for _, fk := range t.ForeignKeys {
				all = append(all, fk.Name)
			}
			for _, ix := range t.Indexes {
				all = append(all, ix.Name)
			}
			for _, n := range all {
				key := t.Schema + "." + strings.ToLower(n)
				if prev, ok := seen[key]; ok {
					loc := b.loc[t]
					b.diags.Errorf(loc.file, loc.path, CodeNameCollision, "constraint or index name %s on %s.%s (%s) is also used on %s.%s (%s)",
						n, t.Schema, t.Name, scopeLabel(r, t.Scope), prev.Schema, prev.Name, scopeLabel(prev.Resource, prev.Scope))
					continue
				}
				seen[key] = t
			}
		}
	}
}
