package relstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/refid"
)

// ImportDocument is a document brought from another store (the legacy DMS
// JSONB store) with the metadata clients already know.
type ImportDocument struct {
	// UUID is the DocumentUuid to keep: the document's `id`.
	UUID string
	// CreatedAt is stored as dms.Document.CreatedAt.
	CreatedAt time.Time
	// LastModifiedAt is stored as dms.Document.LastModifiedAt: the
	// `_lastModifiedDate` GET returns (at seconds precision, UTC).
	LastModifiedAt time.Time
	// Body is the document; `id`, `_etag` and `_lastModifiedDate` in it
	// are ignored like any metadata of a write.
	Body []byte
}

// ImportItem is one document of an ImportBatch and its resource.
type ImportItem struct {
	// ProjectEndpoint and Endpoint name the resource as in the API path
	// (/{projectEndpoint}/{endpoint}).
	ProjectEndpoint, Endpoint string
	Document                  ImportDocument
	// Update makes the item replace the stored document whose
	// DocumentUuid is Document.UUID (PUT semantics by id: an identity
	// change cascades to the documents that reference it) instead of
	// creating one: its CreatedAt stays, its ETag is bumped and its
	// LastModifiedAt becomes Document.LastModifiedAt. A missing document
	// is ErrNotFound.
	Update bool
}

// ImportExistsError reports an import of a document the store already
// holds, by DocumentUuid or by natural key. An import never overwrites,
// not even with the same content: the caller knows what it copied (the
// migration's checkpoint). Servers map it to 409.
type ImportExistsError struct {
	// UUID is the imported document's id.
	UUID string
	// Existing is the id of the stored document with the same natural key
	// ("" when the DocumentUuid itself is taken).
	Existing string
	// Resource is `Project:Resource`.
	Resource string
}

// Error implements error.
func (e *ImportExistsError) Error() string {
	if e.Existing == "" || strings.EqualFold(e.Existing, e.UUID) {
		return fmt.Sprintf("conflict: document %s already exists (an import never overwrites)", e.UUID)
	}
	return fmt.Sprintf("conflict: a %s with the same identity already exists as document %s (an import never overwrites)", e.Resource, e.Existing)
}

// ImportBatchError reports the document of an ImportBatch that failed:
// nothing of the batch was written.
type ImportBatchError struct {
	// Index is the failing item's position in the batch.
	Index int
	// Err is its error (a *ValidationError, *ReferenceError,
	// *DescriptorError, *ConflictError, *ImportExistsError …).
	Err error
}

// Error implements error.
func (e *ImportBatchError) Error() string {
	return fmt.Sprintf("import batch item %d: %v", e.Index, e.Err)
}

// Unwrap returns the item's error.
func (e *ImportBatchError) Unwrap() error { return e.Err }

// importing is the state an import threads through the write path
// (write.go): the kept metadata.
type importing struct {
	uuid                string
	created, lastModded time.Time
	// update marks an import that replaces a stored document: only
	// LastModifiedAt is kept.
	update bool
}

// importStampSQL sets the kept timestamps of a document createSQL just
// wrote (Etag stays 1: a new representation version).
const importStampSQL = `UPDATE "dms"."Document" SET "CreatedAt" = $2, "LastModifiedAt" = $3 WHERE "DocumentId" = $1
RETURNING ` + lastModifiedPlain

// importUpdateStampSQL sets the kept LastModifiedAt of a document an
// update import just rewrote (its Etag was bumped).
const importUpdateStampSQL = `UPDATE "dms"."Document" SET "LastModifiedAt" = $2 WHERE "DocumentId" = $1
RETURNING ` + lastModifiedPlain

// queueStamp queues importStampSQL after the create, importUpdateStampSQL
// after the update (nothing when imp is nil: a plain write).
func (imp *importing) queueStamp(b *pgx.Batch, docID int64) {
	switch {
	case imp == nil:
	case imp.update:
		b.Queue(importUpdateStampSQL, docID, imp.lastModded)
	default:
		b.Queue(importStampSQL, docID, imp.created, imp.lastModded)
	}
}

// readStamp reads importStampSQL's result into lastMod (nothing when imp
// is nil).
func (imp *importing) readStamp(br pgx.BatchResults, lastMod *string) error {
	if imp == nil {
		return nil
	}
	return br.QueryRow().Scan(lastMod)
}

// exists is the error of an import whose natural key the store holds.
func (imp *importing) exists(p *plan, existing string) error {
	return &ImportExistsError{UUID: imp.uuid, Existing: existing, Resource: p.res.ProjectName + ":" + p.res.ResourceName}
}

// Import stores d as a new document of the resource at
// /{projectEndpoint}/{endpoint} through the write path of Upsert
// (validation, reference resolution, locks, edges, identity, EdOrg and
// subject rows), keeping d.UUID as its DocumentUuid and d.CreatedAt and
// d.LastModifiedAt as its timestamps. The ETag is new. A document with
// the same DocumentUuid or natural key already stored is an
// *ImportExistsError, and nothing is written.
func (s *Store) Import(ctx context.Context, projectEndpoint, endpoint string, d ImportDocument) (WriteResult, error) {
	out, err := s.ImportBatch(ctx, []ImportItem{{ProjectEndpoint: projectEndpoint, Endpoint: endpoint, Document: d}}, nil)
	var be *ImportBatchError
	if errors.As(err, &be) {
		return WriteResult{}, be.Err
	}
	if err != nil {
		return WriteResult{}, err
	}
	return out[0], nil
}

