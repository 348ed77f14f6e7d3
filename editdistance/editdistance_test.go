package editdistance

import (
	"testing"

	_ "github.com/edfi-dmsc/dmsc/golden" // every test binary accepts -update
)

// TestWithin pins distances and the limit.
func TestWithin(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		d     int
		ok    bool
	}{
		{"", "", 0, 0, true},
		{"abc", "abc", 2, 0, true},
		{"kitten", "sitting", 3, 3, true},
		{"kitten", "sitting", 2, 0, false},
		{"abc", "abcdef", 2, 0, false},
		{"ab", "ba", 2, 2, true},
		{"schoolid", "schoolId", 0, 0, false},
		{"schoolid", "schoolId", 1, 1, true},
		{"", "abc", 3, 3, true},
		{"abc", "", 2, 0, false},
	} {
		if d, ok := Within(c.a, c.b, c.limit); d != c.d || ok != c.ok {
			t.Errorf("Within(%q, %q, %d) = %d, %v; want %d, %v", c.a, c.b, c.limit, d, ok, c.d, c.ok)
		}
	}
}
