package model

import "github.com/edfi-dmsc/dmsc/jsonpath"

// Model is the relational model of one schema set for one dialect's naming
// rules.
type Model struct {
	// Dialect names the dialect whose naming rules were applied.
	Dialect Dialect
	// APISchemaVersion, MappingVersion and EffectiveSchemaHash identify the
	// schema set.
	APISchemaVersion    string
	MappingVersion      string
	EffectiveSchemaHash string
	ResourceKeySeedHash string
	// Projects are the loaded projects, sorted by endpoint name.
	Projects []Project
	// ResourceKeys are the dms.ResourceKey rows in id order.
	ResourceKeys []ResourceKey
	// Resources are sorted by (project name, resource name).
	Resources []*Resource
	// Views are the abstract union views, sorted by (schema, name).
	Views []*View
	// Widths reports per-table sizes, in table order.
	Widths []TableWidth
	// EdOrgTypes are the concrete EdOrg resources, sorted by (project,
	// resource) (authorization).
	EdOrgTypes []*EdOrgType
}

// Project is one project of the schema set.
type Project struct {
	EndpointName, ProjectName, ProjectVersion string
	IsExtension                               bool
	ProjectHash                               string
	// Schema is the physical schema of the project's tables.
	Schema string
}

// ResourceKey is one dms.ResourceKey row.
type ResourceKey struct {
	ID                                         int16
	ProjectName, ResourceName, ResourceVersion string
}

// StorageKind tells where a resource's documents live.
type StorageKind string

const (
	// StorageTables stores documents in the resource's own tables.
	StorageTables StorageKind = "Tables"
	// StorageDescriptor stores documents in dms.Descriptor.
	StorageDescriptor StorageKind = "Descriptor"
)

// Resource is one concrete resource (descriptors included).
type Resource struct {
	ProjectName, ResourceName string
	// ProjectEndpoint and EndpointName form the API route
	// (`/ed-fi/schools`).
	ProjectEndpoint, EndpointName string
	ResourceVersion               string
	ResourceKeyID                 int16
	Storage                       StorageKind
	IsDescriptor                  bool
	IsSchoolYearEnumeration       bool
	AllowIdentityUpdates          bool
	// Superclass is set for subclasses (the alias ReferentialId rule).
	Superclass *Superclass
	// Identity lists the identity parts in identityJsonPaths order.
	Identity []*IdentityPart
	// Tables are in write order: root first, every parent before its
	// children (depth first, siblings by scope).
	Tables []*Table
	// References are the document-reference sites (edge sources), sorted
	// by (table, column).
	References []*Reference
	// Descriptors are the descriptor-reference sites, sorted by (table,
	// column).
	Descriptors []*DescriptorRef
	// Uniqueness are the array uniqueness constraints (for messages).
	Uniqueness []*UniqueConstraint
	// Equality are the equalityConstraints (source, target paths).
	Equality [][2]jsonpath.Path
	// PropertyRules are the JSON schema `required` and `minItems` rules of
	// the resource's objects, in walk order (the runtime checks them).
	PropertyRules []*PropertyRule
	// QueryFields map API query names to sources.
	QueryFields []*QueryField
	// Securable are the compiled securable elements, by Ordinal.
	Securable []*SecurableElement
}

// PropertyRule is the presence rule of one property of an object in a
// resource's JSON schema.
type PropertyRule struct {
	// Path is the property's absolute path (`$.addresses[*].city`).
	Path jsonpath.Path
	// Required: the property must be present whenever its parent object
	// is.
	Required bool
	// MinItems is the minimum length of an array property when present
	// (0 = no rule).
	MinItems int
}

// Superclass names the superclass alias of a subclass.
type Superclass struct {
	ProjectName, ResourceName string
	// IdentityRename is superclassIdentityJsonPath ("" when absent): the
	// single identity path is renamed to it in the alias ReferentialId.
	IdentityRename string
	// IsAbstract tells whether the superclass is an abstract resource.
	IsAbstract bool
}

// IdentitySourceKind tells where an identity value comes from.
type IdentitySourceKind string

const (
	// FromColumn is a scalar column of the root table.
	FromColumn IdentitySourceKind = "Column"
	// FromReference is an identity value of a referenced document.
	FromReference IdentitySourceKind = "Reference"
	// FromDescriptor is the URI of a referenced descriptor.
	FromDescriptor IdentitySourceKind = "Descriptor"
)

