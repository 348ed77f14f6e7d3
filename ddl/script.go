package ddl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// ToolName names the generator in script headers.
const ToolName = "dmsc"

// Render renders the DDL script of m in its dialect (m.Dialect).
func Render(m *model.Model) (string, error) {
	if m == nil {
		return "", fmt.Errorf("no model to render")
	}
	d, err := all.For(m.Dialect)
	if err != nil {
		return "", err
	}
	return RenderWith(m, d)
}

// RenderWith renders the DDL script of m with dialect d, whose naming
// rules m must follow. The script is a pure function of m: header,
// fingerprint guard, schemas, core tables, resource tables, foreign keys,
// indexes, views (members before dependants) and seed rows.
func RenderWith(m *model.Model, d dialect.Dialect) (string, error) {
	if m == nil || d == nil {
		return "", fmt.Errorf("no model or dialect to render")
	}
	if m.Dialect != d.Name() {
		return "", fmt.Errorf("model is named for dialect %q, not %q", m.Dialect, d.Name())
	}
	tables, err := resourceTables(m)
	if err != nil {
		return "", err
	}
	objects := make([]dialect.Table, len(tables))
	var filtered []dialect.Index
	for i, t := range tables {
		var extra []dialect.Index
		if objects[i], extra, err = tableObject(d, t); err != nil {
			return "", err
		}
		filtered = append(filtered, extra...)
	}
	fks, err := foreignKeys(tables)
	if err != nil {
		return "", err
	}
	ixs, err := indexes(tables, filtered)
	if err != nil {
		return "", err
	}
	ordered, err := orderViews(m.Views)
	if err != nil {
		return "", err
	}
	views := make([]dialect.View, len(ordered))
	for i, v := range ordered {
		if views[i], err = viewObject(v); err != nil {
			return "", err
		}
	}
	authViewList, covering, err := authViews(m, d)
	if err != nil {
		return "", err
	}
	if ixs, err = indexes(nil, coverPersons(ixs, covering)); err != nil {
		return "", err
	}
	inserts, err := seeds(m)
	if err != nil {
		return "", err
	}
	if err := checkNames(tables, views); err != nil {
		return "", err
	}
	if err := checkLengths(d, tables, append(views, authViewList...)); err != nil {
		return "", err
	}

	w := &writer{d: d, sep: d.BatchSeparator()}
	columns := 0
	for _, t := range tables {
		columns += len(t.Columns)
	}
	w.b.Grow(16384 + 200*len(tables) + 64*columns + 600*len(fks) + 250*len(ixs) + 100*len(m.ResourceKeys))
	writeHeader(&w.b, m, d)
	var pre strings.Builder
	if d.WritePreamble(&pre); pre.Len() > 0 {
		w.section("Session settings")
		w.statement(dialect.PlainStatement, func(b *strings.Builder) { b.WriteString(pre.String()) })
	}
	w.section("Fingerprint guard: refuse a database provisioned for another schema set")
	w.statement(dialect.GuardStatement, func(b *strings.Builder) { d.WriteGuard(b, m.EffectiveSchemaHash) })

	w.section("Schemas")
	for _, s := range schemas(m, tables, views) {
		w.statement(dialect.SchemaStatement, func(b *strings.Builder) { d.WriteCreateSchema(b, s) })
	}

	w.section("Core tables")
	core := coreTables()
	for i := range core {
		w.blank()
		w.statement(dialect.PlainStatement, func(b *strings.Builder) { d.WriteCreateTable(b, &core[i]) })
	}

	if d.TableTypes() {
		w.section("Table types")
		tt := claimsTableType()
		w.blank()
		w.statement(dialect.PlainStatement, func(b *strings.Builder) { d.WriteCreateTableType(b, &tt) })
	}

	w.section("Resource tables (" + strconv.Itoa(len(objects)) + ")")
	for i := range objects {
		w.blank()
		w.statement(dialect.PlainStatement, func(b *strings.Builder) { d.WriteCreateTable(b, &objects[i]) })
	}

	coreFKs := coreForeignKeys(d)
	w.section("Foreign keys (" + strconv.Itoa(len(coreFKs)+len(fks)) + ")")
	for _, list := range [][]dialect.ForeignKey{coreFKs, fks} {
		for i := range list {
			w.statement(dialect.PlainStatement, func(b *strings.Builder) { d.WriteAddForeignKey(b, &list[i]) })
		}
	}

	coreIXs := coreIndexes()
	w.section("Indexes (" + strconv.Itoa(len(coreIXs)+len(ixs)) + ")")
	for _, list := range [][]dialect.Index{coreIXs, ixs} {
		for i := range list {
			w.statement(dialect.PlainStatement, func(b *strings.Builder) { d.WriteCreateIndex(b, &list[i]) })
		}
	}

	if len(views) > 0 {
		w.section("Abstract union views (" + strconv.Itoa(len(views)) + ")")
		for i := range views {
			w.blank()
			w.statement(dialect.ViewStatement, func(b *strings.Builder) { d.WriteCreateView(b, &views[i]) })
		}
	}

	w.section("Authorization views (" + strconv.Itoa(len(authViewList)) + ")")
	for i := range authViewList {
		w.blank()
		w.statement(dialect.ViewStatement, func(b *strings.Builder) { d.WriteCreateView(b, &authViewList[i]) })
	}

	w.section("Seed rows")
	for i := range inserts {
		if len(inserts[i].Rows) == 0 {
			continue
		}
		w.blank()
		w.statement(dialect.PlainStatement, func(b *strings.Builder) { d.WriteInsert(b, &inserts[i]) })
	}
	w.endBatch()
	return w.b.String(), nil
}

