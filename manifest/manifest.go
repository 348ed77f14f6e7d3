package manifest

// FormatVersion is the manifest format this package writes and reads:
// "major.minor". Loaders accept any minor version of their major version
// (minor versions only add optional fields).
const FormatVersion = "1.2"

// Manifest is the runtime mapping manifest of one schema set for one
// dialect.
type Manifest struct {
	// FormatVersion is the manifest format ("major.minor", see the
	// FormatVersion constant).
	FormatVersion string `json:"format_version"`
	// Dialect is the SQL dialect the names are for.
	Dialect Dialect `json:"dialect"`
	// APISchemaFormatVersion is the ApiSchema files' apiSchemaVersion.
	APISchemaFormatVersion string `json:"api_schema_format_version"`
	// RelationalMappingVersion is the mapping version hashed into
	// EffectiveSchemaHash.
	RelationalMappingVersion string `json:"relational_mapping_version"`
	// EffectiveSchemaHash must equal dms.EffectiveSchema in the database.
	EffectiveSchemaHash string `json:"effective_schema_hash"`
	// ResourceKeySeedHash fingerprints ResourceKeys (lowercase hex).
	ResourceKeySeedHash string `json:"resource_key_seed_hash"`
	// Projects are the schema components, sorted by endpoint name.
	Projects []Project `json:"projects"`
	// ResourceKeys are the dms.ResourceKey rows in id order.
	ResourceKeys []ResourceKey `json:"resource_keys"`
	// Resources are sorted by (project name, resource name).
	Resources []Resource `json:"resources"`
	// AbstractResources are sorted by (project name, resource name).
	AbstractResources []AbstractResource `json:"abstract_resources"`
	// EdOrgTypes are the concrete EdOrg resources, sorted by (project
	// name, resource name) (format 1.2; absent before).
	EdOrgTypes []EdOrgType `json:"edorg_types"`
}

// Project is one schema component.
type Project struct {
	EndpointName   string `json:"project_endpoint_name"`
	ProjectName    string `json:"project_name"`
	ProjectVersion string `json:"project_version"`
	IsExtension    bool   `json:"is_extension_project"`
	ProjectHash    string `json:"project_hash"`
	// Schema is the physical schema of the project's tables.
	Schema string `json:"physical_schema"`
}

// ResourceKey is one dms.ResourceKey row.
type ResourceKey struct {
	ID              int16  `json:"resource_key_id"`
	ProjectName     string `json:"project_name"`
	ResourceName    string `json:"resource_name"`
	ResourceVersion string `json:"resource_version"`
}

// Resource is one concrete resource (descriptors included).
type Resource struct {
	ProjectName  string `json:"project_name"`
	ResourceName string `json:"resource_name"`
	// ProjectEndpoint and EndpointName form the route `/ed-fi/schools`.
	ProjectEndpoint string `json:"project_endpoint_name"`
	EndpointName    string `json:"endpoint_name"`
	ResourceKeyID   int16  `json:"resource_key_id"`
	// Storage is Tables or Descriptor (documents in dms.Descriptor).
	Storage                 Storage `json:"storage"`
	IsDescriptor            bool    `json:"is_descriptor"`
	IsSchoolYearEnumeration bool    `json:"is_school_year_enumeration"`
	AllowIdentityUpdates    bool    `json:"allow_identity_updates"`
	// Superclass, for subclasses, gives the alias ReferentialId rule.
	Superclass *Superclass `json:"superclass"`
	// Identity lists the identity elements in ReferentialId order.
	Identity []IdentityElement `json:"identity"`
	// Tables are in write order (every parent before its children).
	Tables []Table `json:"tables"`
	// EdgeSources are the reference and descriptor FK sites.
	EdgeSources []EdgeSource `json:"edge_sources"`
	// QueryFields map API query parameters to columns.
	QueryFields []QueryField `json:"query_fields"`
	// Uniqueness are the array uniqueness constraints (for messages).
	Uniqueness []Uniqueness `json:"uniqueness"`
	// Equality lists equalityConstraints: values at both paths must be
	// equal.
	Equality []Equality `json:"equality"`
	// PropertyRules are the `required` and `minItems` rules of the
	// resource's objects (format 1.1; absent in 1.0 manifests).
	PropertyRules []PropertyRule `json:"property_rules"`
	// SecurableElements are the compiled securable elements by ordinal
	// (format 1.2; absent before).
	SecurableElements []SecurableElement `json:"securable_elements"`
}

// PropertyRule is the presence rule of one property.
type PropertyRule struct {
	// Path is the property's absolute path (`$.addresses[*].city`).
	Path string `json:"path"`
	// Required: present whenever its parent object is.
	Required bool `json:"required"`
	// MinItems is the minimum length of an array when present (0 = none).
	MinItems int `json:"min_items"`
}

// Superclass names the superclass alias of a subclass.
type Superclass struct {
	ProjectName  string `json:"project_name"`
	ResourceName string `json:"resource_name"`
	// IdentityRename renames the single identity path in the alias
	// ReferentialId ("" = keep the element paths).
	IdentityRename string `json:"identity_rename"`
	IsAbstract     bool   `json:"is_abstract"`
}

