package jsonvalue

import (
	"bytes"
	"encoding/json"
	"testing"
)

// stdJSON is what Append must write: encoding/json with HTML escaping
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

// checkSameAsStd fails unless Append writes v as encoding/json does
// (or both refuse it).
func checkSameAsStd(t testing.TB, v any) {
	t.Helper()
	want, werr := stdJSON(t, v)
	got, gerr := Append(nil, v)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%#v: error %v, encoding/json %v", v, gerr, werr)
	}
	if werr == nil && !bytes.Equal(got, want) {
		t.Fatalf("%#v:\n got %s\nwant %s", v, got, want)
	}
}

// TestAppend: the values a document holds, and every string escape.
func TestAppend(t *testing.T) {
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

// FuzzAppend holds Append byte-identical to encoding/json on
// objects, arrays, numbers and strings made of arbitrary bytes.
func FuzzAppend(f *testing.F) {
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

// TestValidNumber: the RFC 8259 number grammar.
func TestValidNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "10", "1.0", "1e5", "1E+5", "1e-5", "-0.5e10", "123456789012345678901234567890"} {
		if !ValidNumber(s) {
			t.Errorf("ValidNumber(%q) = false", s)
		}
	}
	for _, s := range []string{"", "-", "01", "+1", "1.", ".5", "1e", "1e+", "NaN", "Infinity", "0x10", "1 "} {
		if ValidNumber(s) {
			t.Errorf("ValidNumber(%q) = true", s)
		}
	}
}
