package ddl

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/model"
)

// pgFormat is PostgreSQL's format_type spelling of a logical type.
func pgFormat(t model.Type) string {
	switch t.Kind {
	case model.String:
		return "character varying(" + strconv.Itoa(t.MaxLength) + ")"
	case model.Decimal:
		return "numeric(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	case model.Date:
		return "date"
	case model.DateTime:
		return "timestamp with time zone"
	case model.Time:
		return "time without time zone"
	case model.Boolean:
		return "boolean"
	case model.Int16:
		return "smallint"
	case model.Int32:
		return "integer"
	case model.Int64:
		return "bigint"
	}
	return "?" + string(t.Kind)
}

// pgFormatColumn is the format_type spelling of a core-table column.
func pgFormatColumn(c dialect.Column) string {
	switch c.Special {
	case dialect.UUID:
		return "uuid"
	case dialect.JSON:
		return "jsonb"
	case dialect.JSONText:
		return "text"
	case dialect.Binary:
		return "bytea"
	case dialect.Char:
		return "character(" + strconv.Itoa(c.Length) + ")"
	}
	return pgFormat(c.Type)
}

// wantTable is what the catalog must hold for one table.
type wantTable struct {
	columns []pgtest.Column
	// constraints by name: type p/u/f with columns and, for f, target and
	// ON DELETE (c cascade, a no action).
	constraints map[string]pgtest.Constraint
	// indexes by name: columns, included columns, unique.
	indexes map[string]pgtest.Index
}

// expectedPG derives the expected catalog of the core tables and of m's
// tables and views, independently of the renderer's SQL.
func expectedPG(m *model.Model) (map[string]*wantTable, map[string][]pgtest.Column) {
	tables := map[string]*wantTable{}
	key := func(name string, cols []string, unique, primary bool) (pgtest.Constraint, pgtest.Index) {
		typ := "u"
		if primary {
			typ = "p"
		}
		return pgtest.Constraint{Name: name, Type: typ, Columns: cols, TargetColumns: []string{}, OnDelete: " "},
			pgtest.Index{Name: name, Unique: unique, Primary: primary, Columns: cols, Included: []string{}}
	}
	for _, ct := range coreTables() {
		w := &wantTable{constraints: map[string]pgtest.Constraint{}, indexes: map[string]pgtest.Index{}}
		for _, c := range ct.Columns {
			w.columns = append(w.columns, pgtest.Column{Name: c.Name, Type: pgFormatColumn(c), NotNull: !c.Nullable})
		}
		for i, k := range append([]dialect.Key{ct.PrimaryKey}, ct.Uniques...) {
			con, ix := key(k.Name, k.Columns, true, i == 0)
			w.constraints[k.Name], w.indexes[k.Name] = con, ix
		}
		tables[ct.Schema+"."+ct.Name] = w
	}
	for _, r := range m.Resources {
		for _, t := range r.Tables {
			w := &wantTable{constraints: map[string]pgtest.Constraint{}, indexes: map[string]pgtest.Index{}}
			for _, c := range t.Columns {
				w.columns = append(w.columns, pgtest.Column{Name: c.Name, Type: pgFormat(c.Type), NotNull: !c.Nullable})
			}
			con, ix := key(t.Key.Name, t.Key.Columns, true, true)
			w.constraints[t.Key.Name], w.indexes[t.Key.Name] = con, ix
			for _, u := range t.Uniques {
				con, ix := key(u.Name, u.Columns, true, false)
				w.constraints[u.Name], w.indexes[u.Name] = con, ix
			}
			for _, fk := range t.ForeignKeys {
				del := "a"
				if fk.OnDelete == "Cascade" {
					del = "c"
				}
				w.constraints[fk.Name] = pgtest.Constraint{Name: fk.Name, Type: "f", Columns: fk.Columns, TargetSchema: fk.TargetSchema,
					TargetTable: fk.TargetTable, TargetColumns: fk.TargetColumns, OnDelete: del}
			}
			for _, ix := range t.Indexes {
				w.indexes[ix.Name] = pgtest.Index{Name: ix.Name, Columns: ix.Columns, Included: []string{}}
			}
			tables[t.Qualified()] = w
		}
	}
	for _, fk := range coreForeignKeys(pgsqlDialect()) {
		del := "a"
		if fk.OnDelete == dialect.Cascade {
			del = "c"
		}
		tables[fk.Schema+"."+fk.Table].constraints[fk.Name] = pgtest.Constraint{Name: fk.Name, Type: "f", Columns: fk.Columns,
			TargetSchema: fk.TargetSchema, TargetTable: fk.TargetTable, TargetColumns: fk.TargetColumns, OnDelete: del}
	}
	for _, ix := range coreIndexes() {
		include := ix.Include
		if include == nil {
			include = []string{}
		}
		tables[ix.Schema+"."+ix.Table].indexes[ix.Name] = pgtest.Index{Name: ix.Name, Columns: ix.Columns, Included: include}
	}
	authViewList, covering, err := authViews(m, pgsqlDialect())
	if err != nil {
		panic(err) // rendering the script failed first
	}
	for _, c := range covering {
		w := tables[c.Schema+"."+c.Table]
		merged := false
		for name, ix := range w.indexes {
			if !ix.Unique && !ix.Primary && len(ix.Columns) == 1 && ix.Columns[0] == c.Columns[0] {
				ix.Included = append(ix.Included, c.Include...)
				w.indexes[name] = ix
				merged = true
				break
			}
		}
		if !merged {
			w.indexes[c.Name] = pgtest.Index{Name: c.Name, Columns: c.Columns, Included: c.Include}
		}
	}
	views := map[string][]pgtest.Column{}
	for _, v := range authViewList {
		for _, c := range v.Columns {
			views[v.Schema+"."+v.Name] = append(views[v.Schema+"."+v.Name], pgtest.Column{Name: c, Type: "bigint"})
		}
	}
	for _, v := range m.Views {
		for _, c := range v.Columns {
			views[v.Schema+"."+v.Name] = append(views[v.Schema+"."+v.Name], pgtest.Column{Name: c.Name, Type: pgFormat(c.Type)})
		}
	}
	return tables, views
}

