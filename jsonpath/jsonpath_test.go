package jsonpath

import (
	"encoding/json"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{"$", false},
		{"$.a", false},
		{"$.addresses[*].periods[*].beginDate", false},
		{"$._ext.sample", false},
		{"$._ext.my-ext.x", false},
		{"", true},
		{"a.b", true},
		{"$.", true},
		{"$..a", true},
		{"$.a[0]", true},
		{"$[*]", true},
		{"$.a[*][*]", true},
		{"$.a b", true},
		{"$.a['b']", true},
		{"$.a[*", true},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) err=%v, wantErr=%v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && p.String() != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, p.String())
		}
	}
}

func TestPathOps(t *testing.T) {
	p := MustParse("$.a[*].b.c")
	if got := p.Parent().String(); got != "$.a[*].b" {
		t.Errorf("Parent = %s", got)
	}
	if !p.HasPrefix(MustParse("$.a[*]")) || p.HasPrefix(MustParse("$.b")) {
		t.Error("HasPrefix wrong")
	}
	rel, ok := p.Rel(MustParse("$.a[*]"))
	if !ok || rel.String() != "$.b.c" {
		t.Errorf("Rel = %s %v", rel, ok)
	}
	if got := MustParse("$.a[*]").Join(rel).String(); got != p.String() {
		t.Errorf("Join = %s", got)
	}
	if p.WildcardCount() != 1 || p.Len() != 4 {
		t.Error("counts wrong")
	}
	// Child must not alias the parent's backing array.
	base := MustParse("$.x.y").Parent()
	a, b := base.Child("p"), base.Child("q")
	if a.String() != "$.x.p" || b.String() != "$.x.q" {
		t.Errorf("aliasing: %s %s", a, b)
	}
}

func TestLookup(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"a":[{"b":1},{"b":2},{"c":3}],"d":{"e":"x"}}`), &doc); err != nil {
		t.Fatal(err)
	}
	if got := MustParse("$.a[*].b").Lookup(doc); len(got) != 2 {
		t.Errorf("Lookup a[*].b = %v", got)
	}
	if got := MustParse("$.d.e").Lookup(doc); len(got) != 1 || got[0] != "x" {
		t.Errorf("Lookup d.e = %v", got)
	}
	if got := MustParse("$.zz").Lookup(doc); got != nil {
		t.Errorf("Lookup missing = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"$", "$.a", "$.a[*].b", "$._ext.sample.x", "$.a[", "$..", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		// A parsed path renders back to its input and re-parses identically.
		if p.String() != s {
			t.Fatalf("String() = %q, input %q", p.String(), s)
		}
		q, err := Parse(p.String())
		if err != nil || !q.Equal(p) {
			t.Fatalf("re-parse of %q failed: %v", s, err)
		}
	})
}

// TestTextMatchesSteps checks that every operation keeps the cached text in
// step with the steps.
func TestTextMatchesSteps(t *testing.T) {
	check := func(p Path) {
		t.Helper()
		q, err := Parse(p.String())
		if err != nil || len(q.segs) != len(p.segs) {
			t.Fatalf("%s: text and steps disagree", p)
		}
		for i := range q.segs {
			if q.segs[i] != p.segs[i] {
				t.Fatalf("%s: text and steps disagree", p)
			}
		}
	}
	p := MustParse("$.a[*].b.c")
	check(p)
	check(p.Parent())
	check(p.Parent().Parent())
	check(Root.Child("x").Wildcard().Child("y"))
	rel, _ := p.Rel(MustParse("$.a[*]"))
	check(rel)
	check(MustParse("$.q").Join(rel))
	if MustParse("$.ab").HasPrefix(MustParse("$.a")) {
		t.Error("$.a must not be a prefix of $.ab")
	}
	if !MustParse("$.a[*]").HasPrefix(MustParse("$.a")) || !p.HasPrefix(Root) {
		t.Error("HasPrefix misses a real prefix")
	}
}
