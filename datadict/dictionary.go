package datadict

import (
	"github.com/edfi-dmsc/dmsc/model"
)

// Dictionary is the content of a data dictionary: one schema set's model
// for one dialect, arranged by project, with descriptions. Build makes
// one; Files renders it.
type Dictionary struct {
	// Dialect and DialectTitle name the dialect whose names and types are
	// shown ("pgsql", "PostgreSQL").
	Dialect      model.Dialect
	DialectTitle string
	// APISchemaVersion, MappingVersion and EffectiveSchemaHash identify
	// the schema set.
	APISchemaVersion    string
	MappingVersion      string
	EffectiveSchemaHash string
	// Projects are sorted by endpoint name.
	Projects []*Project
}

// Project is one project of the schema set and the pages written for it.
type Project struct {
	// EndpointName is the project's route segment (`ed-fi`);
	// ProjectName and ProjectVersion are its MetaEd name and version.
	EndpointName, ProjectName, ProjectVersion string
	// IsExtension marks an extension project.
	IsExtension bool
	// Schema is the physical schema of the project's tables.
	Schema string
	// Description is the project's ApiSchema description.
	Description string
	// Page and Diagrams are the file names of the project's HTML page and
	// Markdown diagrams.
	Page, Diagrams string
	// Resources are the project's own resources, sorted by name, with the
	// tables the project owns (a resource extended by other projects
	// lists their extension tables under ExtendedBy only).
	Resources []*Resource
	// Extensions are resources of other projects that this project
	// extends, each holding only this project's extension tables, sorted
	// by (project endpoint, resource name).
	Extensions []*Resource
	// Views are the union views of the project's abstract resources,
	// sorted by name.
	Views []*View
}

// Columns counts the columns of the tables on the project's page.
func (p *Project) Columns() int {
	n := 0
	for _, r := range p.allResources() {
		for _, t := range r.Tables {
			n += len(t.Columns)
		}
	}
	return n
}

// Tables counts the tables on the project's page.
func (p *Project) Tables() int {
	n := 0
	for _, r := range p.allResources() {
		n += len(r.Tables)
	}
	return n
}

// allResources returns Resources then Extensions.
func (p *Project) allResources() []*Resource {
	return append(append([]*Resource(nil), p.Resources...), p.Extensions...)
}

// Resource is one resource as a project page shows it.
type Resource struct {
	// ProjectName and ResourceName name the resource (`Ed-Fi`, `School`).
	ProjectName, ResourceName string
	// ProjectEndpoint and EndpointName form the API route.
	ProjectEndpoint, EndpointName string
	// Description is the ApiSchema description of the resource
	// (jsonSchemaForInsert's description).
	Description string
	// ResourceKeyID is the resource's dms.ResourceKey id.
	ResourceKeyID int16
	// IsDescriptor marks a descriptor: its documents live in
	// dms.Descriptor, so it has no tables.
	IsDescriptor bool
	// Identity lists the identity JSON paths in order.
	Identity []string
	// Extension is set when this entry holds the extension tables one
	// project adds to another project's resource; Extension names that
	// (extending) project's endpoint.
	Extension string
	// Anchor is the element id of the resource's section on its page.
	Anchor string
	// Tables are in write order (every parent before its children).
	Tables []*Table
	// ExtendedBy links to the entries of other projects that add
	// extension tables to this resource, sorted by project endpoint.
	ExtendedBy []Link
}

// Route returns the resource's API route (`/ed-fi/schools`).
func (r *Resource) Route() string { return "/" + r.ProjectEndpoint + "/" + r.EndpointName }

// Link is a named hyperlink within the dictionary.
type Link struct {
	// Text is shown; Href is relative to the output directory (a page,
	// maybe with a fragment), or "" when the target has no page.
	Text, Href string
}

