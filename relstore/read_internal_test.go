package relstore

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEncodeDocument: the body is id, the properties in key order, _etag
// and _lastModifiedDate.
func TestEncodeDocument(t *testing.T) {
	got, err := encodeDocument("u-1", "7", time.Date(2024, 3, 1, 10, 15, 30, 0, time.UTC), map[string]any{"b": "x\u2028", "a": json.Number("1")})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"u-1","a":1,"b":"x\u2028","_etag":"7","_lastModifiedDate":"2024-03-01T10:15:30Z"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, _ = encodeDocument("u-1", "7", time.Date(2024, 3, 1, 10, 15, 30, 0, time.UTC), map[string]any{}); string(got) != `{"id":"u-1","_etag":"7","_lastModifiedDate":"2024-03-01T10:15:30Z"}` {
		t.Errorf("empty document: %s", got)
	}
}

// TestAssemblerObjectKeys: scope objects are found by table and row key,
// short keys and keys deeper than objKey holds alike, and keys that differ
// in length or table are distinct.
func TestAssemblerObjectKeys(t *testing.T) {
	a := assembler{objects: map[objKey]map[string]any{}}
	keys := [][]int64{{7}, {7, 0}, {7, 0, 0}, {1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7, 8}}
	for i, k := range keys {
		a.setObject(3, k, map[string]any{"i": i})
	}
	a.setObject(4, []int64{7}, map[string]any{"i": -1})
	for i, k := range keys {
		o, ok := a.object(3, k)
		if !ok || o["i"] != i {
			t.Errorf("key %v: %v %v", k, o, ok)
		}
	}
	if o, ok := a.object(4, []int64{7}); !ok || o["i"] != -1 {
		t.Errorf("table 4: %v %v", o, ok)
	}
	if _, ok := a.object(3, []int64{7, 1}); ok {
		t.Error("an absent key found")
	}
	if _, ok := a.object(3, []int64{1, 2, 3, 4, 5, 6, 9}); ok {
		t.Error("an absent deep key found")
	}
}
