package relstore

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound reports that no document has the given id (or that the
// resource route is unknown). Servers map it to 404.
var ErrNotFound = errors.New("document not found")

// ErrETagMismatch reports that an If-Match value does not equal the
// document's current ETag. Servers map it to 412.
var ErrETagMismatch = errors.New("etag mismatch: the document was modified since it was read")

// Problem is one offending JSON path of a document.
type Problem struct {
	// Path is the absolute JSONPath with concrete indexes (`$.addresses[1].city`).
	Path string `json:"path"`
	// Message explains what is wrong.
	Message string `json:"message"`
}

// ValidationError lists every problem of an invalid document or request.
// Nothing was written. Servers map it to 400.
type ValidationError struct {
	Problems []Problem
}

// Error implements error.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.Message
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// UnresolvedReference is one reference whose target does not exist (or is
// not a member of the abstract resource it must belong to).
type UnresolvedReference struct {
	// Path is the reference object's path with concrete indexes.
	Path string `json:"path"`
	// Target is the referenced resource, `Project:Resource`.
	Target string `json:"target"`
	// Reason is "not found" or "not a member of <abstract resource>".
	Reason string `json:"reason"`
}

// ReferenceError reports references that do not resolve. Nothing was
// written. Servers map it to 409 (as DMS does).
type ReferenceError struct {
	Unresolved []UnresolvedReference
}

// Error implements error.
func (e *ReferenceError) Error() string {
	parts := make([]string, len(e.Unresolved))
	for i, u := range e.Unresolved {
		parts[i] = fmt.Sprintf("%s: %s %s", u.Path, u.Target, u.Reason)
	}
	return "unresolved reference: " + strings.Join(parts, "; ")
}

// UnresolvedDescriptor is one descriptor URI that does not resolve to a
// descriptor of the expected type.
type UnresolvedDescriptor struct {
	// Path is the descriptor's path with concrete indexes.
	Path string `json:"path"`
	// URI is the value the document holds.
	URI string `json:"uri"`
	// Expected is the descriptor resource the path requires.
	Expected string `json:"expected"`
	// Found names the descriptor resource that does hold URI ("" when no
	// descriptor has it): a wrong descriptor type.
	Found string `json:"found,omitempty"`
}

// DescriptorError reports descriptor values that do not resolve (kept
// distinct from references). Nothing was written. Servers map it to 400.
type DescriptorError struct {
	Unresolved []UnresolvedDescriptor
}

// Error implements error.
func (e *DescriptorError) Error() string {
	parts := make([]string, len(e.Unresolved))
	for i, u := range e.Unresolved {
		if u.Found != "" {
			parts[i] = fmt.Sprintf("%s: %q is a %s, not a %s", u.Path, u.URI, u.Found, u.Expected)
		} else {
			parts[i] = fmt.Sprintf("%s: %q is not a known %s", u.Path, u.URI, u.Expected)
		}
	}
	return "unresolved descriptor: " + strings.Join(parts, "; ")
}

// ConflictError reports a write that would make two documents share a
// natural key or an array item repeat a uniqueness key. Nothing was
// written. Servers map it to 409.
type ConflictError struct {
	// Constraint names the violated key ("natural key" or a constraint).
	Constraint string
	// Paths are the JSON paths the key covers, when known.
	Paths   []string
	Message string
}

// Error implements error.
func (e *ConflictError) Error() string { return "conflict: " + e.Message }

// ReferencedError reports a delete blocked by documents that reference
// the document. Nothing was deleted. Servers map it to 409.
type ReferencedError struct {
	// Referrers are the referring resources, `Project:Resource`, sorted.
	Referrers []string
}

// Error implements error.
func (e *ReferencedError) Error() string {
	return "the document is referenced by " + strings.Join(e.Referrers, ", ")
}

// FingerprintError reports that the database was provisioned for another
// effective schema than the manifest's.
type FingerprintError struct {
	// Database is the hash in dms.EffectiveSchema ("" when none).
	Database string
	// Manifest is the manifest's effective schema hash.
	Manifest string
	// DatabaseMappingVersion and ManifestMappingVersion are the
	// relational mapping versions hashed into each ("" when unknown).
	DatabaseMappingVersion, ManifestMappingVersion string
}

// Error implements error.
func (e *FingerprintError) Error() string {
	if e.Database == "" {
		return fmt.Sprintf("fingerprint mismatch: the database has no dms.EffectiveSchema row; the manifest expects %s (provision it first)", e.Manifest)
	}
	msg := fmt.Sprintf("fingerprint mismatch: the database holds effective schema %s, the manifest expects %s", e.Database, e.Manifest)
	if e.MappingVersionDiffers() {
		msg += fmt.Sprintf(" (mapping version %s in the database, %s in the manifest)", e.DatabaseMappingVersion, e.ManifestMappingVersion)
	}
	return msg
}

// MappingVersionDiffers reports whether the two sides were hashed with
// different relational mapping versions (for one schema set: a database
// provisioned by another dmsc version).
func (e *FingerprintError) MappingVersionDiffers() bool {
	return e.DatabaseMappingVersion != "" && e.ManifestMappingVersion != "" && e.DatabaseMappingVersion != e.ManifestMappingVersion
}

// CoreTablesError reports a database whose fingerprint matches the
// manifest it was opened with (its own stored one) but which lacks core
// tables this dmsc uses: it was provisioned by an older dmsc.
type CoreTablesError struct {
	// Missing lists the absent tables, quoted ("dms"."DocumentCacheQueue").
	Missing []string
	// MappingVersion is the database's relational mapping version.
	MappingVersion string
}

// Error implements error.
func (e *CoreTablesError) Error() string {
	return fmt.Sprintf("the database lacks core tables this dmsc uses (%s): it was provisioned by an older dmsc (mapping version %s)", strings.Join(e.Missing, ", "), e.MappingVersion)
}

// TransientError reports a write that kept failing with deadlocks,
// serialization failures or concurrent identity changes after every retry.
// Servers map it to 503.
type TransientError struct {
	Attempts int
	Err      error
}

// Error implements error.
func (e *TransientError) Error() string {
	return fmt.Sprintf("transient failure after %d attempts: %v", e.Attempts, e.Err)
}

// Unwrap returns the last cause.
func (e *TransientError) Unwrap() error { return e.Err }

// StatusCode maps an error of this package to the HTTP status a server
// should answer with: 400, 404, 409, 412, 503, or 500 for anything else.
func StatusCode(err error) int {
	var (
		ve *ValidationError
		re *ReferenceError
		de *DescriptorError
		ce *ConflictError
		hc *HierarchyCycleError
		rf *ReferencedError
		te *TransientError
		ue *UnavailableError
	)
	var fe *ForbiddenError
	switch {
	case err == nil:
		return 200
	case errors.As(err, &fe):
		return fe.Status
	case errors.Is(err, ErrNotFound):
		return 404
	case errors.Is(err, ErrETagMismatch):
		return 412
	case errors.As(err, &ve), errors.As(err, &de):
		return 400
	case errors.As(err, &re), errors.As(err, &ce), errors.As(err, &rf), errors.As(err, &hc):
		return 409
	case errors.As(err, &te), errors.As(err, &ue):
		return 503
	}
	return 500
}
