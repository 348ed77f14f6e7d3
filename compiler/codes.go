package compiler

// Diagnostic codes reported by the compiler. They are stable.
const (
	CodeStringWithoutMaxLength    = "string-without-max-length"
	CodeDecimalFallback           = "decimal-without-precision"
	CodeUnsupportedShape          = "unsupported-shape"
	CodeBadReferencePaths         = "bad-reference-paths"
	CodeReferenceIdentityMismatch = "reference-identity-mismatch"
	CodeUnmappedReference         = "unmapped-reference"
	CodeUnmappedDescriptor        = "unmapped-descriptor"
	CodeUnmappedIdentity          = "unmapped-identity-path"
	CodeNullableIdentity          = "nullable-identity"
	CodeIdentityCycle             = "identity-cycle"
	CodeUnmappedUniqueness        = "unmapped-uniqueness-path"
	CodeUnknownNameOverride       = "unknown-name-override"
	CodeBadNameOverride           = "bad-name-override"
	CodeNameCollision             = "name-collision"
	CodeAbstractMemberMissing     = "abstract-member-field"
	CodeAbstractTypeMismatch      = "abstract-type-mismatch"
	CodeAbstractNoMembers         = "abstract-without-members"
	CodeUnmappedQueryField        = "unmapped-query-field"
	CodeTableTooWide              = "table-too-wide"
	CodeWideRow                   = "wide-row"
	CodeResourceKeys              = "resource-keys"
)