// ImportBatch imports items, in order, in ONE transaction (a later item
// may reference an earlier one; an item with Update replaces a stored
// document), then calls finish, when not nil, in the
// same transaction before the commit: the caller records what it copied
// atomically with the documents. Either every item is written or none; an
// item the store refuses (validation, resolution, conflict) is an
// *ImportBatchError naming it; a database or context failure is returned
// as is. Deadlocks and
// serialization failures retry the whole batch (finish included) up to
// Options.MaxAttempts times.
func (s *Store) ImportBatch(ctx context.Context, items []ImportItem, finish func(ctx context.Context, tx pgx.Tx) error) (_ []WriteResult, err error) {
	defer func() { err = classify(err) }()
	flats := make([]*flat, len(items))
	imps := make([]*importing, len(items))
	for i, it := range items {
		p, err := s.entry(ctx, it.ProjectEndpoint, it.Endpoint)
		if err != nil {
			return nil, &ImportBatchError{Index: i, Err: err}
		}
		d := it.Document
		if _, err := refid.Parse(d.UUID); err != nil {
			return nil, &ImportBatchError{Index: i, Err: &ValidationError{Problems: []Problem{{Path: "$.id", Message: fmt.Sprintf("%q is not a document id", d.UUID)}}}}
		}
		if d.CreatedAt.IsZero() || d.LastModifiedAt.IsZero() {
			return nil, &ImportBatchError{Index: i, Err: errors.New("relstore: an import needs CreatedAt and LastModifiedAt")}
		}
		if flats[i], err = p.prepare(d.Body); err != nil {
			return nil, &ImportBatchError{Index: i, Err: err}
		}
		imps[i] = &importing{uuid: strings.ToLower(d.UUID), created: d.CreatedAt, lastModded: d.LastModifiedAt.Truncate(time.Second), update: it.Update}
	}
	var out []WriteResult
	err = s.retrying(ctx, func() (err error) {
		out, err = s.importOnce(ctx, flats, imps, finish)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importOnce is one attempt of a batch.
func (s *Store) importOnce(ctx context.Context, flats []*flat, imps []*importing, finish func(context.Context, pgx.Tx) error) ([]WriteResult, error) {
	tx, err := s.db.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	out := make([]WriteResult, len(flats))
	for i, f := range flats {
		mode, id := modeUpsert, ""
		if imps[i].update {
			mode, id = modeUpdate, imps[i].uuid
		}
		res, err := s.writeTx(ctx, tx, f, mode, id, "", imps[i])
		var ce *ConflictError
		if errors.As(err, &ce) && ce.Constraint == "UX_Document_DocumentUuid" {
			err = &ImportExistsError{UUID: imps[i].uuid, Resource: f.p.res.ProjectName + ":" + f.p.res.ResourceName}
		}
		if err != nil {
			if documentError(err) {
				return nil, &ImportBatchError{Index: i, Err: err}
			}
			return nil, err
		}
		out[i] = res
	}
	if finish != nil {
		if err := finish(ctx, tx); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	for _, r := range out {
		s.noteURI(r.uri)
	}
	return out, nil
}

// documentError reports an error about the document itself (what it
// holds, what it references, what the store already holds), as opposed to
// the database or the context failing.
func documentError(err error) bool {
	var (
		ve *ValidationError
		re *ReferenceError
		de *DescriptorError
		ce *ConflictError
		ie *ImportExistsError
		fe *ForbiddenError
	)
	return errors.As(err, &ve) || errors.As(err, &re) || errors.As(err, &de) || errors.As(err, &ce) || errors.As(err, &ie) || errors.As(err, &fe) ||
		errors.Is(err, ErrNotFound)
}

// ImportDelete deletes the document id of the resource at
// /{projectEndpoint}/{endpoint} as Delete does (a referenced document is
// not deleted: *ReferencedError; a missing one is ErrNotFound), calling
// finish, when not nil, in the same transaction before the commit: the
// migration removes its checkpoint row atomically with the document.
func (s *Store) ImportDelete(ctx context.Context, projectEndpoint, endpoint, id string, finish func(ctx context.Context, tx pgx.Tx) error) (err error) {
	defer func() { err = classify(err) }()
	p, err := s.entry(ctx, projectEndpoint, endpoint)
	if err != nil {
		return err
	}
	if _, err := refid.Parse(id); err != nil {
		return fmt.Errorf("%w: %q is not a document id", ErrNotFound, id)
	}
	id = strings.ToLower(id)
	return s.retrying(ctx, func() error { return s.deleteOnce(ctx, p, id, "", finish) })
}

// Pool returns the connection pool the store writes through, for tools
// that keep tables of their own beside the store (the migration's
// checkpoint) and read them in their own transactions.
func (s *Store) Pool() *pgxpool.Pool { return s.db }
