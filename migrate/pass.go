package migrate

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
)

// Pass is one read-only, repeatable-read transaction on the legacy store:
// every read sees the snapshot taken when it began.
type Pass struct {
	tx pgx.Tx
	// TimeZone is the legacy session's TimeZone setting: CreatedAt and
	// LastModifiedAt are timestamps without time zone in that zone (UTC by
	// convention only).
	TimeZone string
	// Snapshot is txid_current_snapshot() of the pass (for catch-up).
	Snapshot string
}

// Close ends the transaction (it wrote nothing).
func (p *Pass) Close(ctx context.Context) error { return p.tx.Rollback(ctx) }

// ResourceKey names a legacy resource as dms.Document does.
type ResourceKey struct {
	ProjectName  string `json:"project"`
	ResourceName string `json:"resource"`
	// ResourceVersion is the project version of the schema that wrote the
	// documents (`5.0.0`).
	ResourceVersion string `json:"version"`
}

// String renders `Project:Resource@Version`.
func (k ResourceKey) String() string {
	return k.ProjectName + ":" + k.ResourceName + "@" + k.ResourceVersion
}

// LegacyResource is one resource of the legacy store with its document
// count.
type LegacyResource struct {
	ResourceKey
	// IsDescriptor is dms.Document.IsDescriptor (of any of its documents).
	IsDescriptor bool `json:"descriptor"`
	// Documents counts its documents.
	Documents int64 `json:"documents"`
}