// IdentityPart is one identity element of a resource.
type IdentityPart struct {
	// Path is the identityJsonPath.
	Path jsonpath.Path
	// Kind tells where its value comes from.
	Kind IdentitySourceKind
	// Column is the root-table column (scalar, FK or descriptor FK).
	Column *Column
	// Reference and TargetIdentityPath locate the value in the referenced
	// document (Kind FromReference).
	Reference          *Reference
	TargetIdentityPath jsonpath.Path
	// Type is the value type.
	Type Type
}

// TableKind classifies tables.
type TableKind string

// The table kinds.
const (
	RootTable                TableKind = "Root"
	CollectionTable          TableKind = "Collection"
	RootExtensionTable       TableKind = "RootExtension"
	CollectionExtensionTable TableKind = "CollectionExtension"
)

// Table is one physical table.
type Table struct {
	Schema, Name string
	// Scope is the JSON scope the table stores (`$`, `$.addresses[*]`,
	// `$._ext.sample`, `$.addresses[*]._ext.sample`).
	Scope jsonpath.Path
	Kind  TableKind
	// ExtensionProject is the endpoint of the extension project owning an
	// extension table (and its child tables), else "".
	ExtensionProject string
	// Parent is the table this one hangs off (nil for roots).
	Parent *Table
	// Base is the singular base name used for this collection's ordinal
	// column in descendants (`Address` → `AddressOrdinal`).
	Base string
	// Columns in order: key columns, reference FKs, descriptor FKs,
	// scalars by name.
	Columns []*Column
	// Key is the primary key.
	Key Constraint
	// Uniques are the unique constraints (natural key first).
	Uniques []Constraint
	// ForeignKeys in column order.
	ForeignKeys []*ForeignKey
	// Indexes are non-unique indexes.
	Indexes []Constraint
	// Comment is the review comment (`edfi.SchoolAddress: School $.addresses[*]`).
	Comment string
	// Resource owns the table.
	Resource *Resource
}

// Qualified returns `schema.name`.
func (t *Table) Qualified() string { return t.Schema + "." + t.Name }

// KeyColumns returns the primary key columns.
func (t *Table) KeyColumns() []*Column {
	var out []*Column
	for _, c := range t.Columns {
		if c.IsKey {
			out = append(out, c)
		}
	}
	return out
}

// Column returns the named column, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ColumnKind classifies columns.
type ColumnKind string

// The column kinds.
const (
	// DocumentIDColumn is the root/extension `DocumentId` key.
	DocumentIDColumn ColumnKind = "DocumentId"
	// ParentKeyColumn is a key column copied from the parent
	// (`School_DocumentId`, `AddressOrdinal`).
	ParentKeyColumn ColumnKind = "ParentKey"
	// OrdinalColumn is the 0-based array index.
	OrdinalColumn ColumnKind = "Ordinal"
	// ScalarColumn stores a JSON scalar.
	ScalarColumn ColumnKind = "Scalar"
	// DocumentFKColumn references another document (`School_DocumentId`).
	DocumentFKColumn ColumnKind = "DocumentFk"
	// DescriptorFKColumn references dms.Descriptor.
	DescriptorFKColumn ColumnKind = "DescriptorFk"
)

// Column is one column.
type Column struct {
	Name     string
	Kind     ColumnKind
	Type     Type
	Nullable bool
	// IsKey marks primary key columns.
	IsKey bool
	// Path is the absolute JSON path of the stored value (scalars,
	// descriptors) or of the reference object (document FKs); root for key
	// columns.
	Path jsonpath.Path
	// Reference is set for DocumentFk columns.
	Reference *Reference
	// Descriptor is set for DescriptorFk columns.
	Descriptor *DescriptorRef
	// Validation facets of a scalar (min/max/pattern/minLength).
	Rule *PathRule
}

// Constraint is a named column list (primary key, unique, index).
type Constraint struct {
	Name    string
	Columns []string
	// Kind is "PrimaryKey", "NaturalKey", "ArrayUnique" or "Index".
	Kind string
}

// ForeignKey is a foreign key constraint.
type ForeignKey struct {
	Name                      string
	Columns                   []string
	TargetSchema, TargetTable string
	TargetColumns             []string
	// OnDelete is "Cascade" or "NoAction".
	OnDelete string
	// Kind is "Document", "Parent", "Reference", "AbstractReference" or
	// "Descriptor".
	Kind string
}

