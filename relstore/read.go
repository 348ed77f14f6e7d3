package relstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
)

// pageColumns are the dms.Document columns (alias d) every page SQL
// selects; the read statements take the metadata from the page.
const pageColumns = `d."DocumentId", d."DocumentUuid", d."Etag", d."LastModifiedAt"`

const getPageSQL = `SELECT ` + pageColumns + ` FROM "dms"."Document" d WHERE d."DocumentUuid" = $1::uuid AND d."ResourceKeyId" = $2`

// Get returns the document id of the resource.
func (s *Store) Get(ctx context.Context, projectEndpoint, endpoint, id string) (_ Document, err error) {
	defer func() { err = classify(err) }()
	p, err := s.entry(ctx, projectEndpoint, endpoint)
	if err != nil {
		return Document{}, err
	}
	key, err := refid.Parse(id)
	if err != nil {
		return Document{}, fmt.Errorf("%w: %q is not a document id", ErrNotFound, id)
	}
	id = strings.ToLower(id)
	_, granted := grantFrom(ctx)
	if s.opts.DocumentCache && !granted { // under a grant, the read below takes a fresh row
		if d, ok, err := s.cachedGet(ctx, p, id); err != nil || ok {
			if ok {
				s.cacheHits.Add(1)
			}
			return d, err
		}
		s.cacheMisses.Add(1)
	}
	page, args := getPageSQL, []any{id, p.key}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	predicate, err := s.grantPredicate(ctx, p, param, formProbe, 0)
	if err != nil {
		return Document{}, err
	}
	if predicate != "" {
		page = `SELECT ` + pageColumns + ` FROM "dms"."Document" d JOIN ` + p.rootRelation() + ` r ON r."DocumentId" = d."DocumentId"
WHERE d."DocumentUuid" = $1::uuid AND d."ResourceKeyId" = $2 AND ` + predicate
	}
	var docs []hydrated
	cachedGrant := predicate != "" && s.opts.DocumentCache && p.readOneCachedSQL != ""
	switch {
	case predicate == "":
		docs, err = s.getShaped(ctx, p, key, args)
	case cachedGrant:
		// The grant filters the page; a fresh cached body of the allowed
		// document is taken in the same statement.
		docs, _, err = hydrateSQL(ctx, s.db, p, fmt.Sprintf(p.readOneCachedSQL, page, ""), args)
	default:
		docs, _, err = s.hydrate(ctx, p, page, args, "", true)
	}
	if err != nil {
		return Document{}, err
	}
	if cachedGrant && len(docs) == 1 {
		if docs[0].fromCache {
			s.cacheHits.Add(1)
			return docs[0].Document, nil
		}
		s.cacheMisses.Add(1)
	}
	if len(docs) == 0 {
		if predicate != "" {
			return Document{}, s.deniedOrMissing(ctx, p, id)
		}
		return Document{}, ErrNotFound
	}
	if s.opts.DocumentCache {
		s.cachePut(ctx, p, docs[0])
	}
	return docs[0].Document, nil
}

// deniedOrMissing tells, after a GET the grant filtered out, whether the
// document exists (a *ForbiddenError: 403, not 404) or not: one more
// statement, for denials only.
func (s *Store) deniedOrMissing(ctx context.Context, p *plan, id string) error {
	var exists bool
	if err := s.db.QueryRow(ctx, `SELECT EXISTS (`+getPageSQL+`)`, id, p.key).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return ErrNotFound
	}
	return &ForbiddenError{Status: 403, ProblemType: ProblemTypeDocumentDenied,
		Detail: "Access to the resource item could not be authorized: the caller's education organizations, people or namespaces do not reach it."}
}

// hydrated is a document with its internal id; fromCache when its body
// is a fresh dms.DocumentCache row.
type hydrated struct {
	Document
	docID     int64
	fromCache bool
}