// RenderAll renders the script of every model, in the given order.
func RenderAll(models []*model.Model) ([]Script, error) {
	out := make([]Script, 0, len(models))
	for _, m := range models {
		sql, err := Render(m)
		if err != nil {
			return nil, fmt.Errorf("%s DDL: %w", m.Dialect, err)
		}
		out = append(out, Script{Dialect: m.Dialect, SQL: sql})
	}
	return out, nil
}

// writeHeader writes the script's header comment: tool, dialect, hashes,
// versions and projects; no timestamps or tool versions.
func writeHeader(b *strings.Builder, m *model.Model, d dialect.Dialect) {
	var h strings.Builder
	h.WriteString(ToolName + " DDL script for " + d.Title() + " (dialect " + string(d.Name()) + ")\n")
	h.WriteString("Effective schema hash: " + m.EffectiveSchemaHash + "\n")
	h.WriteString("Relational mapping version: " + m.MappingVersion + "\n")
	h.WriteString("ApiSchema format version: " + m.APISchemaVersion + "\n")
	h.WriteString("Projects:\n")
	for _, p := range m.Projects {
		kind := "core"
		if p.IsExtension {
			kind = "extension"
		}
		h.WriteString("  " + p.EndpointName + ": " + p.ProjectName + " " + p.ProjectVersion + " (" + kind + "), schema " + p.Schema + ", project hash " + p.ProjectHash + "\n")
	}
	h.WriteString("\nGenerated by " + ToolName + " from the schema set above; do not edit.\n")
	h.WriteString("Idempotent: running it again changes nothing. It refuses to run against a\n")
	h.WriteString("database provisioned for another effective schema hash.\n")
	if d.BatchSeparator() == "" {
		h.WriteString("Apply it in one transaction: psql -1 -v ON_ERROR_STOP=1 -f FILE, or dmsc ddl provision.")
	} else {
		h.WriteString("Apply it with sqlcmd -b (stop at the first error), or dmsc ddl provision\n")
		h.WriteString("(one transaction). Batches end at GO lines. Needs SQL Server 2016 SP1 or later.")
	}
	dialect.WriteComment(b, h.String())
}

// schemas returns "dms" and then every other schema of the model, sorted.
func schemas(m *model.Model, tables []*model.Table, views []dialect.View) []string {
	seen := map[string]bool{CoreSchema: true, AuthSchema: true}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range m.Projects {
		add(p.Schema)
	}
	for _, t := range tables {
		add(t.Schema)
	}
	for i := range views {
		add(views[i].Schema)
	}
	sort.Strings(out)
	return append([]string{CoreSchema, AuthSchema}, out...)
}

// itoa formats an int.
func itoa(i int) string { return strconv.Itoa(i) }
