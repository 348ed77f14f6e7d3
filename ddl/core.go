package ddl

import (
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dms"
	"github.com/edfi-dmsc/dmsc/model"
)

// CoreSchema is the schema of the core tables.
const CoreSchema = dms.Schema

// Core table names, in creation order (see package dms).
const (
	ResourceKeyTable         = dms.ResourceKey
	DocumentTable            = dms.Document
	ReferentialIdentityTable = dms.ReferentialIdentity
	DescriptorTable          = dms.Descriptor
	ReferenceEdgeTable       = dms.ReferenceEdge
	IdentityLockTable        = dms.IdentityLock
	EffectiveSchemaTable     = dms.EffectiveSchema
	SchemaComponentTable     = dms.SchemaComponent
	RuntimeManifestTable     = dms.RuntimeManifest
	DocumentCacheTable       = dms.DocumentCache
	DocumentCacheQueueTable  = dms.DocumentCacheQueue
	EdOrgTable               = dms.EducationOrganization
	EdOrgParentTable         = dms.EducationOrganizationParent
	DocumentSubjectTable     = dms.DocumentSubject
	AuthLockTable            = dms.AuthLock
	// AuthSchema holds the EdOrg closure and the authorization views.
	AuthSchema    = dms.AuthSchema
	ClosureTable  = dms.EducationOrganizationClosure
	ClaimSetTable = dms.EducationOrganizationIdClaimSet
	// DescriptorGenerationTable holds the descriptor URI generation.
	DescriptorGenerationTable = dms.DescriptorUriGeneration
)

// CoreTableNames lists the core dms tables in creation order.
func CoreTableNames() []string { return dms.Tables() }

// Column constructors for the core tables.
func col(name string, k model.TypeKind) dialect.Column {
	return dialect.Column{Name: name, Type: model.Type{Kind: k}}
}

func str(name string, n int) dialect.Column {
	return dialect.Column{Name: name, Type: model.Type{Kind: model.String, MaxLength: n}}
}

func special(name string, s dialect.Special, n int) dialect.Column {
	return dialect.Column{Name: name, Special: s, Length: n}
}

func nullable(c dialect.Column) dialect.Column { c.Nullable = true; return c }

func identity(c dialect.Column) dialect.Column { c.Identity = true; return c }

func withDefault(c dialect.Column, d dialect.Default) dialect.Column { c.Default = d; return c }

func now(name string) dialect.Column {
	return withDefault(col(name, model.DateTime), dialect.DefaultNow)
}

func key(name string, cols ...string) dialect.Key { return dialect.Key{Name: name, Columns: cols} }