// Reference is one document-reference site: an FK column standing for a
// reference object.
type Reference struct {
	// Key is the documentPathsMapping key.
	Key string
	// Table and Column hold the FK.
	Table  *Table
	Column *Column
	// ObjectPath is the absolute path of the reference object.
	ObjectPath jsonpath.Path
	// TargetProject and TargetResource name the referenced resource;
	// TargetIsAbstract marks a polymorphic target.
	TargetProject, TargetResource string
	TargetIsAbstract              bool
	// IsIdentityComponent marks references that are part of the
	// resource's identity.
	IsIdentityComponent bool
	// IsRequired tells whether the reference must be present.
	IsRequired bool
	// Bindings pair referenceJsonPath (absolute, in this document) with the
	// target's identityJsonPath, in referenceJsonPaths order.
	Bindings []Binding
}

// Binding pairs a value location in the referencing document with the
// target identity path it supplies.
type Binding struct {
	ReferencePath jsonpath.Path
	IdentityPath  jsonpath.Path
	Type          Type
}

// DescriptorRef is one descriptor-reference site.
type DescriptorRef struct {
	Table  *Table
	Column *Column
	// Path is the absolute path of the descriptor URI string.
	Path jsonpath.Path
	// DescriptorProject and DescriptorResource name the descriptor type.
	DescriptorProject, DescriptorResource string
	IsIdentityComponent                   bool
	IsRequired                            bool
}

// UniqueConstraint is an arrayUniquenessConstraints entry mapped to a table.
type UniqueConstraint struct {
	Table      *Table
	Constraint Constraint
	// Cols are the constrained columns (Constraint.Columns holds their
	// names).
	Cols  []*Column
	Paths []jsonpath.Path
}

// QueryField maps an API query parameter to its sources.
type QueryField struct {
	Name    string
	Targets []QueryTarget
}

// QueryTarget is one source of a query field: a root column, a reference
// (by identity path of the target) or a descriptor.
type QueryTarget struct {
	Path   jsonpath.Path
	Column *Column
	// Reference is set when Path lies inside a reference object;
	// TargetIdentityPath is the matching identity path of the target.
	Reference          *Reference
	TargetIdentityPath jsonpath.Path
	Type               string
}

// PathRule carries validation facets of a scalar path.
type PathRule struct {
	Path      jsonpath.Path
	MinLength int
	Minimum   string
	Maximum   string
	Pattern   string
	Enum      []string
}

// View is an abstract union view.
type View struct {
	Schema, Name string
	// ProjectName and ResourceName name the abstract resource.
	ProjectName, ResourceName string
	// Columns are DocumentId, Discriminator, then the identity columns.
	Columns []ViewColumn
	// Arms are the concrete members, sorted by (project, resource).
	Arms []ViewArm
}

// ViewColumn is one output column.
type ViewColumn struct {
	Name string
	Type Type
	// Path is the abstract identity path (the root path `$` for
	// DocumentId and Discriminator).
	Path jsonpath.Path
}

// ViewArm is one member's SELECT.
type ViewArm struct {
	Member        *Resource
	Table         *Table
	Discriminator string
	// Values are the identity value sources, one per identity column.
	Values []ValueSource
}

// ValueSource locates an identity value starting at a root row: Hops are
// followed (each joins a referenced root table, or a view for an abstract
// target, or dms.Descriptor), then Column is read.
type ValueSource struct {
	Hops []Hop
	// Column is read from the last hop's table (or the arm table).
	Column string
	// Descriptor is true when the last hop is dms.Descriptor (read Uri).
	Descriptor bool
	Type       Type
}

// Hop is one join from a row to a referenced row via FK column.
type Hop struct {
	// FKColumn is the column of the current row holding the DocumentId.
	FKColumn string
	// Schema and Table name the joined relation (a root table, an abstract
	// view, or dms.Descriptor).
	Schema, Table string
}

// TableWidth reports the size of one table for the width gate.
type TableWidth struct {
	Table   string
	Columns int
	// FixedBytes is the worst-case size of fixed-width columns; VarBytes of
	// variable-width columns, in this dialect's encoding.
	FixedBytes, VarBytes int
}
