package fingerprint

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzCanonicalize checks that the canonical form of any JSON value is valid
// JSON holding the same value, is a fixed point of CanonicalizeJSON, and does
// not depend on key order or layout.
func FuzzCanonicalize(f *testing.F) {
	for _, seed := range []string{
		`{"b":1,"a":[true,false,null]}`,
		"{\"\uFF01\":1,\"\U0001F600\":2}",
		`"\u00a0\u2028<>&'+` + "`" + `"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data)
		if err != nil {
			if _, err2 := CanonicalizeJSON(data); err2 == nil {
				t.Fatalf("DecodeJSON failed (%v) but CanonicalizeJSON did not", err)
			}
			return
		}
		out, err := Canonicalize(v)
		if err != nil {
			t.Fatalf("Canonicalize of a decoded value: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("canonical form is not valid JSON: %q", out)
		}
		back, err := DecodeJSON(out)
		if err != nil || !reflect.DeepEqual(back, v) {
			t.Fatalf("canonical form %q decodes to %#v (%v), want %#v", out, back, err, v)
		}
		again, err := CanonicalizeJSON(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q then %q (%v)", out, again, err)
		}
		indented, err := json.MarshalIndent(v, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		reversed := appendReversed(nil, v)
		for _, alt := range [][]byte{indented, reversed} {
			got, err := CanonicalizeJSON(alt)
			if err != nil || !bytes.Equal(got, out) {
				t.Fatalf("re-laid-out input %q canonicalises to %q (%v), want %q", alt, got, err, out)
			}
		}
	})
}

// appendReversed writes v as JSON with every object's keys in reverse
// ordinal order, extra whitespace and Go's own string escaping, a layout as
// far from the canonical one as possible.
func appendReversed(dst []byte, v any) []byte {
	switch x := v.(type) {
	case map[string]any:
		keys := sortedKeys(x)
		slices.Reverse(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, "\n  "...)
			kb, _ := json.Marshal(k)
			dst = append(dst, kb...)
			dst = append(dst, " : "...)
			dst = appendReversed(dst, x[k])
		}
		return append(dst, "\n}"...)
	case []any:
		dst = append(dst, "[ "...)
		for i, e := range x {
			if i > 0 {
				dst = append(dst, " , "...)
			}
			dst = appendReversed(dst, e)
		}
		return append(dst, " ]"...)
	default:
		b, _ := json.Marshal(x)
		return append(dst, strings.TrimSpace(string(b))...)
	}
}
