package relstore

import (
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// TestDocWriter: the body is id, the properties in key order (an
// inlined object only when it holds a value, a reference object whenever
// its FK is set), _etag and _lastModifiedDate.
func TestDocWriter(t *testing.T) {
	col := func(idx int, path []string, kind manifest.TypeKind) *colPlan {
		return &colPlan{idx: idx, path: path, typ: manifest.Type{Kind: kind}}
	}
	b := col(0, []string{"b"}, manifest.KindString)
	a := col(1, []string{"a"}, manifest.KindInt32)
	d := col(2, []string{"o", "d"}, manifest.KindDecimal)
	fk := col(3, []string{"ref"}, manifest.KindInt64)
	fk.edge = &edgePlan{col: fk, fields: []refField{{rel: []string{"id"}, typ: manifest.Type{Kind: manifest.KindInt32}}}}
	tp := &tablePlan{scalarCol: -1, shape: newShape(), dataCols: []*colPlan{b, a, d, fk}}
	for _, c := range []*colPlan{b, a, d} {
		tp.shape.at(c.path[:len(c.path)-1]).child(c.path[len(c.path)-1]).col = c
	}
	tp.shape.child("ref").edge = fk.edge
	p := &plan{root: tp, tables: []*tablePlan{tp}}
	p.planWriter()
	s := func(v string) *string { return &v }
	at := time.Date(2024, 3, 1, 10, 15, 30, 0, time.UTC)
	for _, c := range []struct {
		vals []*string
		want string
	}{
		{[]*string{s("x\u2028"), s("1"), s("2.500"), s("9"), s("4")}, `{"id":"u-1","a":1,"b":"x\u2028","o":{"d":2.5},"ref":{"id":4},"_etag":"7","_lastModifiedDate":"2024-03-01T10:15:30Z"}`},
		{[]*string{nil, nil, nil, s("9"), nil}, `{"id":"u-1","ref":{},"_etag":"7","_lastModifiedDate":"2024-03-01T10:15:30Z"}`},
		{[]*string{nil, nil, nil, nil, nil}, `{"id":"u-1","_etag":"7","_lastModifiedDate":"2024-03-01T10:15:30Z"}`},
	} {
		w := docWriter{p: p}
		if got := w.document("u-1", "7", at, &node{vals: c.vals}); string(got) != c.want || w.err != nil {
			t.Errorf("got  %s (%v)\nwant %s", got, w.err, c.want)
		}
	}
	w := docWriter{p: p}
	w.document("u-1", "7", at, &node{vals: []*string{nil, s("1e"), nil, nil, nil}})
	if w.err == nil {
		t.Error("an invalid number written without an error")
	}
}

// TestAssemblerObjectKeys: scope objects are found by table and row key,
// short keys and keys deeper than objKey holds alike, and keys that differ
// in length or table are distinct.
func TestAssemblerObjectKeys(t *testing.T) {
	a := assembler{objects: map[objKey]*node{}}
	keys := [][]int64{{7}, {7, 0}, {7, 0, 0}, {1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7, 8}}
	nodes := make([]*node, len(keys))
	for i, k := range keys {
		nodes[i] = &node{}
		a.setObject(3, k, nodes[i])
	}
	other := &node{}
	a.setObject(4, []int64{7}, other)
	for i, k := range keys {
		o, ok := a.object(3, k)
		if !ok || o != nodes[i] {
			t.Errorf("key %v: %p %v, want %p", k, o, ok, nodes[i])
		}
	}
	if o, ok := a.object(4, []int64{7}); !ok || o != other {
		t.Errorf("table 4: %p %v", o, ok)
	}
	if _, ok := a.object(3, []int64{7, 1}); ok {
		t.Error("an absent key found")
	}
	if _, ok := a.object(3, []int64{1, 2, 3, 4, 5, 6, 9}); ok {
		t.Error("an absent deep key found")
	}
}

// TestAssemblerRowWidth: a child row with other than its table's number of
// values is an error, not an index out of range.
func TestAssemblerRowWidth(t *testing.T) {
	a := assembler{objects: map[objKey]*node{}}
	tp := &tablePlan{qname: `"x"."Y"`, keyCols: []string{"DocumentId", "Ordinal"}, width: 2}
	if err := a.child(tp, []int64{1, 0}, []*string{nil}); err == nil {
		t.Error("a row of 1 value for a table of 2 was accepted")
	}
}
