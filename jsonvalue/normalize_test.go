package jsonvalue

import (
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		strip          []string
	}{
		{name: "scalar", in: `1`, want: `1`},
		{name: "null root", in: `null`, want: `null`},
		{name: "nulls", in: `{"a":null,"b":1}`, want: `{"b":1}`},
		{name: "empty array", in: `{"a":[],"b":"x"}`, want: `{"b":"x"}`},
		{name: "empty object", in: `{"a":{},"b":"x"}`, want: `{"b":"x"}`},
		{name: "object emptied", in: `{"a":{"b":null,"c":[]},"d":true}`, want: `{"d":true}`},
		{name: "array emptied", in: `{"a":[],"b":{"c":[{"d":null}]}}`, want: `{"b":{"c":[{}]}}`},
		{name: "array items kept", in: `{"a":[null,1,{"x":null,"y":2}]}`, want: `{"a":[null,1,{"y":2}]}`},
		{name: "ext emptied", in: `{"_ext":{"extra":{"busRoute":null}},"id":1}`, want: `{"id":1}`},
		{name: "strip root keys", in: `{"id":"x","_etag":"1","a":{"id":2}}`, want: `{"a":{"id":2}}`, strip: []string{"id", "_etag", "_lastModifiedDate"}},
		{name: "strip on array", in: `[{"id":1}]`, want: `[{"id":1}]`, strip: []string{"id"}},
		{name: "empty root kept", in: `{"a":null}`, want: `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mustDecode(t, tc.in)
			before := mustDecode(t, tc.in)
			got := Normalize(in, tc.strip...)
			if want := mustDecode(t, tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("Normalize(%s) = %#v, want %s", tc.in, got, tc.want)
			}
			if !reflect.DeepEqual(in, before) {
				t.Errorf("Normalize modified its input: %#v", in)
			}
			if again := Normalize(got); !reflect.DeepEqual(again, got) {
				t.Errorf("Normalize is not idempotent: %#v then %#v", got, again)
			}
		})
	}
}

func TestStripKeys(t *testing.T) {
	in := mustDecode(t, `{"id":"x","_etag":"1","a":null,"b":[]}`)
	got := StripKeys(in, "id", "_etag")
	if want := mustDecode(t, `{"a":null,"b":[]}`); !reflect.DeepEqual(got, want) {
		t.Errorf("StripKeys = %#v, want %#v", got, want)
	}
	if _, ok := in.(map[string]any)["id"]; !ok {
		t.Errorf("StripKeys modified its input")
	}
	if got := StripKeys("s", "id"); got != "s" {
		t.Errorf("StripKeys(non-object) = %#v", got)
	}
}
