package jsonvalue

import (
	"reflect"
	"strings"
	"testing"
)

func TestRemove(t *testing.T) {
	for _, tc := range []struct {
		name, in, path, want string
		n                    int
		wantErr              string
	}{
		{name: "root member", in: `{"a":1,"b":2}`, path: `$.a`, want: `{"b":2}`, n: 1},
		{name: "nested", in: `{"a":{"b":1,"c":2}}`, path: `$.a.b`, want: `{"a":{"c":2}}`, n: 1},
		{name: "index", in: `{"a":[{"x":1},{"x":2}]}`, path: `$.a[1].x`, want: `{"a":[{"x":1},{}]}`, n: 1},
		{name: "wildcard", in: `{"a":[{"x":1},{"y":2},{"x":3}]}`, path: `$.a[*].x`, want: `{"a":[{},{"y":2},{}]}`, n: 2},
		{name: "quoted", in: `{"a b":1,"it's":2}`, path: `$['it\'s']`, want: `{"a b":1}`, n: 1},
		{name: "absent", in: `{"a":1}`, path: `$.b.c`, want: `{"a":1}`, n: 0},
		{name: "index out of range", in: `{"a":[1]}`, path: `$.a[5].x`, want: `{"a":[1]}`, n: 0},
		{name: "not an object", in: `{"a":[1]}`, path: `$.a[0].x`, want: `{"a":[1]}`, n: 0},
		{name: "not an array", in: `{"a":{"x":1}}`, path: `$.a[0].x`, want: `{"a":{"x":1}}`, n: 0},
		{name: "ext", in: `{"_ext":{"extra":{"x":1,"y":2}}}`, path: `$._ext.extra.y`, want: `{"_ext":{"extra":{"x":1}}}`, n: 1},
		{name: "root", in: `{}`, path: `$`, wantErr: "must end with a property name"},
		{name: "ends with index", in: `{}`, path: `$.a[0]`, wantErr: "must end with a property name"},
		{name: "no dollar", in: `{}`, path: `a.b`, wantErr: "must start with $"},
		{name: "empty name", in: `{}`, path: `$..a`, wantErr: "empty name"},
		{name: "bad index", in: `{}`, path: `$.a[x].b`, wantErr: "bad index"},
		{name: "unterminated", in: `{}`, path: `$.a[0`, wantErr: "unterminated"},
		{name: "unterminated quote", in: `{}`, path: `$['a`, wantErr: "unterminated quoted name"},
		{name: "unterminated escape", in: `{}`, path: `$['a\`, wantErr: "unterminated escape"},
		{name: "quote without bracket", in: `{}`, path: `$['a'x`, wantErr: "expected ]"},
		{name: "junk", in: `{}`, path: `$a`, wantErr: "unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := mustDecode(t, tc.in)
			n, err := Remove(v, tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Remove(%s) error %v, want %q", tc.path, err, tc.wantErr)
				}
				return
			}
			if err != nil || n != tc.n {
				t.Fatalf("Remove(%s) = %d, %v; want %d", tc.path, n, err, tc.n)
			}
			if want := mustDecode(t, tc.want); !reflect.DeepEqual(v, want) {
				t.Errorf("after Remove(%s): %#v, want %s", tc.path, v, tc.want)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	for in, want := range map[string]string{
		"$":                                    "$",
		"$.a":                                  "$.a",
		"$.addresses[1].periods[20].beginDate": "$.addresses[*].periods[*].beginDate",
		"$[0]":                                 "$[*]",
		"$.a[*].b":                             "$.a[*].b",
		"$['x'][3]":                            "$['x'][*]",
		"$.a[":                                 "$.a[",
		"$.a[1":                                "$.a[1",
		"$.a[]":                                "$.a[]",
	} {
		if got := Wildcard(in); got != want {
			t.Errorf("Wildcard(%q) = %q, want %q", in, got, want)
		}
	}
}
