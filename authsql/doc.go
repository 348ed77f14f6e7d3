// Package authsql turns an authorization decision into the SQL predicate
// that filters one resource's documents (spec 70-authorization.md,
// "Strategies" and "Operations and errors").
//
// Build takes the runtime manifest (its dialect decides the SQL), a
// resource of it, the predicate tree of an authz.Decision and the shape of
// the caller's grant (how many EdOrg claims and namespace prefixes it
// binds, and under which parameter names) and returns a boolean SQL
// expression over the alias r: the resource's root relation (RootRelation:
// its root table, or dms.Descriptor for a descriptor). Embed it in any
// statement that has r, for example
//
//	SELECT r."DocumentId" FROM edfi."StudentSchoolAssociation" r WHERE <predicate>
//
// # Strategies
//
// The tree is walked as authz builds it: relationship strategies ORed, that
// disjunction and every other strategy ANDed; NoFurtherAuthorizationRequired
// alone is TRUE. A relationship strategy checks the resource's securable
// elements of its subject kinds (authz.Strategy.Subjects) and all of them
// must hold (ANDed), whatever their kind; NamespaceBased checks every
// Namespace element (ANDed). Each element becomes, by its compiled site
// (manifest.Site):
//
//   - self: r."DocumentId" compared with the document column of the view
//     (an EdOrg document, a person document); a namespace compared on r
//     itself (a descriptor's dms.Descriptor."Namespace");
//   - direct: the root FK column of the first hop (r."School_DocumentId")
//     compared with the view's document column; a namespace through a
//     reference reads the referenced document's root table (its holder);
//   - transitive: the subject document kept in dms.DocumentSubject for the
//     element's ordinal;
//   - value: a root EdOrg id that is no reference, compared with the claims
//     and the EdOrg-id closure (auth.EducationOrganizationIdToEducationOrganizationId).
//
// EdOrg subjects use auth.EducationOrganizationIdToEdOrgDocumentId, or its
// …Inverted twin (a claim reaches its ancestors) under the *Inverted
// strategies; students use …ToStudentDocumentId, or
// …ToStudentDocumentIdThroughResponsibility under
// RelationshipsWithStudentsOnlyThroughResponsibility; contacts and staff
// use …ToContactDocumentId and …ToStaffDocumentId. A NULL subject (an
// optional reference left out) never matches: the comparison is unknown,
// which WHERE and CASE WHEN treat as false.
//
// Namespace prefixes match as SQL LIKE patterns: bind LikePatterns(prefixes)
// (each prefix with \ % _ [ escaped by a backslash and % appended), not
// the prefixes themselves. Matching is case-sensitive in both dialects
// (SQL Server compares under a binary collation).
//
// # Dialects
//
// PostgreSQL binds the claims as one bigint[] parameter and the patterns as
// one text[] parameter (Shape.ClaimsParam "$1", Shape.PrefixesParam "$2":
// `= ANY($1::bigint[])`, `LIKE ANY($2::text[])`). SQL Server (generated and
// golden-tested; the runtime is PostgreSQL-only today) binds each claim as
// its own parameter (@c0, @c1, …) while there are fewer than
// MSSQLMaxListClaims of them, else the claims as one dms.BigIntTable
// table-valued parameter (`IN (SELECT [Id] FROM @claims)`; also when a tree
// checks both claims and prefixes and their counts together reach
// MSSQLMaxListClaims, so a request stays under SQL Server's 2,100
// parameters); each pattern is
// its own parameter (@p0, @p1, …: `LIKE @p0 ESCAPE '\'`), and
// MSSQLMaxPrefixes or more prefixes are an error (500). Result tells the
// caller what to bind.
//
// On PostgreSQL a large claim list may instead be stored once as a claim
// set, rows of auth.EducationOrganizationIdClaimSet under one uuid
// (ClaimSetId): with Shape.ClaimSetParam the claims test reads
// `x IN (SELECT g."EducationOrganizationId" FROM
// auth."EducationOrganizationIdClaimSet" g WHERE g."ClaimSetId" = $N::uuid)`
// and binds the uuid alone. The caller writes the set before it uses it.
//
// # Errors
//
// Build fails with an *Error whose Status and ProblemType are the
// response's: 500 (urn:ed-fi:api:system:configuration:security) for a
// strategy none of whose subjects the resource has, for a person subject
// when the schema has no person views, for an unknown strategy and for
// too many prefixes on SQL Server; 501 for OwnershipBased; 403 for a
// relationship strategy with no EdOrg claims or NamespaceBased with no
// namespace prefixes (worded as upstream DMS words them).
//
// # Upstream semantics
//
// Facts this package follows, from the Ed-Fi sources:
//
//   - Ed-Fi-Alliance-OSS/Data-Management-Service,
//     src/dms/core/EdFi.DataManagementService.Core/Security/AuthorizationValidation/RelationshipsBasedAuthorizationHelper.cs
//     (ValidateEdOrgAuthorization): "Token must have access to *all*
//     edOrg hierarchies": every EdOrg element must be reached, a claim
//     reaching the element's EdOrg id or one of its ancestors (the value
//     form's `= claims OR IN closure`).
//   - same repository, …/RelationshipsWithEdOrgsAndPeopleValidator.cs: the
//     EdOrg check and each person kind the resource has (HasSecurable) are
//     all required; a kind the resource lacks is skipped. The person checks
//     there look at the first element of a kind only (Student[0]); dmsc
//     requires every element of every kind (the spec's "Subjects (ANDed)"),
//     which equals upstream for every DS 5.0 resource (none has two
//     elements of one person kind) and is stricter otherwise.
//   - same repository, …/AuthorizationValidation/NamespaceBasedValidator.cs:
//     every Namespace element must start with one of the prefixes
//     (TrueForAll/Exists). Upstream compares ignoring case
//     (InvariantCultureIgnoreCase); dmsc's LIKE is case-sensitive (the
//     spec's binary collation), a deliberate difference.
//   - same repository, …/AuthorizationFilters/RelationshipsFiltersProvider.cs
//     and NamespaceBasedFiltersProvider.cs: a caller with no EdOrg ids
//     (no namespace prefixes) under such a strategy is refused (403) with
//     the messages NoClaimsMessage and NoPrefixesMessage quote.
//   - Ed-Fi-Alliance-OSS/Ed-Fi-ODS,
//     Application/EdFi.Ods.Api/Security/AuthorizationStrategies/Relationships/RelationshipsAuthorizationStrategyBase.cs:
//     ODS/API 7 builds one filter per authorization subject endpoint of a
//     relationship strategy and combines them with FilterOperator.Or, a
//     looser rule than DMS's; dmsc follows DMS and the spec (AND).
//
// The package imports only the standard library, manifest and authz: it is
// runtime code and works from a manifest alone.
package authsql
