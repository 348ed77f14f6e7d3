package migrate

import (
	"strings"
	"testing"
)

func TestValueAt(t *testing.T) {
	body := []byte(`{"a":{"b":[{"c":5255901001},{"c":"x"}]},"d":12.50,"s":"` + strings.Repeat("é", 70) + `"}`)
	for _, c := range []struct{ path, want string }{
		{"$.a.b[0].c", "5255901001"},
		{"$.a.b[1].c", `"x"`},
		{"$.d", "12.50"},
		{"$.a.b[2].c", ""},
		{"$.a.x", ""},
		{"$.a.b.c", ""},
		{"$.d, $.a", ""},
		{"x", ""},
		{"$.s", `"` + strings.Repeat("é", 63) + "…"},
	} {
		if got := valueAt(body, c.path); got != c.want {
			t.Errorf("valueAt(%s) = %s, want %s", c.path, got, c.want)
		}
	}
}
