package migrate

import (
	"slices"
	"sort"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// Finding codes of a preflight. They are stable: scripts match them.
const (
	// CodeProjectMissing: the legacy project is not in the schema set.
	CodeProjectMissing = "project-missing"
	// CodeResourceMissing: the project is there but not the resource.
	CodeResourceMissing = "resource-missing"
	// CodeProjectVersion: the documents were written under another
	// version of the project than the schema set's.
	CodeProjectVersion = "project-version-mismatch"
	// CodeIntegerOutOfRange, CodeDecimalOutOfRange, CodeStringTooLong and
	// CodeDateOutOfRange: a value the relational column cannot hold.
	CodeIntegerOutOfRange = relstore.CodeIntegerOutOfRange
	CodeDecimalOutOfRange = relstore.CodeDecimalOutOfRange
	CodeStringTooLong     = relstore.CodeStringTooLong
	CodeDateOutOfRange    = relstore.CodeDateOutOfRange
	// CodeInvalidDocument: any other problem the runtime's validation
	// finds (required value missing, wrong type, pattern, uniqueness …).
	CodeInvalidDocument = relstore.CodeInvalidDocument
	// CodeIdentityConflict: the document's natural key (or superclass
	// alias), computed the current way, is another legacy document's too.
	CodeIdentityConflict = "identity-conflict"
	// CodeUnresolvedReference and CodeUnresolvedDescriptor: a reference or
	// descriptor whose current ReferentialId names no legacy document.
	CodeUnresolvedReference  = "unresolved-reference"
	CodeUnresolvedDescriptor = "unresolved-descriptor"
	// CodeReferencesRejected: the document references a document the
	// target cannot hold, so it cannot be written either.
	CodeReferencesRejected = "references-rejected-document"
	// CodeReferenceDiffers (warning): the documents the runtime resolves
	// the references to differ from the legacy dms.Reference rows.
	CodeReferenceDiffers = "reference-differs"
	// CodeLateReference (warning): the document references a document
	// created after it (a reference added by a later update), so
	// creation order is not a load order for it.
	CodeLateReference = "late-reference"
	// CodePrunedProperty (warning): a property the schema set does not
	// know; the runtime drops it, so the migrated document would differ.
	CodePrunedProperty = "pruned-property"
)

// Finding is one reason a legacy document (or resource) cannot be
// migrated as it is.
type Finding struct {
	ResourceKey
	// DocumentUUID is the document's id; "" for a finding about the whole
	// resource.
	DocumentUUID string `json:"document,omitempty"`
	// Path is the JSONPath in the document, with concrete indexes.
	Path string `json:"path,omitempty"`
	// Value is the offending JSON value at Path (cut to 64 characters).
	Value string `json:"value,omitempty"`
	// Code is one of the Code* constants.
	Code string `json:"code"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Warning marks findings that do not stop the document from
	// migrating.
	Warning bool `json:"warning,omitempty"`
	// Documents counts the documents a resource-level finding covers.
	Documents int64 `json:"documents,omitempty"`
}

// Location is the finding's `file` part: `Project/Resource/DocumentUuid`
// (`Project/Resource` for a resource).
func (f Finding) Location() string {
	loc := f.ProjectName + "/" + f.ResourceName
	if f.DocumentUUID != "" {
		loc += "/" + f.DocumentUUID
	}
	return loc
}

// Diagnostic renders the finding in dmsc's diagnostic form
// (`Project/Resource/uuid:$.path: code: message`).
func (f Finding) Diagnostic() diag.Diagnostic {
	sev := diag.Error
	if f.Warning {
		sev = diag.Warning
	}
	return diag.Diagnostic{File: f.Location(), Path: f.Path, Code: f.Code, Message: f.Message, Severity: sev}
}

// String implements fmt.Stringer with Diagnostic's form.
func (f Finding) String() string { return f.Diagnostic().String() }

// ResourceReport is the preflight's summary of one legacy resource.
type ResourceReport struct {
	LegacyResource
	// Endpoint is the target's `/project/endpoint` ("" when the schema set
	// lacks the resource).
	Endpoint string `json:"endpoint,omitempty"`
	// Migratable counts the documents the target can hold.
	Migratable int64 `json:"migratable"`
	// Rejected counts the documents it cannot hold.
	Rejected int64 `json:"rejected"`
	// Deferred counts migratable documents whose references break
	// creation order within the load order (they must wait for their
	// targets).
	Deferred int64 `json:"deferred"`
	// Warned counts migratable documents with a warning.
	Warned int64 `json:"warned"`
}

// CodeCount is how many documents have a finding of one code (a document
// counts once per code).
type CodeCount struct {
	Code      string `json:"code"`
	Warning   bool   `json:"warning,omitempty"`
	Documents int64  `json:"documents"`
}

// Report is the outcome of Preflight.
type Report struct {
	// Legacy names the legacy database (never its DSN).
	Legacy string `json:"legacy"`
	// TimeZone is the legacy session's TimeZone, in which CreatedAt and
	// LastModifiedAt are recorded.
	TimeZone string `json:"legacy_time_zone"`
	// Snapshot is the legacy transaction snapshot the preflight read.
	Snapshot string `json:"legacy_snapshot"`
	// EffectiveSchemaHash is the target schema set's.
	EffectiveSchemaHash string `json:"effective_schema_hash"`
	// Documents, Migratable, Rejected count the legacy documents.
	Documents  int64 `json:"documents"`
	Migratable int64 `json:"migratable"`
	Rejected   int64 `json:"rejected"`
	// Resources are sorted by project, resource and version.
	Resources []ResourceReport `json:"resources"`
	// Codes count the documents per finding code, sorted by code.
	Codes []CodeCount `json:"codes"`
	// Findings are sorted by project, resource, document, path, code.
	Findings []Finding `json:"findings"`
	// rejected are the rejected documents' ids, sorted.
	rejected []string
}

// OK reports whether every legacy document can be migrated (warnings
// allowed).
func (r *Report) OK() bool { return r.Rejected == 0 }

// RejectedDocuments returns the ids of every document the target cannot
// hold (those of resource-level findings included), sorted.
func (r *Report) RejectedDocuments() []string { return slices.Clone(r.rejected) }

// sortFindings orders findings for output.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.ProjectName != b.ProjectName:
			return a.ProjectName < b.ProjectName
		case a.ResourceName != b.ResourceName:
			return a.ResourceName < b.ResourceName
		case a.ResourceVersion != b.ResourceVersion:
			return a.ResourceVersion < b.ResourceVersion
		case a.DocumentUUID != b.DocumentUUID:
			return a.DocumentUUID < b.DocumentUUID
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Code != b.Code:
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}
