package naming

import "strings"

// Signature builds the hash input for a shortened constraint or index name:
// `Kind|schema.Table|col1,col2` and, for foreign keys,
// `|schema.Target|tcol1,tcol2|OnDelete|OnUpdate` (actions spelled
// `NoAction`, `Cascade`). This matches upstream DMS, so shortened names agree
// where the constraints agree.
func Signature(kind, schema, table string, cols []string, fk *FKSignature) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('|')
	b.WriteString(schema + "." + table)
	b.WriteByte('|')
	b.WriteString(strings.Join(cols, ","))
	if fk != nil {
		b.WriteByte('|')
		b.WriteString(fk.TargetSchema + "." + fk.TargetTable)
		b.WriteByte('|')
		b.WriteString(strings.Join(fk.TargetColumns, ","))
		b.WriteByte('|')
		b.WriteString(fk.OnDelete)
		b.WriteByte('|')
		b.WriteString(fk.OnUpdate)
	}
	return b.String()
}

// FKSignature carries the foreign-key part of a constraint signature.
type FKSignature struct {
	// TargetSchema and TargetTable name the referenced table.
	TargetSchema, TargetTable string
	// TargetColumns are the referenced columns in order.
	TargetColumns []string
	// OnDelete and OnUpdate are `NoAction` or `Cascade`.
	OnDelete, OnUpdate string
}
