package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/manifest/refid"
)

const getPageSQL = `SELECT d."DocumentId" FROM "dms"."Document" d WHERE d."DocumentUuid" = $1::uuid AND d."ResourceKeyId" = $2`

// Get returns the document id of the resource.
func (s *Store) Get(ctx context.Context, projectEndpoint, endpoint, id string) (Document, error) {
	p, err := s.lookup(projectEndpoint, endpoint)
	if err != nil {
		return Document{}, err
	}
	if _, err := refid.Parse(id); err != nil {
		return Document{}, fmt.Errorf("%w: %q is not a document id", ErrNotFound, id)
	}
	docs, _, err := s.hydrate(ctx, p, getPageSQL, []any{strings.ToLower(id), p.key}, "", nil)
	if err != nil {
		return Document{}, err
	}
	if len(docs) == 0 {
		return Document{}, ErrNotFound
	}
	return docs[0].Document, nil
}

// hydrated is a document with its internal id.
type hydrated struct {
	Document
	docID int64
}

// hydrate reads every document selected by pageSQL (which yields a
// "DocumentId" column) in one round trip: one statement per table plus,
// when countSQL is set, the count (with countArgs). The table statements
// share args; all run in
// one read-only REPEATABLE READ transaction inside the same batch.
func (s *Store) hydrate(ctx context.Context, p *plan, pageSQL string, args []any, countSQL string, countArgs []any) ([]hydrated, int64, error) {
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
	for _, q := range p.readSQL {
		b.Queue(fmt.Sprintf(q, pageSQL), args...)
	}
	if countSQL != "" {
		b.Queue(countSQL, countArgs...)
	}
	b.Queue("COMMIT")
	br := s.db.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, 0, err
	}
	a := assembler{p: p, objects: map[string]map[string]any{}}
	var docs []hydrated
	for i := range p.readSQL {
		rows, err := br.Query()
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			raw := rows.RawValues()
			if i == 0 {
				d, err := a.root(raw)
				if err != nil {
					rows.Close()
					return nil, 0, err
				}
				docs = append(docs, d)
				continue
			}
			if err := a.child(p.tables[i], raw); err != nil {
				rows.Close()
				return nil, 0, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
	}
	total := int64(-1)
	if countSQL != "" {
		if err := br.QueryRow().Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	if _, err := br.Exec(); err != nil {
		return nil, 0, err
	}
	if err := br.Close(); err != nil {
		return nil, 0, err
	}
	for i := range docs {
		body, err := encodeDocument(docs[i].ID, docs[i].ETag, docs[i].LastModified, a.docs[i])
		if err != nil {
			return nil, 0, err
		}
		docs[i].JSON = body
	}
	return docs, total, nil
}

// assembler rebuilds JSON objects from table rows.
type assembler struct {
	p       *plan
	objects map[string]map[string]any // "tableIdx|key" → scope object
	docs    []map[string]any
}

func keyString(table int, key [][]byte) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(table))
	for _, k := range key {
		b.WriteByte('|')
		b.Write(k)
	}
	return b.String()
}

func (a *assembler) root(raw [][]byte) (hydrated, error) {
	if len(raw) < 4 {
		return hydrated{}, fmt.Errorf("runtime: short root row")
	}
	var h hydrated
	var err error
	h.docID, err = strconv.ParseInt(string(raw[0]), 10, 64)
	if err != nil {
		return h, err
	}
	h.ID = string(raw[1])
	h.ETag = string(raw[2])
	h.LastModified, _ = time.Parse(time.RFC3339, string(raw[3]))
	obj := map[string]any{}
	if a.p.descriptor {
		fields := []struct {
			name string
			date bool
		}{{"namespace", false}, {"codeValue", false}, {"shortDescription", false}, {"description", false}, {"effectiveBeginDate", true}, {"effectiveEndDate", true}}
		for i, fd := range fields {
			if v := raw[4+i]; v != nil {
				obj[fd.name] = string(v)
			}
		}
	} else {
		a.fill(a.p.root, obj, raw[4:])
		a.objects[keyString(a.p.root.idx, raw[:1])] = obj
	}
	a.docs = append(a.docs, obj)
	return h, nil
}