// coreTables returns the core dms tables (spec 30-ddl.md) in creation order.
func coreTables() []dialect.Table {
	docID := col("DocumentId", model.Int64)
	rk := col("ResourceKeyId", model.Int16)
	tables := []dialect.Table{
		{
			Name:       ResourceKeyTable,
			Comment:    "dms.ResourceKey: one row per resource (and abstract resource) of the schema set; ids assigned in sorted order",
			Columns:    []dialect.Column{rk, str("ProjectName", 256), str("ResourceName", 256), str("ResourceVersion", 64)},
			PrimaryKey: key("PK_ResourceKey", "ResourceKeyId"),
			Uniques:    []dialect.Key{key("UX_ResourceKey_ProjectName_ResourceName", "ProjectName", "ResourceName")},
		},
		{
			Name:    DocumentTable,
			Comment: "dms.Document: one row per stored document (metadata, ETag source)",
			Columns: []dialect.Column{
				identity(docID), special("DocumentUuid", dialect.UUID, 0), rk,
				withDefault(col("Etag", model.Int64), dialect.DefaultOne), now("CreatedAt"), now("LastModifiedAt"),
			},
			PrimaryKey: key("PK_Document", "DocumentId"),
			Uniques:    []dialect.Key{key("UX_Document_DocumentUuid", "DocumentUuid")},
		},
		{
			Name:    ReferentialIdentityTable,
			Comment: "dms.ReferentialIdentity: natural-key index (ReferentialId = UUIDv5 of the identity), primary and superclass alias rows",
			Columns: []dialect.Column{special("ReferentialId", dialect.UUID, 0), docID, rk},
			PrimaryKey: dialect.Key{Name: "PK_ReferentialIdentity", Columns: []string{"ReferentialId"},
				Clustering: dialect.NonClustered, FillFactor: 90},
			Uniques: []dialect.Key{{Name: "UX_ReferentialIdentity_DocumentId_ResourceKeyId",
				Columns: []string{"DocumentId", "ResourceKeyId"}, Clustering: dialect.Clustered}},
		},
		{
			Name:    DescriptorTable,
			Comment: "dms.Descriptor: the documents of every descriptor resource",
			Columns: []dialect.Column{
				docID, rk, str("Namespace", dms.NamespaceLength), str("CodeValue", dms.CodeValueLength), str("ShortDescription", dms.ShortDescriptionLength),
				nullable(str("Description", dms.DescriptionLength)), nullable(col("EffectiveBeginDate", model.Date)),
				nullable(col("EffectiveEndDate", model.Date)), str("Uri", dms.URILength),
			},
			PrimaryKey: key("PK_Descriptor", "DocumentId"),
			Uniques:    []dialect.Key{key("UX_Descriptor_ResourceKeyId_Uri", "ResourceKeyId", "Uri")},
		},
		{
			Name:    ReferenceEdgeTable,
			Comment: "dms.ReferenceEdge: one row per (referencing, referenced) document pair, derived from the FK columns",
			Columns: []dialect.Column{
				col("ParentDocumentId", model.Int64), col("ChildDocumentId", model.Int64),
				col("IsIdentityComponent", model.Boolean), now("CreatedAt"),
			},
			PrimaryKey: dialect.Key{Name: "PK_ReferenceEdge", Columns: []string{"ParentDocumentId", "ChildDocumentId"},
				Clustering: dialect.Clustered},
		},
		{
			Name:       IdentityLockTable,
			Comment:    "dms.IdentityLock: one lock row per document for identity-cascade orchestration",
			Columns:    []dialect.Column{docID},
			PrimaryKey: key("PK_IdentityLock", "DocumentId"),
		},
		{
			Name:    EffectiveSchemaTable,
			Comment: "dms.EffectiveSchema: the fingerprint of the schema set this database was provisioned for",
			Columns: []dialect.Column{
				identity(col("EffectiveSchemaId", model.Int32)), str("ApiSchemaFormatVersion", 64),
				special("EffectiveSchemaHash", dialect.Char, 64), str("MappingVersion", 32),
				special("ResourceKeySeedHash", dialect.Binary, 32), now("AppliedAt"),
			},
			PrimaryKey: key("PK_EffectiveSchema", "EffectiveSchemaId"),
			Uniques:    []dialect.Key{key("UX_EffectiveSchema_EffectiveSchemaHash", "EffectiveSchemaHash")},
		},
		{
			Name:    SchemaComponentTable,
			Comment: "dms.SchemaComponent: the projects of each effective schema",
			Columns: []dialect.Column{
				col("EffectiveSchemaId", model.Int32), str("ProjectEndpointName", 128), str("ProjectName", 256),
				str("ProjectVersion", 64), col("IsExtensionProject", model.Boolean), special("ProjectHash", dialect.Char, 64),
			},
			PrimaryKey: key("PK_SchemaComponent", "EffectiveSchemaId", "ProjectEndpointName"),
		},
		{
			Name:    RuntimeManifestTable,
			Comment: "dms.RuntimeManifest: the runtime mapping manifest stored by dmsc ddl provision with its effective schema (empty when the script was applied by hand)",
			Columns: []dialect.Column{
				col("EffectiveSchemaId", model.Int32), str("ManifestFormatVersion", 16),
				special("Manifest", dialect.JSON, 0), now("StoredAt"),
			},
			PrimaryKey: key("PK_RuntimeManifest", "EffectiveSchemaId"),
		},
		{
			Name:    DocumentCacheTable,
			Comment: "dms.DocumentCache: optional, eventually consistent JSON projection (fresh iff Etag equals dms.Document.Etag), the assembled body byte for byte",
			Columns: []dialect.Column{
				docID, special("DocumentUuid", dialect.UUID, 0), rk, col("Etag", model.Int64),
				col("LastModifiedAt", model.DateTime), special("DocumentJson", dialect.JSONText, 0), now("ComputedAt"),
			},
			PrimaryKey: key("PK_DocumentCache", "DocumentId"),
			Uniques:    []dialect.Key{key("UX_DocumentCache_DocumentUuid", "DocumentUuid")},
		},
		{
			Name:       DocumentCacheQueueTable,
			Comment:    "dms.DocumentCacheQueue: the documents whose DocumentCache row a write made missing or stale, queued in the write's transaction (the projector's work list, oldest first)",
			Columns:    []dialect.Column{docID, now("EnqueuedAt")},
			PrimaryKey: key("PK_DocumentCacheQueue", "DocumentId"),
		},
		{
			Name:       EdOrgTable,
			Comment:    "dms.EducationOrganization: one row per EdOrg document, its EducationOrganizationId (authorization)",
			Columns:    []dialect.Column{docID, col("EducationOrganizationId", model.Int64), rk},
			PrimaryKey: key("PK_EducationOrganization", "DocumentId"),
			Uniques:    []dialect.Key{key("UX_EducationOrganization_EducationOrganizationId", "EducationOrganizationId")},
		},
		{
			Name:       EdOrgParentTable,
			Comment:    "dms.EducationOrganizationParent: each EdOrg's parent EdOrgs (from its hierarchy references)",
			Columns:    []dialect.Column{docID, col("ParentDocumentId", model.Int64)},
			PrimaryKey: key("PK_EducationOrganizationParent", "DocumentId", "ParentDocumentId"),
		},
		{
			Name: DocumentSubjectTable,
			Comment: "dms.DocumentSubject: the subject of each transitive securable element of a document " +
				"(SubjectType 1 Student, 2 Contact, 3 Staff, 4 EdOrg, 5 Namespace)",
			Columns: []dialect.Column{
				docID, col("ElementOrdinal", model.Int16), col("SubjectType", model.Int16), col("SubjectDocumentId", model.Int64),
			},
			PrimaryKey: key("PK_DocumentSubject", "DocumentId", "ElementOrdinal"),
		},
		{
			Name:       AuthLockTable,
			Comment:    "dms.AuthLock: one row, locked by writes that change the EdOrg hierarchy",
			Columns:    []dialect.Column{col("LockId", model.Int16)},
			PrimaryKey: key("PK_AuthLock", "LockId"),
		},
		{
			Name: DescriptorGenerationTable,
			Comment: "dms.DescriptorUriGeneration: one row; every write that changes a descriptor's Uri increments Generation " +
				"(runtimes that map descriptor ids to URIs in memory read it with the ids)",
			Columns:    []dialect.Column{col("GenerationId", model.Int16), col("Generation", model.Int64)},
			PrimaryKey: key("PK_DescriptorUriGeneration", "GenerationId"),
		},
		{
			Schema:  AuthSchema,
			Name:    ClosureTable,
			Comment: "auth.EducationOrganizationClosure: every (ancestor, descendant) pair of the EdOrg hierarchy, self pairs included",
			Columns: []dialect.Column{col("AncestorDocumentId", model.Int64), col("DescendantDocumentId", model.Int64)},
			PrimaryKey: dialect.Key{Name: "PK_EducationOrganizationClosure", Columns: []string{"AncestorDocumentId", "DescendantDocumentId"},
				Clustering: dialect.Clustered},
		},
		{
			Schema: AuthSchema,
			Name:   ClaimSetTable,
			Comment: "auth.EducationOrganizationIdClaimSet: the EdOrg ids of large claim sets, keyed by a digest of the ids " +
				"(written once per set by the runtime; its predicates join it instead of binding every id)",
			Columns: []dialect.Column{special("ClaimSetId", dialect.UUID, 0), col("EducationOrganizationId", model.Int64)},
			PrimaryKey: dialect.Key{Name: "PK_EducationOrganizationIdClaimSet", Columns: []string{"ClaimSetId", "EducationOrganizationId"},
				Clustering: dialect.Clustered},
		},
	}
	for i := range tables {
		if tables[i].Schema == "" {
			tables[i].Schema = CoreSchema
		}
	}
	return tables
}

