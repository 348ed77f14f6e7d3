package relstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
)

// node is one assembled scope object: the data values of its table's row
// and, per child table (tablePlan.slot), the rows attached to it. A
// docWriter writes it out through its table's shape.
type node struct {
	vals []*string
	kids [][]*node
}

// attach adds child, a row of the table at slot, to n (of a table with
// slots child tables).
func (n *node) attach(slot, slots int, child *node) {
	if n.kids == nil {
		n.kids = make([][]*node, slots)
	}
	n.kids[slot] = append(n.kids[slot], child)
}

// planWriter prepares what docWriter needs of p, once every table and
// edge is planned: each table's value offsets and child slots, each
// shape's members in key order with their encoded keys, and each
// reference's object shape.
func (p *plan) planWriter() {
	for _, tp := range p.tables {
		tp.valOff = make([]int, len(tp.dataCols))
		off := 0
		for i, c := range tp.dataCols {
			tp.valOff[i] = off
			off++
			if c.edge != nil && !c.edge.descriptor {
				off += len(c.edge.fields)
				if c.edge.shape == nil {
					c.edge.shape = newShape()
					for j := range c.edge.fields {
						rel := c.edge.fields[j].rel
						c.edge.shape.at(rel[:len(rel)-1]).child(rel[len(rel)-1]).field = j + 1
					}
					c.edge.shape.freeze()
				}
			}
		}
		tp.width = off
		for i, c := range tp.children {
			c.slot = i
		}
		tp.shape.freeze()
	}
}

// freeze lists s's members in key order (the order encoding/json writes
// a map's keys in), with their encoded keys, down its inlined objects.
func (s *shape) freeze() {
	s.members = make([]*kid, len(s.names))
	for i, name := range s.names {
		k := s.kids[name]
		k.key = append(jsonvalue.AppendString(nil, name), ':')
		s.members[i] = k
		if k.inline != nil {
			k.inline.freeze()
		}
	}
}

// descriptorMembers are a descriptor's properties in key order with the
// index of their value in its root row (after uuid, etag, last modified).
var descriptorMembers = []struct {
	key string
	val int
}{
	{`"codeValue":`, 1}, {`"description":`, 3}, {`"effectiveBeginDate":`, 4},
	{`"effectiveEndDate":`, 5}, {`"namespace":`, 0}, {`"shortDescription":`, 2},
}

// docWriter writes assembled documents as JSON: members in key order,
// absent values and empty inlined objects left out, straight from the
// row values (the bytes encoding/json writes for the same document as
// maps).
type docWriter struct {
	p    *plan
	uris *uriResolver
	out  []byte
	// missing are the descriptor ids the URI map lacked (the document is
	// written again once they are fetched).
	missing []int64
	err     error
	// last is the length of the last body written (the next one's buffer
	// starts a quarter larger).
	last int
}

// minDocumentBuffer is the smallest buffer a document is written into: the
// next one starts a quarter larger than the last, the smallest DS 5.0
// documents take about 300 bytes (a 1 KB floor allocated 100 KB for a page
// of 100 such documents, a quarter of the page's garbage).
const minDocumentBuffer = 256

// document writes one document: id, its properties, _etag and
// _lastModifiedDate.
func (w *docWriter) document(id, etag string, lastModified time.Time, n *node) []byte {
	w.out = make([]byte, 0, max(minDocumentBuffer, w.last+w.last/4))
	w.out = append(w.out, `{"id":`...)
	w.out = jsonvalue.AppendString(w.out, id)
	if w.p.descriptor {
		for _, m := range descriptorMembers {
			if v := n.vals[m.val]; v != nil {
				w.out = append(w.out, ',')
				w.out = append(w.out, m.key...)
				w.out = jsonvalue.AppendString(w.out, *v)
			}
		}
	} else {
		w.members(w.p.root, w.p.root.shape, n, false)
	}
	w.out = append(w.out, `,"_etag":`...)
	w.out = jsonvalue.AppendString(w.out, etag)
	w.out = append(w.out, `,"_lastModifiedDate":"`...)
	w.out = lastModified.UTC().AppendFormat(w.out, time.RFC3339) // nothing to escape
	w.out = append(w.out, `"}`...)
	w.last = len(w.out)
	return w.out
}

// members writes the members of shape s of table tp's row n, each
// preceded by a comma unless it is the object's first (first: none
// written yet); it returns whether it wrote any.
func (w *docWriter) members(tp *tablePlan, s *shape, n *node, first bool) bool {
	wrote := false
	for _, k := range s.members {
		start := len(w.out)
		if first && !wrote {
			w.out = append(w.out, k.key...)
		} else {
			w.out = append(w.out, ',')
			w.out = append(w.out, k.key...)
		}
		if w.member(tp, k, n) {
			wrote = true
		} else {
			w.out = w.out[:start]
		}
	}
	return wrote
}

