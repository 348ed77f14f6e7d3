package runtime

import (
	"context"
	"errors"
)

var errTODO = errors.New("runtime: not implemented yet")

// Upsert stores body as a document of the resource at
// /{projectEndpoint}/{endpoint} with POST semantics: a new natural key
// creates a document (Created), an existing one updates that document.
func (s *Store) Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (WriteResult, error) {
	return WriteResult{}, errTODO
}

// Update replaces the document id with body (PUT). ifMatch, when not "",
// must equal the document's current ETag.
func (s *Store) Update(ctx context.Context, projectEndpoint, endpoint, id string, body []byte, ifMatch string) (WriteResult, error) {
	return WriteResult{}, errTODO
}

// Get returns the document id of the resource.
func (s *Store) Get(ctx context.Context, projectEndpoint, endpoint, id string) (Document, error) {
	return Document{}, errTODO
}

// Query returns one page of the resource's documents matching q.
func (s *Store) Query(ctx context.Context, projectEndpoint, endpoint string, q QueryOptions) (Page, error) {
	return Page{}, errTODO
}

// Delete removes the document id. ifMatch, when not "", must equal the
// document's current ETag.
func (s *Store) Delete(ctx context.Context, projectEndpoint, endpoint, id, ifMatch string) error {
	return errTODO
}
