package datadict

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
)

// diagrams renders a project's Markdown file: one Mermaid erDiagram per
// resource with tables on the project's page (its own resources, then its
// extensions of other projects' resources), then the list of its
// descriptors.
func (d *Dictionary) diagrams(p *Project) []byte {
	tables := d.tableIndex()
	var b bytes.Buffer
	b.WriteString(Marker + "\n")
	b.WriteString("# " + mdText(p.ProjectName+" "+p.ProjectVersion) + " (`/" + mdCode(p.EndpointName) + "`): entity–relationship diagrams\n\n")
	b.WriteString(mdText(d.DialectTitle + " names and types (dialect " + string(d.Dialect) + "). One diagram per resource: its tables, the relationships among them, and the tables they reference outside the resource (shown with the referenced key columns only). PK marks the primary key, FK a foreign key, UK a unique constraint; the comment gives the exact type when the diagram shows it simplified, nullable when the column admits NULL, and the JSON path the column stores."))
	b.WriteString(" The full data dictionary is [" + mdText(p.Page) + "](" + p.Page + ").\n")
	var descriptors []string
	for _, r := range p.allResources() {
		if r.IsDescriptor && len(r.Tables) == 0 {
			descriptors = append(descriptors, r.ResourceName)
			continue
		}
		title := r.ResourceName
		if r.Extension != "" {
			title = r.ProjectName + " " + r.ResourceName + " (extension tables)"
		}
		b.WriteString("\n## " + mdText(title) + "\n\n")
		b.WriteString("`" + mdCode(r.Route()) + "`")
		if r.Description != "" {
			b.WriteString(": " + mdText(r.Description))
		}
		b.WriteString("\n\n```mermaid\n")
		b.WriteString(erDiagram(r, tables))
		b.WriteString("```\n")
	}
	if len(descriptors) > 0 {
		b.WriteString("\n## Descriptors\n\n")
		b.WriteString(mdText("Stored in dms.Descriptor (no tables of their own): " + strings.Join(descriptors, ", ") + "."))
		b.WriteString("\n")
	}
	return b.Bytes()
}

// tableIndex maps every table of the dictionary by qualified name.
func (d *Dictionary) tableIndex() map[string]*Table {
	out := map[string]*Table{}
	for _, p := range d.Projects {
		for _, r := range p.allResources() {
			for _, t := range r.Tables {
				out[t.Qualified] = t
			}
		}
	}
	return out
}

// entity is one box of a diagram.
type entity struct {
	id    string
	table *Table
	// keys are the referenced columns of a table outside the resource,
	// with their types, in order of first reference.
	keys []entityKey
}

// entityKey is one column shown for a referenced table.
type entityKey struct {
	name, typ string
	pk        bool
}

// erDiagram renders the Mermaid erDiagram of one resource entry: its
// tables with every column, the tables its foreign keys reference outside
// it (with the referenced columns), and one relationship per foreign key.
// tables finds the dictionary's tables by qualified name.
func erDiagram(r *Resource, tables map[string]*Table) string {
	var order []*entity
	byName := map[string]*entity{}
	ids := map[string]bool{}
	add := func(qualified string, t *Table) *entity {
		if e := byName[qualified]; e != nil {
			return e
		}
		base := mermaidName(strings.ReplaceAll(qualified, ".", "_"))
		id := base
		for n := 2; ids[id]; n++ {
			id = base + "_" + strconv.Itoa(n)
		}
		ids[id] = true
		e := &entity{id: id, table: t}
		byName[qualified] = e
		order = append(order, e)
		return e
	}
	for _, t := range r.Tables {
		add(t.Qualified, t)
	}
	for _, t := range r.Tables {
		for _, fk := range t.ForeignKeys {
			if e := byName[fk.Target.Text]; e != nil && e.table != nil && slices.Contains(r.Tables, e.table) {
				continue
			}
			e := add(fk.Target.Text, nil)
			target := tables[fk.Target.Text]
			for i, col := range fk.TargetColumns {
				if slices.ContainsFunc(e.keys, func(k entityKey) bool { return k.name == col }) {
					continue
				}
				k := entityKey{name: col, pk: target == nil}
				if target != nil {
					k.pk = slices.Contains(target.PrimaryKey.Columns, col)
				}
				if i < len(fk.Columns) {
					if c := columnNamed(t, fk.Columns[i]); c != nil {
						k.typ = c.Type
					}
				}
				e.keys = append(e.keys, k)
			}
		}
	}
	var b strings.Builder
	b.WriteString("erDiagram\n")
	for _, e := range order {
		b.WriteString("    " + e.id + " {\n")
		if e.table != nil && slices.Contains(r.Tables, e.table) {
			for _, c := range e.table.Columns {
				writeAttribute(&b, c.Type, c.Name, c.Keys(), columnComment(c))
			}
		} else {
			for _, k := range e.keys {
				var keys []string
				if k.pk {
					keys = []string{"PK"}
				}
				writeAttribute(&b, k.typ, k.name, keys, "")
			}
		}
		b.WriteString("    }\n")
	}
	for _, t := range r.Tables {
		src := byName[t.Qualified]
		for _, fk := range t.ForeignKeys {
			dst := byName[fk.Target.Text]
			left := "||"
			for _, name := range fk.Columns {
				if c := columnNamed(t, name); c == nil || c.Nullable {
					left = "|o"
				}
			}
			right := "o{"
			if sameSet(fk.Columns, t.PrimaryKey.Columns) {
				right = "o|"
			}
			b.WriteString("    " + dst.id + " " + left + "--" + right + " " + src.id + " : " + mermaidString(strings.Join(fk.Columns, ", ")) + "\n")
		}
	}
	return b.String()
}

