package relstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
)

// A read statement of a store with a descriptor URI map selects each
// descriptor as its DocumentId, not as a join of dms.Descriptor (23 joins
// in a School read), and the assembler maps the ids to URIs from memory.
// The map can never serve a URI the statement's snapshot does not hold:
// every write that changes a stored descriptor's Uri (a PUT that changes
// its namespace or codeValue, a POST that changes its letter case)
// increments dms.DescriptorUriGeneration in its transaction, each read
// statement selects that generation with the ids (one more arm, type
// generationArm), and the map answers only for the generation it was
// filled at. Ids the map lacks, or all of them when the generations
// differ, are fetched by one more statement; when that statement sees
// another generation than the read, the read runs again (a URI changed in
// between). DocumentIds are never reused, so an inserted or deleted
// descriptor changes no mapping of another id.

const (
	// generationArm is the result type of the read statement's row
	// holding the descriptor URI generation (before the count and every
	// table's rows).
	generationArm = -2
	// generationSQL reads the descriptor URI generation.
	generationSQL = `SELECT "Generation" FROM "dms"."DescriptorUriGeneration" WHERE "GenerationId" = 1`
	// generationArmSQL is the read statement's generation arm.
	generationArmSQL = "\nUNION ALL\nSELECT -2, ARRAY[(" + generationSQL + ")], NULL::text[]"
	// descriptorURIsSQL fetches the URIs of descriptor ids $1 (all
	// descriptors when $1 is NULL) with the generation of the same
	// snapshot.
	descriptorURIsSQL = `SELECT (` + generationSQL + `), coalesce(array_agg(x."DocumentId"), '{}'), coalesce(array_agg(x."Uri"::text), '{}')
FROM "dms"."Descriptor" x WHERE $1::bigint[] IS NULL OR x."DocumentId" = ANY($1::bigint[])`
	// bumpGenerationSQL increments the generation (a write that changes
	// a descriptor's Uri adds its condition).
	bumpGenerationSQL = `UPDATE "dms"."DescriptorUriGeneration" SET "Generation" = "Generation" + 1 WHERE "GenerationId" = 1`
	// maxURIReads bounds the reads of one call while descriptor URIs keep
	// changing under it.
	maxURIReads = 5
)

// beforeURIFetch, when set (by tests, while no other test runs), is
// called before a read fetches the URIs its descriptor map lacked.
var beforeURIFetch func()

// errURIsChanged reports a read whose descriptor URIs changed before the
// missing ones could be fetched: the read runs again.
var errURIsChanged = errors.New("relstore: descriptor URIs changed during the read")

// descriptorURIs maps descriptor DocumentIds to their Uri as of one
// generation of dms.DescriptorUriGeneration. Safe for concurrent use.
type descriptorURIs struct {
	mu   sync.RWMutex
	gen  int64
	uris map[int64]string
}

// get returns the Uri of descriptor id when the map holds generation gen
// and the id.
func (c *descriptorURIs) get(gen, id int64) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.gen != gen {
		return "", false
	}
	u, ok := c.uris[id]
	return u, ok
}

// put records URIs read at generation gen: a newer generation replaces
// the map, an older one is dropped.
func (c *descriptorURIs) put(gen int64, ids []int64, uris []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || c.uris == nil:
		c.gen, c.uris = gen, make(map[int64]string, len(ids))
	}
	for i, id := range ids {
		c.uris[id] = uris[i]
	}
}

// fetchURIs reads the URIs of ids (all descriptors when ids is nil) and
// the generation of the same snapshot.
func fetchURIs(ctx context.Context, q querier, ids []int64) (gen int64, gotIDs []int64, uris []string, err error) {
	rows, err := q.Query(ctx, descriptorURIsSQL, ids)
	if err != nil {
		return 0, nil, nil, err
	}
	_, err = pgx.ForEachRow(rows, []any{&gen, &gotIDs, &uris}, func() error { return nil })
	return gen, gotIDs, uris, err
}

// openDescriptorURIs gives the store a descriptor URI map, filled with
// every descriptor, when the options allow it and the database has
// dms.DescriptorUriGeneration (a database provisioned before it existed
// keeps the joins).
func (s *Store) openDescriptorURIs(ctx context.Context) error {
	if s.opts.DescriptorJoins {
		return nil
	}
	var exists bool
	if err := s.db.QueryRow(ctx, `SELECT to_regclass('"dms"."DescriptorUriGeneration"') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("relstore.Open: looking for dms.DescriptorUriGeneration: %w", err)
	}
	if !exists {
		return nil
	}
	gen, ids, uris, err := fetchURIs(ctx, s.db, nil)
	if err != nil {
		return fmt.Errorf("relstore.Open: reading descriptor URIs: %w", err)
	}
	s.uris = &descriptorURIs{}
	s.uris.put(gen, ids, uris)
	return nil
}

// uriResolver maps one read statement's descriptor ids to URIs.
type uriResolver struct {
	cache *descriptorURIs
	// gen is the statement's generation (its generationArm row).
	gen int64
	// want are the ids the map lacked; fetched their URIs once resolved.
	want    []int64
	fetched map[int64]string
}

// lookup returns the Uri of the descriptor whose id is text; on a miss,
// ok is false and id is the id to pass to later.
func (r *uriResolver) lookup(text string) (uri string, id int64, ok bool) {
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		// Not an id (no store writes one): the value as read.
		return text, 0, true
	}
	if uri, ok = r.cache.get(r.gen, id); ok {
		return uri, id, true
	}
	uri, ok = r.fetched[id]
	return uri, id, ok
}

// later records id to be fetched by resolve.
func (r *uriResolver) later(id int64) {
	r.want = append(r.want, id)
}

// resolve fetches the URIs the map lacked, through q, for lookup; it
// returns errURIsChanged when the fetch saw another generation than the
// read or lacks an id (the read must run again).
func (r *uriResolver) resolve(ctx context.Context, q querier) error {
	if len(r.want) == 0 {
		return nil
	}
	slices.Sort(r.want)
	want := slices.Compact(r.want)
	r.want = nil
	if beforeURIFetch != nil {
		beforeURIFetch()
	}
	gen, ids, uris, err := fetchURIs(ctx, q, want)
	if err != nil {
		return err
	}
	if gen != r.gen || len(ids) != len(want) {
		return errURIsChanged
	}
	r.cache.put(gen, ids, uris)
	if r.fetched == nil {
		r.fetched = make(map[int64]string, len(ids))
	}
	for i, id := range ids {
		r.fetched[id] = uris[i]
	}
	return nil
}

// writtenURI is the Uri of a descriptor a write created, and the
// generation its statement read (docID 0: none).
type writtenURI struct {
	docID int64
	uri   string
	gen   int64
}

// noteURI records, once its transaction committed, the Uri of a
// descriptor a write created, so that reads of documents referencing it
// need no fetch. The generation its statement read keeps it out of a map
// of a later generation (its Uri may have changed since).
func (s *Store) noteURI(w writtenURI) {
	if w.docID != 0 && s.uris != nil {
		s.uris.put(w.gen, []int64{w.docID}, []string{w.uri})
	}
}