// IdentityElement is one identity path and the place its value comes from.
type IdentityElement struct {
	// Path is the identityJsonPath.
	Path string `json:"path"`
	// Source is Column (a root-table scalar), Reference (the identity value
	// TargetIdentityPath of the document referenced by Column) or
	// Descriptor (the URI of the descriptor referenced by Column).
	Source SourceKind `json:"source"`
	// Column is the root-table column.
	Column string `json:"column"`
	// TargetIdentityPath is set for Reference sources.
	TargetIdentityPath string `json:"target_identity_path,omitempty"`
	// Type is the value's logical type.
	Type Type `json:"type"`
}

// Type is a logical column type.
type Type struct {
	Kind      TypeKind `json:"kind"`
	MaxLength int      `json:"max_length,omitempty"`
	Precision int      `json:"precision,omitempty"`
	Scale     int      `json:"scale,omitempty"`
}

// Table is one physical table of a resource.
type Table struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Scope is the JSON scope the table stores (`$`, `$.addresses[*]`,
	// `$._ext.sample`, `$.addresses[*]._ext.sample`).
	Scope string    `json:"scope"`
	Kind  TableKind `json:"kind"`
	// Parent is the qualified name (`schema.name`) of the parent table; ""
	// for the root.
	Parent string `json:"parent"`
	// ExtensionProject is the endpoint of the owning extension project.
	ExtensionProject string `json:"extension_project"`
	// KeyColumns are the primary key columns in order.
	KeyColumns []string `json:"key_columns"`
	// ParentKeyColumns are this table's columns that reference the
	// parent's key (in the parent's key order).
	ParentKeyColumns []string `json:"parent_key_columns"`
	// Columns in table order.
	Columns []Column `json:"columns"`
}

// Column is one column of a table.
type Column struct {
	Name     string     `json:"name"`
	Kind     ColumnKind `json:"kind"`
	Type     Type       `json:"type"`
	Nullable bool       `json:"nullable"`
	// SourcePath is the value's path relative to the table scope (`$.city`,
	// or `$.schoolReference` for a DocumentFk); "" for key columns.
	SourcePath string `json:"source_path"`
	// Validation holds the facets the runtime checks besides the type.
	Validation *Validation `json:"validation,omitempty"`
}

// Validation carries JSON-schema facets of a scalar.
type Validation struct {
	MinLength int      `json:"min_length,omitempty"`
	Minimum   string   `json:"minimum,omitempty"`
	Maximum   string   `json:"maximum,omitempty"`
	Pattern   string   `json:"pattern,omitempty"`
	Enum      []string `json:"enum,omitempty"`
}

// EdgeSource is one FK column that yields a dms.ReferenceEdge.
type EdgeSource struct {
	// Table (qualified) and Column hold the FK.
	Table  string `json:"table"`
	Column string `json:"column"`
	// Kind is Reference or Descriptor.
	Kind EdgeKind `json:"kind"`
	// TargetProject and TargetResource name the referenced resource (the
	// descriptor resource for descriptors).
	TargetProject    string `json:"target_project_name"`
	TargetResource   string `json:"target_resource_name"`
	TargetIsAbstract bool   `json:"target_is_abstract"`
	// IsIdentityComponent marks sites that are part of the identity.
	IsIdentityComponent bool `json:"is_identity_component"`
	IsRequired          bool `json:"is_required"`
	// Path is the absolute path of the reference object or descriptor.
	Path string `json:"path"`
	// Bindings pair referenceJsonPath (absolute) with the target
	// identityJsonPath, in referenceJsonPaths order.
	Bindings []Binding `json:"bindings"`
}

// Binding is one referenceJsonPath → identityJsonPath pair.
type Binding struct {
	ReferencePath string `json:"reference_path"`
	IdentityPath  string `json:"identity_path"`
	Type          Type   `json:"type"`
}

// QueryField maps an API query parameter.
type QueryField struct {
	Name    string        `json:"name"`
	Targets []QueryTarget `json:"targets"`
}

// QueryTarget is one source of a query field on the root table.
type QueryTarget struct {
	Path string `json:"path"`
	// Column is the root column (scalar, descriptor FK or document FK).
	Column string `json:"column"`
	// Kind is Column, Descriptor or Reference (see IdentityElement).
	Kind SourceKind `json:"kind"`
	// TargetIdentityPath is set for Reference targets.
	TargetIdentityPath string `json:"target_identity_path,omitempty"`
	Type               string `json:"type"`
}

// Uniqueness is an array uniqueness constraint.
type Uniqueness struct {
	Table      string   `json:"table"`
	Constraint string   `json:"constraint"`
	Columns    []string `json:"columns"`
	Paths      []string `json:"paths"`
}

// Equality is one equalityConstraints entry.
type Equality struct {
	SourcePath string `json:"source_path"`
	TargetPath string `json:"target_path"`
}

// AbstractResource is a polymorphic reference target and its union view.
type AbstractResource struct {
	ProjectName  string `json:"project_name"`
	ResourceName string `json:"resource_name"`
	// View is the qualified union view name.
	ViewSchema string `json:"view_schema"`
	ViewName   string `json:"view_name"`
	// Identity lists the abstract identity paths and their view columns.
	Identity []ViewIdentity `json:"identity"`
	// Members are the concrete subclasses.
	Members []Member `json:"members"`
}

// ViewIdentity is one abstract identity column of a union view.
type ViewIdentity struct {
	Path   string `json:"path"`
	Column string `json:"column"`
	Type   Type   `json:"type"`
}

// Member is a concrete subclass of an abstract resource.
type Member struct {
	ProjectName   string `json:"project_name"`
	ResourceName  string `json:"resource_name"`
	Discriminator string `json:"discriminator"`
}
