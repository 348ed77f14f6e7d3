package ddl

import (
	"sort"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// ExpectedTable is a table the script of a model creates: what a
// provisioned database must hold (package provision compares it with the
// catalog).
type ExpectedTable struct {
	Schema, Name string
	Columns      []ExpectedColumn
	PrimaryKey   []string
	// Uniques are the unique constraints and unique indexes (the runtime
	// relies on them, e.g. to reject duplicate collection items).
	Uniques []dialect.Key
}

// ExpectedColumn is one column of an ExpectedTable.
type ExpectedColumn struct {
	// Type is the type as the script spells it (`varchar(75)`).
	Name, Type string
	Nullable   bool
	// Identity and Default: the column must generate its values or have a
	// default (inserts leave it out).
	Identity, Default bool
}

// ExpectedTables lists the core tables and m's tables, sorted by (schema,
// name), with each column's type as m's dialect renders it in the script.
func ExpectedTables(m *model.Model, d dialect.Dialect) ([]ExpectedTable, error) {
	objects := coreTables()
	tables, err := resourceTables(m)
	if err != nil {
		return nil, err
	}
	filtered := map[string][]dialect.Key{}
	for _, t := range tables {
		o, ixs, err := tableObject(d, t)
		if err != nil {
			return nil, err
		}
		for _, ix := range ixs {
			filtered[t.Qualified()] = append(filtered[t.Qualified()], dialect.Key{Name: ix.Name, Columns: ix.Columns})
		}
		objects = append(objects, o)
	}
	out := make([]ExpectedTable, 0, len(objects))
	for _, o := range objects {
		t := ExpectedTable{Schema: o.Schema, Name: o.Name, PrimaryKey: o.PrimaryKey.Columns,
			Uniques: append(append([]dialect.Key(nil), o.Uniques...), filtered[o.Schema+"."+o.Name]...)}
		for _, c := range o.Columns {
			name := d.TypeName(c.Type)
			if c.Special != dialect.NoSpecial {
				name = d.SpecialTypeName(c.Special, c.Length)
			}
			t.Columns = append(t.Columns, ExpectedColumn{Name: c.Name, Type: name, Nullable: c.Nullable,
				Identity: c.Identity, Default: c.Default != dialect.NoDefault})
		}
		out = append(out, t)
	}
	sort.SliceStable(out, func(i, j int) bool { return LessName(out[i].Schema, out[i].Name, out[j].Schema, out[j].Name) })
	return out, nil
}
