package migrate

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Token is a legacy document's narrow row: what a catch-up pass compares
// with the checkpoint, without the body.
type Token struct {
	// UUID is DocumentUuid.
	UUID string
	// Resource is the document's legacy resource.
	Resource ResourceKey
	// Key is the document's keyset position (creation order).
	Key Cursor
	// LastModifiedAt and LastModifiedTraceID are the change token as
	// stored.
	LastModifiedAt      time.Time
	LastModifiedTraceID string
}

// tokensSQL reads the narrow columns of every legacy document: no body,
// so a pass over a large store reads little. The rows come ordered by
// the DocumentUuid itself (a uuid sorts bytewise, the order Go compares
// its lowercase text in), never by its text (whose order is the
// collation's): ORDER BY names the table's column, d.DocumentUuid, as
// the bare name would be the output column, the text.
const tokensSQL = `SELECT DocumentUuid::text, ProjectName::text, ResourceName::text, ResourceVersion::text,
  CreatedAt, DocumentPartitionKey, Id, LastModifiedAt, LastModifiedTraceId::text
FROM dms.Document d ORDER BY d.DocumentUuid`

// Tokens returns every legacy document's narrow row, in DocumentUuid
// order; the query runs when the sequence is walked.
func (p *Pass) Tokens(ctx context.Context) iter.Seq2[Token, error] {
	return queryRows(ctx, p.tx, "legacy database: reading change tokens", scanToken, tokensSQL)
}

// scanToken reads one row of tokensSQL.
func scanToken(rows pgx.Rows, t *Token) error {
	return rows.Scan(&t.UUID, &t.Resource.ProjectName, &t.Resource.ResourceName, &t.Resource.ResourceVersion,
		&t.Key.CreatedAt, &t.Key.PartitionKey, &t.Key.ID, &t.LastModifiedAt, &t.LastModifiedTraceID)
}

// DocumentUUIDs returns the DocumentUuid of every legacy document, in
// DocumentUuid order (as Tokens); the query runs when the sequence is
// walked.
func (p *Pass) DocumentUUIDs(ctx context.Context) iter.Seq2[string, error] {
	return queryRows(ctx, p.tx, "legacy database: listing documents", func(rows pgx.Rows, id *string) error { return rows.Scan(id) }, documentUUIDsSQL)
}

// documentUUIDsSQL lists the legacy DocumentUuids ordered as tokensSQL.
const documentUUIDsSQL = `SELECT DocumentUuid::text FROM dms.Document d ORDER BY d.DocumentUuid`

// resourcesOfSQL reads the legacy resource of the documents of the id
// array $1 (partition keys $2).
const resourcesOfSQL = `SELECT d.DocumentUuid::text, d.ProjectName::text, d.ResourceName::text, d.ResourceVersion::text
FROM unnest($1::uuid[], $2::smallint[]) AS u(id, pk)
JOIN dms.Document d ON d.DocumentPartitionKey = u.pk AND d.DocumentUuid = u.id`

// ResourcesOf returns the legacy resource of each of ids that the
// snapshot holds, by DocumentUuid, through the legacy unique index
// (DocumentPartitionKey, DocumentUuid).
func (p *Pass) ResourcesOf(ctx context.Context, ids []string) (map[string]ResourceKey, error) {
	keys := make([]int16, len(ids))
	for i, id := range ids {
		keys[i] = partitionKey(id)
	}
	out := make(map[string]ResourceKey, len(ids))
	for row, err := range queryRows(ctx, p.tx, "legacy database: reading resources", scanResourceOf, resourcesOfSQL, ids, keys) {
		if err != nil {
			return nil, err
		}
		out[row.id] = row.res
	}
	return out, nil
}

// resourceOf is a row of resourcesOfSQL.
type resourceOf struct {
	id  string
	res ResourceKey
}

// scanResourceOf reads one row of resourcesOfSQL.
func scanResourceOf(rows pgx.Rows, r *resourceOf) error {
	return rows.Scan(&r.id, &r.res.ProjectName, &r.res.ResourceName, &r.res.ResourceVersion)
}

// byUUIDSQL reads the documents of the id array $1 (partition keys $2),
// in creation order.
const byUUIDSQL = `SELECT d.DocumentUuid::text, d.CreatedAt, d.DocumentPartitionKey, d.Id, d.LastModifiedAt, d.LastModifiedTraceId::text, d.EdfiDoc::text,
  d.CreatedAt::timestamptz, d.LastModifiedAt::timestamptz
FROM unnest($1::uuid[], $2::smallint[]) AS u(id, pk)
JOIN dms.Document d ON d.DocumentPartitionKey = u.pk AND d.DocumentUuid = u.id
ORDER BY d.CreatedAt, d.DocumentPartitionKey, d.Id`

// DocumentsByUUID returns the documents of ids that the snapshot holds,
// in creation order, through the legacy unique index
// (DocumentPartitionKey, DocumentUuid).
func (p *Pass) DocumentsByUUID(ctx context.Context, ids []string) ([]Document, error) {
	keys := make([]int16, len(ids))
	for i, id := range ids {
		keys[i] = partitionKey(id)
	}
	rows, err := p.tx.Query(ctx, byUUIDSQL, ids, keys)
	if err != nil {
		return nil, fmt.Errorf("legacy database: reading documents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Document, error) {
		var d Document
		var body string
		err := row.Scan(&d.UUID, &d.Key.CreatedAt, &d.Key.PartitionKey, &d.Key.ID, &d.LastModifiedAt, &d.LastModifiedTraceID, &body, &d.Created, &d.Modified)
		d.EdfiDoc = []byte(body)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("legacy database: reading documents: %w", err)
	}
	return out, nil
}

// partitionKey is the legacy DocumentPartitionKey of a DocumentUuid: the
// value of its last hex digit (upstream PartitionUtility: the last byte
// of Guid.ToByteArray() modulo 16).
func partitionKey(id string) int16 {
	if id == "" {
		return 0
	}
	v, err := strconv.ParseUint(id[len(id)-1:], 16, 8)
	if err != nil {
		return 0
	}
	return int16(v)
}
