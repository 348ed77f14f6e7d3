package provision

import (
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// ColumnMismatch is one difference between a table the model expects and
// the table the database holds: a column of another type or nullability,
// a missing column, an extra column no insert could fill, another primary
// key or a missing unique key.
type ColumnMismatch struct {
	// Table is `schema.name`.
	Table string
	// Column is the column's name; "" for a key mismatch.
	Column string
	// Problem says what differs, e.g. `expected integer NOT NULL, found
	// character varying(20) NULL`.
	Problem string
}

// String renders `schema.table.column: problem` (`schema.table: problem`
// for the primary key).
func (c ColumnMismatch) String() string {
	if c.Column == "" {
		return c.Table + ": " + c.Problem
	}
	return c.Table + "." + c.Column + ": " + c.Problem
}

// catalogTable is a table as the catalog describes it.
type catalogTable struct {
	// Columns in column order.
	Columns    []catalogColumn
	PrimaryKey []string
	// Uniques are the key columns of every unique index that applies to
	// every row (not partial; on SQL Server filtered ones count too, as
	// the script's own filtered unique indexes are).
	Uniques [][]string
}

// catalogColumn is a column as the catalog describes it.
type catalogColumn struct {
	Name, Type string
	Nullable   bool
	// Identity marks an identity column; Default a column with a default
	// (or a computed column).
	Identity, Default bool
}

// expectedTables is ddl.ExpectedTables with each column type spelt by
// catalogType as the database's catalog reports it.
func expectedTables(m *model.Model, d dialect.Dialect, catalogType func(string) string) ([]ddl.ExpectedTable, error) {
	tables, err := ddl.ExpectedTables(m, d)
	if err != nil {
		return nil, err
	}
	for i := range tables {
		for j := range tables[i].Columns {
			tables[i].Columns[j].Type = catalogType(tables[i].Columns[j].Type)
		}
	}
	return tables, nil
}

// compareTables compares every expected table (see expectedTables) the
// catalog holds (keyed by
// `schema.name`; absent tables are reported as missing relations instead)
// column by column: type (with length, precision and scale), nullability,
// identity and default where the script declares them, presence, extra
// NOT NULL columns without a default, the primary key columns in order,
// and a unique index over the columns of each expected unique key (any
// name, any column order). The result is sorted by table, then expected
// column order, then extra columns, the primary key, the unique keys.
func compareTables(want []ddl.ExpectedTable, have map[string]*catalogTable) []ColumnMismatch {
	var out []ColumnMismatch
	for _, w := range want {
		qualified := w.Schema + "." + w.Name
		h := have[qualified]
		if h == nil {
			continue
		}
		found := make(map[string]catalogColumn, len(h.Columns))
		for _, c := range h.Columns {
			found[c.Name] = c
		}
		expected := make(map[string]bool, len(w.Columns))
		for _, e := range w.Columns {
			expected[e.Name] = true
			f, ok := found[e.Name]
			want := describeColumn(e.Type, e.Nullable, e.Identity, e.Default)
			switch {
			case !ok:
				out = append(out, ColumnMismatch{Table: qualified, Column: e.Name, Problem: "expected " + want + ", missing"})
			case f.Type != e.Type || f.Nullable != e.Nullable || (e.Identity && !f.Identity) || (e.Default && !f.Default && !f.Identity):
				got := describeColumn(f.Type, f.Nullable, e.Identity && f.Identity, e.Default && f.Default)
				out = append(out, ColumnMismatch{Table: qualified, Column: e.Name, Problem: "expected " + want + ", found " + got})
			}
		}
		for _, f := range h.Columns {
			if !expected[f.Name] && !f.Nullable && !f.Default && !f.Identity {
				out = append(out, ColumnMismatch{Table: qualified, Column: f.Name,
					Problem: "unexpected column " + describeColumn(f.Type, false, false, false) + " without a default (dmsc never writes it, so every insert fails)"})
			}
		}
		if !equalStrings(w.PrimaryKey, h.PrimaryKey) {
			got := "none"
			if len(h.PrimaryKey) > 0 {
				got = "(" + strings.Join(h.PrimaryKey, ", ") + ")"
			}
			out = append(out, ColumnMismatch{Table: qualified, Problem: "expected primary key (" + strings.Join(w.PrimaryKey, ", ") + "), found " + got})
		}
		for _, u := range w.Uniques {
			found := sameColumnSet(u.Columns, h.PrimaryKey)
			for _, k := range h.Uniques {
				found = found || sameColumnSet(u.Columns, k)
			}
			if !found {
				out = append(out, ColumnMismatch{Table: qualified,
					Problem: "expected unique key " + u.Name + " (" + strings.Join(u.Columns, ", ") + "), missing"})
			}
		}
	}
	return out
}

// sameColumnSet reports whether a and b name the same columns in any
// order (a unique index enforces the same rule whatever its column order).
func sameColumnSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return equalStrings(x, y)
}

// describeColumn renders `type NULL` / `type NOT NULL`, with ` IDENTITY`
// and ` with a default` when asked.
func describeColumn(typ string, nullable, identity, deflt bool) string {
	s := typ + " NOT NULL"
	if nullable {
		s = typ + " NULL"
	}
	if identity {
		s += " IDENTITY"
	}
	if deflt {
		s += " with a default"
	}
	return s
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pgCatalogType spells a type name of the PostgreSQL script as
// format_type() reports it (varchar(n) → character varying(n), char(n) →
// character(n), time → time without time zone).
func pgCatalogType(name string) string {
	switch {
	case name == "varchar" || strings.HasPrefix(name, "varchar("):
		return "character varying" + strings.TrimPrefix(name, "varchar")
	case strings.HasPrefix(name, "char("):
		return "character" + strings.TrimPrefix(name, "char")
	case name == "time":
		return "time without time zone"
	case name == "timestamp":
		return "timestamp without time zone"
	}
	return name
}

// mssqlCatalogType spells a type name of the SQL Server script as
// mssqlTypeFromCatalog does (lower case, lengths and precisions explicit).
func mssqlCatalogType(name string) string { return strings.ToLower(name) }

// mssqlTypeFromCatalog renders a sys.columns type (type name, max_length
// in bytes or -1, precision, scale) as the script spells it:
// nvarchar(75), nvarchar(max), varbinary(32), char(64), decimal(9,2),
// datetime2(7), int.
func mssqlTypeFromCatalog(name string, maxLength, precision, scale int) string {
	name = strings.ToLower(name)
	length := func(unit int) string {
		if maxLength < 0 {
			return name + "(max)"
		}
		return name + "(" + strconv.Itoa(maxLength/unit) + ")"
	}
	switch name {
	case "nvarchar", "nchar":
		return length(2)
	case "varchar", "char", "varbinary", "binary":
		return length(1)
	case "decimal", "numeric":
		return name + "(" + strconv.Itoa(precision) + "," + strconv.Itoa(scale) + ")"
	case "datetime2", "time", "datetimeoffset":
		return name + "(" + strconv.Itoa(scale) + ")"
	}
	return name
}
