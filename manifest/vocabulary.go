package manifest

import "github.com/edfi-dmsc/dmsc/refid"

// The manifest's vocabularies. Each is a string type so the JSON form is
// the name itself; code compares against these constants, never against
// raw strings.

// TypeKind is a logical column type.
type TypeKind string

// The logical column types.
const (
	KindInt16    TypeKind = "Int16"
	KindInt32    TypeKind = "Int32"
	KindInt64    TypeKind = "Int64"
	KindString   TypeKind = "String"
	KindDecimal  TypeKind = "Decimal"
	KindDate     TypeKind = "Date"
	KindDateTime TypeKind = "DateTime"
	KindTime     TypeKind = "Time"
	KindBoolean  TypeKind = "Boolean"
)

// IsInteger reports the integer kinds.
func (k TypeKind) IsInteger() bool { return k == KindInt16 || k == KindInt32 || k == KindInt64 }

// IsNumber reports the kinds written as JSON numbers.
func (k TypeKind) IsNumber() bool { return k.IsInteger() || k == KindDecimal }

// Bits is the width of an integer kind (0 for others).
func (k TypeKind) Bits() int {
	switch k {
	case KindInt16:
		return 16
	case KindInt32:
		return 32
	case KindInt64:
		return 64
	}
	return 0
}

// IdentityFormat is how an identity value of this kind is canonicalised
// for its ReferentialId.
func (k TypeKind) IdentityFormat() refid.Format {
	switch k {
	case KindDate:
		return refid.Date
	case KindDateTime:
		return refid.DateTime
	case KindTime:
		return refid.Time
	}
	return refid.AsGiven
}

// Dialect names the SQL dialect a manifest's names were shortened for.
type Dialect string

// The dialects.
const (
	DialectPgSQL Dialect = "pgsql"
	DialectMSSQL Dialect = "mssql"
)

// Storage says where a resource's documents live.
type Storage string

// The storages.
const (
	// StorageTables: a root table and its child tables.
	StorageTables Storage = "Tables"
	// StorageDescriptor: rows of dms.Descriptor.
	StorageDescriptor Storage = "Descriptor"
)

// SourceKind says where an identity value or a query field's value comes
// from.
type SourceKind string

// The source kinds.
const (
	SourceColumn     SourceKind = "Column"
	SourceReference  SourceKind = "Reference"
	SourceDescriptor SourceKind = "Descriptor"
)

// TableKind is the role of a table in its resource.
type TableKind string

// The table kinds.
const (
	TableRoot                TableKind = "Root"
	TableCollection          TableKind = "Collection"
	TableRootExtension       TableKind = "RootExtension"
	TableCollectionExtension TableKind = "CollectionExtension"
)

// IsExtension reports the tables of an `_ext.{project}` scope.
func (k TableKind) IsExtension() bool {
	return k == TableRootExtension || k == TableCollectionExtension
}

// ColumnKind is the role of a column.
type ColumnKind string

// The column kinds.
const (
	ColumnDocumentID   ColumnKind = "DocumentId"
	ColumnParentKey    ColumnKind = "ParentKey"
	ColumnOrdinal      ColumnKind = "Ordinal"
	ColumnScalar       ColumnKind = "Scalar"
	ColumnDocumentFK   ColumnKind = "DocumentFk"
	ColumnDescriptorFK ColumnKind = "DescriptorFk"
)

// EdgeKind says what an edge source references.
type EdgeKind string

// The edge kinds.
const (
	EdgeReference  EdgeKind = "Reference"
	EdgeDescriptor EdgeKind = "Descriptor"
)
