package authz

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
)

// FuzzParse: Parse never panics; it fails exactly when it reports an
// error; it is deterministic; a parsed file resolves every (claim set,
// resource claim, action) without panicking, to a decision whose status is
// one of the documented ones.
func FuzzParse(f *testing.F) {
	f.Add([]byte(hierarchy))
	f.Add([]byte(minimal(`{"name": "x"}`)))
	f.Add([]byte(`{"claimSets": [{"claimSetName": "A", "isSystemReserved": true}], "claimsHierarchy": [{"name": "http://ed-fi.org/identity/claims/ed-fi/a", "claimSets": [{"name": "A", "actions": [{"name": "Read", "authorizationStrategyOverrides": [{"name": "X"}]}]}]}]}`))
	f.Add([]byte(`[`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	if data, err := os.ReadFile(filepath.Join("..", "testdata", "auth", "claims.example.json")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d1, d2 diag.List
		c := Parse("f.json", data, &d1)
		c2 := Parse("f.json", data, &d2)
		if (c == nil) != d1.HasErrors() {
			t.Fatalf("claims nil = %v with errors = %v", c == nil, d1.HasErrors())
		}
		if !reflect.DeepEqual(d1.Items(), d2.Items()) || (c == nil) != (c2 == nil) {
			t.Fatal("not deterministic")
		}
		if c == nil {
			return
		}
		sets := append(c.ClaimSets(), ClaimSet{Name: "undeclared"})
		for _, leaf := range c.ResourceClaims() {
			for _, s := range sets {
				for _, a := range Actions() {
					d := c.resolveClaim(s.Name, leaf, a)
					switch d.Status() {
					case 0, 403, 500, 501:
					default:
						t.Fatalf("status %d", d.Status())
					}
					if d.Outcome == OutcomeAllowed {
						checkShape(t, d.Predicate, 0)
					}
				}
			}
		}
	})
}