// member writes the value of member k of table tp's row n after its key;
// false when the member is absent.
func (w *docWriter) member(tp *tablePlan, k *kid, n *node) bool {
	switch {
	case k.inline != nil:
		w.out = append(w.out, '{')
		if !w.members(tp, k.inline, n, true) {
			return false
		}
		w.out = append(w.out, '}')
		return true
	case k.col != nil:
		if tp.scalarCol == k.col.idx {
			return false
		}
		v := n.vals[tp.valOff[k.col.idx]]
		if v == nil {
			return false
		}
		w.value(k.col, k.col.typ, *v)
		return true
	case k.edge != nil:
		off := tp.valOff[k.edge.col.idx]
		if n.vals[off] == nil {
			return false
		}
		w.out = append(w.out, '{')
		w.reference(k.edge, k.edge.shape, n.vals[off+1:], true)
		w.out = append(w.out, '}')
		return true
	case k.table != nil:
		return w.table(k.table, n.kids)
	}
	return false
}

// reference writes the members of a reference object's shape s from the
// reference's field values; it returns whether it wrote any.
func (w *docWriter) reference(e *edgePlan, s *shape, fields []*string, first bool) bool {
	wrote := false
	for _, k := range s.members {
		start := len(w.out)
		if !(first && !wrote) {
			w.out = append(w.out, ',')
		}
		w.out = append(w.out, k.key...)
		ok := false
		switch {
		case k.inline != nil:
			w.out = append(w.out, '{')
			if ok = w.reference(e, k.inline, fields, true); ok {
				w.out = append(w.out, '}')
			}
		case k.field > 0:
			fd := &e.fields[k.field-1]
			if v := fields[k.field-1]; v != nil {
				ok = true
				if fd.descriptorID && w.uris != nil {
					w.uri(*v)
				} else {
					w.out = w.scalar(fd.typ, *v)
				}
			}
		}
		if ok {
			wrote = true
		} else {
			w.out = w.out[:start]
		}
	}
	return wrote
}

// table writes the rows of child table tp attached to a row (kids: its
// child slots): an array of objects or of scalars, or the object of a
// one-row scope (the last row); false when there is none.
func (w *docWriter) table(tp *tablePlan, kids [][]*node) bool {
	if kids == nil || len(kids[tp.slot]) == 0 {
		return false
	}
	rows := kids[tp.slot]
	switch {
	case tp.scalarCol >= 0:
		c := tp.dataCols[tp.scalarCol]
		w.out = append(w.out, '[')
		for i, r := range rows {
			if i > 0 {
				w.out = append(w.out, ',')
			}
			w.value(c, c.typ, *r.vals[tp.valOff[c.idx]])
		}
		w.out = append(w.out, ']')
	case tp.array:
		w.out = append(w.out, '[')
		for i, r := range rows {
			if i > 0 {
				w.out = append(w.out, ',')
			}
			w.out = append(w.out, '{')
			w.members(tp, tp.shape, r, true)
			w.out = append(w.out, '}')
		}
		w.out = append(w.out, ']')
	default:
		w.out = append(w.out, '{')
		w.members(tp, tp.shape, rows[len(rows)-1], true)
		w.out = append(w.out, '}')
	}
	return true
}

// value writes column c's value text: a descriptor's Uri, else the JSON
// value of its type.
func (w *docWriter) value(c *colPlan, t manifest.Type, v string) {
	switch {
	case c.edge != nil && w.uris != nil:
		w.uri(v)
	case c.edge != nil:
		w.out = jsonvalue.AppendString(w.out, v)
	default:
		w.out = w.scalar(t, v)
	}
}

// uri writes the Uri of the descriptor whose id is text, or records the
// id as missing (writing an empty string in its place).
func (w *docWriter) uri(text string) {
	u, id, ok := w.uris.lookup(text)
	if !ok {
		w.missing = append(w.missing, id)
	}
	w.out = jsonvalue.AppendString(w.out, u)
}

// scalar appends the JSON value of a column's text (as jsonValue reads
// it).
func (w *docWriter) scalar(t manifest.Type, s string) []byte {
	switch t.Kind {
	case manifest.KindInt16, manifest.KindInt32, manifest.KindInt64, manifest.KindDecimal:
		if t.Kind == manifest.KindDecimal {
			s = readDecimal(s)
		}
		if !jsonvalue.ValidNumber(s) {
			if w.err == nil {
				w.err = fmt.Errorf("runtime: invalid number %s read from a %s column", strconv.Quote(s), t.Kind)
			}
			return append(w.out, '0')
		}
		return append(w.out, s...)
	case manifest.KindBoolean:
		return strconv.AppendBool(w.out, readBool(s))
	case manifest.KindDateTime:
		return jsonvalue.AppendString(w.out, readDateTime(s))
	}
	return jsonvalue.AppendString(w.out, s)
}