// Resources lists the legacy store's resources sorted by project, resource
// and version.
func (p *Pass) Resources(ctx context.Context) ([]LegacyResource, error) {
	rows, err := p.tx.Query(ctx, `SELECT ProjectName::text, ResourceName::text, ResourceVersion::text, bool_or(IsDescriptor), count(*)
FROM dms.Document GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("legacy database: listing resources: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (LegacyResource, error) {
		var lr LegacyResource
		err := r.Scan(&lr.ProjectName, &lr.ResourceName, &lr.ResourceVersion, &lr.IsDescriptor, &lr.Documents)
		return lr, err
	})
	if err != nil {
		return nil, fmt.Errorf("legacy database: listing resources: %w", err)
	}
	return out, nil
}

// Cursor is a position in a resource's creation order: the keyset
// (CreatedAt, DocumentPartitionKey, Id) of the last document read. The
// zero Cursor is the start.
type Cursor struct {
	CreatedAt    time.Time `json:"created_at"`
	PartitionKey int16     `json:"partition_key"`
	ID           int64     `json:"id"`
}

// IsZero reports the start of a resource.
func (c Cursor) IsZero() bool { return c.CreatedAt.IsZero() && c.PartitionKey == 0 && c.ID == 0 }

// Document is one legacy document.
type Document struct {
	// UUID is DocumentUuid, the `id` clients know.
	UUID string
	// Key is the document's keyset position (CreatedAt, partition, Id).
	Key Cursor
	// LastModifiedAt and LastModifiedTraceID are the change token the
	// catch-up compares.
	LastModifiedAt      time.Time
	LastModifiedTraceID string
	// Created and Modified are CreatedAt and LastModifiedAt as instants:
	// the timestamps without time zone read in the legacy session's
	// TimeZone (CreatedAt and LastModifiedAt keep the stored wall-clock
	// values, in UTC's location, for keysets and change tokens).
	Created, Modified time.Time
	// EdfiDoc is the stored body: the document plus id, _etag and
	// _lastModifiedDate.
	EdfiDoc []byte
}

const (
	documentColumns = `SELECT DocumentUuid::text, CreatedAt, DocumentPartitionKey, Id, LastModifiedAt, LastModifiedTraceId::text, EdfiDoc::text,
  CreatedAt::timestamptz AS created, LastModifiedAt::timestamptz AS modified
FROM dms.Document WHERE ProjectName = $1 AND ResourceName = $2 AND ResourceVersion = $3`
	documentOrder = ` ORDER BY CreatedAt, DocumentPartitionKey, Id LIMIT `
	firstPageSQL  = documentColumns + documentOrder + `$4`
	nextPageSQL   = documentColumns + ` AND (CreatedAt, DocumentPartitionKey, Id) > ($4, $5, $6)` + documentOrder + `$7`
)

// Documents returns at most limit documents of resource r after cursor
// after (the zero Cursor: from the start) in creation order: ascending
// (CreatedAt, DocumentPartitionKey, Id), the keyset the legacy index
// (ResourceName, CreatedAt) serves. Fewer than limit means the end.
func (p *Pass) Documents(ctx context.Context, r ResourceKey, after Cursor, limit int) ([]Document, error) {
	var rows pgx.Rows
	var err error
	if after.IsZero() {
		rows, err = p.tx.Query(ctx, firstPageSQL, r.ProjectName, r.ResourceName, r.ResourceVersion, limit)
	} else {
		rows, err = p.tx.Query(ctx, nextPageSQL, r.ProjectName, r.ResourceName, r.ResourceVersion,
			after.CreatedAt, after.PartitionKey, after.ID, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("legacy database: reading %s: %w", r, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Document, error) {
		var d Document
		var body string
		err := row.Scan(&d.UUID, &d.Key.CreatedAt, &d.Key.PartitionKey, &d.Key.ID, &d.LastModifiedAt, &d.LastModifiedTraceID, &body, &d.Created, &d.Modified)
		d.EdfiDoc = []byte(body)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("legacy database: reading %s: %w", r, err)
	}
	return out, nil
}

// ReferencePair is one distinct (parent, child) document pair of
// dms.Reference: the parent document references the child (descriptors
// included; an abstract reference names the concrete child).
type ReferencePair struct {
	Parent, Child string // DocumentUuid
	// ChildCreatedLater reports that the child comes after the parent in
	// creation order (CreatedAt, DocumentPartitionKey, Id): the reference
	// was added by a later update of the parent.
	ChildCreatedLater bool
}

// referencePairsFrom joins each dms.Reference row to its parent (pd) and
// child (cd) documents.
const referencePairsFrom = `FROM dms.Reference r
JOIN dms.Document pd ON pd.DocumentPartitionKey = r.ParentDocumentPartitionKey AND pd.Id = r.ParentDocumentId
JOIN dms.Document cd ON cd.DocumentPartitionKey = r.ReferencedDocumentPartitionKey AND cd.Id = r.ReferencedDocumentId`

// referencePairsSQL reads the distinct pairs of dms.Reference, ordered
// by the uuids (not their text: the order would be the collation's).
const referencePairsSQL = `SELECT DISTINCT ON (pd.DocumentUuid, cd.DocumentUuid) pd.DocumentUuid::text, cd.DocumentUuid::text,
  (cd.CreatedAt, cd.DocumentPartitionKey, cd.Id) > (pd.CreatedAt, pd.DocumentPartitionKey, pd.Id)
` + referencePairsFrom + `
ORDER BY pd.DocumentUuid, cd.DocumentUuid`

// ReferencePairs calls fn for every distinct document pair of
// dms.Reference, ordered by parent and child DocumentUuid (the uuids
// themselves, bytewise: the order Go compares their lowercase text in).
func (p *Pass) ReferencePairs(ctx context.Context, fn func(ReferencePair) error) error {
	rows, err := p.tx.Query(ctx, referencePairsSQL)
	if err != nil {
		return fmt.Errorf("legacy database: reading dms.Reference: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rp ReferencePair
		if err := rows.Scan(&rp.Parent, &rp.Child, &rp.ChildCreatedLater); err != nil {
			return fmt.Errorf("legacy database: reading dms.Reference: %w", err)
		}
		if err := fn(rp); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("legacy database: reading dms.Reference: %w", err)
	}
	return nil
}

// ResourcePair is a distinct (parent, child) document pair of
// dms.Reference with the parent's legacy resource.
type ResourcePair struct {
	Parent, Child string // DocumentUuid
	// ParentResource is the parent document's legacy resource.
	ParentResource ResourceKey
}

// resourcePairsSQL reads the distinct pairs of dms.Reference with the
// parent's resource, ordered as ReferencePairs.
const resourcePairsSQL = `SELECT DISTINCT ON (pd.DocumentUuid, cd.DocumentUuid) pd.DocumentUuid::text, cd.DocumentUuid::text,
  pd.ProjectName::text, pd.ResourceName::text, pd.ResourceVersion::text
` + referencePairsFrom + `
ORDER BY pd.DocumentUuid, cd.DocumentUuid`

// ResourcePairs returns every distinct document pair of dms.Reference
// with its parent's resource, ordered by parent and child DocumentUuid as
// ReferencePairs; the query runs when the sequence is walked.
func (p *Pass) ResourcePairs(ctx context.Context) iter.Seq2[ResourcePair, error] {
	return queryRows(ctx, p.tx, "legacy database: reading dms.Reference", func(rows pgx.Rows, rp *ResourcePair) error {
		return rows.Scan(&rp.Parent, &rp.Child, &rp.ParentResource.ProjectName, &rp.ParentResource.ResourceName, &rp.ParentResource.ResourceVersion)
	}, resourcePairsSQL)
}
