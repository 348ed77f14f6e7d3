package runtimebench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// JSONBStore is the benchmarks' baseline: a document store in the style of
// the legacy DMS PostgreSQL backend, on the tables of JSONBSchema. It takes
// the resources' identity and reference paths from the same runtime
// manifest as the relational store and returns the runtime's result types,
// so both run the same documents through the same calls.
//
// It does what the legacy write path did — compute referential ids in the
// application, check every reference against the alias table, write the
// document, its aliases and its reference rows — and no more: it does not
// validate documents against the schema, prune overposted properties or
// take the relational store's identity locks.
type JSONBStore struct {
	db     *pgxpool.Pool
	byPath map[string]*jsonbPlan // "projectEndpoint/endpoint"
	byName map[string]*jsonbPlan // "Project:Resource"
}

// OpenJSONB returns a baseline store over db (whose tables CreateJSONBSchema
// made) for the resources of m.
func OpenJSONB(m *manifest.Manifest, db *pgxpool.Pool) (*JSONBStore, error) {
	if m == nil || db == nil {
		return nil, errors.New("runtimebench.OpenJSONB: nil manifest or pool")
	}
	s, err := compileStore(m)
	if err != nil {
		return nil, fmt.Errorf("runtimebench.OpenJSONB: %w", err)
	}
	s.db = db
	return s, nil
}

// compileStore prepares every resource's plan; the store has no pool yet
// (Identify works, the database operations do not).
func compileStore(m *manifest.Manifest) (*JSONBStore, error) {
	s := &JSONBStore{byPath: map[string]*jsonbPlan{}, byName: map[string]*jsonbPlan{}}
	for i := range m.Resources {
		p, err := compilePlan(&m.Resources[i])
		if err != nil {
			return nil, err
		}
		s.byPath[p.res.ProjectEndpoint+"/"+p.res.EndpointName] = p
		s.byName[p.name] = p
	}
	return s, nil
}

// UnresolvedError reports references whose referential id no alias row
// holds (the legacy store's "reference not found" failure).
type UnresolvedError struct {
	// Missing are the referential ids not found.
	Missing []refid.UUID
}

// Error lists the missing ids.
func (e *UnresolvedError) Error() string {
	ids := make([]string, len(e.Missing))
	for i, u := range e.Missing {
		ids[i] = u.String()
	}
	return "unresolved references: " + strings.Join(ids, ", ")
}

func (s *JSONBStore) plan(projectEndpoint, endpoint string) (*jsonbPlan, error) {
	p, ok := s.byPath[projectEndpoint+"/"+endpoint]
	if !ok {
		return nil, fmt.Errorf("%w: no resource is served at /%s/%s", relstore.ErrNotFound, projectEndpoint, endpoint)
	}
	return p, nil
}

// Identify computes the referential ids of a document of the resource at
// /{projectEndpoint}/{endpoint} and of everything it references, without
// touching the database.
func (s *JSONBStore) Identify(projectEndpoint, endpoint string, body []byte) (Identity, error) {
	p, err := s.plan(projectEndpoint, endpoint)
	if err != nil {
		return Identity{}, err
	}
	doc, err := decode(body)
	if err != nil {
		return Identity{}, err
	}
	return p.identify(doc)
}

// Upsert stores body with POST semantics: a new identity inserts a
// document, an existing one replaces that document's body (Etag bump) and
// its reference rows. It makes three round trips whatever the document's
// size: BEGIN with one query resolving the document's own referential id
// and every referenced one against the alias table (the legacy store
// checked references in one set-based query too; beginWith); one
// statement writing the document, its aliases and its reference rows;
// COMMIT.
func (s *JSONBStore) Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (relstore.WriteResult, error) {
	var res relstore.WriteResult
	p, err := s.plan(projectEndpoint, endpoint)
	if err != nil {
		return res, err
	}
	doc, err := decode(body)
	if err != nil {
		return res, err
	}
	id, err := p.identify(doc)
	if err != nil {
		return res, err
	}
	var existing int64
	var missing []refid.UUID
	err = beginWith(ctx, s.db, resolveSQL, []any{resolveArgs(id)}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("runtimebench: resolve references: %w", err)
		}
		existing, missing, err = readResolved(rows, id)
		return err
	}, func(tx pgx.Tx) error {
		if len(missing) > 0 {
			return &UnresolvedError{Missing: missing}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		refs := uuids(id.References)
		var etag int64
		var docUUID string
		if existing == 0 {
			res.Created = true
			err = tx.QueryRow(ctx, insertDocument, p.name, id.ReferentialIDs[0].String(), now, body,
				uuids(id.ReferentialIDs), refs).Scan(&docUUID, &etag)
		} else {
			err = tx.QueryRow(ctx, updateDocument, existing, now, body, refs).Scan(&docUUID, &etag)
		}
		if err != nil {
			return fmt.Errorf("runtimebench: write %s: %w", p.name, err)
		}
		res.ID, res.ETag, res.LastModified = docUUID, strconv.FormatInt(etag, 10), now
		return nil
	})
	return res, err
}

