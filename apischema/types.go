package apischema

import "github.com/edfi-dmsc/dmsc/jsonpath"

// Format tells which top-level shape a file used.
type Format int

const (
	// FormatCurrent is `{apiSchemaVersion, projectSchema}`.
	FormatCurrent Format = iota
	// FormatOlder is `{apiSchemaVersion, projectNameMapping, projectSchemas}`
	// (DS 5.0 / 5.1 era).
	FormatOlder
)

// String names the format.
func (f Format) String() string {
	if f == FormatOlder {
		return "older (projectSchemas)"
	}
	return "current (projectSchema)"
}

// Project is one normalised ApiSchema project.
type Project struct {
	// File is the path of the file the project came from.
	File string
	// Format is the shape of that file.
	Format Format
	// APISchemaVersion is the file's `apiSchemaVersion`.
	APISchemaVersion string
	// EndpointName is the project namespace (`ed-fi`, `sample`, `tpdm`).
	EndpointName string
	// ProjectName is the MetaEd project name (`Ed-Fi`).
	ProjectName string
	// ProjectVersion is the project's semantic version.
	ProjectVersion string
	// IsExtension is the `isExtensionProject` flag.
	IsExtension bool
	// Description is the project description.
	Description string
	// AbstractResources are sorted by name.
	AbstractResources []*AbstractResource
	// Resources are sorted by endpoint name.
	Resources []*Resource
	// EdOrgHierarchy lists `educationOrganizationHierarchy` entries sorted
	// by (Type, ParentType).
	EdOrgHierarchy []EdOrgParent
	// EdOrgTypes is `educationOrganizationTypes` in file order.
	EdOrgTypes []string
	// EdOrgHierarchyOrigin and EdOrgTypesOrigin say whether the file
	// declared EdOrgHierarchy and EdOrgTypes, or an --auth-overlay supplied
	// them (Set.ApplyAuthOverlay), or neither (auth.go).
	EdOrgHierarchyOrigin, EdOrgTypesOrigin AuthOrigin
	// Raw is the decoded project object (json.Number numbers), kept for
	// hashing.
	Raw any
	// Base is the JSONPath of the project object in its file.
	Base string
}

// EdOrgParent is one edge of the education organization hierarchy: Type has
// parent ParentType, found in Type's documents at Path.
type EdOrgParent struct {
	Type, ParentType, Path string
}

// AbstractResource is an entry of `abstractResources`.
type AbstractResource struct {
	// Name is the abstract resource name (`EducationOrganization`).
	Name string
	// IdentityJSONPaths are the abstract identity paths in order.
	IdentityJSONPaths []jsonpath.Path
	// Project owns the abstract resource.
	Project *Project
	// Path locates the entry in its file.
	Path string
}

// Resource is one entry of `resourceSchemas`.
type Resource struct {
	// Project owns the resource.
	Project *Project
	// EndpointName is the key in `resourceSchemas` (`schools`).
	EndpointName string
	// Path locates the resource object in its file.
	Path string
	// ResourceName is the MetaEd name (`School`).
	ResourceName string
	// IsDescriptor marks descriptor resources.
	IsDescriptor bool
	// IsSchoolYearEnumeration marks SchoolYearType.
	IsSchoolYearEnumeration bool
	// IsResourceExtension marks an extension of a resource of another
	// project.
	IsResourceExtension bool
	// IsSubclass marks a subclass of an abstract resource.
	IsSubclass bool
	// SubclassType is `domainEntity` or `association` for subclasses.
	SubclassType string
	// SuperclassProjectName and SuperclassResourceName name the superclass.
	SuperclassProjectName, SuperclassResourceName string
	// SuperclassIdentityJSONPath, when set, renames the single identity
	// path in the superclass alias (School `$.schoolId` →
	// `$.educationOrganizationId`).
	SuperclassIdentityJSONPath string
	// AllowIdentityUpdates permits identity changes on PUT.
	AllowIdentityUpdates bool
	// IdentityJSONPaths are the identity paths in order.
	IdentityJSONPaths []jsonpath.Path
	// Mappings is `documentPathsMapping`, sorted by key.
	Mappings []*PathMapping
	// Uniqueness is `arrayUniquenessConstraints`.
	Uniqueness []UniquenessConstraint
	// Decimals is `decimalPropertyValidationInfos`.
	Decimals []DecimalInfo
	// Equality is `equalityConstraints`.
	Equality []EqualityConstraint
	// QueryFields is `queryFieldMapping`, sorted by name.
	QueryFields []QueryField
	// CommonExtensionOverrides graft extension fragments into collection
	// items of the extended resource.
	CommonExtensionOverrides []CommonExtensionOverride
	// Relational is the optional `relational` block.
	Relational Relational
	// HasRelational tells whether the `relational` block was present.
	HasRelational bool
	// Schema is the parsed `jsonSchemaForInsert`.
	Schema *Node
	// MissingKeys lists optional keys that were absent (for warnings).
	MissingKeys []string
	// Securable is `securableElements` (paths under `[*]` dropped with a
	// warning; always empty on a resource extension), or what an
	// --auth-overlay supplied (Set.ApplyAuthOverlay); SecurableOrigin says
	// which, or that neither did (treated as none). See auth.go.
	Securable SecurableElements
	// SecurableOrigin tells where Securable came from.
	SecurableOrigin AuthOrigin

	extensions []*Resource
}