// hydrate reads every document selected by pageSQL (which yields
// pageColumns) with ONE statement: a UNION ALL of one arm per table
// (so one round trip and one snapshot, whatever the page size), plus, when
// countSQL is set (a query over alias r selecting count(*)), a count arm.
func (s *Store) hydrate(ctx context.Context, p *plan, pageSQL string, args []any, countSQL string, one bool) ([]hydrated, int64, error) {
	return hydrateWith(ctx, s.db, p, pageSQL, args, countSQL, one)
}

// hydrateWith is hydrate through q (a transaction, say).
func hydrateWith(ctx context.Context, q querier, p *plan, pageSQL string, args []any, countSQL string, one bool) ([]hydrated, int64, error) {
	read := p.readSQL
	if one {
		read = p.readOneSQL
	}
	return hydrateSQL(ctx, q, p, fmt.Sprintf(read, pageSQL, countArm(countSQL)), args)
}

// countArm is the read statement's arm yielding the total count of
// countSQL ("" without one).
func countArm(countSQL string) string {
	if countSQL == "" {
		return ""
	}
	return "\nUNION ALL\nSELECT -1, ARRAY[(" + countSQL + ")], NULL::text[]"
}

// hydrateSQL runs a formatted read statement (readSQL or readOneSQL with
// its page and count arm) and assembles its documents.
func hydrateSQL(ctx context.Context, q querier, p *plan, sql string, args []any) ([]hydrated, int64, error) {
	return hydrateSeen(ctx, q, p, sql, args, nil)
}

// hydrateSeen is hydrateSQL marking, when seen is not nil, the tables
// (by index) that returned rows.
func hydrateSeen(ctx context.Context, q querier, p *plan, sql string, args []any, seen []bool) ([]hydrated, int64, error) {
	for attempt := 1; ; attempt++ {
		docs, total, err := hydrateOnce(ctx, q, p, sql, args, seen)
		if errors.Is(err, errURIsChanged) && attempt < maxURIReads {
			continue // a descriptor URI changed under the read
		}
		return docs, total, err
	}
}

