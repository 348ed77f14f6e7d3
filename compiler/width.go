package compiler

import (
	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/manifest/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
)

// Dialect limits enforced by the width gate.
const (
	PostgresMaxColumns  = 1600
	SQLServerMaxColumns = 1024
	SQLServerMaxRow     = 8060
)

// columnBytes returns (fixed, variable) worst-case in-row bytes of a type.
func columnBytes(dialect string, t model.Type) (int, int) {
	if dialect == "mssql" {
		switch t.Kind {
		case model.Int16:
			return 2, 0
		case model.Int32:
			return 4, 0
		case model.Int64:
			return 8, 0
		case model.Boolean:
			return 1, 0
		case model.Date:
			return 3, 0
		case model.DateTime:
			return 8, 0
		case model.Time:
			return 5, 0
		case model.Decimal:
			switch {
			case t.Precision <= 9:
				return 5, 0
			case t.Precision <= 19:
				return 9, 0
			case t.Precision <= 28:
				return 13, 0
			}
			return 17, 0
		case model.String:
			return 0, 2*t.MaxLength + 2
		}
		return 8, 0
	}
	switch t.Kind {
	case model.Int16:
		return 2, 0
	case model.Int32, model.Date:
		return 4, 0
	case model.Int64, model.DateTime, model.Time:
		return 8, 0
	case model.Boolean:
		return 1, 0
	case model.Decimal:
		return 0, 2*((t.Precision+3)/4) + 8
	case model.String:
		return 0, 4*t.MaxLength + 4
	}
	return 8, 0
}

// widths computes the width report and fails tables past a hard limit: the
// column count of either engine, or SQL Server's 8,060-byte row for
// fixed-width data (variable-width data beyond it is stored off-row by SQL
// Server and TOASTed by PostgreSQL, so it is reported, not refused).
func (b *builder) widths() {
	maxCols := PostgresMaxColumns
	if b.limit.Dialect == "mssql" {
		maxCols = SQLServerMaxColumns
	}
	for _, r := range b.m.Resources {
		for _, t := range r.Tables {
			w := model.TableWidth{Table: t.Qualified(), Columns: len(t.Columns)}
			for _, c := range t.Columns {
				f, v := columnBytes(b.limit.Dialect, c.Type)
				w.FixedBytes += f
				w.VarBytes += v
			}
			b.m.Widths = append(b.m.Widths, w)
			loc := b.loc[t]
			if w.Columns > maxCols {
				b.diags.Errorf(loc.file, loc.path, CodeTableTooWide, "table %s has %d columns; %s allows %d (split the resource)", w.Table, w.Columns, b.limit.Dialect, maxCols)
			}
			if b.limit.Dialect == "mssql" && w.FixedBytes > SQLServerMaxRow {
				b.diags.Errorf(loc.file, loc.path, CodeTableTooWide, "table %s needs %d bytes of fixed-width columns per row; SQL Server allows %d", w.Table, w.FixedBytes, SQLServerMaxRow)
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