// beginWith runs a transaction whose BEGIN travels with its first query
// (sql), as Npgsql, the legacy store's driver, sends it: its
// BeginTransaction does no I/O and prepends BEGIN to the next command
// (npgsql/npgsql#836), while COMMIT stays a round trip of its own
// (npgsql/npgsql#4351). first reads that query's result; rest runs the
// remaining statements in tx. The transaction commits when both return
// nil.
func beginWith(ctx context.Context, db *pgxpool.Pool, sql string, args []any, first func(pgx.BatchResults) error, rest func(tx pgx.Tx) error) error {
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	b.Queue(sql, args...)
	br := db.SendBatch(ctx, b)
	tx := br.Tx()
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	err := func() error {
		if _, err := br.Exec(); err != nil { // BEGIN
			return err
		}
		return first(br)
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := rest(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// resolveSQL looks up the document's primary referential id and every
// referenced one (resolveArgs) in one query.
const resolveSQL = `SELECT x.ord, a.document_id
FROM unnest($1::uuid[]) WITH ORDINALITY AS x(rid, ord)
LEFT JOIN alias a ON a.referential_id = x.rid`

// resolveArgs is resolveSQL's parameter: the primary referential id, then
// the references'.
func resolveArgs(id Identity) []string {
	all := make([]string, 0, 1+len(id.References))
	all = append(all, id.ReferentialIDs[0].String())
	return append(all, uuids(id.References)...)
}

// resolve runs resolveSQL in tx: readResolved.
func resolve(ctx context.Context, tx pgx.Tx, id Identity) (int64, []refid.UUID, error) {
	rows, err := tx.Query(ctx, resolveSQL, resolveArgs(id))
	if err != nil {
		return 0, nil, fmt.Errorf("runtimebench: resolve references: %w", err)
	}
	return readResolved(rows, id)
}

// readResolved reads resolveSQL's rows: the existing document's id (0
// when new) and the references no alias row holds.
func readResolved(rows pgx.Rows, id Identity) (int64, []refid.UUID, error) {
	var existing int64
	var missing []refid.UUID
	var ord int64
	var docID *int64
	_, err := pgx.ForEachRow(rows, []any{&ord, &docID}, func() error {
		switch {
		case ord == 1:
			if docID != nil {
				existing = *docID
			}
		case docID == nil:
			missing = append(missing, id.References[ord-2])
		}
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("runtimebench: resolve references: %w", err)
	}
	return existing, missing, nil
}

// insertDocument writes a new document, its alias rows and its reference
// rows in one statement.
const insertDocument = `WITH d AS (
    INSERT INTO document (document_uuid, resource_name, referential_id, etag, last_modified, body)
    VALUES (gen_random_uuid(), $1, $2, 1, $3, $4)
    RETURNING id, document_uuid, etag
), a AS (
    INSERT INTO alias (referential_id, document_id) SELECT r, d.id FROM d, unnest($5::uuid[]) AS r
), x AS (
    INSERT INTO reference (parent_id, referenced_referential_id) SELECT d.id, r FROM d, unnest($6::uuid[]) AS r
)
SELECT document_uuid::text, etag FROM d`

// updateDocument replaces a document's body and reference rows in one
// statement (the old reference rows are those of the statement's snapshot,
// so the delete does not see the inserted ones).
const updateDocument = `WITH d AS (
    UPDATE document SET body = $3, etag = etag + 1, last_modified = $2 WHERE id = $1
    RETURNING id, document_uuid, etag
), del AS (
    DELETE FROM reference WHERE parent_id = $1
), x AS (
    INSERT INTO reference (parent_id, referenced_referential_id) SELECT $1, r FROM unnest($4::uuid[]) AS r
)
SELECT document_uuid::text, etag FROM d`

// uuids renders ids as strings, which pgx encodes as uuid[].
func uuids(ids []refid.UUID) []string {
	out := make([]string, len(ids))
	for i, u := range ids {
		out[i] = u.String()
	}
	return out
}