// hydrateOnce runs a read statement once: hydrateSeen.
func hydrateOnce(ctx context.Context, q querier, p *plan, sql string, args []any, seen []bool) ([]hydrated, int64, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	a := assembler{p: p}
	if p.uris != nil {
		a.uris = &uriResolver{cache: p.uris}
	}
	// The rows arrive in no order (the statement sorts nothing: sorting
	// (t, k) arrays cost the server more than Go): sorted here by table,
	// then key, so that documents come in DocumentId order, parents before
	// their children and collection items in ordinal order.
	read := make([]readRow, 0, p.readRows.Load())
	roots, parents := 0, 0
	for rows.Next() {
		var r readRow
		if err := scanReadRow(rows, &r.t, &r.keys, &r.vals); err != nil {
			return nil, 0, err
		}
		if r.t == 0 {
			roots++
		}
		if r.t >= 0 && int(r.t) < len(p.tables) && len(p.tables[r.t].children) > 0 {
			parents++
		}
		if r.t >= 0 && int(r.t) < len(seen) {
			seen[r.t] = true
		}
		read = append(read, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	p.readRows.Store(int32(min(len(read), maxReadRowsHint)))
	// Sized once (a page of 100 grew it eight times, 18% of the bytes a
	// page allocated), for the rows of tables that have child tables:
	// only those are ever looked up as a parent (child).
	a.objects = make(map[objKey]*node, parents)
	slices.SortFunc(read, func(x, y readRow) int {
		if c := cmp.Compare(x.t, y.t); c != 0 {
			return c
		}
		return slices.Compare(x.keys, y.keys)
	})
	docs := make([]hydrated, 0, roots)
	var cached []hydrated
	total := int64(-1)
	rootWidth := 3 + len(descriptorMembers)
	if !p.descriptor {
		rootWidth = 3 + p.root.width
	}
	for _, r := range read {
		t, keys, vals := r.t, r.keys, r.vals
		// The statement is ours, but a row of another shape is an error,
		// never an index out of range.
		switch {
		case len(keys) == 0 || t > 0 && int(t) >= len(p.tables),
			t == cachedArm && len(vals) < 4,
			t == 0 && len(vals) != rootWidth:
			return nil, 0, fmt.Errorf("runtime: a read row of %s in an unexpected shape (arm %d, %d keys, %d values)", p.res.ResourceName, t, len(keys), len(vals))
		}
		switch {
		case t == cachedArm:
			h := hydrated{docID: keys[0], fromCache: true}
			h.ID, h.ETag, h.JSON = str(vals[0]), str(vals[1]), []byte(str(vals[3]))
			h.LastModified, _ = time.Parse(time.RFC3339, str(vals[2]))
			cached = append(cached, h)
		case t == generationArm:
			if a.uris != nil {
				a.uris.gen = keys[0]
			}
		case t < 0:
			total = keys[0]
		case t == 0:
			docs = append(docs, a.root(keys[0], vals))
		default:
			if err := a.child(p.tables[t], keys, vals); err != nil {
				return nil, 0, err
			}
		}
	}
	if err := a.write(ctx, q, docs); err != nil {
		return nil, 0, err
	}
	if len(cached) > 0 {
		docs = append(docs, cached...)
		sort.Slice(docs, func(i, j int) bool { return docs[i].docID < docs[j].docID })
	}
	return docs, total, nil
}

// maxReadRowsHint caps plan.readRows, so that one huge read does not make
// every later one start with a huge slice.
const maxReadRowsHint = 4096

// readRow is one row of a read statement: its table (or arm type), key
// and values.
type readRow struct {
	t    int32
	keys []int64
	vals []*string
}

// assembler rebuilds documents from table rows: one node per scope
// object, written out by a docWriter.
type assembler struct {
	p *plan
	// objects holds each scope object by its table and row key; deep
	// those whose key is longer than objKey holds, by its string form.
	objects map[objKey]*node
	deep    map[string]*node
	docs    []*node
	buf     []byte
	// slab is where nodes are allocated from, a chunk at a time (the
	// last chunk's size).
	slab  []node
	chunk int
	// uris maps the read's descriptor ids to URIs (nil: the statement
	// joined the URIs).
	uris *uriResolver
}

// maxKeyDepth is the longest row key objKey holds (a document id and
// five ordinals).
const maxKeyDepth = 6

// objKey identifies a scope object without allocating: its table and
// its row key.
type objKey struct {
	table int32
	n     int32
	k     [maxKeyDepth]int64
}

// object returns the scope object of table's row key.
func (a *assembler) object(table int, keys []int64) (*node, bool) {
	if len(keys) > maxKeyDepth {
		o, ok := a.deep[string(a.deepKey(table, keys))]
		return o, ok
	}
	k := objKey{table: int32(table), n: int32(len(keys))}
	copy(k.k[:], keys)
	o, ok := a.objects[k]
	return o, ok
}

// setObject records n as the scope object of table's row key.
func (a *assembler) setObject(table int, keys []int64, n *node) {
	if len(keys) > maxKeyDepth {
		if a.deep == nil {
			a.deep = map[string]*node{}
		}
		a.deep[string(a.deepKey(table, keys))] = n
		return
	}
	k := objKey{table: int32(table), n: int32(len(keys))}
	copy(k.k[:], keys)
	a.objects[k] = n
}

// deepKey renders a long row key as "table|k1|k2…" in a.buf.
func (a *assembler) deepKey(table int, keys []int64) []byte {
	a.buf = strconv.AppendInt(a.buf[:0], int64(table), 10)
	for _, k := range keys {
		a.buf = append(a.buf, '|')
		a.buf = strconv.AppendInt(a.buf, k, 10)
	}
	return a.buf
}

func str(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}

// root starts a document from its root row: uuid, etag, last modified,
// then the data columns (descriptors: their six fields).
func (a *assembler) root(docID int64, vals []*string) hydrated {
	h := hydrated{docID: docID}
	h.ID, h.ETag = str(vals[0]), str(vals[1])
	h.LastModified, _ = time.Parse(time.RFC3339, str(vals[2]))
	n := a.node(vals[3:])
	if !a.p.descriptor {
		a.setObject(a.p.root.idx, []int64{docID}, n)
	}
	a.docs = append(a.docs, n)
	return h
}

// child attaches one row of a non-root table to its parent object.
func (a *assembler) child(tp *tablePlan, keys []int64, vals []*string) error {
	if len(keys) != len(tp.keyCols) {
		return fmt.Errorf("runtime: row of %s has %d key values, want %d", tp.qname, len(keys), len(tp.keyCols))
	}
	if len(vals) != tp.width {
		return fmt.Errorf("runtime: row of %s has %d values, want %d", tp.qname, len(vals), tp.width)
	}
	np := len(tp.t.ParentKeyColumns)
	parent, ok := a.object(tp.parent.idx, keys[:np])
	if !ok {
		return nil // its parent row is not part of the result
	}
	n := a.node(vals)
	if tp.scalarCol >= 0 {
		if vals[tp.valOff[tp.scalarCol]] == nil {
			return nil
		}
	} else if len(tp.children) > 0 {
		a.setObject(tp.idx, keys, n)
	}
	parent.attach(tp.slot, len(tp.parent.children), n)
	return nil
}

// node returns a new node of row values vals.
func (a *assembler) node(vals []*string) *node {
	if len(a.slab) == 0 {
		// Small at first (a GET reads a few rows), larger for pages.
		a.chunk = min(max(2*a.chunk, 8), 128)
		a.slab = make([]node, a.chunk)
	}
	n := &a.slab[0]
	a.slab = a.slab[1:]
	n.vals = vals
	return n
}

// write writes the bodies of docs (a.docs, in order), fetching first the
// descriptor URIs the map lacks.
func (a *assembler) write(ctx context.Context, q querier, docs []hydrated) error {
	w := docWriter{p: a.p, uris: a.uris}
	for i := range docs {
		docs[i].JSON = w.document(docs[i].ID, docs[i].ETag, docs[i].LastModified, a.docs[i])
	}
	if w.err != nil {
		return w.err
	}
	if len(w.missing) == 0 {
		return nil
	}
	for _, id := range w.missing {
		a.uris.later(id)
	}
	if err := a.uris.resolve(ctx, q); err != nil {
		return err
	}
	w.missing = w.missing[:0]
	for i := range docs {
		docs[i].JSON = w.document(docs[i].ID, docs[i].ETag, docs[i].LastModified, a.docs[i])
	}
	if len(w.missing) > 0 {
		return errURIsChanged // the map moved to a later generation meanwhile
	}
	return w.err
}

// jsonValue turns a column's text into its JSON value.
func jsonValue(t manifest.Type, s string) any {
	switch t.Kind {
	case manifest.KindInt16, manifest.KindInt32, manifest.KindInt64:
		return json.Number(s)
	case manifest.KindDecimal:
		return json.Number(readDecimal(s))
	case manifest.KindBoolean:
		return readBool(s)
	case manifest.KindDateTime:
		return readDateTime(s)
	}
	return s
}

// readDecimal is a numeric column's text without trailing fraction zeros
// (2.500 → 2.5, 3.000 → 3).
func readDecimal(s string) string {
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// readBool reads a boolean column's text.
func readBool(s string) bool { return s == "true" || s == "t" }

// readDateTime is a date-time column's UTC text without trailing fraction
// zeros.
func readDateTime(s string) string {
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.HasSuffix(s, "Z") {
		frac := strings.TrimRight(s[i+1:len(s)-1], "0")
		if frac == "" {
			return s[:i] + "Z"
		}
		return s[:i+1] + frac + "Z"
	}
	return s
}
