package relstore

import "sync"

// A write's shape is the set of its resource's tables the document fills
// (the root always; a School without addresses leaves SchoolAddress and
// its period table out). Each table's INSERT CTE costs executor start-up
// even when its arrays are empty — opening the table, its indexes and
// its foreign-key triggers: 7–8 µs per CTE on this machine (pgbench, 12
// empty CTEs against 1: 0.163 against 0.077 ms) — so createSQL and
// rowsSQL are built per shape and write only the tables it holds.

// writeShape holds, by table index, whether a table is written;
// allTables (nil) holds every table.
type writeShape []bool

// allTables is the shape of every table: the statements a plan is built
// with, and those of a document whose resource keeps maxWriteShapes
// shapes already.
var allTables writeShape

// has reports whether the shape writes table idx.
func (w writeShape) has(idx int) bool { return w == nil || w[idx] }

// maxWriteShapes bounds the shapes one resource keeps statements for.
// Statements are prepared once per connection (the pgx statement cache),
// so an unbounded number of shapes would evict and re-plan them; a
// document of a further shape writes every table. A variable only so that
// a test can reach the bound with few documents.
var maxWriteShapes = 32

// shapeStatements are createSQL and rowsSQL of one shape.
type shapeStatements struct {
	shape        writeShape
	create, rows string
}

// writeShapes is a plan's statements by shape key (one byte per table).
type writeShapes struct {
	mu sync.RWMutex
	m  map[string]*shapeStatements
}

// writeStatements returns the statements that write document f's tables:
// those of its shape, or createSQL and rowsSQL of every table (a
// descriptor has no tables; a resource at maxWriteShapes shapes).
func (p *plan) writeStatements(f *flat) shapeStatements {
	all := shapeStatements{create: p.createSQL, rows: p.rowsSQL}
	if p.descriptor {
		return all
	}
	key := make([]byte, len(p.tables))
	for _, tp := range p.tables {
		if len(f.rows[tp.idx]) > 0 {
			key[tp.idx] = 1
		}
	}
	ws := &p.shapes
	ws.mu.RLock()
	st := ws.m[string(key)]
	n := len(ws.m)
	ws.mu.RUnlock()
	if st != nil {
		return *st
	}
	if n >= maxWriteShapes {
		return all
	}
	shape := make(writeShape, len(key))
	for i, b := range key {
		shape[i] = b == 1
	}
	st = &shapeStatements{shape: shape, create: createSQLOf(p, false, shape), rows: rowsSQLOf(p, false, shape)}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if prev := ws.m[string(key)]; prev != nil {
		return *prev
	}
	if len(ws.m) >= maxWriteShapes {
		return all
	}
	if ws.m == nil {
		ws.m = map[string]*shapeStatements{}
	}
	ws.m[string(key)] = st
	return *st
}
