package relstore

import (
	"time"
)

// Options tune a Store.
type Options struct {
	// VerifyEdges recomputes the written document's dms.ReferenceEdge set
	// from its stored FK columns inside each write and fails the write when
	// it differs from the maintained set (meant for tests and audits).
	VerifyEdges bool
	// MaxAttempts bounds the attempts of a write that hits deadlocks,
	// serialization failures or concurrent identity changes (default 5).
	MaxAttempts int
	// DescriptorURIUpdates lets a PUT change a descriptor's namespace or
	// codeValue (its URI) even though descriptor resources do not allow
	// identity updates; the change cascades like any identity change.
	DescriptorURIUpdates bool
	// DescriptorJoins reads descriptor URIs by joining dms.Descriptor in
	// every read statement instead of mapping descriptor ids to URIs from
	// the store's in-memory map (see descriptoruris.go; the map needs
	// dms.DescriptorUriGeneration, and a database without it reads by
	// joins anyway). Meant for comparisons and tests.
	DescriptorJoins bool
	// DocumentCache serves GET and query pages from dms.DocumentCache rows
	// and stores the body a GET assembles on a miss (read-through). A row
	// exists only at its document's current Etag: every write that bumps
	// an Etag deletes the row, and a body is stored only while its
	// document is still at the Etag it was read at (cache.go), so a
	// cached GET reads one row by DocumentUuid and a stale body is never
	// served. A cached body is the assembled body byte for byte. Open
	// removes the rows whose Etag is not their document's (a writer of an
	// older dmsc kept no invariant). Writes keep the invariant whether
	// or not this is set.
	DocumentCache bool
	// RequireGrant refuses every Get, Query, Upsert, Update and Delete
	// whose context carries no grant (WithGrant) with ErrNoGrant, so that
	// a server cannot reach the documents past its authorization by
	// forgetting one.
	RequireGrant bool
	// VerifyAuthRows recomputes, inside each write, the derived
	// authorization rows of the written document (its dms.DocumentSubject
	// rows; for an EdOrg its dms.EducationOrganization and parent rows and
	// the closure of its subtree) from its stored rows and fails the write
	// when they differ from the maintained ones (meant for tests and
	// audits).
	VerifyAuthRows bool
	// ClaimSetMinimum is the number of EdOrg ids from which a grant's
	// claims are stored once as a claim set (auth.EducationOrganizationIdClaimSet,
	// keyed by a digest of the ids) and read from there by the statements,
	// instead of being bound as a bigint[] on every statement: 0 means
	// DefaultClaimSetMinimum, a negative value never. The first call of a
	// process with a claim set writes it (one more round trip); a
	// database without the table (provisioned before it existed) binds
	// the ids as before.
	ClaimSetMinimum int
	// Observer, when set, receives what writes observe of their own
	// work: retries and the time of their locking round trip.
	Observer Observer
	// ReadShapes is the number of documents whose read shape — which of
	// their tables hold rows — the store remembers, so that a GET without
	// a grant reads those tables alone (readshape.go; ShapeStats counts
	// the outcomes): 0 means DefaultReadShapes, a negative value none.
	ReadShapes int
}

// DefaultClaimSetMinimum is Options.ClaimSetMinimum's default: from 1,000
// EdOrg ids a grant's claims are read from a stored claim set (at 10,000
// ids the bigint[] parameter was 120 KB per statement, and decoding it
// took the server about 0.35 ms).
const DefaultClaimSetMinimum = 1000

// WriteResult describes a successful Upsert or Update.
type WriteResult struct {
	// ID is the document's DocumentUuid.
	ID string
	// Created is true when Upsert inserted a new document (HTTP 201) and
	// false when it updated the document with the same natural key (200).
	Created bool
	// ETag is the new `_etag`.
	ETag string
	// LastModified is the new `_lastModifiedDate` (UTC).
	LastModified time.Time
	// Pruned lists the paths of properties the mapping does not know,
	// removed before storing (overposting), sorted.
	Pruned []string
	// Edges counts the dms.ReferenceEdge rows the write changed.
	Edges EdgeStats
	// Cascade describes the identity cascade of an update that changed
	// the document's identity (zero otherwise).
	Cascade CascadeStats
	// uri is the new descriptor's Uri, noted in the descriptor URI map
	// once the write commits.
	uri writtenURI
	// uriChanged: the update changed the descriptor's Uri.
	uriChanged bool
}

// EdgeStats counts dms.ReferenceEdge rows written by one write.
type EdgeStats struct {
	Inserted, Updated, Deleted int64
}

// Document is one stored document as the API returns it.
type Document struct {
	// ID is the DocumentUuid.
	ID string
	// ETag is the `_etag` value.
	ETag string
	// LastModified is `_lastModifiedDate`.
	LastModified time.Time
	// JSON is the assembled body including id, _etag and _lastModifiedDate.
	JSON []byte
}

// Filter is one query parameter: a query field name and its value as the
// client wrote it.
type Filter struct {
	Name  string
	Value string
}

// QueryOptions select and page documents of one resource.
type QueryOptions struct {
	// Filters are ANDed; each Name must be one of the resource's query
	// fields.
	Filters []Filter
	// Offset skips documents (offset paging); ignored when After is set.
	Offset int
	// Limit caps the page (default 25, at most 500).
	Limit int
	// After is the keyset cursor of a previous Page.Next: the page starts
	// after that document.
	After string
	// TotalCount asks for the number of matching documents.
	TotalCount bool
}

// Page is one page of a Query.
type Page struct {
	// Documents are in ascending storage order.
	Documents []Document
	// Total is the number of matching documents, -1 unless asked for.
	Total int64
	// Next is the keyset cursor for the following page ("" when the page
	// was not full).
	Next string
}
