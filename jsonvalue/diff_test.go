package jsonvalue

import (
	"reflect"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name, want, got string
		lines           []string
	}{
		{name: "equal", want: `{"a":[1,{"b":"c"}]}`, got: `{"a":[1.0,{"b":"c"}]}`},
		{name: "scalar", want: `{"addresses":[{"city":"X"},{"city":"X"}]}`, got: `{"addresses":[{"city":"X"},{"city":"Y"}]}`,
			lines: []string{`$.addresses[1].city: want "X", got "Y"`}},
		{name: "missing and unexpected", want: `{"a":1,"b":2}`, got: `{"b":2,"c":3}`,
			lines: []string{`$.a: missing (want 1)`, `$.c: unexpected 3`}},
		{name: "keys sorted", want: `{"z":1,"a":1,"m":1}`, got: `{"z":2,"a":2,"m":2}`,
			lines: []string{`$.a: want 1, got 2`, `$.m: want 1, got 2`, `$.z: want 1, got 2`}},
		{name: "array length", want: `{"t":["a","b"]}`, got: `{"t":["a","b","c"]}`,
			lines: []string{`$.t: want 2 items, got 3`, `$.t[2]: unexpected "c"`}},
		{name: "array shorter", want: `[1,2]`, got: `[1]`,
			lines: []string{`$: want 2 items, got 1`, `$[1]: missing (want 2)`}},
		{name: "type", want: `{"a":1}`, got: `{"a":"1"}`, lines: []string{`$.a: want 1, got "1"`}},
		{name: "object vs array", want: `{"a":{"b":1}}`, got: `{"a":[1]}`, lines: []string{`$.a: want {"b":1}, got [1]`}},
		{name: "quoted key", want: `{"a b":1}`, got: `{"a b":2}`, lines: []string{`$['a b']: want 1, got 2`}},
		{name: "numbers exact", want: `{"d":1.50}`, got: `{"d":1.51}`, lines: []string{`$.d: want 1.50, got 1.51`}},
		{name: "long value", want: `{"s":"` + strings.Repeat("x", 100) + `"}`, got: `{}`,
			lines: []string{`$.s: missing (want "` + strings.Repeat("x", 59) + `…)`}},
		{name: "no html escape", want: `"<a&b>"`, got: `"x"`, lines: []string{`$: want "<a&b>", got "x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Diff(mustDecode(t, tc.want), mustDecode(t, tc.got))
			if !reflect.DeepEqual(got, tc.lines) {
				t.Errorf("Diff =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.lines, "\n"))
			}
		})
	}
}

func TestDiffBounded(t *testing.T) {
	want := make([]any, 50)
	got := make([]any, 50)
	for i := range want {
		want[i] = map[string]any{"n": i}
		got[i] = map[string]any{"n": i + 1}
	}
	lines := Diff(want, got)
	if len(lines) != MaxDiffs+1 {
		t.Fatalf("Diff gave %d lines, want %d", len(lines), MaxDiffs+1)
	}
	if lines[0] != "$[0].n: want 0, got 1" {
		t.Errorf("first line %q", lines[0])
	}
	if last := lines[MaxDiffs]; last != "... and 30 more differences" {
		t.Errorf("last line %q", last)
	}
	if again := Diff(want, got); !reflect.DeepEqual(lines, again) {
		t.Errorf("Diff is not deterministic")
	}
}

func TestDiffWithFoldCase(t *testing.T) {
	want := mustDecode(t, `{"d":"uri://x/A#b","l":[{"d":"uri://x/A#b"}],"s":"Abc","n":1}`)
	got := mustDecode(t, `{"d":"URI://X/a#B","l":[{"d":"uri://x/a#B"}],"s":"abc","n":1}`)
	var asked []string
	fold := func(path string) bool {
		asked = append(asked, path)
		return Wildcard(path) != "$.s"
	}
	lines := DiffWith(want, got, Options{FoldCase: fold})
	if w := []string{`$.s: want "Abc", got "abc"`}; !reflect.DeepEqual(lines, w) {
		t.Errorf("DiffWith = %q, want %q", lines, w)
	}
	if w := []string{"$.d", "$.l[0].d", "$.s"}; !reflect.DeepEqual(asked, w) {
		t.Errorf("FoldCase asked about %q, want %q", asked, w)
	}
	if lines := Diff(want, got); len(lines) != 3 {
		t.Errorf("Diff without options folded case: %q", lines)
	}
}
