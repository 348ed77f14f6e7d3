package ddl

import (
	"fmt"
	"sort"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// resourceTables returns every table of m sorted by (schema, name), or an
// error when two tables share a name.
func resourceTables(m *model.Model) ([]*model.Table, error) {
	var out []*model.Table
	for _, r := range m.Resources {
		out = append(out, r.Tables...)
	}
	sort.SliceStable(out, func(i, j int) bool { return LessName(out[i].Schema, out[i].Name, out[j].Schema, out[j].Name) })
	for i := 1; i < len(out); i++ {
		if out[i].Schema == out[i-1].Schema && out[i].Name == out[i-1].Name {
			return nil, fmt.Errorf("table %s is defined twice (%s and %s)", out[i].Qualified(), out[i-1].Comment, out[i].Comment)
		}
	}
	return out, nil
}

// LessName orders (schema, name) pairs ordinally (the order of every
// listing of tables).
func LessName(s1, n1, s2, n2 string) bool {
	if s1 != s2 {
		return s1 < s2
	}
	return n1 < n2
}

// tableObject converts a model table to a CREATE TABLE description. Unique
// keys over nullable columns go to the returned filtered unique indexes
// when the dialect's UNIQUE treats NULLs as equal.
func tableObject(d dialect.Dialect, t *model.Table) (dialect.Table, []dialect.Index, error) {
	out := dialect.Table{Schema: t.Schema, Name: t.Name, Comment: t.Comment, Columns: make([]dialect.Column, len(t.Columns))}
	for i, c := range t.Columns {
		if err := dialect.CheckType(c.Type); err != nil {
			return out, nil, fmt.Errorf("%s.%s: %w", t.Qualified(), c.Name, err)
		}
		out.Columns[i] = dialect.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable}
	}
	if len(t.Key.Columns) == 0 {
		return out, nil, fmt.Errorf("%s has no primary key", t.Qualified())
	}
	if err := checkColumns(t, t.Key.Name, t.Key.Columns); err != nil {
		return out, nil, err
	}
	out.PrimaryKey = dialect.Key{Name: t.Key.Name, Columns: t.Key.Columns}
	var filtered []dialect.Index
	for _, u := range t.Uniques {
		if err := checkColumns(t, u.Name, u.Columns); err != nil {
			return out, nil, err
		}
		if !d.UniqueNullsDistinct() {
			if nulls := nullableColumns(t, u.Columns); len(nulls) > 0 {
				filtered = append(filtered, dialect.Index{Schema: t.Schema, Table: t.Name, Name: u.Name,
					Columns: u.Columns, Unique: true, NotNull: nulls})
				continue
			}
		}
		out.Uniques = append(out.Uniques, dialect.Key{Name: u.Name, Columns: u.Columns})
	}
	return out, filtered, nil
}

// nullableColumns returns the nullable columns among names, in order.
func nullableColumns(t *model.Table, names []string) []string {
	var out []string
	for _, n := range names {
		if c := t.Column(n); c != nil && c.Nullable {
			out = append(out, n)
		}
	}
	return out
}

// checkColumns reports a constraint column that the table does not have.
func checkColumns(t *model.Table, constraint string, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("%s: constraint %s has no columns", t.Qualified(), constraint)
	}
	for _, n := range names {
		if t.Column(n) == nil {
			return fmt.Errorf("%s: constraint %s names unknown column %s", t.Qualified(), constraint, n)
		}
	}
	return nil
}

// foreignKeys returns the foreign keys of tables sorted by (schema, table,
// name).
func foreignKeys(tables []*model.Table) ([]dialect.ForeignKey, error) {
	n := 0
	for _, t := range tables {
		n += len(t.ForeignKeys)
	}
	out := make([]dialect.ForeignKey, 0, n)
	for _, t := range tables {
		for _, fk := range t.ForeignKeys {
			if err := checkColumns(t, fk.Name, fk.Columns); err != nil {
				return nil, err
			}
			if len(fk.TargetColumns) != len(fk.Columns) {
				return nil, fmt.Errorf("%s: foreign key %s has %d columns but %d target columns", t.Qualified(), fk.Name, len(fk.Columns), len(fk.TargetColumns))
			}
			action := dialect.NoAction
			switch fk.OnDelete {
			case "Cascade":
				action = dialect.Cascade
			case "NoAction", "":
			default:
				return nil, fmt.Errorf("%s: foreign key %s has unknown ON DELETE action %q", t.Qualified(), fk.Name, fk.OnDelete)
			}
			out = append(out, dialect.ForeignKey{Schema: t.Schema, Table: t.Name, Name: fk.Name, Columns: fk.Columns,
				TargetSchema: fk.TargetSchema, TargetTable: fk.TargetTable, TargetColumns: fk.TargetColumns, OnDelete: action})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Schema != b.Schema || a.Table != b.Table {
			return LessName(a.Schema, a.Table, b.Schema, b.Table)
		}
		return a.Name < b.Name
	})
	return out, nil
}

// indexes returns the non-unique indexes of tables plus extra, sorted by
// (schema, table, name).
func indexes(tables []*model.Table, extra []dialect.Index) ([]dialect.Index, error) {
	n := len(extra)
	for _, t := range tables {
		n += len(t.Indexes)
	}
	out := make([]dialect.Index, 0, n)
	out = append(out, extra...)
	for _, t := range tables {
		for _, ix := range t.Indexes {
			if err := checkColumns(t, ix.Name, ix.Columns); err != nil {
				return nil, err
			}
			out = append(out, dialect.Index{Schema: t.Schema, Table: t.Name, Name: ix.Name, Columns: ix.Columns})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Schema != b.Schema || a.Table != b.Table {
			return LessName(a.Schema, a.Table, b.Schema, b.Table)
		}
		return a.Name < b.Name
	})
	return out, nil
}