// PathMapping is one `documentPathsMapping` entry.
type PathMapping struct {
	// Key is the MetaEd property key (`Address.City`, `SchoolReference`).
	Key string
	// Path locates the entry in its file.
	Path string
	// IsReference, IsDescriptor as in the file.
	IsReference, IsDescriptor bool
	// IsPartOfIdentity, IsRequired as in the file; HasIsRequired and
	// HasIsPartOfIdentity tell whether the file stated them (older files do
	// not).
	IsPartOfIdentity, IsRequired       bool
	HasIsPartOfIdentity, HasIsRequired bool
	// JSONPath is `path` (scalars and descriptors).
	JSONPath jsonpath.Path
	// HasJSONPath tells whether `path` was present.
	HasJSONPath bool
	// Type is the optional `type` hint.
	Type string
	// ProjectName and ResourceName name a reference or descriptor target.
	ProjectName, ResourceName string
	// ReferenceJSONPaths are the identity bindings of a document reference.
	ReferenceJSONPaths []ReferenceJSONPath
	// Owner is the project that declared the mapping (differs from the
	// resource's project for merged extension mappings).
	Owner *Project
}

// ReferenceJSONPath binds one identity path of the target to the location
// of its value inside the referencing document.
type ReferenceJSONPath struct {
	IdentityJSONPath  jsonpath.Path
	ReferenceJSONPath jsonpath.Path
	Type              string
}

// UniquenessConstraint is one `arrayUniquenessConstraints` entry.
type UniquenessConstraint struct {
	// Paths are the unique-together value paths.
	Paths []jsonpath.Path
	// Nested are constraints applying to arrays below BasePath.
	Nested []NestedUniqueness
	// Path locates the entry in its file.
	Path string
	// Owner is the declaring project.
	Owner *Project
}

// NestedUniqueness is a `nestedConstraints` entry.
type NestedUniqueness struct {
	BasePath jsonpath.Path
	Paths    []jsonpath.Path
	Path     string
}

// DecimalInfo is one `decimalPropertyValidationInfos` entry.
type DecimalInfo struct {
	JSONPath      jsonpath.Path
	TotalDigits   int
	DecimalPlaces int
	Path          string
}

// EqualityConstraint requires equal values at two paths.
type EqualityConstraint struct {
	Source, Target jsonpath.Path
}

// QueryField is one `queryFieldMapping` entry.
type QueryField struct {
	Name    string
	Targets []QueryFieldTarget
}

// QueryFieldTarget is a path and type hint of a query field.
type QueryFieldTarget struct {
	JSONPath jsonpath.Path
	Type     string
}

// CommonExtensionOverride grafts Fragment into the extended resource's
// schema at each of InsertionLocations (JSON-schema paths such as
// `$.properties.addresses.items`).
type CommonExtensionOverride struct {
	InsertionLocations []string
	Fragment           *Node
	Path               string
}

// Relational is the optional `relational` block.
type Relational struct {
	// RootTableNameOverride replaces the root table name.
	RootTableNameOverride string
	// NameOverrides maps restricted JSONPaths to base names, sorted by key.
	NameOverrides []NameOverride
}

// NameOverride is one `relational.nameOverrides` entry.
type NameOverride struct {
	Key   string
	Value string
	Path  string
	Owner *Project
}

// Node is a parsed JSON schema node of `jsonSchemaForInsert`.
type Node struct {
	// Type is object, array, string, integer, number or boolean.
	Type string
	// Format is date, date-time, time, int32, int64 or empty.
	Format string
	// MaxLength is the string length limit, when HasMaxLength.
	MaxLength    int
	HasMaxLength bool
	// MinLength is the minimum string length (0 when absent).
	MinLength int
	// Minimum and Maximum are numeric bounds as source text ("" = none).
	Minimum, Maximum string
	// Pattern is the string pattern, if any.
	Pattern string
	// Enum lists allowed string values, if any.
	Enum []string
	// Properties of an object, sorted by name.
	Properties []*Property
	// Required property names of an object, sorted.
	Required []string
	// Items is the element schema of an array.
	Items *Node
	// MinItems is an array's minimum length (0 when absent).
	MinItems int
	// Path locates the node in its file.
	Path string
	// File is the file the node came from (extensions graft nodes from
	// other files).
	File string

	// undeclared are names in the node's `required` list that no property
	// declares (see checkRequired).
	undeclared []string
}

// Property is a named object member.
type Property struct {
	Name string
	Node *Node
}

// Prop returns the named property's node, or nil.
func (n *Node) Prop(name string) *Node {
	for _, p := range n.Properties {
		if p.Name == name {
			return p.Node
		}
	}
	return nil
}

// IsRequired reports whether name is listed in the node's `required`.
func (n *Node) IsRequired(name string) bool {
	for _, r := range n.Required {
		if r == name {
			return true
		}
	}
	return false
}