// claimsTableType is the table type of claim id parameters on engines with
// table types (SQL Server: dms.BigIntTable).
func claimsTableType() dialect.Table {
	return dialect.Table{
		Schema: CoreSchema, Name: dms.BigIntTable,
		Comment:    "dms.BigIntTable: the table type of EdOrg id claim parameters (2,000 or more claims)",
		Columns:    []dialect.Column{col("Id", model.Int64)},
		PrimaryKey: key("", "Id"),
	}
}

// coreForeignKeys returns the core tables' foreign keys sorted by (table,
// name). Without multiple cascade paths (SQL Server) the edge's child FK is
// NO ACTION: the runtime refuses to delete a referenced document anyway,
// and the parent FK still removes a deleted document's own edges.
func coreForeignKeys(d dialect.Dialect) []dialect.ForeignKey {
	fk := func(table, name, column, target, targetColumn string, onDelete dialect.Action) dialect.ForeignKey {
		return dialect.ForeignKey{Schema: CoreSchema, Table: table, Name: name, Columns: []string{column},
			TargetSchema: CoreSchema, TargetTable: target, TargetColumns: []string{targetColumn}, OnDelete: onDelete}
	}
	childAction := dialect.Cascade
	if !d.MultipleCascadePaths() {
		childAction = dialect.NoAction
	}
	return []dialect.ForeignKey{
		fk(DescriptorTable, "FK_Descriptor_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(DocumentTable, "FK_Document_ResourceKey", "ResourceKeyId", ResourceKeyTable, "ResourceKeyId", dialect.NoAction),
		fk(DocumentCacheTable, "FK_DocumentCache_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(DocumentCacheQueueTable, "FK_DocumentCacheQueue_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(DocumentSubjectTable, "FK_DocumentSubject_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(EdOrgTable, "FK_EducationOrganization_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(EdOrgParentTable, "FK_EducationOrganizationParent_EducationOrganization", "DocumentId", EdOrgTable, "DocumentId", dialect.Cascade),
		fk(EdOrgParentTable, "FK_EducationOrganizationParent_Parent", "ParentDocumentId", EdOrgTable, "DocumentId", dialect.NoAction),
		fk(IdentityLockTable, "FK_IdentityLock_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(ReferenceEdgeTable, "FK_ReferenceEdge_ChildDocument", "ChildDocumentId", DocumentTable, "DocumentId", childAction),
		fk(ReferenceEdgeTable, "FK_ReferenceEdge_ParentDocument", "ParentDocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(ReferentialIdentityTable, "FK_ReferentialIdentity_Document", "DocumentId", DocumentTable, "DocumentId", dialect.Cascade),
		fk(RuntimeManifestTable, "FK_RuntimeManifest_EffectiveSchema", "EffectiveSchemaId", EffectiveSchemaTable, "EffectiveSchemaId", dialect.Cascade),
		fk(SchemaComponentTable, "FK_SchemaComponent_EffectiveSchema", "EffectiveSchemaId", EffectiveSchemaTable, "EffectiveSchemaId", dialect.Cascade),
	}
}

// coreIndexes returns the core tables' non-unique indexes sorted by (table,
// name).
func coreIndexes() []dialect.Index {
	return []dialect.Index{
		{Schema: CoreSchema, Table: DocumentTable, Name: "IX_Document_ResourceKeyId_DocumentId",
			Columns: []string{"ResourceKeyId", "DocumentId"}},
		{Schema: CoreSchema, Table: DocumentCacheTable, Name: "IX_DocumentCache_ResourceKeyId_LastModifiedAt_DocumentId",
			Columns: []string{"ResourceKeyId", "LastModifiedAt", "DocumentId"}},
		{Schema: CoreSchema, Table: DocumentCacheQueueTable, Name: "IX_DocumentCacheQueue_EnqueuedAt_DocumentId",
			Columns: []string{"EnqueuedAt", "DocumentId"}},
		{Schema: CoreSchema, Table: DocumentSubjectTable, Name: "IX_DocumentSubject_SubjectDocumentId",
			Columns: []string{"SubjectDocumentId"}, Include: []string{"DocumentId", "ElementOrdinal"}},
		{Schema: CoreSchema, Table: EdOrgParentTable, Name: "IX_EducationOrganizationParent_ParentDocumentId",
			Columns: []string{"ParentDocumentId"}},
		{Schema: CoreSchema, Table: ReferenceEdgeTable, Name: "IX_ReferenceEdge_ChildDocumentId_IsIdentityComponent",
			Columns: []string{"ChildDocumentId", "IsIdentityComponent"}, Include: []string{"ParentDocumentId"}},
		{Schema: AuthSchema, Table: ClosureTable, Name: "IX_EducationOrganizationClosure_DescendantDocumentId",
			Columns: []string{"DescendantDocumentId"}, Include: []string{"AncestorDocumentId"}},
	}
}