// writeAttribute writes one attribute line: `type name [keys] ["comment"]`.
func writeAttribute(b *strings.Builder, typ, name string, keys []string, comment string) {
	if typ == "" {
		typ = "key"
	}
	b.WriteString("        " + mermaidType(typ) + " " + mermaidName(name))
	if len(keys) > 0 {
		b.WriteString(" " + strings.Join(keys, ", "))
	}
	if comment != "" {
		b.WriteString(" " + mermaidString(comment))
	}
	b.WriteString("\n")
}

// columnComment is the diagram comment of a column: its exact type when
// mermaidType had to simplify it, "nullable", and its JSON path.
func columnComment(c *Column) string {
	var parts []string
	if mermaidType(c.Type) != c.Type {
		parts = append(parts, c.Type)
	}
	if c.Nullable {
		parts = append(parts, "nullable")
	}
	if c.Path != "" {
		parts = append(parts, c.Path)
	}
	return strings.Join(parts, ", ")
}

// columnNamed returns t's column name, or nil.
func columnNamed(t *Table, name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// sameSet reports whether a and b hold the same names.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// mermaidName makes s an erDiagram entity or attribute name: an ASCII
// letter or `_`, then letters, digits, `_` and `-`; other characters
// become `_`.
func mermaidName(s string) string {
	out := []byte(s)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '-')) {
			out[i] = '_'
		}
	}
	if len(out) == 0 {
		return "_"
	}
	return string(out)
}

// mermaidType makes a type name an erDiagram attribute type: an ASCII
// letter, then letters, digits, `_`, `-`, parentheses and brackets; other
// characters (the comma of `numeric(9,2)`, the spaces of `timestamp with
// time zone`) become `_`.
func mermaidType(s string) string {
	out := []byte(s)
	for i, c := range out {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '-' || c == '(' || c == ')' || c == '[' || c == ']')
		if !ok {
			out[i] = '_'
		}
	}
	if len(out) == 0 || out[0] == '_' {
		return "t" + string(out)
	}
	return string(out)
}

// mermaidString quotes s for a label or comment: double quotes become
// single quotes, and control characters spaces.
func mermaidString(s string) string {
	return `"` + strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < ' ' || r == 0x7f:
			return ' '
		}
		return r
	}, s) + `"`
}

// mdText escapes text for a Markdown paragraph or heading: white space
// collapsed, and every character Markdown or its HTML could read as
// markup backslash-escaped.
func mdText(s string) string {
	s = collapse(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '#', '!', '{', '}', '+', '=':
			b.WriteByte('\\')
		case '-', '.', ')':
			// A list marker or a setext underline at the start of a line.
			if i == 0 || (c != '-' && isDigits(s[:i])) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isDigits reports whether s is a non-empty run of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mdCode makes s safe inside a single-backtick code span (backticks
// become quotes).
func mdCode(s string) string { return strings.ReplaceAll(collapse(s), "`", "'") }
