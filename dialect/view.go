package dialect

import "strings"

// WriteUnion writes the arms of v as SELECT statements joined by UNION
// ALL, one item per line, without a final newline or semicolon. Casts use
// CAST(… AS TypeName), which both engines accept.
func WriteUnion(b *strings.Builder, d Dialect, v *View) {
	for i := range v.Arms {
		if i > 0 {
			b.WriteString("\nUNION ALL\n")
		}
		arm := &v.Arms[i]
		b.WriteString("SELECT")
		for j := range arm.Items {
			it := &arm.Items[j]
			b.WriteString("\n    ")
			if it.Cast {
				b.WriteString("CAST(")
			}
			if it.IsLiteral {
				b.WriteString(d.StringLiteral(it.Literal))
			} else {
				b.WriteString(it.Alias)
				b.WriteByte('.')
				d.WriteIdent(b, it.Column)
			}
			if it.Cast {
				b.WriteString(" AS ")
				b.WriteString(d.TypeName(it.Type))
				b.WriteByte(')')
			}
			if j < len(v.Columns) {
				b.WriteString(" AS ")
				d.WriteIdent(b, v.Columns[j])
			}
			if j < len(arm.Items)-1 {
				b.WriteByte(',')
			}
		}
		b.WriteString("\nFROM ")
		writeRelation(b, d, &arm.From)
		for k := range arm.Joins {
			j := &arm.Joins[k]
			if j.Inner {
				b.WriteString("\nJOIN ")
			} else {
				b.WriteString("\nLEFT JOIN ")
			}
			writeRelation(b, d, &j.Relation)
			b.WriteString(" ON ")
			b.WriteString(j.Alias)
			b.WriteByte('.')
			d.WriteIdent(b, j.Column)
			b.WriteString(" = ")
			b.WriteString(j.LeftAlias)
			b.WriteByte('.')
			d.WriteIdent(b, j.LeftColumn)
		}
	}
}

// writeRelation writes `schema.name AS alias`.
func writeRelation(b *strings.Builder, d Dialect, r *Relation) {
	WriteQualified(b, d, r.Schema, r.Name)
	b.WriteString(" AS ")
	b.WriteString(r.Alias)
}
