package jsonvalue

import (
	"encoding/json"
	"testing"
)

func TestEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`1.50`, `1.5`, true},
		{`1.5`, `15e-1`, true},
		{`150E-2`, `1.5`, true},
		{`0`, `-0`, true},
		{`0.000`, `0e10`, true},
		{`100`, `1e2`, true},
		{`100`, `1E+2`, true},
		{`0.1`, `0.10000000000000001`, false},
		{`9007199254740993`, `9007199254740992`, false},
		{`-1`, `1`, false},
		{`1e999999999999999999999`, `10e999999999999999999998`, true},
		{`1e999999999999999999999`, `1e999999999999999999998`, false},
		{`1`, `"1"`, false},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`null`, `null`, true},
		{`null`, `{}`, false},
		{`"a"`, `"a"`, true},
		{`"a"`, `"b"`, false},
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2.0],"a":1.0}`, true},
		{`{"a":1}`, `{"a":1,"b":null}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`[1,2]`, `[1,2,3]`, false},
		{`[]`, `{}`, false},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d"}}`, false},
	} {
		a, b := mustDecode(t, tc.a), mustDecode(t, tc.b)
		if got := Equal(a, b); got != tc.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := Equal(b, a); got != tc.want {
			t.Errorf("Equal(%s, %s) = %v, want %v (symmetry)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestEqualGoNumbers(t *testing.T) {
	for _, tc := range []struct {
		a, b any
		want bool
	}{
		{json.Number("1.50"), 1.5, true},
		{json.Number("3"), 3, true},
		{json.Number("3"), int64(3), true},
		{uint8(7), json.Number("7.0"), true},
		{float32(0.5), json.Number("0.5"), true},
		{0.1, json.Number("0.1"), true},
		{json.Number("abc"), json.Number("abc"), true},
		{json.Number("abc"), json.Number("abd"), false},
		{json.Number("1e"), json.Number("1"), false},
		{json.Number("."), json.Number("0"), false},
		{struct{}{}, struct{}{}, false},
	} {
		if got := Equal(tc.a, tc.b); got != tc.want {
			t.Errorf("Equal(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
