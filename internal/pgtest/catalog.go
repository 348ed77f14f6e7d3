package pgtest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Catalog is a snapshot of a PostgreSQL database's user schemas: enough
// to compare two runs (Lines) and to compare with a model.
type Catalog struct {
	// Relations maps "schema.name" to relkind (r table, v view, i index,
	// S sequence).
	Relations map[string]string
	// Columns of tables and views by "schema.table", in column order.
	Columns map[string][]Column
	// Constraints by "schema.table".
	Constraints map[string][]Constraint
	// Indexes by "schema.table".
	Indexes map[string][]Index
	// Views maps "schema.view" to its definition.
	Views map[string]string
	// Seeds holds the rows of the seeded dms tables, one line each.
	Seeds []string
}

type Column struct {
	Name, Type string
	NotNull    bool
	Default    string
	Identity   string
}

type Constraint struct {
	Name, Type, Def           string
	Columns                   []string
	TargetSchema, TargetTable string
	TargetColumns             []string
	OnDelete                  string
}

type Index struct {
	Name              string
	Unique, Primary   bool
	Def               string
	Columns, Included []string
}

// Snapshot reads the catalog of every non-system schema and the seeded
// rows of the dms tables.
func Snapshot(ctx context.Context, conn *pgx.Conn) (*Catalog, error) {
	c := &Catalog{Relations: map[string]string{}, Columns: map[string][]Column{}, Constraints: map[string][]Constraint{},
		Indexes: map[string][]Index{}, Views: map[string]string{}}
	const userSchemas = `n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'`
	err := queryEach(ctx, conn, `SELECT n.nspname || '.' || c.relname, c.relkind::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE `+userSchemas, func(r pgx.Rows) error {
		var name, kind string
		if err := r.Scan(&name, &kind); err != nil {
			return err
		}
		c.Relations[name] = kind
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, conn, `SELECT n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
  COALESCE(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE `+userSchemas+` AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum`, func(r pgx.Rows) error {
		var rel string
		var col Column
		if err := r.Scan(&rel, &col.Name, &col.Type, &col.NotNull, &col.Default, &col.Identity); err != nil {
			return err
		}
		c.Columns[rel] = append(c.Columns[rel], col)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, conn, `SELECT n.nspname || '.' || c.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid),
  ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
  COALESCE(fn.nspname::text, ''), COALESCE(fc.relname::text, ''),
  ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord),
  con.confdeltype::text
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE `+userSchemas+` ORDER BY 1, 2`, func(r pgx.Rows) error {
		var rel string
		var k Constraint
		if err := r.Scan(&rel, &k.Name, &k.Type, &k.Def, &k.Columns, &k.TargetSchema, &k.TargetTable, &k.TargetColumns, &k.OnDelete); err != nil {
			return err
		}
		c.Constraints[rel] = append(c.Constraints[rel], k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, conn, `SELECT n.nspname || '.' || t.relname, i.relname, ix.indisunique, ix.indisprimary, pg_get_indexdef(ix.indexrelid),
  ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
        JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord),
  ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
        JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num WHERE k.ord > ix.indnkeyatts ORDER BY k.ord)
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace WHERE `+userSchemas+` ORDER BY 1, 2`, func(r pgx.Rows) error {
		var rel string
		var ix Index
		if err := r.Scan(&rel, &ix.Name, &ix.Unique, &ix.Primary, &ix.Def, &ix.Columns, &ix.Included); err != nil {
			return err
		}
		c.Indexes[rel] = append(c.Indexes[rel], ix)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, conn, `SELECT schemaname || '.' || viewname, definition FROM pg_views
WHERE schemaname NOT LIKE 'pg\_%' AND schemaname <> 'information_schema'`, func(r pgx.Rows) error {
		var name, def string
		if err := r.Scan(&name, &def); err != nil {
			return err
		}
		c.Views[name] = def
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.Relations["dms.EffectiveSchema"] == "" {
		return c, nil
	}
	for _, q := range []string{
		`SELECT concat_ws('|', 'ResourceKey', "ResourceKeyId", "ProjectName", "ResourceName", "ResourceVersion") FROM "dms"."ResourceKey" ORDER BY "ResourceKeyId"`,
		`SELECT concat_ws('|', 'EffectiveSchema', "EffectiveSchemaId", "ApiSchemaFormatVersion", "EffectiveSchemaHash", "MappingVersion",
  encode("ResourceKeySeedHash", 'hex'), "AppliedAt") FROM "dms"."EffectiveSchema" ORDER BY "EffectiveSchemaId"`,
		`SELECT concat_ws('|', 'SchemaComponent', "EffectiveSchemaId", "ProjectEndpointName", "ProjectName", "ProjectVersion",
  "IsExtensionProject", "ProjectHash") FROM "dms"."SchemaComponent" ORDER BY "EffectiveSchemaId", "ProjectEndpointName"`,
		`SELECT concat_ws('|', 'rows', (SELECT count(*) FROM "dms"."Document"), (SELECT count(*) FROM "dms"."Descriptor"),
  (SELECT count(*) FROM "dms"."ReferentialIdentity"))`,
	} {
		if err := queryEach(ctx, conn, q, func(r pgx.Rows) error {
			var line string
			if err := r.Scan(&line); err != nil {
				return err
			}
			c.Seeds = append(c.Seeds, line)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// queryEach runs q and calls fn for every row.
func queryEach(ctx context.Context, conn *pgx.Conn, q string, fn func(pgx.Rows) error) error {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, q)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Lines renders the whole snapshot as sorted lines, for comparing runs.
func (c *Catalog) Lines() []string {
	var out []string
	for name, kind := range c.Relations {
		out = append(out, "relation "+name+" "+kind)
	}
	for rel, cols := range c.Columns {
		for i, col := range cols {
			out = append(out, fmt.Sprintf("column %s %03d %s %s notnull=%v default=%s identity=%s", rel, i, col.Name, col.Type, col.NotNull, col.Default, col.Identity))
		}
	}
	for rel, cons := range c.Constraints {
		for _, k := range cons {
			out = append(out, "constraint "+rel+" "+k.Name+" "+k.Type+" "+k.Def)
		}
	}
	for rel, ixs := range c.Indexes {
		for _, ix := range ixs {
			out = append(out, "index "+rel+" "+ix.Def)
		}
	}
	for name, def := range c.Views {
		out = append(out, "view "+name+" "+def)
	}
	for _, s := range c.Seeds {
		out = append(out, "seed "+s)
	}
	sort.Strings(out)
	return out
}

// DiffLines describes how two sorted line lists differ (at most max lines).
func DiffLines(before, after []string, max int) string {
	in := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, l := range list {
			m[l] = true
		}
		return m
	}
	b, a := in(before), in(after)
	var out []string
	for _, l := range before {
		if !a[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range after {
		if !b[l] {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("… %d more", len(out)-max))
	}
	return strings.Join(out, "\n")
}