func (a *assembler) child(tp *tablePlan, raw [][]byte) error {
	nk := len(tp.keyCols)
	if len(raw) < nk {
		return fmt.Errorf("runtime: short row of %s", tp.qname)
	}
	np := len(tp.t.ParentKeyColumns)
	parent, ok := a.objects[keyString(tp.parent.idx, raw[:np])]
	if !ok {
		return nil // parent not hydrated (concurrent change): skip
	}
	container := parent
	for _, n := range tp.rel[:len(tp.rel)-1] {
		next, ok := container[n].(map[string]any)
		if !ok {
			next = map[string]any{}
			container[n] = next
		}
		container = next
	}
	last := tp.rel[len(tp.rel)-1]
	if tp.scalarCol >= 0 {
		c := tp.dataCols[tp.scalarCol]
		v := raw[nk+tp.scalarCol]
		if v == nil {
			return nil
		}
		arr, _ := container[last].([]any)
		container[last] = append(arr, jsonValue(c.typ, v))
		return nil
	}
	obj := map[string]any{}
	a.fill(tp, obj, raw[nk:])
	if tp.array {
		arr, _ := container[last].([]any)
		container[last] = append(arr, obj)
	} else {
		container[last] = obj
	}
	a.objects[keyString(tp.idx, raw[:nk])] = obj
	return nil
}

// fill sets the data columns of one row into obj.
func (a *assembler) fill(tp *tablePlan, obj map[string]any, raw [][]byte) {
	i := 0
	for _, c := range tp.dataCols {
		switch {
		case c.edge != nil && !c.edge.descriptor:
			fk := raw[i]
			i++
			if fk == nil {
				i += len(c.edge.fields)
				continue
			}
			ref := map[string]any{}
			for _, fd := range c.edge.fields {
				if v := raw[i]; v != nil {
					setPath(ref, fd.rel, jsonValue(fd.typ, v))
				}
				i++
			}
			setPath(obj, c.path, ref)
		default:
			v := raw[i]
			i++
			if v == nil || (tp.scalarCol == c.idx) {
				continue
			}
			if c.edge != nil {
				setPath(obj, c.path, string(v))
				continue
			}
			setPath(obj, c.path, jsonValue(c.typ, v))
		}
	}
}

func setPath(obj map[string]any, path []string, v any) {
	cur := obj
	for _, n := range path[:len(path)-1] {
		next, ok := cur[n].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[n] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = v
}

// jsonValue turns a column's text into its JSON value.
func jsonValue(t manifest.Type, raw []byte) any {
	s := string(raw)
	switch t.Kind {
	case "Int16", "Int32", "Int64":
		return json.Number(s)
	case "Decimal":
		if strings.IndexByte(s, '.') >= 0 {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return json.Number(s)
	case "Boolean":
		return s == "true" || s == "t"
	case "DateTime":
		if i := strings.IndexByte(s, '.'); i >= 0 && strings.HasSuffix(s, "Z") {
			frac := strings.TrimRight(s[i+1:len(s)-1], "0")
			if frac == "" {
				s = s[:i] + "Z"
			} else {
				s = s[:i+1] + frac + "Z"
			}
		}
		return s
	}
	return s
}

// encodeDocument writes the response body: id first, the document's
// properties in key order, then _etag and _lastModifiedDate.
func encodeDocument(id, etag string, lastModified time.Time, obj map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, err
	}
	inner := bytes.TrimSpace(buf.Bytes())
	inner = inner[1 : len(inner)-1]
	out := make([]byte, 0, len(inner)+128)
	out = append(out, `{"id":`...)
	out = strconv.AppendQuote(out, id)
	if len(inner) > 0 {
		out = append(out, ',')
		out = append(out, inner...)
	}
	out = append(out, `,"_etag":`...)
	out = strconv.AppendQuote(out, etag)
	out = append(out, `,"_lastModifiedDate":`...)
	out = strconv.AppendQuote(out, lastModified.UTC().Format(time.RFC3339))
	out = append(out, '}')
	return out, nil
}