// pgsqlDialect returns the PostgreSQL dialect.
func pgsqlDialect() dialect.Dialect {
	d, _ := all.For(model.PgSQL)
	return d
}

// comparePGCatalog checks the catalog against m: every table, column
// (type, nullability, order), key, unique constraint, foreign key, index
// and view exists as the model says, no other table, view, constraint or
// index exists in any user schema, and the seed rows are m's.
func comparePGCatalog(t *testing.T, cat *pgtest.Catalog, m *model.Model) {
	t.Helper()
	tables, views := expectedPG(m)
	for name, kind := range cat.Relations {
		switch kind {
		case "r", "p":
			if tables[name] == nil {
				t.Errorf("unexpected table %s", name)
			}
		case "v":
			if views[name] == nil {
				t.Errorf("unexpected view %s", name)
			}
		}
	}
	names := sortedKeys(tables)
	for _, name := range names {
		w := tables[name]
		if kind := cat.Relations[name]; kind != "r" {
			t.Errorf("table %s: relkind %q, want a table", name, kind)
			continue
		}
		got := cat.Columns[name]
		for i := range got {
			got[i].Default, got[i].Identity = "", ""
		}
		if !reflect.DeepEqual(got, w.columns) {
			t.Errorf("table %s columns:\n got %v\nwant %v", name, got, w.columns)
		}
		have := map[string]bool{}
		for _, k := range cat.Constraints[name] {
			have[k.Name] = true
			want, ok := w.constraints[k.Name]
			if !ok {
				t.Errorf("table %s: unexpected constraint %s (%s)", name, k.Name, k.Def)
				continue
			}
			k.Def = ""
			if !reflect.DeepEqual(k, want) {
				t.Errorf("table %s constraint %s:\n got %+v\nwant %+v", name, k.Name, k, want)
			}
		}
		for _, n := range sortedKeys(w.constraints) {
			if !have[n] {
				t.Errorf("table %s: constraint %s is missing", name, n)
			}
		}
		have = map[string]bool{}
		for _, ix := range cat.Indexes[name] {
			have[ix.Name] = true
			want, ok := w.indexes[ix.Name]
			if !ok {
				t.Errorf("table %s: unexpected index %s", name, ix.Def)
				continue
			}
			ix.Def = ""
			if !reflect.DeepEqual(ix, want) {
				t.Errorf("table %s index %s:\n got %+v\nwant %+v", name, ix.Name, ix, want)
			}
		}
		for _, n := range sortedKeys(w.indexes) {
			if !have[n] {
				t.Errorf("table %s: index %s is missing", name, n)
			}
		}
	}
	for _, name := range sortedKeys(views) {
		if kind := cat.Relations[name]; kind != "v" {
			t.Errorf("view %s: relkind %q, want a view", name, kind)
			continue
		}
		got := cat.Columns[name]
		for i := range got {
			got[i].NotNull, got[i].Default, got[i].Identity = false, "", ""
		}
		if !reflect.DeepEqual(got, views[name]) {
			t.Errorf("view %s columns:\n got %v\nwant %v", name, got, views[name])
		}
	}
	var seeds []string
	for _, k := range m.ResourceKeys {
		seeds = append(seeds, strings.Join([]string{"ResourceKey", strconv.Itoa(int(k.ID)), k.ProjectName, k.ResourceName, k.ResourceVersion}, "|"))
	}
	for _, p := range m.Projects {
		seeds = append(seeds, strings.Join([]string{"SchemaComponent", "1", p.EndpointName, p.ProjectName, p.ProjectVersion, strconv.FormatBool(p.IsExtension)[:1], p.ProjectHash}, "|"))
	}
	prefix := strings.Join([]string{"EffectiveSchema", "1", m.APISchemaVersion, m.EffectiveSchemaHash, m.MappingVersion, m.ResourceKeySeedHash}, "|") + "|"
	var gotSeeds []string
	foundSchema := false
	for _, s := range cat.Seeds {
		switch {
		case strings.HasPrefix(s, "EffectiveSchema|"):
			foundSchema = foundSchema || strings.HasPrefix(s, prefix)
		case strings.HasPrefix(s, "rows|"):
		default:
			gotSeeds = append(gotSeeds, s)
		}
	}
	if !foundSchema {
		t.Errorf("dms.EffectiveSchema holds %v, want a row %s…", cat.Seeds, prefix)
	}
	if !reflect.DeepEqual(gotSeeds, seeds) {
		t.Errorf("seed rows:\n got %v\nwant %v", gotSeeds, seeds)
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
