package relstore

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// stdJSON is what appendJSON must write: encoding/json with HTML escaping
// off, without the trailing newline.
func stdJSON(t testing.TB, v any) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkSameAsStd fails unless appendJSON writes v as encoding/json does
// (or both refuse it).
func checkSameAsStd(t testing.TB, v any) {
	t.Helper()
	want, werr := stdJSON(t, v)
	got, gerr := appendJSON(nil, v)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%#v: error %v, encoding/json %v", v, gerr, werr)
	}
	if werr == nil && !bytes.Equal(got, want) {
		t.Fatalf("%#v:\n got %s\nwant %s", v, got, want)
	}
}

// TestAppendJSON: the values a document holds, and every string escape.
func TestAppendJSON(t *testing.T) {
	for _, v := range []any{
		map[string]any{},
		map[string]any{"b": json.Number("1.50"), "a": []any{"x", true, false, json.Number("-0")}, "é": map[string]any{"z": nil}},
		"plain", "quote\" back\\slash", "\x00\x01\x1f\b\f\n\r\t\x7f", "<html> & </html>", "\u2028\u2029", "bad \xff\xfe utf8 \xe2\x82", "😀 emoji", "",
		json.Number("12e+3"), json.Number("1.5E-7"), json.Number("01"), json.Number("1."), json.Number("-"), json.Number("+1"), json.Number(""),
		[]any{}, []any{map[string]any{"k": "v"}},
	} {
		checkSameAsStd(t, v)
	}
}

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

// FuzzAppendJSON holds appendJSON byte-identical to encoding/json on
// objects, arrays, numbers and strings made of arbitrary bytes.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{"a", "\xff", "\u2028", "1.5", "<&>", "\x00"} {
		f.Add(s, s+"k", int8(3))
	}
	f.Fuzz(func(t *testing.T, s, k string, n int8) {
		doc := map[string]any{
			k:     s,
			s:     []any{json.Number(s), s, n > 0},
			"n":   map[string]any{k + s: []any{map[string]any{}, s}},
			"num": json.Number(k),
		}
		checkSameAsStd(t, doc)
		checkSameAsStd(t, s)
		checkSameAsStd(t, json.Number(s))
	})
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