// Table is one physical table.
type Table struct {
	// Schema and Name name the table in the dialect.
	Schema, Name string
	// Qualified is `schema.name`.
	Qualified string
	// Kind is Root, Collection, RootExtension or CollectionExtension.
	Kind model.TableKind
	// Scope is the JSON scope the table stores (`$.addresses[*]`).
	Scope string
	// Parent links to the parent table (Text "" for a root).
	Parent Link
	// ExtensionProject is the endpoint of the extension project owning
	// the table, or "".
	ExtensionProject string
	// Description is the ApiSchema description of the collection or
	// object the table stores, when it has one.
	Description string
	// Anchor is the element id of the table's section.
	Anchor string
	// Columns are in table order.
	Columns []*Column
	// PrimaryKey, Uniques and Indexes are the table's constraints and
	// non-unique indexes.
	PrimaryKey Constraint
	Uniques    []Constraint
	Indexes    []Constraint
	// ForeignKeys are in column order.
	ForeignKeys []*ForeignKey
}

// Column is one column of a table.
type Column struct {
	// Name is the column's name in the dialect.
	Name string
	// Kind is DocumentId, ParentKey, Ordinal, Scalar, DocumentFk or
	// DescriptorFk.
	Kind model.ColumnKind
	// Type is the dialect's physical type (`varchar(60)`); Logical is
	// dmsc's logical type (`String(60)`).
	Type, Logical string
	// Nullable tells whether the column admits NULL.
	Nullable bool
	// PrimaryKey, Unique and Foreign tell whether the column is in the
	// primary key, in a unique constraint, in a foreign key.
	PrimaryKey, Unique, Foreign bool
	// References links to the table the column's first foreign key
	// references (Text "" when none).
	References Link
	// Target names what a reference column designates, linked to its
	// section: the referenced resource (`Ed-Fi School`, `abstract Ed-Fi
	// EducationOrganization`) or descriptor (`Ed-Fi GradeLevelDescriptor`);
	// Text is "" for other columns.
	Target Link
	// Path is the JSON path of the stored value (of the reference object
	// for a document reference); "" for key columns.
	Path string
	// Description is the ApiSchema description of the property, or for a
	// key column what dmsc stores in it.
	Description string
	// Generated tells that Description was written by dmsc, not taken
	// from the schema.
	Generated bool
}

// Keys returns the column's key marks: "PK", "FK", "UK" in that order.
func (c *Column) Keys() []string {
	var out []string
	if c.PrimaryKey {
		out = append(out, "PK")
	}
	if c.Foreign {
		out = append(out, "FK")
	}
	if c.Unique {
		out = append(out, "UK")
	}
	return out
}

// Constraint is a primary key, unique constraint or index.
type Constraint struct {
	// Name is the constraint's or index's name; Columns its columns in
	// order.
	Name    string
	Columns []string
	// Kind is PrimaryKey, NaturalKey, ArrayUnique or Index.
	Kind string
}

// ForeignKey is a foreign key constraint.
type ForeignKey struct {
	// Name is the constraint's name; Columns the referencing columns.
	Name    string
	Columns []string
	// Target links to the referenced table (Text is `schema.name`);
	// TargetColumns are its referenced columns, in Columns' order.
	Target        Link
	TargetColumns []string
	// OnDelete is Cascade or NoAction; Kind is Document, Parent,
	// Reference, AbstractReference or Descriptor.
	OnDelete, Kind string
}

// View is an abstract resource's union view.
type View struct {
	// Schema and Name name the view in the dialect.
	Schema, Name string
	// Qualified is `schema.name`; Anchor the element id of its section.
	Qualified, Anchor string
	// ProjectName and ResourceName name the abstract resource.
	ProjectName, ResourceName string
	// Columns are DocumentId, Discriminator, then the identity columns.
	Columns []*ViewColumn
	// Members link to the root tables of the concrete resources it
	// unites, with their discriminator as Text, sorted as the view's arms.
	Members []Link
}

// ViewColumn is one column of a view.
type ViewColumn struct {
	// Name is the column's name; Type its dialect type and Logical
	// dmsc's logical type; Path the abstract identity path it holds (`$`
	// for DocumentId and Discriminator).
	Name, Type, Logical, Path string
}
