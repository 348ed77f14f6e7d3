package compiler

import (
	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
)

// widths computes the width report and fails tables past a hard limit: the
// column count of either engine, or SQL Server's 8,060-byte row for
// fixed-width data (variable-width data beyond it is stored off-row by SQL
// Server and TOASTed by PostgreSQL, so it is reported, not refused).
func (b *builder) widths() {
	lim := b.d.TableLimits()
	for _, r := range b.m.Resources {
		for _, t := range r.Tables {
			w := model.TableWidth{Table: t.Qualified(), Columns: len(t.Columns)}
			for _, c := range t.Columns {
				f, v := b.d.ColumnBytes(c.Type)
				w.FixedBytes += f
				w.VarBytes += v
			}
			b.m.Widths = append(b.m.Widths, w)
			loc := b.loc[t]
			if w.Columns > lim.MaxColumns {
				b.diags.Errorf(loc.file, loc.path, CodeTableTooWide, "table %s has %d columns; %s allows %d (split the resource)", w.Table, w.Columns, b.d.Name(), lim.MaxColumns)
			}
			if lim.MaxFixedRowBytes > 0 && w.FixedBytes > lim.MaxFixedRowBytes {
				b.diags.Errorf(loc.file, loc.path, CodeTableTooWide, "table %s needs %d bytes of fixed-width columns per row; %s allows %d", w.Table, w.FixedBytes, b.d.Title(), lim.MaxFixedRowBytes)
			}
		}
	}
}

// warnDecimal records a number property without decimal validation info;
// the warnings are summarised per file by Compile.
func (b *builder) warnDecimal(n *apischema.Node, p jsonpath.Path, r *model.Resource) {
	b.decimalFallbacks = append(b.decimalFallbacks, decimalFallback{file: n.File, resource: r.ResourceName, path: p.String()})
}

type decimalFallback struct {
	file, resource, path string
}
