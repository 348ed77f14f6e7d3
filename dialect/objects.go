package dialect

import "github.com/edfi-dmsc/dmsc/model"

// Special is a physical type of the dms core tables that model.Type does
// not describe.
type Special int

// The special types.
const (
	// NoSpecial means the column's model.Type applies.
	NoSpecial Special = iota
	// UUID is uuid / uniqueidentifier.
	UUID
	// JSON is jsonb / nvarchar(max) (with an ISJSON check on SQL Server).
	JSON
	// Binary is bytea / varbinary(n).
	Binary
	// Char is char(n): fixed-length ASCII such as a hex hash.
	Char
	// JSONText is a JSON document kept byte for byte: text /
	// nvarchar(max) (with an ISJSON check on SQL Server). A body served
	// under a strong ETag must not change its key order or spacing, as
	// jsonb's does.
	JSONText
)

// Default is a column default of the core tables.
type Default int

// The column defaults.
const (
	// NoDefault means no DEFAULT clause.
	NoDefault Default = iota
	// DefaultNow is the current UTC time (now() / sysutcdatetime()).
	DefaultNow
	// DefaultOne is the integer 1.
	DefaultOne
)

// Column is one column of a CREATE TABLE.
type Column struct {
	Name string
	// Type is the logical type; ignored when Special is set.
	Type model.Type
	// Special and Length describe a core-table type (Length for Binary
	// and Char).
	Special Special
	Length  int
	// Nullable allows NULL.
	Nullable bool
	// Identity makes the column generate its values (bigint or integer
	// only).
	Identity bool
	// Default is the DEFAULT clause.
	Default Default
}

// Clustering chooses a SQL Server key's index layout; other dialects
// ignore it.
type Clustering int

// The clusterings.
const (
	// DefaultClustering is the engine default (SQL Server: primary keys
	// clustered, unique constraints nonclustered).
	DefaultClustering Clustering = iota
	// Clustered asks for a clustered index.
	Clustered
	// NonClustered asks for a nonclustered index.
	NonClustered
)

// Key is a primary key or unique constraint.
type Key struct {
	Name    string
	Columns []string
	// Clustering and FillFactor (0 = default) tune SQL Server's index.
	Clustering Clustering
	FillFactor int
}

// Table is one CREATE TABLE.
type Table struct {
	Schema, Name string
	// Comment is written on its own line above the statement ("" = none).
	Comment    string
	Columns    []Column
	PrimaryKey Key
	Uniques    []Key
}

// Action is a referential action.
type Action int

// The referential actions.
const (
	// NoAction refuses to delete a referenced row.
	NoAction Action = iota
	// Cascade deletes referencing rows with the referenced row.
	Cascade
)

// ForeignKey is one ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY.
type ForeignKey struct {
	Schema, Table, Name       string
	Columns                   []string
	TargetSchema, TargetTable string
	TargetColumns             []string
	OnDelete                  Action
}

// Index is one non-unique (or unique) index.
type Index struct {
	Schema, Table, Name string
	Columns             []string
	// Include lists covering columns (INCLUDE).
	Include []string
	Unique  bool
	// NotNull filters the index to rows where these columns are not NULL
	// (a filtered index: `WHERE "a" IS NOT NULL AND …`).
	NotNull []string
}

// View is one union view: the Arms' SELECTs joined by UNION ALL.
type View struct {
	Schema, Name string
	// Comment is written on its own line above the statement ("" = none).
	Comment string
	// Columns name the view's output columns, one per item of each arm.
	Columns []string
	Arms    []Select
}

// Relation is a table or view with an alias.
type Relation struct {
	Schema, Name, Alias string
}

// Select is one arm of a view: FROM a relation, joins, and one item
// per view column.
type Select struct {
	From  Relation
	Joins []Join
	Items []Item
}

// Join is `LEFT JOIN Relation ON Relation.Column = LeftAlias.LeftColumn`
// (`JOIN …` when Inner).
type Join struct {
	Relation
	Column                string
	LeftAlias, LeftColumn string
	// Inner makes it an inner join.
	Inner bool
}

// Item is one selected value: a column of an aliased relation or a string
// literal, optionally cast to Type.
type Item struct {
	// Alias and Column name a column (when IsLiteral is false).
	Alias, Column string
	// Literal is a string literal (when IsLiteral is true).
	Literal   string
	IsLiteral bool
	// Cast, when true, casts the value to Type.
	Cast bool
	Type model.Type
}

// ValueKind is the type of a literal Value.
type ValueKind int

// The literal kinds.
const (
	// NullValue is SQL NULL.
	NullValue ValueKind = iota
	// StringValue is a character string.
	StringValue
	// IntValue is an integer.
	IntValue
	// BoolValue is a boolean.
	BoolValue
	// BytesValue is a binary string.
	BytesValue
)

// Value is one literal of an Insert.
type Value struct {
	Kind  ValueKind
	Str   string
	Int   int64
	Bool  bool
	Bytes []byte
}

// Str returns a string Value.
func Str(s string) Value { return Value{Kind: StringValue, Str: s} }

// Int returns an integer Value.
func Int(i int64) Value { return Value{Kind: IntValue, Int: i} }

// Bool returns a boolean Value.
func Bool(v bool) Value { return Value{Kind: BoolValue, Bool: v} }

// Bytes returns a binary Value.
func Bytes(b []byte) Value { return Value{Kind: BytesValue, Bytes: b} }

// Insert inserts literal rows, skipping each row whose Key columns match an
// existing row (so running it twice inserts nothing the second time).
type Insert struct {
	Schema, Table string
	// Comment is written on its own line above the statement ("" = none).
	Comment string
	// Columns are the inserted columns, one per value of each row (the
	// Lookup column excluded).
	Columns []string
	// Key are the columns that identify a row (may include the Lookup
	// column).
	Key  []string
	Rows [][]Value
	// Lookup, when set, supplies one more column from a single row of
	// another table.
	Lookup *Lookup
}

// Lookup supplies Insert column Column with Source.Select of the row of
// Source whose Where column equals Equals.
type Lookup struct {
	Column string
	Source Relation
	Select string
	Where  string
	Equals Value
}
