package runtimebench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// Get returns the document id of the resource in one round trip. The body
// is returned as PostgreSQL renders the jsonb value, with id, _etag and
// _lastModifiedDate added (the legacy store kept them inside the body).
func (s *JSONBStore) Get(ctx context.Context, projectEndpoint, endpoint, id string) (relstore.Document, error) {
	p, err := s.plan(projectEndpoint, endpoint)
	if err != nil {
		return relstore.Document{}, err
	}
	var d relstore.Document
	var etag int64
	var body []byte
	err = s.db.QueryRow(ctx, `SELECT document_uuid::text, etag, last_modified, body FROM document
WHERE document_uuid = $1 AND resource_name = $2`, id, p.name).Scan(&d.ID, &etag, &d.LastModified, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("%w: %s", relstore.ErrNotFound, id)
	}
	if err != nil {
		return d, fmt.Errorf("runtimebench: get %s: %w", id, err)
	}
	d.ETag = strconv.FormatInt(etag, 10)
	d.LastModified = d.LastModified.UTC()
	d.JSON = withMetadata(body, d)
	return d, nil
}

// JSONBQuery selects one page of a resource's documents.
type JSONBQuery struct {
	// Contains is a JSON object the body must contain (`body @> Contains`);
	// empty matches every document.
	Contains []byte
	// Limit caps the page (default 25).
	Limit int
	// After is a previous page's Next cursor.
	After string
}

// Query returns one page of the resource's documents matching q in storage
// order, in one round trip. The filter is JSONB containment, as in the
// legacy store's query handler; the GIN index serves it on large tables
// (at the benchmark corpus's size PostgreSQL prefers a sequential scan).
func (s *JSONBStore) Query(ctx context.Context, projectEndpoint, endpoint string, q JSONBQuery) (relstore.Page, error) {
	page := relstore.Page{Total: -1}
	p, err := s.plan(projectEndpoint, endpoint)
	if err != nil {
		return page, err
	}
	if q.Limit <= 0 {
		q.Limit = 25
	}
	contains := q.Contains
	if len(contains) == 0 {
		contains = []byte("{}")
	}
	var after int64
	if q.After != "" {
		if after, err = strconv.ParseInt(q.After, 10, 64); err != nil {
			return page, fmt.Errorf("runtimebench: bad cursor %q", q.After)
		}
	}
	rows, err := s.db.Query(ctx, `SELECT id, document_uuid::text, etag, last_modified, body FROM document
WHERE resource_name = $1 AND body @> $2::jsonb AND id > $3
ORDER BY id LIMIT $4`, p.name, string(contains), after, q.Limit)
	if err != nil {
		return page, fmt.Errorf("runtimebench: query %s: %w", p.name, err)
	}
	var last, etag int64
	var body []byte
	var d relstore.Document
	_, err = pgx.ForEachRow(rows, []any{&last, &d.ID, &etag, &d.LastModified, &body}, func() error {
		d.ETag = strconv.FormatInt(etag, 10)
		d.LastModified = d.LastModified.UTC()
		d.JSON = withMetadata(body, d)
		page.Documents = append(page.Documents, d)
		return nil
	})
	if err != nil {
		return page, fmt.Errorf("runtimebench: query %s: %w", p.name, err)
	}
	if len(page.Documents) == q.Limit {
		page.Next = strconv.FormatInt(last, 10)
	}
	return page, nil
}

// withMetadata returns body (a JSON object) with id, _etag and
// _lastModifiedDate inserted first.
func withMetadata(body []byte, d relstore.Document) []byte {
	out := make([]byte, 0, len(body)+120)
	out = append(out, `{"id":"`...)
	out = append(out, d.ID...)
	out = append(out, `","_etag":"`...)
	out = append(out, d.ETag...)
	out = append(out, `","_lastModifiedDate":"`...)
	out = d.LastModified.AppendFormat(out, "2006-01-02T15:04:05Z")
	out = append(out, '"')
	rest := strings.TrimSpace(string(body))
	rest = strings.TrimPrefix(rest, "{")
	if strings.TrimSpace(rest) != "}" {
		out = append(out, ',')
	}
	return append(out, rest...)
}
