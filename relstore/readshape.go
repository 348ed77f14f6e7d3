package relstore

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/edfi-dmsc/dmsc/refid"
)

// A GET's read statement has one arm per table of its resource, and every
// arm costs executor start-up whether or not the document has rows there
// (opening the table and its index, building the arm's projection): a
// DS 5.0 Staff, whose 17 collection tables are mostly empty, reads in
// 130 µs with every arm and in 65 µs with its root's alone (pgbench, the
// statement alone). So a store remembers, for the documents it has read,
// which of their tables held rows — the document's read shape — and the
// DocumentId and Etag they were read at, and reads such a document again
// with the arms of those tables alone.
//
// The map is never trusted: the shape's statement selects the document
// by uuid exactly as the full one does and returns its DocumentId and
// Etag. A document's rows change only with a write that bumps its Etag in
// the same transaction, and DocumentIds are never reused, so an equal
// (DocumentId, Etag) means the same tables hold its rows and the body is
// whole. Otherwise — another process wrote the document since, or
// bumped its Etag by a cascade — the body is read again with every arm
// (a second round trip, once per such change) and the new shape
// remembered. The store's own writes and deletes forget the document's
// shape, and its cascades the shapes of the documents they bump, so
// those cost no second round trip. A document the map does not hold is
// read with every arm, as before.

// DefaultReadShapes is Options.ReadShapes's default: the documents whose
// read shape a store remembers (about 100 bytes each with the map's own
// overhead: some 26 MB at the default).
const DefaultReadShapes = 1 << 18

// maxReadShapes bounds the shapes one resource keeps GET statements for
// (each is prepared once per connection); a document of a further shape
// is read with every arm. A variable only so that a test can reach it.
var maxReadShapes = 32

// ShapeStats counts, since the store was opened, the GETs without a grant
// read with a remembered shape's statement (Hits), those whose document
// had changed since, so that it was read again with every arm (Stale),
// and those read with every arm because no shape was remembered (Misses).
// Descriptors (one table), and every GET when Options.ReadShapes is
// negative, are not counted.
type ShapeStats struct {
	Hits, Stale, Misses int64
}

// ShapeStats returns the store's read-shape counters.
func (s *Store) ShapeStats() ShapeStats {
	if s.shapes == nil {
		return ShapeStats{}
	}
	return ShapeStats{Hits: s.shapes.hits.Load(), Stale: s.shapes.stale.Load(), Misses: s.shapes.misses.Load()}
}

// docShape is what a store remembers of one document: its resource, the
// DocumentId and Etag it was read at, and its shape's GET statement.
type docShape struct {
	p     *plan
	docID int64
	etag  string
	sql   string
}

// shapeMemo maps document uuids to their docShape, holding at most max
// (none when max is 0).
type shapeMemo struct {
	mu                  sync.RWMutex
	m                   map[refid.UUID]docShape
	max                 int
	hits, stale, misses atomic.Int64
}

// newShapeMemo returns a memo holding n documents: DefaultReadShapes when
// n is 0, none when it is negative.
func newShapeMemo(n int) *shapeMemo {
	if n == 0 {
		n = DefaultReadShapes
	}
	return &shapeMemo{m: map[refid.UUID]docShape{}, max: max(n, 0)}
}

// get returns the remembered shape of document u.
func (m *shapeMemo) get(u refid.UUID) (docShape, bool) {
	m.mu.RLock()
	d, ok := m.m[u]
	m.mu.RUnlock()
	return d, ok
}

// put remembers d for document u; a full memo first forgets an arbitrary
// document (map iteration order).
func (m *shapeMemo) put(u refid.UUID, d docShape) {
	if m.max == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[u]; !ok && len(m.m) >= m.max {
		for k := range m.m {
			delete(m.m, k)
			break
		}
	}
	m.m[u] = d
}

// forget drops what the memo holds of document u.
func (m *shapeMemo) forget(u refid.UUID) {
	if m == nil {
		return
	}
	m.mu.Lock()
	delete(m.m, u)
	m.mu.Unlock()
}

// readShapes holds a plan's GET statements by shape key (one byte per
// table).
type readShapes struct {
	mu sync.RWMutex
	m  map[string]string
}

// shapeGetSQL returns the GET statement reading the tables seen holds
// (by table index; the root always); "" when that is every table (getSQL
// reads them) or the resource keeps maxReadShapes shapes already.
func (p *plan) shapeGetSQL(seen []bool) string {
	key := make([]byte, len(p.tables))
	all := true
	for i := range p.tables {
		if i == 0 || seen[i] {
			key[i] = 1
		} else {
			all = false
		}
	}
	if all || len(p.readArms) != len(p.tables) {
		return ""
	}
	rs := &p.readShapes
	rs.mu.RLock()
	sql, ok := rs.m[string(key)]
	n := len(rs.m)
	rs.mu.RUnlock()
	if ok {
		return sql
	}
	if n >= maxReadShapes {
		return ""
	}
	arms := make([]string, 0, len(p.tables))
	for i, b := range key {
		if b == 1 {
			arms = append(arms, p.readArms[i])
		}
	}
	sql = readOnePrefix + strings.Join(arms, "\nUNION ALL\n") + p.readTail
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if prev, ok := rs.m[string(key)]; ok {
		return prev
	}
	if len(rs.m) >= maxReadShapes {
		return ""
	}
	if rs.m == nil {
		rs.m = map[string]string{}
	}
	rs.m[string(key)] = sql
	return sql
}

// readOnePrefix opens a GET statement: the page of getPageSQL.
const readOnePrefix = "WITH page AS MATERIALIZED (" + getPageSQL + ")\n"

// getShaped reads the document of uuid u for a GET without a grant (args:
// its uuid text and the resource key): with its remembered shape's
// statement when the memo holds one and the statement finds the document
// at the remembered DocumentId and Etag, else with every arm, remembering
// the shape it was found in.
func (s *Store) getShaped(ctx context.Context, p *plan, u refid.UUID, args []any) ([]hydrated, error) {
	m := s.shapes
	if m == nil || p.descriptor || m.max == 0 {
		docs, _, err := hydrateSQL(ctx, s.db, p, p.getSQL, args)
		return docs, err
	}
	if d, ok := m.get(u); ok && d.p == p {
		docs, _, err := hydrateSQL(ctx, s.db, p, d.sql, args)
		if err != nil {
			return nil, err
		}
		switch {
		case len(docs) == 0: // the page is the full statement's: no such document
			m.forget(u)
			m.hits.Add(1)
			return nil, nil
		case docs[0].docID == d.docID && docs[0].ETag == d.etag:
			m.hits.Add(1)
			return docs, nil
		}
		m.stale.Add(1)
	} else {
		m.misses.Add(1)
	}
	seen := make([]bool, len(p.tables))
	docs, _, err := hydrateSeen(ctx, s.db, p, p.getSQL, args, seen)
	if err != nil || len(docs) != 1 {
		return docs, err
	}
	if sql := p.shapeGetSQL(seen); sql != "" {
		m.put(u, docShape{p: p, docID: docs[0].docID, etag: docs[0].ETag, sql: sql})
	} else {
		m.forget(u)
	}
	return docs, nil
}

// forgetID is forget for a document id in text; an id that is no uuid is
// not held.
func (m *shapeMemo) forgetID(id string) {
	if u, err := refid.Parse(id); err == nil {
		m.forget(u)
	}
}
