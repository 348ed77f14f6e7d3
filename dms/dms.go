// Package dms names the core tables of the relational store (schema
// `dms`) and fixes the widths of the descriptor fields, which the DDL
// creates and the runtime validates against: one source for both.
package dms

// Schema is the schema of the core tables.
const Schema = "dms"

// AuthSchema is the schema of the authorization closure and views.
const AuthSchema = "auth"

// Core table names, in creation order.
const (
	// ResourceKey holds one smallint id per resource.
	ResourceKey = "ResourceKey"
	// Document holds one metadata row per document.
	Document = "Document"
	// ReferentialIdentity maps ReferentialIds to documents.
	ReferentialIdentity = "ReferentialIdentity"
	// Descriptor holds every descriptor document.
	Descriptor = "Descriptor"
	// ReferenceEdge is the reverse-reference index.
	ReferenceEdge = "ReferenceEdge"
	// IdentityLock holds one lock row per document.
	IdentityLock = "IdentityLock"
	// EffectiveSchema holds the provisioned schema set's fingerprint.
	EffectiveSchema = "EffectiveSchema"
	// SchemaComponent holds the projects of each effective schema.
	SchemaComponent = "SchemaComponent"
	// RuntimeManifest holds the runtime mapping manifest that `dmsc ddl
	// provision` stored with each effective schema, so that a runtime can
	// open a provisioned database without the ApiSchema files.
	RuntimeManifest = "RuntimeManifest"
	// DocumentCache is the optional JSON projection.
	DocumentCache = "DocumentCache"
	// DocumentCacheQueue lists the documents whose DocumentCache row
	// writers made missing or stale, oldest first: the projector claims
	// from it instead of comparing every document with its cache row.
	DocumentCacheQueue = "DocumentCacheQueue"
	// EducationOrganization holds one row per EdOrg document (its
	// EducationOrganizationId), for authorization.
	EducationOrganization = "EducationOrganization"
	// EducationOrganizationParent holds each EdOrg's parent EdOrgs.
	EducationOrganizationParent = "EducationOrganizationParent"
	// DocumentSubject holds the subjects of transitive securable elements.
	DocumentSubject = "DocumentSubject"
	// AuthLock is the one-row lock serialising EdOrg hierarchy changes.
	AuthLock = "AuthLock"
)

// Authorization objects outside the core tables.
const (
	// EducationOrganizationClosure (schema auth) holds every (ancestor,
	// descendant) pair of the EdOrg hierarchy, self pairs included.
	EducationOrganizationClosure = "EducationOrganizationClosure"
	// EducationOrganizationIdClaimSet (schema auth) holds the EdOrg ids of
	// large claim sets, keyed by a digest of the ids: the runtime writes a
	// set once and its authorization predicates join it instead of binding
	// every id on every statement.
	EducationOrganizationIdClaimSet = "EducationOrganizationIdClaimSet"
	// BigIntTable is SQL Server's table type for claim id parameters.
	BigIntTable = "BigIntTable"
	// DescriptorUriGeneration (schema dms) holds one row whose Generation
	// every write that changes a stored descriptor's Uri increments in its
	// transaction: a runtime that maps descriptor ids to URIs in memory
	// reads it in the same statement as the ids, so it never serves a URI
	// its snapshot does not hold.
	DescriptorUriGeneration = "DescriptorUriGeneration"
)

// Tables lists the core tables in creation order.
func Tables() []string {
	return []string{ResourceKey, Document, ReferentialIdentity, Descriptor, ReferenceEdge, IdentityLock, EffectiveSchema, SchemaComponent, RuntimeManifest, DocumentCache, DocumentCacheQueue,
		EducationOrganization, EducationOrganizationParent, DocumentSubject, AuthLock}
}

// The widths (characters) of dms.Descriptor's string columns.
const (
	NamespaceLength        = 255
	CodeValueLength        = 50
	ShortDescriptionLength = 75
	DescriptionLength      = 1024
	// URILength holds namespace + '#' + codeValue.
	URILength = NamespaceLength + 1 + CodeValueLength
)
